from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import manager_required, participant_staff_required, program_staff_required
from accounts.selectors import staff_of
from audit.services import record_read
from participants.selectors import participants_for
from referrals import selectors, services
from referrals.forms import (
    FollowUpFilterForm,
    PartnerForm,
    PartnerSearchForm,
    ReferralForm,
    StatusChangeForm,
)
from referrals.models import Partner


@require_GET
@program_staff_required
def follow_up_list(request):
    """Open referrals, soonest due first: a worker's own, or everyone's for a manager."""
    user = request.user
    today = user.program.today()
    form = FollowUpFilterForm(
        request.GET or None,
        workers=staff_of(user),
    )
    worker = form.cleaned_data["worker"] if user.is_manager and form.is_valid() else None
    return render(
        request,
        "referrals/follow_up_list.html",
        {
            "form": form if user.is_manager else None,
            "follow_ups": selectors.open_referrals(user, worker=worker),
            "today": today,
        },
    )


@participant_staff_required
def referral_new(request, public_id: str):
    user = request.user
    participant = get_object_or_404(participants_for(user), public_id=public_id)
    form = ReferralForm(request.POST or None, partners=selectors.partners_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.make_referral(
                by=user,
                participant=participant,
                kind=form.cleaned_data["kind"],
                partner=form.cleaned_data["partner"],
                status=form.cleaned_data["status"],
                follow_up_due=form.cleaned_data["follow_up_due"],
            )
        except services.ReferralError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Referral saved."))
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request, "referrals/referral_new.html", {"form": form, "participant": participant}
    )


@participant_staff_required
def referral_detail(request, pk: int):
    """The referral, its history, and the form to move it to a new status."""
    referral = get_object_or_404(
        selectors.referrals_for(request.user).select_related("participant", "partner", "made_by"),
        pk=pk,
    )
    form = StatusChangeForm(request.POST or None, initial={"status": referral.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_referral_status(
                by=request.user,
                referral=referral,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except services.ReferralError as error:
            form.add_error("status", error.message)
        else:
            messages.success(request, _("Status updated."))
            return redirect("referrals:detail", pk=referral.pk)
    # Who was referred where is as sensitive as the participant's page.
    record_read(request=request, action="referrals.referral.viewed", target=referral)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "history": referral.history.select_related("changed_by"),
            "form": form,
        },
    )


@require_GET
@program_staff_required
def partner_list(request):
    form = PartnerSearchForm(request.GET or None)
    query = kind = ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    return render(
        request,
        "referrals/partner_list.html",
        {
            "form": form,
            "partners": selectors.partner_directory(request.user, query=query, kind=kind),
        },
    )


@manager_required
def partner_edit(request, pk: int | None = None):
    partner = get_object_or_404(selectors.partners_for(request.user), pk=pk) if pk else Partner()
    form = PartnerForm(request.POST or None, instance=partner, program_id=request.user.program_id)
    if request.method == "POST" and form.is_valid():
        services.save_partner(
            by=request.user,
            partner=form.save(commit=False),
            services=form.cleaned_data["services"],
        )
        messages.success(request, _("Partner saved."))
        return redirect("referrals:partners")
    return render(request, "referrals/partner_edit.html", {"form": form, "partner": partner})
