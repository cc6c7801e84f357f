"""Referrals through the API: made and moved by the referral services, program-scoped."""

import pytest

from audit.models import AuditEntry
from referrals.models import Partner, Referral
from referrals.services import make_referral

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"


@pytest.fixture
def referral_a(outreach_a, participant_a):
    return make_referral(by=outreach_a, participant=participant_a, kind="housing")


def test_a_referral_is_made_with_a_default_follow_up(outreach_a_api, participant_a, program_a):
    partner = Partner.objects.create(program=program_a, name="Shelter")

    response = outreach_a_api.post(
        REFERRALS,
        {"participant": participant_a.public_id, "kind": "housing", "partner": partner.pk},
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    assert (data["participant"], data["status"], data["partner_name"]) == (
        participant_a.public_id,
        "made",
        "Shelter",
    )
    assert data["follow_up_due"]
    assert AuditEntry.objects.filter(action="referrals.referral.made").exists()


def test_a_referral_for_another_programs_participant_or_partner_is_refused(
    outreach_a_api, participant_a, participant_b, program_b
):
    elsewhere = Partner.objects.create(program=program_b, name="B Shelter")

    response = outreach_a_api.post(
        REFERRALS,
        {"participant": participant_b.public_id, "kind": "legal", "partner": elsewhere.pk},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"participant", "partner"}
    assert not Referral.objects.exists()


def test_a_referral_moves_to_a_new_status(outreach_a_api, referral_a):
    response = outreach_a_api.patch(
        f"{REFERRALS}{referral_a.pk}/", {"status": "linked", "note": "housed"}, format="json"
    )

    referral_a.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["status"] == "linked"
    assert referral_a.linked_at is not None
    assert list(referral_a.history.values_list("status", flat=True)) == ["made", "linked"]


def test_the_same_status_again_is_a_400_with_the_services_message(outreach_a_api, referral_a):
    response = outreach_a_api.patch(f"{REFERRALS}{referral_a.pk}/", {"status": "made"})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The referral already has this status."]}


def test_an_unknown_status_is_named(outreach_a_api, referral_a):
    response = outreach_a_api.patch(f"{REFERRALS}{referral_a.pk}/", {"status": "teleported"})

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_program_b_gets_404_on_program_a_referrals(outreach_b_api, referral_a):
    assert outreach_b_api.get(f"{REFERRALS}{referral_a.pk}/").status_code == 404
    response = outreach_b_api.patch(f"{REFERRALS}{referral_a.pk}/", {"status": "linked"})
    assert response.status_code == 404
    assert outreach_b_api.get(REFERRALS).json()["results"] == []


def test_referrals_filter_by_status_and_kind(outreach_a, outreach_a_api, participant_a):
    housing = make_referral(by=outreach_a, participant=participant_a, kind="housing")
    food = make_referral(by=outreach_a, participant=participant_a, kind="food", status="offered")

    def ids(**params):
        return [row["id"] for row in outreach_a_api.get(REFERRALS, params).json()["results"]]

    assert ids(kind="food") == [food.pk]
    assert ids(status="made") == [housing.pk]
    assert ids(participant=participant_a.public_id.lower()) == [food.pk, housing.pk]
    assert outreach_a_api.get(REFERRALS, {"status": "nope"}).status_code == 400


def test_put_is_not_offered(outreach_a_api, referral_a):
    response = outreach_a_api.put(f"{REFERRALS}{referral_a.pk}/", {"status": "linked"})

    assert response.status_code == 405
    assert "detail" in response.json()


def test_a_follow_up_date_before_the_referral_is_a_400_on_the_field(outreach_a_api, participant_a):
    response = outreach_a_api.post(
        REFERRALS,
        {"participant": participant_a.public_id, "kind": "housing", "follow_up_due": "2020-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["follow_up_due"]
    assert "before the referral" in response.json()["follow_up_due"][0]
    assert not Referral.objects.exists()
