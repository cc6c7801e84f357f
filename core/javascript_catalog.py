"""The words of the JavaScript (static/js), translated by Django's JavaScriptCatalog from the
djangojs catalogue and served by this app (no CDN): one script per language, whose address
carries a digest of the compiled catalogues. A new translation is a new address, so browsers and
the offline app's service worker (which keeps both languages) may keep a catalogue for good.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

DOMAIN = "djangojs"
A_YEAR = 365 * 24 * 3600


@cache
def catalogue_version() -> str:
    """A digest of every compiled djangojs catalogue (read once per process)."""
    digest = hashlib.sha256()
    for folder in settings.LOCALE_PATHS:
        for compiled in sorted(Path(folder).glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


def catalogue_url(language: str) -> str:
    """The address of the JavaScript catalogue of `language` in its current version."""
    return f"{reverse('javascript_catalog', args=[language])}?v={catalogue_version()}"


def catalogue_urls() -> list[str]:
    """Every enabled language's catalogue: what the offline app keeps."""
    return [catalogue_url(code) for code, _name in settings.LANGUAGES]


_catalog = JavaScriptCatalog.as_view(domain=DOMAIN)


@require_safe
@cache_control(public=True, max_age=A_YEAR, immutable=True)
def javascript_catalog(request, language: str):
    """gettext(), ngettext(), pgettext() and interpolate() for the scripts, in `language`."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = _catalog(request)
    # Words only, no one's data: the no-store rule for signed-in answers does not apply.
    response.same_for_everyone = True
    return response


def language_context(request) -> dict:
    """For base.html: the script of the page's language."""
    language = translation.get_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return {"javascript_catalog_url": catalogue_url(language)}
