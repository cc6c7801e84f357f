"""The encounter screen and its htmx parts, undo, and the list of encounters."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.access import participant_staff_required
from accounts.models import User
from accounts.selectors import assigned_locations, locations_for, staff_of
from audit.services import record_read
from core.pagination import keyset_page
from encounters import offline, selectors, services
from encounters.forms import (
    ANONYMOUS,
    ITEM_FIELD_PREFIX,
    LOCATION_KIND_TO_ENCOUNTER_KIND,
    EncounterCorrectionForm,
    EncounterFilterForm,
    EncounterForm,
    VoidEncounterForm,
)
from encounters.services import EncounterError
from participants import pages
from participants.forms import CodeAnswersForm
from participants.selectors import (
    merged_into,
    participant_with_code,
    participants_for,
    search_participants,
)
from participants.services import enroll_participant
from security.code_guesses import CodeGuessBudgetSpent, spend_code_guess
from security.ratelimit import rate_limited
from supplies.selectors import catalogue_for, kits_for, usual_bundle_quantities

ENCOUNTER_PAGE_SIZE = 50
LOCATION_SESSION_KEY = "encounter_location_id"


def _encounter_form(request, data=None):
    user = request.user
    locations = assigned_locations(user)
    items = catalogue_for(user)
    initial = {}
    location = locations.filter(pk=request.session.get(LOCATION_SESSION_KEY)).first() or (
        locations.first()
    )
    if location is not None:
        initial = {"location": location, "kind": LOCATION_KIND_TO_ENCOUNTER_KIND[location.kind]}
    preselected = request.GET.get("participant", "")
    if preselected:
        initial["participant"] = preselected
    return EncounterForm(
        data,
        user=user,
        locations=locations,
        items=items,
        bundle=usual_bundle_quantities(user),
        initial=initial,
    )


def _participant_from_field(user: User, value: str):
    """The participant named by the hidden field: a public id, or None for anonymous."""
    if value == ANONYMOUS:
        return None
    participant = participants_for(user).filter(public_id=value.upper()).first() or merged_into(
        user, value.upper()
    )
    if participant is None:
        raise EncounterError(
            _("No participant %(public_id)s in your program.") % {"public_id": value},
            field="participant",
        )
    return participant


def _selected_participant_context(request, value: str) -> dict:
    """The chosen participant and their last encounter; showing it is an audited view."""
    if not value:
        return {}
    if value == ANONYMOUS:
        return {"selected_anonymous": True}
    user = request.user
    participant = participants_for(user).filter(public_id=value.upper()).first() or merged_into(
        user, value.upper()
    )
    if participant is None:
        return {}
    record_read(
        request=request,
        action="participants.participant.viewed",
        target=participant,
        details={"page": "encounter"},
    )
    return {
        "selected": participant,
        "last_encounter": selectors.last_encounter(participant),
        "enrolment_prompts": pages.enrolment_prompts(),
    }


@participant_staff_required
@sensitive_post_parameters("note")
def encounter_new(request):
    """One page to log an encounter: find the person, adjust the counters, save."""
    user = request.user
    if request.method == "POST":
        form = _encounter_form(request, request.POST)
        if form.is_valid():
            try:
                encounter, _created = services.record_encounter(
                    by=user,
                    encounter_id=form.cleaned_data["encounter_id"],
                    participant=_participant_from_field(user, form.cleaned_data["participant"]),
                    location=form.cleaned_data["location"],
                    kind=form.cleaned_data["kind"],
                    occurred_at=form.cleaned_data["occurred_at"],
                    supplies=[
                        services.SupplyLine(item=item, quantity=quantity)
                        for item, quantity in form.supply_quantities()
                    ],
                    syringes_collected=form.cleaned_data["syringes_collected"],
                    secondary_distribution_for=form.cleaned_data["secondary_distribution_for"],
                    overdose_reversals_reported=form.cleaned_data["overdose_reversals_reported"],
                    naloxone_refill_reason=form.cleaned_data["naloxone_refill_reason"],
                    services=form.services(),
                    referral_kinds=form.cleaned_data["referral_kinds"],
                    note=form.cleaned_data.get("note", ""),
                )
            except EncounterError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
            else:
                request.session[LOCATION_SESSION_KEY] = encounter.location_id
                return redirect(f"{reverse('encounters:new')}?saved={encounter.pk}")
    else:
        form = _encounter_form(request)
    saved = None
    saved_id = request.GET.get("saved")
    if saved_id:
        try:
            saved = (
                selectors.encounters_for(user)
                .filter(pk=saved_id, staff=user)
                .select_related("participant")
                .prefetch_related("supplies__item", "referrals")
                .first()
            )
        except ValidationError:
            saved = None
    kits = _kits_for_counters(user)
    # Items of the usual bundle and the kits come first; the rest fold under "More supplies".
    usual_ids = {
        item.pk for item in form.items if form[f"{ITEM_FIELD_PREFIX}{item.pk}"].value()
    } | {int(item_id) for entry in kits for item_id in entry["item_ids"]}
    other_ids = {item.pk for item in form.items} - usual_ids
    context = {
        "form": form,
        "saved": saved,
        "kits": kits,
        "primary_item_fields": form.item_fields(usual_ids),
        "other_item_fields": form.item_fields(other_ids),
        "other_items_open": any(form[f"{ITEM_FIELD_PREFIX}{pk}"].errors for pk in other_ids),
        "details_open": form.details_have_errors(),
        "service_fields": form.service_fields(),
        "recent_participants": selectors.recent_participants(user),
        "code_form": CodeAnswersForm(recipe=user.program.code_recipe, prefix="code"),
        "offline_config": offline.offline_config(user),
        **_selected_participant_context(request, form["participant"].value() or ""),
        # Just enrolled on the enrolment page: offer what a new participant needs (a card).
        "newly_enrolled": request.method == "GET" and request.GET.get("enrolled") == "1",
    }
    return render(request, "encounters/encounter_new.html", context)


def _kits_for_counters(user: User) -> list[dict]:
    kits = []
    for kit in kits_for(user):
        quantities = {str(line.item_id): line.quantity for line in kit.lines.all()}
        kits.append(
            {"kit": kit, "item_ids": quantities.keys(), "quantities": json.dumps(quantities)}
        )
    return kits


@require_GET
@participant_staff_required
def participant_pick(request, public_id: str):
    """htmx: the chosen participant (or anonymous) with their last encounter in one line."""
    context = _selected_participant_context(request, public_id)
    if not context:
        raise Http404
    return render(request, "encounters/_selected_participant.html", context)


@require_GET
@participant_staff_required
def participant_finder(request):
    """htmx: the search, recent participants and code questions, to choose someone else."""
    return render(
        request,
        "encounters/_participant_finder.html",
        {
            "recent_participants": selectors.recent_participants(request.user),
            "code_form": CodeAnswersForm(recipe=request.user.program.code_recipe, prefix="code"),
        },
    )


@require_GET
@participant_staff_required
@rate_limited("participant-search")
def participant_search(request):
    """htmx: participants matching the typed public id or alias."""
    query = request.GET.get("q", "")
    participants = search_participants(request.user, query)
    seen = selectors.last_seen(participants)
    results = [(participant, seen.get(participant.pk)) for participant in participants]
    return render(request, "encounters/_search_results.html", {"results": results, "query": query})


@require_POST
@participant_staff_required
@sensitive_post_parameters()
@rate_limited("participant-code-lookup")
def participant_find_by_code(request):
    """htmx: the participant whose code the answers derive, or an offer to enrol them."""
    user = request.user
    form = CodeAnswersForm(request.POST, recipe=user.program.code_recipe, prefix="code")
    context = {"code_form": form}
    if form.is_valid():
        code = form.cleaned_data["code"]
        try:
            spend_code_guess(user=user)
        except CodeGuessBudgetSpent as refused:
            form.add_error(None, refused.message)
            return render(request, "encounters/_code_lookup.html", context)
        if request.POST.get("enroll"):
            participant, created = enroll_participant(by=user, code=code)
        else:
            participant, created = participant_with_code(user, code), False
        if participant is not None:
            context = _selected_participant_context(request, participant.public_id)
            context["newly_enrolled"] = created
            response = render(request, "encounters/_selected_participant.html", context)
            # The answers found someone: replace the whole finder, answers and all.
            response["HX-Retarget"] = "#participant-slot"
            return response
        context["not_found"] = True
    return render(request, "encounters/_code_lookup.html", context)


@require_POST
@participant_staff_required
def encounter_undo(request, pk):
    encounter = get_object_or_404(selectors.encounters_for(request.user), pk=pk)
    try:
        services.undo_encounter(by=request.user, encounter=encounter)
    except EncounterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The encounter was undone. Nothing was recorded."))
    return redirect("encounters:new")


@require_GET
@participant_staff_required
def encounter_list(request):
    user = request.user
    form = EncounterFilterForm(
        request.GET or None,
        locations=locations_for(user),
        staff=staff_of(user),
    )
    encounters = selectors.filtered_encounters(user, form.filters(), user.program.tzinfo)
    page = keyset_page(
        request,
        selectors.with_list_details(encounters),
        time_field="occurred_at",
        size=ENCOUNTER_PAGE_SIZE,
    )
    for encounter in page.rows:
        encounter.may_correct = services.may_correct(user, encounter)
    return render(
        request,
        "encounters/encounter_list.html",
        {
            "form": form,
            "encounters": page.rows,
            "older": page.older_url,
            "paged": not page.is_first,
        },
    )


def _changeable(request, pk) -> tuple[object, bool]:
    """The encounter if this user may see it, and whether they may still change it."""
    encounter = get_object_or_404(
        selectors.with_list_details(selectors.encounters_for(request.user)), pk=pk
    )
    return encounter, services.may_correct(request.user, encounter)


@participant_staff_required
@sensitive_post_parameters("note")
def encounter_correct(request, pk):
    """Change any field of an encounter, with a reason (its author today, a manager always)."""
    user = request.user
    encounter, allowed = _changeable(request, pk)
    if not allowed:
        messages.error(request, _("Only a manager can change this encounter now."))
        return redirect("encounters:list")
    form = EncounterCorrectionForm(
        request.POST if request.method == "POST" else None,
        encounter=encounter,
        user=user,
        locations=assigned_locations(user),
        items=catalogue_for(user),
        bundle={line.item_id: line.quantity for line in encounter.supplies.all()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_encounter(
                by=user,
                encounter=encounter,
                reason=data["reason"],
                changes={
                    "participant": (
                        encounter.participant
                        if encounter.participant
                        and data["participant"].upper() == encounter.participant.public_id
                        else _participant_from_field(user, data["participant"])
                    ),
                    "location": data["location"],
                    "kind": data["kind"],
                    "occurred_at": data["occurred_at"],
                    "syringes_collected": data["syringes_collected"],
                    "secondary_distribution_for": data["secondary_distribution_for"],
                    "overdose_reversals_reported": data["overdose_reversals_reported"],
                    "naloxone_refill_reason": data["naloxone_refill_reason"],
                    **form.services(),
                    **({"note": data["note"]} if "note" in data else {}),
                },
                supplies=[
                    services.SupplyLine(item=item, quantity=quantity)
                    for item, quantity in form.supply_quantities()
                ]
                # A line of an item no longer in the catalogue has no counter: it stays.
                + [
                    services.SupplyLine(item=line.item, quantity=line.quantity)
                    for line in encounter.supplies.all()
                    if line.item_id not in {item.pk for item in form.items}
                ],
                referral_kinds=data["referral_kinds"],
            )
        except EncounterError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(request, _("The encounter was corrected."))
            return redirect("encounters:list")
    return render(
        request,
        "encounters/encounter_correct.html",
        {
            "form": form,
            "encounter": encounter,
            "item_fields": form.item_fields({item.pk for item in form.items}),
            "service_fields": form.service_fields(),
        },
    )


@participant_staff_required
def encounter_void(request, pk):
    """Void an encounter, with a reason: it leaves every measure; managers still see it."""
    encounter, allowed = _changeable(request, pk)
    if not allowed:
        messages.error(request, _("Only a manager can change this encounter now."))
        return redirect("encounters:list")
    form = VoidEncounterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.void_encounter(
                by=request.user, encounter=encounter, reason=form.cleaned_data["reason"]
            )
        except EncounterError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The encounter was voided. Its supplies are back in stock.")
            )
            return redirect("encounters:list")
    return render(request, "encounters/encounter_void.html", {"form": form, "encounter": encounter})
