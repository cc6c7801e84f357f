"""Every page of every role in Spanish: no interface text left in English.

A page "speaks English" when one of the catalogue's English sentences that has a Spanish
translation shows as text on the Spanish page: a label built before the language was known, a
template string without {% translate %}, or a catalogue out of date.
"""

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.two_factor import verify_second_factor_in_session

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
TEXT = re.compile(r">([^<>]+)<")


def _english_sentences() -> set[str]:
    """English msgids of two words or more whose Spanish differs."""
    text = CATALOGUE.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, flags=re.MULTILINE)
    return {
        english
        for english, spanish in pairs
        if english != spanish and " " in english.strip() and "%" not in english
    }


def _texts(html: str) -> set[str]:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return {" ".join(unescape(match).split()) for match in TEXT.findall(html)} - {""}


def _spanish_client(user) -> Client:
    user.language = "es"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    verify_second_factor_in_session(client, user)
    return client


@pytest.fixture
def people(outreach_a, manager_a, funder, admin_user):
    return {"outreach": outreach_a, "manager": manager_a, "funder": funder, "admin": admin_user}


@pytest.mark.parametrize("role", ["outreach", "manager", "funder"])
def test_every_page_of_the_role_is_in_spanish(people, role):
    user: User = people[role]
    client = _spanish_client(user)
    start = reverse("reports:list") if role == "funder" else reverse("home")
    first = client.get(start)
    paths = [start, *(item["url"] for item in first.context["navigation"])]
    english = _english_sentences()
    found = []
    for path in dict.fromkeys(paths):
        response = client.get(path)
        assert response.status_code == 200, path
        found += [(path, text) for text in _texts(response.text) & english]
    assert found == []
