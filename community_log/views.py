"""Pages of the community-relations log: the log, a form per kind of entry, a complaint's page
(its response, and a manager marking it reported to the state)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import manager_required, program_staff_required
from accounts.selectors import locations_for
from community_log import selectors, services
from community_log.forms import (
    CleanupForm,
    ComplaintForm,
    ComplaintResponseForm,
    FoundSyringeForm,
    PoliceInteractionForm,
    StickInjuryForm,
)

RECENT = 50


@require_GET
@program_staff_required
def log(request):
    user = request.user
    return render(
        request,
        "community_log/log.html",
        {
            "now": timezone.now(),
            "complaints": selectors.complaints_for(user)[:RECENT],
            "injuries": selectors.stick_injuries_for(user)[:RECENT],
            "found": selectors.found_syringe_reports_for(user)[:RECENT],
            "police": selectors.police_interactions_for(user)[:RECENT],
        },
    )


def _record(request, form, record):
    """Validate `form` and call `record(cleaned_data)`: the new entry, or None when the form
    must be shown again (a domain error lands on the field it names)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return record(form.cleaned_data)
    except services.CommunityLogError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _entry_page(request, form, record, *, title: str, success: str):
    """A form page for one kind of entry; back to the log once it is recorded."""
    if _record(request, form, record) is None:
        return render(request, "community_log/entry_form.html", {"form": form, "title": title})
    messages.success(request, success)
    return redirect("community_log:log")


@program_staff_required
def complaint_new(request):
    user = request.user
    form = ComplaintForm(request.POST or None)
    complaint = _record(request, form, lambda data: services.record_complaint(by=user, **data))
    if complaint is None:
        return render(
            request,
            "community_log/entry_form.html",
            {"form": form, "title": _("Record a complaint")},
        )
    messages.success(
        request,
        _("The complaint was recorded. It must be reported to the state within 72 hours."),
    )
    return redirect("community_log:complaint", pk=complaint.pk)


@program_staff_required
def complaint_detail(request, pk: int):
    user = request.user
    complaint = get_object_or_404(selectors.complaints_for(user), pk=pk)
    form = ComplaintResponseForm(request.POST or None, instance=complaint)
    if request.method == "POST" and form.is_valid():
        services.update_complaint(
            by=user,
            complaint=complaint,
            response=form.cleaned_data["response"],
            resolved=form.cleaned_data["resolved"],
        )
        messages.success(request, _("Saved."))
        return redirect("community_log:complaint", pk=complaint.pk)
    return render(
        request,
        "community_log/complaint_detail.html",
        {"complaint": complaint, "form": form, "overdue": complaint.is_overdue(timezone.now())},
    )


@require_POST
@manager_required
def complaint_reported(request, pk: int):
    complaint = get_object_or_404(selectors.complaints_for(request.user), pk=pk)
    try:
        services.mark_complaint_reported(by=request.user, complaint=complaint)
    except services.CommunityLogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as reported to the state."))
    return redirect("community_log:complaint", pk=complaint.pk)


@program_staff_required
def stick_injury_new(request):
    user = request.user
    return _entry_page(
        request,
        StickInjuryForm(request.POST or None, initial={"occurred_on": user.program.today()}),
        lambda data: services.record_stick_injury(by=user, **data),
        title=_("Record a syringe-stick injury"),
        success=_("The injury was recorded."),
    )


@program_staff_required
def found_syringes_new(request):
    user = request.user
    form = FoundSyringeForm(
        request.POST or None,
        locations=locations_for(user).filter(is_active=True),
        initial={"reported_on": user.program.today()},
    )
    return _entry_page(
        request,
        form,
        lambda data: services.record_found_syringes(by=user, **data),
        title=_("Record found syringes"),
        success=_("The found syringes were recorded."),
    )


@program_staff_required
def cleanup_new(request, pk: int):
    user = request.user
    report = get_object_or_404(selectors.found_syringe_reports_for(user), pk=pk)
    form = CleanupForm(
        request.POST or None,
        locations=locations_for(user).filter(is_active=True),
        initial={"cleaned_up_on": user.program.today()},
    )
    return _entry_page(
        request,
        form,
        lambda data: services.record_cleanup(by=user, report=report, **data),
        title=_("Record the clean-up of %(place)s") % {"place": report.place},
        success=_("The clean-up was recorded."),
    )


@program_staff_required
def police_interaction_new(request):
    user = request.user
    return _entry_page(
        request,
        PoliceInteractionForm(request.POST or None, initial={"occurred_on": user.program.today()}),
        lambda data: services.record_police_interaction(by=user, **data),
        title=_("Record a police interaction"),
        success=_("Recorded, without a name. Thank them for telling us."),
    )
