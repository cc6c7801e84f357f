import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import cache_control
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.access import participant_manager_required, participant_staff_required
from accounts.models import User
from accounts.selectors import assigned_locations, locations_for
from audit.services import record_read
from hrprogram.pagination import keyset_page
from participants import retention, selectors, services
from participants.forms import (
    ANONYMOUS,
    ITEM_FIELD_PREFIX,
    LOCATION_KIND_TO_ENCOUNTER_KIND,
    CodeAnswersForm,
    DeleteOnRequestForm,
    EncounterFilterForm,
    EncounterForm,
    ParticipantProfileForm,
)
from security.ratelimit import rate_limited
from supplies.selectors import catalogue_for, kits_for, usual_bundle_quantities

ENCOUNTER_PAGE_SIZE = 50
LOCATION_SESSION_KEY = "encounter_location_id"


# --- The encounter screen -------------------------------------------------------------------


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
    participant = selectors.participants_for(user).filter(public_id=value.upper()).first()
    if participant is None:
        raise services.EncounterError(
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
    participant = selectors.participants_for(user).filter(public_id=value.upper()).first()
    if participant is None:
        return {}
    record_read(
        request=request,
        action="participants.participant.viewed",
        target=participant,
        details={"page": "encounter"},
    )
    return {"selected": participant, "last_encounter": selectors.last_encounter(participant)}


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
            except services.EncounterError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
            else:
                request.session[LOCATION_SESSION_KEY] = encounter.location_id
                return redirect(f"{reverse('participants:encounter_new')}?saved={encounter.pk}")
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
        "service_fields": form.service_fields(),
        "recent_participants": selectors.recent_participants(user),
        "code_form": CodeAnswersForm(recipe=user.program.code_recipe, prefix="code"),
        "offline_config": _offline_config(user),
        "offline_strings": _offline_strings(),
        **_selected_participant_context(request, form["participant"].value() or ""),
    }
    return render(request, "participants/encounter_new.html", context)


def _offline_config(user: User) -> dict:
    """What the page's offline script needs: whose queue it is and where to send it."""
    return {"user": user.pk, **_offline_urls()}


def _offline_urls() -> dict:
    """The URLs of the offline page script, which the service worker also gets (in its source)."""
    return {
        "service_worker": reverse("participants:service_worker"),
        "page": reverse("participants:encounter_new"),
        "finder": reverse("participants:finder"),
        "pick": reverse("participants:pick", args=["anonymous"]),
        "search": reverse("participants:search"),
        "login": reverse("login"),
        "logout": reverse("logout"),
        "sync": reverse("api:sync"),
        # The catalogue and the recent participants, kept by the service worker for no signal.
        "catalogue": [
            f"{reverse('api:item-list')}?page_size=500",
            f"{reverse('api:kit-list')}?page_size=500",
        ],
        "recent": reverse("api:participant-recent"),
        "static": settings.STATIC_URL,
    }


def _plural(singular: str, plural: str) -> dict[str, str]:
    """A counted message in each plural form of the language, for Intl.PluralRules."""
    return {
        "one": ngettext(singular, plural, 1),
        "many": ngettext(singular, plural, 1_000_000),
        "other": ngettext(singular, plural, 2),
    }


def _offline_strings() -> dict:
    """The words of the offline queue, translated here since the script has no catalogue."""
    return {
        "waiting": _plural("%(count)s waiting to sync", "%(count)s waiting to sync"),
        "rejected": _plural(
            "%(count)s encounter could not be synced: fix or discard it.",
            "%(count)s encounters could not be synced: fix or discard them.",
        ),
        "synced": _plural("%(count)s encounter synced.", "%(count)s encounters synced."),
        "offline": _(
            "No signal: encounters are saved on this phone and sync when the signal returns."
        ),
        "saved_offline": _("Saved on this phone. It will sync when the signal returns."),
        "syncing": _("Syncing…"),
        "sync_now": _("Sync now"),
        "sign_in": _("Sign in again to sync the encounters waiting on this phone."),
        "sign_in_link": _("Sign in"),
        "sync_failed": _("Could not reach the server. Trying again soon."),
        "enrolled": _("New participant %(public_id)s enrolled. Write this id on their card."),
        "already_enrolled": _(
            "The code answers belong to %(public_id)s, who was already enrolled."
        ),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this encounter? It will not be recorded."),
        "dismiss": _("Dismiss"),
        "undo": _("Undo"),
        "anonymous": _("Anonymous"),
        "new_participant": _("New participant (card id given at sync)"),
        "choose_participant": _("Find the participant, or choose anonymous."),
        "answer_questions": _("Answer the code questions first."),
        "search_offline": _(
            "No signal: only people seen recently can be found by card id or alias. "
            "Use the code questions for anyone else."
        ),
        "too_many": _("At most %(limit)s of this item at one encounter."),
        "negative": _("A quantity cannot be negative."),
        "fixing": _("Fixing an encounter that could not be synced. Save sends it again."),
        "ready": pgettext("offline status", "Ready to work without signal."),
        "enrol_offline": _(
            "No signal: answer the code questions below. The participant is enrolled when the "
            "encounter syncs."
        ),
        "other_workers": _plural(
            "%(count)s encounter saved by another worker waits on this phone; "
            "it syncs when they sign in.",
            "%(count)s encounters saved by other workers wait on this phone; "
            "they sync when those workers sign in.",
        ),
    }


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
    return render(request, "participants/_selected_participant.html", context)


@require_GET
@participant_staff_required
def participant_finder(request):
    """htmx: the search, recent participants and code questions, to choose someone else."""
    return render(
        request,
        "participants/_participant_finder.html",
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
    results = selectors.search_participants(request.user, query)
    return render(
        request, "participants/_search_results.html", {"results": results, "query": query}
    )


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
        if request.POST.get("enroll"):
            participant, created = services.enroll_participant(by=user, code=code)
        else:
            participant, created = selectors.participant_with_code(user, code), False
        if participant is not None:
            context = _selected_participant_context(request, participant.public_id)
            context["newly_enrolled"] = created
            response = render(request, "participants/_selected_participant.html", context)
            # The answers found someone: replace the whole finder, answers and all.
            response["HX-Retarget"] = "#participant-slot"
            return response
        context["not_found"] = True
    return render(request, "participants/_code_lookup.html", context)


@require_POST
@participant_staff_required
def encounter_undo(request, pk):
    encounter = get_object_or_404(selectors.encounters_for(request.user), pk=pk)
    try:
        services.undo_encounter(by=request.user, encounter=encounter)
    except services.EncounterError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The encounter was undone. Nothing was recorded."))
    return redirect("participants:encounter_new")


# --- Lists and the participant page -----------------------------------------------------------


@require_GET
@participant_staff_required
def encounter_list(request):
    user = request.user
    form = EncounterFilterForm(
        request.GET or None,
        locations=locations_for(user),
        staff=User.objects.filter(program_id=user.program_id, role__in=["outreach", "manager"]),
    )
    encounters = selectors.filtered_encounters(user, form.filters(), user.program.tzinfo)
    page = keyset_page(
        request,
        selectors.with_list_details(encounters),
        time_field="occurred_at",
        size=ENCOUNTER_PAGE_SIZE,
    )
    return render(
        request,
        "participants/encounter_list.html",
        {
            "form": form,
            "encounters": page.rows,
            "older": page.older_url,
            "paged": not page.is_first,
        },
    )


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
    participant = get_object_or_404(selectors.participants_for(request.user), public_id=public_id)
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
            "characteristics": participant.characteristics.all(),
            "timeline": selectors.participant_timeline(participant),
            "referrals": participant.referrals.select_related("partner").order_by("-made_at"),
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
        return redirect(
            f"{reverse('participants:encounter_new')}?participant={participant.public_id}"
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


# --- Duplicates (managers) --------------------------------------------------------------------


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
        merged_id = merged.public_id
        services.merge_participants(by=request.user, keep=keep, duplicate=merged)
        messages.success(
            request,
            _("Merged %(merged)s into %(kept)s.") % {"merged": merged_id, "kept": keep.public_id},
        )
    else:
        messages.error(request, _("Choose merge or keep apart."))
    return redirect("participants:duplicates")


# --- Deletion on request (managers) -------------------------------------------------------------


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
            "encounter_count": participant.encounters.count(),
            "referral_count": participant.referrals.count(),
        },
    )


# --- The installable app: manifest and service worker -------------------------------------


@require_GET
def web_manifest(request):
    """The web app manifest: the encounter screen installs like an app on a phone."""
    icon = "icons/icon-{}.png"
    manifest = {
        "id": reverse("participants:encounter_new"),
        "name": _("hrprogram: log encounters"),
        "short_name": "hrprogram",
        "description": _("Log encounters and supplies, with or without signal."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("participants:encounter_new"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0f766e",
        "icons": [
            {"src": static(icon.format(192)), "sizes": "192x192", "type": "image/png"},
            {"src": static(icon.format(512)), "sizes": "512x512", "type": "image/png"},
            {
                "src": static(icon.format("maskable-512")),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"indent": 1}
    )


SERVICE_WORKER_PATH = "js/offline/sw.js"
# The static files the encounter page names (templates/base.html, encounter_new.html), which the
# service worker keeps for use without signal; with them, the modules of js/offline/.
OFFLINE_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/app.js",
    "icons/apple-touch-icon.png",
    "js/encounter.js",
    "js/offline/page.js",
)
OFFLINE_MODULES = "js/offline"


def _offline_assets() -> list[str]:
    """The current URLs of the offline page's static files: hashed in production, so that a
    deploy changes the worker's source and the worker replaces the files it keeps.

    page.js imports the other modules by relative path: the browser asks for their plain names,
    unless the storage rewrites imports to hashed names.
    """
    hashed_imports = getattr(staticfiles_storage, "support_js_module_import_aggregation", False)
    folder = Path(finders.find(OFFLINE_MODULES))
    modules = [f"{OFFLINE_MODULES}/{module.name}" for module in sorted(folder.glob("*.js"))]
    return [static(name) for name in OFFLINE_STATIC] + [
        static(name) if hashed_imports else f"{settings.STATIC_URL}{name}"
        for name in modules
        if name not in OFFLINE_STATIC and name != SERVICE_WORKER_PATH
    ]


def _offline_modules_version() -> str:
    """A digest of the modules of js/offline/: without a hash in their names, they change the
    worker's source through this, and a new worker then fetches them afresh."""
    digest = hashlib.sha256()
    for module in sorted(Path(finders.find(OFFLINE_MODULES)).glob("*.js")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _service_worker_file() -> bytes:
    with open(finders.find(SERVICE_WORKER_PATH), "rb") as source:
        return source.read()


def _service_worker_source() -> bytes:
    """sw.js, after its configuration: the page's URLs and the static files to keep."""
    config = {
        **_offline_urls(),
        "assets": _offline_assets(),
        "version": _offline_modules_version(),
    }
    return f"self.OFFLINE_CONFIG = {json.dumps(config)};\n".encode() + _service_worker_file()


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from the site root so that its scope is the whole site.

    A worker served under /static/ could only control /static/; this view reads the static file
    and puts its configuration before it (_service_worker_source).
    """
    if settings.DEBUG:
        _service_worker_file.cache_clear()
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response
