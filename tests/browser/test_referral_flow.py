import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from participants import services
from referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def participant():
    call_command("seed_demo", stdout=io.StringIO())
    outreach = User.objects.get(username="outreach")
    participant, _ = services.enroll_participant(
        by=outreach, code="RI0391BM", profile={"alias": "River"}
    )
    return participant


def test_housing_referral_in_one_tap_then_linked_from_follow_ups(page, participant):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/encounters/new/")
    page.get_by_placeholder("Card id or alias").fill("riv")
    page.get_by_role("button", name=str(participant)).click()

    page.get_by_text("Housing", exact=True).click()
    page.get_by_role("button", name="Save encounter").click()
    expect(page.locator("#saved-confirmation")).to_contain_text("Referral: Housing")

    page.goto("/referrals/follow-ups/")
    page.locator("[data-follow-ups] a", has_text=participant.public_id).click()
    page.get_by_label("New status").select_option("linked")
    page.get_by_role("button", name="Update status").click()

    expect(page.locator("[data-status]")).to_have_text("Linked")
    referral = Referral.objects.get(participant=participant)
    assert referral.status == "linked"
    assert referral.linked_at is not None
