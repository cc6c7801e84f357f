"""The words of the JavaScript: Django's JavaScriptCatalog from the djangojs catalogue, served by
the app itself in each language, at an address that changes with the translations."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from core.javascript_catalog import catalogue_url
from tests.security.test_two_factor import sign_in_with_password

pytestmark = pytest.mark.django_db

SCRIPTS = Path(settings.BASE_DIR) / "static" / "js"
JS_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "djangojs.po"
# The English of each gettext-family call in our scripts (not the vendored ones).
CALL = re.compile(r'\b(?:n?gettext\(|pgettext\(\s*"[^"]*",)\s*"((?:[^"\\]|\\.)*)"')


def _translated(catalogue: str) -> set[str]:
    """English msgids with a Spanish msgstr, wrapped lines joined."""
    joined = re.sub(r'"\n"', "", catalogue)
    pairs = re.findall(
        r'^msgid "(.+)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? "(.+)"$',
        joined,
        flags=re.MULTILINE,
    )
    return {english for english, _spanish in pairs}


def test_the_spanish_catalogue_speaks_spanish(client):
    response = client.get(catalogue_url("es"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "Sincronizar ahora" in body
    assert "function gettext" in body or "django.gettext" in body


def test_an_unknown_language_is_not_found(client):
    assert client.get("/jsi18n/xx/").status_code == 404


def test_the_catalogue_is_kept_for_good_even_for_someone_signed_in(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get(catalogue_url("es"))

    assert "immutable" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


def test_the_catalogue_opens_before_the_second_factor(client, manager_a):
    sign_in_with_password(client, manager_a)  # a manager owes a second factor: pages redirect

    assert client.get("/").status_code == 302
    assert client.get(catalogue_url("es")).status_code == 200


def test_every_page_loads_the_catalogue_of_its_language(client, outreach_a):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])
    client.force_login(outreach_a)

    page = client.get("/").text

    assert f'<script src="{catalogue_url("es")}"></script>' in page


def test_every_string_of_our_scripts_has_a_spanish_translation():
    translated = _translated(JS_CATALOGUE.read_text(encoding="utf-8"))
    called = {
        text
        for script in SCRIPTS.rglob("*.js")
        for text in CALL.findall(script.read_text(encoding="utf-8"))
    }

    assert len(called) > 20
    assert called - translated == set()
