"""The installable app: the web manifest, the service worker served from the site root, and
what the page's offline scripts need (their configuration; their words come from the JavaScript
catalogue, core/javascript_catalog.py, which the worker keeps in every language)."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from accounts.models import User
from core.javascript_catalog import catalogue_urls


def offline_config(user: User) -> dict:
    """What the page's offline script needs: whose queue it is and where to send it."""
    return {"user": user.pk, **_offline_urls()}


def _offline_urls() -> dict:
    """The URLs of the offline page script, which the service worker also gets (in its source)."""
    return {
        "service_worker": reverse("encounters:service_worker"),
        "page": reverse("encounters:new"),
        "home": reverse("home"),
        "finder": reverse("encounters:finder"),
        "pick": reverse("encounters:pick", args=["anonymous"]),
        "search": reverse("encounters:search"),
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


@require_safe
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
# The static files the encounter page names (templates/base.html, encounter_new.html), which the
# service worker keeps for use without signal; with them, the modules of js/offline/.
OFFLINE_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/app.js",
    "icons/apple-touch-icon.png",
    "icons/icon-192.png",
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
    return (
        [static(name) for name in OFFLINE_STATIC]
        + [
            static(name) if hashed_imports else f"{settings.STATIC_URL}{name}"
            for name in modules
            if name not in OFFLINE_STATIC and name != SERVICE_WORKER_PATH
        ]
        # The words of the scripts in every language: the worker may switch language offline.
        + catalogue_urls()
    )


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


@require_safe
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
