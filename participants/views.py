"""Pages about who a participant is: search, the participant's page, enrolment, their answers,
duplicates and deletion on request."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.access import participant_manager_required, participant_staff_required
from audit.services import record_read
from participants import pages, retention, selectors, services
from participants.forms import CodeAnswersForm, DeleteOnRequestForm, ParticipantProfileForm
from security.code_guesses import CodeGuessBudgetSpent, spend_code_guess
from security.ratelimit import rate_limited


@require_GET
@participant_staff_required
@rate_limited("participant-search")
def participant_list(request):
    query = request.GET.get("q", "")
    results = selectors.search_participants(request.user, query) if query else []
    return render(
        request, "participants/participant_list.html", {"results": results, "query": query}
    )


@require_GET
@participant_staff_required
def participant_detail(request, public_id: str):
    participant = selectors.participants_for(request.user).filter(public_id=public_id).first()
    if participant is None:
        merged_into = selectors.merged_into(request.user, public_id)
        if merged_into is None:
            raise Http404
        messages.info(
            request,
            _("%(merged)s was merged into %(kept)s.")
            % {"merged": public_id, "kept": merged_into.public_id},
        )
        return redirect("participants:detail", public_id=merged_into.public_id)
    record_read(
        request=request,
        action="participants.participant.viewed",
        target=participant,
        details={"page": "detail"},
    )
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "profile_answers": selectors.profile_answers(participant),
            "sections": pages.sections_for(participant),
        },
    )


@participant_staff_required
@sensitive_post_parameters()
@rate_limited("participant-code-lookup", methods=["POST"])
def participant_enroll(request):
    """Enrol a participant: the code questions, then optional answers (each can be declined)."""
    user = request.user
    code_form = CodeAnswersForm(
        request.POST or None, recipe=user.program.code_recipe, prefix="code"
    )
    profile_form = ParticipantProfileForm(request.POST or None)
    if request.method == "POST" and code_form.is_valid() and profile_form.is_valid():
        try:
            spend_code_guess(user=user)
        except CodeGuessBudgetSpent as refused:
            code_form.add_error(None, refused.message)
            return render(
                request,
                "participants/participant_enroll.html",
                {"code_form": code_form, "profile_form": profile_form},
            )
        participant, created = services.enroll_participant(
            by=user,
            code=code_form.cleaned_data["code"],
            profile=profile_form.profile(),
            characteristics=profile_form.characteristics(),
        )
        if created:
            messages.success(
                request,
                _("Enrolled %(public_id)s. Write this id on their card.")
                % {"public_id": participant.public_id},
            )
        else:
            messages.info(
                request,
                _("These answers belong to %(public_id)s, who is already enrolled.")
                % {"public_id": participant.public_id},
            )
        enrolled = "&enrolled=1" if created else ""
        return redirect(
            f"{reverse('encounters:new')}?participant={participant.public_id}{enrolled}"
        )
    return render(
        request,
        "participants/participant_enroll.html",
        {"code_form": code_form, "profile_form": profile_form},
    )


@participant_staff_required
@sensitive_post_parameters()
def participant_edit(request, public_id: str):
    participant = get_object_or_404(selectors.participants_for(request.user), public_id=public_id)
    form = ParticipantProfileForm(
        request.POST or None, initial=ParticipantProfileForm.initial_for(participant)
    )
    if request.method == "POST" and form.is_valid():
        services.update_participant_profile(
            by=request.user,
            participant=participant,
            profile=form.profile(),
            characteristics=form.characteristics(),
        )
        messages.success(request, _("Saved."))
        return redirect("participants:detail", public_id=participant.public_id)
    record_read(
        request=request,
        action="participants.participant.viewed",
        target=participant,
        details={"page": "edit"},
    )
    return render(
        request, "participants/participant_edit.html", {"participant": participant, "form": form}
    )


@require_GET
@participant_manager_required
def duplicate_list(request):
    return render(
        request,
        "participants/duplicate_list.html",
        {"duplicates": selectors.open_duplicates_for(request.user)},
    )


@require_POST
@participant_manager_required
def duplicate_resolve(request, pk: int):
    """Merge the pair (keeping the one the manager chose) or dismiss it as two people."""
    duplicate = get_object_or_404(selectors.open_duplicates_for(request.user), pk=pk)
    action = request.POST.get("action")
    if action == "dismiss":
        services.dismiss_possible_duplicate(by=request.user, duplicate=duplicate)
        messages.success(request, _("Kept as two different participants."))
    elif action in ("keep_participant", "keep_other"):
        keep, merged = (duplicate.participant, duplicate.other)
        if action == "keep_other":
            keep, merged = merged, keep
        if request.POST.get("confirmed") != "yes":
            # A merge cannot be undone: say what it does and ask once more (no script needed).
            return render(
                request,
                "participants/merge_confirm.html",
                {"pair": duplicate, "keep": keep, "merged": merged, "action": action},
            )
        merged_id = merged.public_id
        try:
            services.merge_participants(by=request.user, keep=keep, duplicate=merged)
        except services.ParticipantError as error:
            # Another manager merged the pair the other way at the same moment.
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Merged %(merged)s into %(kept)s.")
                % {"merged": merged_id, "kept": keep.public_id},
            )
    else:
        messages.error(request, _("Choose merge or keep apart."))
    return redirect("participants:duplicates")


@participant_manager_required
def participant_delete(request, public_id: str):
    """Forget a participant who asked: a page that says what happens, then the deletion."""
    participant = get_object_or_404(selectors.participants_for(request.user), public_id=public_id)
    form = DeleteOnRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.delete_participant_on_request(by=request.user, participant=participant)
        except retention.RetentionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The participant's record was deleted. Their visits are kept without a name."),
            )
            return redirect("participants:list")
    record_read(
        request=request,
        action="participants.participant.viewed",
        target=participant,
        details={"page": "delete"},
    )
    return render(
        request,
        "participants/participant_delete.html",
        {
            "participant": participant,
            "form": form,
            "kept_on_deletion": pages.kept_on_deletion(participant),
        },
    )
