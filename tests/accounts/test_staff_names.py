"""A staff member has one name everywhere: the filters of the encounter list, the follow-ups and
the audit log offer the name their rows show (User.display_name), not the user name."""

import pytest
from django.urls import reverse

from accounts.models import User
from audit.services import record_action
from referrals.services import make_referral
from tests.factories import EncounterFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def casey(program_a, site_a):
    return UserFactory(
        username="outreach3",
        first_name="Casey",
        last_name="Rivera",
        role=User.Role.OUTREACH,
        program=program_a,
        locations=[site_a],
    )


def option_labels(response, field: str) -> list[str]:
    return [label for _value, label in response.context["form"].fields[field].choices]


def test_the_encounter_list_filter_and_rows_name_staff_alike(client, manager_a, casey, site_a):
    EncounterFactory(program=casey.program, location=site_a, staff=casey)
    client.force_login(manager_a)

    response = client.get(reverse("encounters:list"))

    assert "Casey Rivera" in option_labels(response, "staff")
    assert "outreach3" not in option_labels(response, "staff")
    assert response.text.count("Casey Rivera") >= 2  # the option and the row


def test_the_follow_ups_filter_and_rows_name_staff_alike(client, manager_a, casey):
    make_referral(by=casey, participant=ParticipantFactory(program=casey.program), kind="food")
    client.force_login(manager_a)

    response = client.get(reverse("referrals:follow_ups"))

    assert "Casey Rivera" in option_labels(response, "worker")
    assert "outreach3" not in response.text


def test_the_audit_log_filter_and_rows_name_staff_alike(client, manager_a, casey):
    record_action(actor=casey, action="accounts.user.signed_in", program=casey.program)
    client.force_login(manager_a)

    response = client.get(reverse("audit:log"))

    assert "Casey Rivera" in option_labels(response, "user")
    assert "outreach3" not in option_labels(response, "user")


def test_someone_without_a_name_is_named_by_user_name(client, manager_a, outreach_a):
    client.force_login(manager_a)

    response = client.get(reverse("encounters:list"))

    assert outreach_a.get_full_name() == ""
    assert "outreach_a" in option_labels(response, "staff")
