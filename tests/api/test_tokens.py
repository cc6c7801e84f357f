"""API tokens: managers make and revoke them for their program's staff; only a hash is kept."""

import hashlib

import pytest
from django.test import Client

from api.models import ApiToken
from api.services import TokenError, create_token, revoke_token
from audit.models import AuditEntry
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def token_client(plain: str):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def test_a_created_token_works_as_its_user(manager_a, outreach_a, site_a):
    _token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")

    response = token_client(plain).get("/api/v1/locations/?assigned=true")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [site_a.name]


def test_a_bearer_header_works_too(manager_a, outreach_a):
    _token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    assert client.get("/api/v1/items/").status_code == 200


def test_token_clients_need_no_csrf_header(manager_a, outreach_a):
    _token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")
    client = token_client(plain)
    client.handler.enforce_csrf_checks = True

    assert client.post("/api/v1/sync/", {"items": [{}]}, format="json").status_code == 200


def test_a_revoked_token_fails(manager_a, outreach_a):
    token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")
    revoke_token(by=manager_a, token=token)

    response = token_client(plain).get("/api/v1/items/")

    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked."}


def test_a_wrong_token_fails(manager_a, outreach_a):
    create_token(by=manager_a, user=outreach_a, name="warehouse")

    response = token_client("hrp_not-the-token").get("/api/v1/items/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_deactivated_users_token_fails(manager_a, outreach_a):
    _token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")
    outreach_a.is_active = False
    outreach_a.save(update_fields=["is_active"])

    assert token_client(plain).get("/api/v1/items/").status_code == 401


def test_only_the_hash_is_stored(manager_a, outreach_a):
    token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain.startswith(stored.prefix)
    assert len(stored.prefix) < len(plain) // 2
    assert not any(plain in str(value) for value in ApiToken.objects.values().get().values())


def test_use_is_recorded(manager_a, outreach_a):
    token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")

    token_client(plain).get("/api/v1/items/")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_tokens_are_made_only_for_the_managers_own_program(manager_a, outreach_b):
    with pytest.raises(TokenError, match="own program"):
        create_token(by=manager_a, user=outreach_b, name="elsewhere")


# --- The tokens page ----------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_makes_a_token_and_sees_it_once(manager_a, outreach_a):
    client = signed_in(manager_a)

    response = client.post("/api/tokens/", {"name": "county warehouse", "user": outreach_a.pk})

    token = ApiToken.objects.get()
    page = response.content.decode()
    plain = page.split('id="new-token">')[1].split("<")[0]
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token_client(plain).get("/api/v1/items/").status_code == 200
    assert plain not in client.get("/api/tokens/").content.decode()
    entry = AuditEntry.objects.get(action="api.token.created")
    assert entry.actor == manager_a
    assert entry.details == {"name": "county warehouse", "user": "outreach_a"}


def test_a_manager_revokes_a_token(manager_a, outreach_a):
    token, plain = create_token(by=manager_a, user=outreach_a, name="warehouse")

    response = signed_in(manager_a).post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert token_client(plain).get("/api/v1/items/").status_code == 401
    assert AuditEntry.objects.filter(action="api.token.revoked", object_id=str(token.pk)).exists()


def test_another_programs_manager_cannot_see_or_revoke_a_token(manager_a, outreach_a, program_b):
    from tests.factories import UserFactory

    manager_b = UserFactory(role="manager", program=program_b)
    token, plain = create_token(by=manager_a, user=outreach_a, name="nightly export job")
    client = signed_in(manager_b)

    assert "nightly export job" not in client.get("/api/tokens/").content.decode()
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert token_client(plain).get("/api/v1/items/").status_code == 200


def test_a_manager_cannot_make_a_token_for_another_programs_user(manager_a, outreach_b):
    response = signed_in(manager_a).post("/api/tokens/", {"name": "x", "user": outreach_b.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["outreach_a", "funder"])
def test_others_cannot_open_the_tokens_page(request, role):
    assert signed_in(request.getfixturevalue(role)).get("/api/tokens/").status_code == 403


def test_the_menu_links_the_tokens_page_for_managers_only(manager_a, outreach_a):
    assert 'href="/api/tokens/"' in signed_in(manager_a).get("/").content.decode()
    assert 'href="/api/tokens/"' not in signed_in(outreach_a).get("/").content.decode()
