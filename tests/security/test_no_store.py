"""Shared phones keep no copy of what a signed-in person saw: every page and API answer given
to them says `Cache-Control: no-store`, so Back after sign-out shows nothing from a cache."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import create_token
from referrals.services import make_referral
from tests.factories import EncounterFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def kept_by_no_cache(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "private" in directives


@pytest.fixture
def participant_a(program_a, site_a, outreach_a):
    participant = ParticipantFactory(program=program_a, alias="Sky")
    EncounterFactory(program=program_a, participant=participant, location=site_a, staff=outreach_a)
    return participant


def test_every_page_with_participant_data_is_kept_out_of_caches(client, manager_a, participant_a):
    referral = make_referral(by=manager_a, participant=participant_a, kind="housing")
    client.force_login(manager_a)

    for url in (
        reverse("home"),
        reverse("participants:list"),
        reverse("participants:detail", args=[participant_a.public_id]),
        reverse("participants:edit", args=[participant_a.public_id]),
        reverse("encounters:list"),
        reverse("encounters:new"),
        reverse("encounters:search") + "?q=Sky",
        reverse("referrals:follow_ups"),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("audit:log"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert kept_by_no_cache(response), (url, response.get("Cache-Control"))


def test_api_answers_are_kept_out_of_caches_with_a_session_or_a_token(
    client, manager_a, outreach_a, participant_a
):
    client.force_login(outreach_a)
    with_session = client.get("/api/v1/participants/")
    _token, plain = create_token(by=manager_a, user=outreach_a, name="phone")
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    with_token = token_client.get("/api/v1/participants/")
    refused = APIClient().get("/api/v1/participants/")

    assert with_session.status_code == with_token.status_code == 200
    assert "Sky" in with_token.content.decode()
    for response in (with_session, with_token, refused):
        assert kept_by_no_cache(response), response.get("Cache-Control")


def test_the_offline_app_files_keep_their_own_revalidation_and_gain_no_store(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get("/sw.js")

    assert "no-cache" in response["Cache-Control"]
    assert kept_by_no_cache(response)
