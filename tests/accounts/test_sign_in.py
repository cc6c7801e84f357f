import time

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.middleware import LAST_ACTIVITY_KEY
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_correct_password_signs_in(client, outreach_a):
    response = sign_in(client, "outreach_a", TEST_PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_a_message(client, outreach_a):
    response = sign_in(client, "outreach_a", "not-the-password")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_account_is_locked_after_repeated_failed_sign_ins(client, outreach_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "outreach_a", "not-the-password")

    response = sign_in(client, "outreach_a", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert client.get(reverse("home")).status_code == 302


def test_lockout_of_one_account_leaves_others_alone(client, outreach_a, manager_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "outreach_a", "not-the-password")

    assert sign_in(client, "manager_a", TEST_PASSWORD).status_code == 302


def test_idle_session_is_signed_out(client, outreach_a):
    client.force_login(outreach_a)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - settings.IDLE_TIMEOUT_MINUTES * 60 - 1
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    follow = client.get(response.url)
    assert "signed out after" in follow.text


def test_active_session_stays_signed_in(client, outreach_a):
    client.force_login(outreach_a)
    client.get(reverse("home"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - settings.IDLE_TIMEOUT_MINUTES * 60 + 30
    session.save()

    assert client.get(reverse("home")).status_code == 200


def test_password_reset_sends_an_email_with_a_link(
    client, outreach_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": outreach_a.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_sign_out_needs_a_post_and_ends_the_session(client, outreach_a):
    client.force_login(outreach_a)

    client.post(reverse("logout"))

    assert client.get(reverse("home")).status_code == 302
