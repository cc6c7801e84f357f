"""The installable app: the web manifest, the service worker served from the site root, and
what the page's offline scripts need (their configuration and their words)."""

from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.models import User


def offline_config(user: User) -> dict:
    """What the page's offline script needs: whose queue it is and where to send it."""
    return {
        "user": user.pk,
        "service_worker": reverse("encounters:service_worker"),
        "page": reverse("encounters:new"),
        "finder": reverse("encounters:finder"),
        "pick": reverse("encounters:pick", args=["anonymous"]),
        "login": reverse("login"),
        "sync": reverse("api:sync"),
        # The catalogue and the recent participants, kept by the service worker for no signal.
        "catalogue": [
            f"{reverse('api:item-list')}?page_size=500",
            f"{reverse('api:kit-list')}?page_size=500",
        ],
        "recent": reverse("api:participant-recent"),
    }


def _plural(singular: str, plural: str) -> dict[str, str]:
    """A counted message in each plural form of the language, for Intl.PluralRules."""
    return {
        "one": ngettext(singular, plural, 1),
        "many": ngettext(singular, plural, 1_000_000),
        "other": ngettext(singular, plural, 2),
    }


def offline_strings() -> dict:
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


@require_GET
def web_manifest(request):
    """The web app manifest: the encounter screen installs like an app on a phone."""
    icon = "icons/icon-{}.png"
    manifest = {
        "id": reverse("encounters:new"),
        "name": _("hrprogram: log encounters"),
        "short_name": "hrprogram",
        "description": _("Log encounters and supplies, with or without signal."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("encounters:new"),
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


@cache
def _service_worker_source() -> bytes:
    with open(finders.find(SERVICE_WORKER_PATH), "rb") as source:
        return source.read()


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from the site root so that its scope is the whole site.

    A worker served under /static/ could only control /static/; this view reads the static file.
    """
    if settings.DEBUG:
        _service_worker_source.cache_clear()
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response
