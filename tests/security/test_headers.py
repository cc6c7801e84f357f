"""Response headers and cookies that keep pages out of frames, scripts out of pages and
cookies away from scripts. Production-only parts (HSTS, Secure) are in test_deploy_check.py."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def policy_of(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {directive[0]: directive[1:] for directive in directives if directive}


@pytest.mark.parametrize(
    "url_name", ["encounters:new", "participants:list", "security:two_factor_settings"]
)
def test_pages_allow_only_their_own_scripts_and_styles(client, outreach_a, url_name):
    client.force_login(outreach_a)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["worker-src"] == ["'self'"]
    assert policy["manifest-src"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_sign_in_and_error_pages_carry_the_policy_too(client):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        assert policy_of(response)["script-src"] == ["'self'"]


def test_rendered_pages_hold_no_inline_script_style_or_handler(client, manager_a):
    client.force_login(manager_a)

    for url in (
        reverse("home"),
        reverse("encounters:new"),
        reverse("participants:enroll"),
        reverse("supplies:stock"),
        reverse("security:two_factor_settings"),
        reverse("security:two_factor_setup"),
    ):
        html = client.get(url).text
        assert "style=" not in html, url
        assert "<style" not in html, url
        assert " onclick=" not in html and " onchange=" not in html, url
        for script in html.split("<script")[1:]:
            tag = script.split(">", 1)[0]
            assert " src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_pages_refuse_frames_sniffing_and_foreign_referrers(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_hidden_from_scripts_and_same_site(client, outreach_a):
    response = client.post(
        reverse("login"), {"username": outreach_a.username, "password": TEST_PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_cookie_is_never_sent_from_another_site(client):
    response = client.get(reverse("login"))

    assert response.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Strict"


def test_language_cookie_is_hidden_from_scripts(client):
    response = client.post(reverse("accounts:language"), {"language": "es", "next": "/"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_two_factor_pages_are_never_cached(client, manager_a):
    client.post(reverse("login"), {"username": manager_a.username, "password": TEST_PASSWORD})

    response = client.get(reverse("security:two_factor_setup"))

    assert "no-store" in response["Cache-Control"]
