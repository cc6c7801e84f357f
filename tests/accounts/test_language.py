import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_language_choice_is_kept_on_the_account(client, outreach_a):
    client.force_login(outreach_a)

    client.post(reverse("accounts:language"), {"language": "es", "next": "/"})

    outreach_a.refresh_from_db()
    assert outreach_a.language == "es"
    client.cookies.clear()
    client.force_login(outreach_a)
    assert "Inicio" in client.get(reverse("home")).text


def test_anonymous_visitor_can_switch_the_sign_in_page_to_spanish(client):
    client.post(reverse("accounts:language"), {"language": "es", "next": reverse("login")})

    assert "Iniciar sesión" in client.get(reverse("login")).text


def test_unknown_language_is_ignored(client, outreach_a):
    client.force_login(outreach_a)

    response = client.post(reverse("accounts:language"), {"language": "xx"})

    assert response.status_code == 302
    outreach_a.refresh_from_db()
    assert outreach_a.language == "en"


def test_language_switch_does_not_redirect_to_another_site(client):
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": "https://evil.example/"}
    )

    assert response.url == "/"
