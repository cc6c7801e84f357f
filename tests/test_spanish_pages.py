"""Every page of every role in Spanish: no interface text left in English.

Each role starts from its home page and follows every link and htmx GET its pages show, one
page per view (the first participant, the first referral, ...), on a demo program with a little
of everything (tests/spanish.py says what "English" is). A page a role is shown a link to must
also open for it.
"""

import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from tests.spanish import english_among, html_texts

pytestmark = pytest.mark.django_db

ROLES = {"outreach": "/", "manager": "/", "funder": "/reports/", "admin": "/"}
LINK = re.compile(r'\s(?:href|hx-get)="(/[^"#]*)"')
# Not pages: signing out and the language switch are POSTs; files and feeds are not HTML; the
# admin's own pages (Django's, in Spanish) beyond the ones the menu names would be hundreds.
SKIPPED_PREFIXES = ("/static/", "/media/", "/jsi18n/", "/sw.js", "/manifest.webmanifest")
MOST_PAGES = 250


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_with_a_little_of_everything(run_queued, mailoutbox):
    """A small living demo: participants, encounters, referrals, trainings, reversals,
    collections and report runs built and published to the funder."""
    errors = run_queued(
        lambda: call_command(
            "seed_demo", year=True, participants=30, encounters=300, stdout=io.StringIO()
        )
    )
    assert errors == []


def _spanish_client(user: User) -> Client:
    user.language = "es"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _view_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(client: Client, start: str):
    """(path, response) of each page reachable from `start`: one per view, GET only."""
    seen_views: set[str] = set()
    queue = [start]
    while queue and len(seen_views) < MOST_PAGES:
        path = unescape(queue.pop(0))
        path = urlsplit(path).path + (f"?{urlsplit(path).query}" if "?" in path else "")
        if path.startswith(SKIPPED_PREFIXES):
            continue
        view = _view_of(urlsplit(path).path)
        if view is None or view in seen_views:
            continue
        if view.startswith("admin:") and view not in ("admin:index",) and "changelist" not in view:
            continue
        seen_views.add(view)
        response = client.get(path)
        yield path, response
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        queue += LINK.findall(response.content.decode())


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_is_in_spanish(demo_with_a_little_of_everything, role):
    client = _spanish_client(User.objects.get(username=role))
    opened, refused, english = [], [], []
    for path, response in crawl(client, ROLES[role]):
        opened.append(path)
        if response.status_code >= 400:
            refused.append((path, response.status_code))
            continue
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            english += [(path, text) for text in english_among(html_texts(response.text))]

    assert len(opened) > 5, opened
    assert refused == []
    assert english == [], "\n".join(f"{path}: {text}" for path, text in english)
