"""A referral made at an encounter is dated at the encounter, not when it was saved; the median
days to linkage counts only referrals linked now. The clock: 23:30 on 9 March in New York."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from encounters.services import record_encounter
from referrals import services
from referrals.models import Referral
from reports import measures
from tests.factories import ParticipantFactory
from tests.referrals.test_referrals import last_month

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


def test_a_referral_at_a_back_entered_encounter_takes_the_encounter_time(
    manager_a, site_a, participant_a
):
    back_then = datetime(2026, 3, 3, 21, 0, tzinfo=NEW_YORK)  # 4 March in UTC

    encounter, _created = record_encounter(
        by=manager_a,
        participant=participant_a,
        location=site_a,
        kind="fixed_site",
        occurred_at=back_then,
        referral_kinds=["housing"],
    )

    referral = Referral.objects.get(encounter=encounter)
    assert referral.made_at == back_then
    assert referral.follow_up_due == date(2026, 3, 3) + timedelta(days=14)
    assert referral.history.get().changed_at == back_then


def test_a_referral_synced_days_later_is_dated_the_day_it_was_made(
    outreach_a, site_a, participant_a
):
    two_days_ago = timezone.now() - timedelta(days=2)

    encounter, _created = record_encounter(
        by=outreach_a,
        participant=participant_a,
        location=site_a,
        kind="street_outreach",
        occurred_at=two_days_ago,
        referral_kinds=["food"],
        queued_offline=True,
    )

    referral = Referral.objects.get(encounter=encounter)
    assert referral.made_at == two_days_ago
    assert referral.follow_up_due == timezone.localdate(two_days_ago, NEW_YORK) + timedelta(days=3)


def test_median_days_to_linkage_leaves_out_referrals_no_longer_linked(
    outreach_a, participant_a, program_a
):
    start = timezone.now() - timedelta(days=20)
    for days, final in ((2, "linked"), (4, "linked"), (30, "declined")):
        referral = services.make_referral(by=outreach_a, participant=participant_a, kind="housing")
        services.change_referral_status(by=outreach_a, referral=referral, status="linked")
        if final != "linked":
            services.change_referral_status(by=outreach_a, referral=referral, status=final)
        Referral.objects.filter(pk=referral.pk).update(
            made_at=start, linked_at=start + timedelta(days=days)
        )

    numbers = measures.compute(last_month(program_a), ["median_days_to_linkage"])

    assert numbers == {"median_days_to_linkage": 3.0}
