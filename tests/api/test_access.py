"""Who may use the API at all, and the JSON every refusal comes as."""

import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.middleware import LAST_ACTIVITY_KEY
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/participants/"),
    ("post", "/api/v1/participants/"),
    ("post", "/api/v1/participants/lookup/"),
    ("get", "/api/v1/participants/recent/"),
    ("get", "/api/v1/participants/questions/"),
    ("get", "/api/v1/encounters/"),
    ("post", "/api/v1/encounters/"),
    ("post", "/api/v1/sync/"),
    ("get", "/api/v1/items/"),
    ("get", "/api/v1/kits/"),
    ("get", "/api/v1/locations/"),
    ("get", "/api/v1/stock-levels/"),
    ("get", "/api/v1/referrals/"),
    ("post", "/api/v1/referrals/"),
    ("get", "/api/v1/training-sessions/"),
    ("post", "/api/v1/training-sessions/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_requests_get_a_json_401(anonymous_api, method, url):
    response = getattr(anonymous_api, method)(url, {}, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_funders_get_a_json_403_everywhere(funder_api, method, url):
    response = getattr(funder_api, method)(url, {}, format="json")

    assert response.status_code == 403
    assert "outreach staff and managers" in response.json()["detail"]


def test_administrators_are_refused_too(admin_user):
    response = api_client(admin_user).get("/api/v1/participants/")

    assert response.status_code == 403


def test_a_session_post_without_the_csrf_header_is_refused(outreach_a, site_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(outreach_a)

    response = client.post("/api/v1/sync/", {"items": [{}]}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")


def test_a_session_post_with_the_csrf_header_goes_through(outreach_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(outreach_a)
    client.get(reverse("encounters:new"))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value

    response = client.post("/api/v1/sync/", {"items": [{}]}, format="json", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200


def test_an_idle_session_gets_a_json_401_not_the_sign_in_page(outreach_a, settings):
    client = api_client(outreach_a)
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - settings.IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()

    response = client.get("/api/v1/items/")

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/participants/a%0Ab/"])
def test_unknown_api_paths_are_a_json_404(outreach_a_api, path):
    response = outreach_a_api.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_write_to_an_unknown_path_is_a_json_404_not_a_csrf_page(outreach_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(outreach_a)

    response = client.patch("/api/v1/referrals/1.5/", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_only_json_is_accepted(outreach_a_api):
    response = outreach_a_api.post("/api/v1/sync/", "items=1", content_type="text/plain")

    assert response.status_code == 415
    assert "detail" in response.json()


def test_broken_json_is_a_400_with_a_message(outreach_a_api):
    response = outreach_a_api.post("/api/v1/sync/", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("JSON parse error")


def test_messages_follow_the_users_language(outreach_a, site_a):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])

    response = api_client(outreach_a).post("/api/v1/encounters/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["kind"] == ["Este campo es requerido."]


def test_the_schema_and_the_docs_are_served_without_a_cdn(outreach_a_api):
    schema = outreach_a_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = outreach_a_api.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/v1/sync/" in schema.json()["paths"]
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page and "<style>" not in page


def test_the_docs_need_a_sign_in(anonymous_api):
    assert anonymous_api.get("/api/schema/").status_code == 401
