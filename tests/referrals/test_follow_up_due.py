"""A follow-up cannot be due before the referral was made; the follow-up list shows the year of
a due date outside the program's current year. The clock: 23:30 on 9 March 2026 in New York
(already 10 March in UTC)."""

from datetime import date

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


def test_a_follow_up_before_the_referral_is_refused_on_the_field(client, outreach_a, participant_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("referrals:new", args=[participant_a.public_id]),
        {"kind": "housing", "status": "made", "follow_up_due": "2020-01-01"},
    )

    assert response.status_code == 200
    assert "before the referral" in str(response.context["form"].errors["follow_up_due"])
    assert not Referral.objects.exists()


def test_a_follow_up_on_the_programs_today_is_accepted(outreach_a, participant_a):
    # 9 March in New York while the server's date is already 10 March.
    referral = services.make_referral(
        by=outreach_a, participant=participant_a, kind="housing", follow_up_due=date(2026, 3, 9)
    )

    assert referral.follow_up_due == date(2026, 3, 9)


def test_the_follow_up_list_shows_the_year_only_outside_the_current_year(
    client, outreach_a, participant_a
):
    services.make_referral(
        by=outreach_a, participant=participant_a, kind="food", follow_up_due=date(2026, 12, 22)
    )
    services.make_referral(
        by=outreach_a, participant=participant_a, kind="legal", follow_up_due=date(2027, 1, 1)
    )
    client.force_login(outreach_a)

    page = client.get(reverse("referrals:follow_ups")).text

    assert "due 22 Dec<" in page or "due 22 Dec " in page
    assert "due 22 Dec 2026" not in page
    assert "due 1 Jan 2027" in page
