import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter
from referrals import services
from referrals.models import Partner, Referral
from reports import measures
from reports.measures import Scope
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


def encounter_data(location, participant, **overrides):
    return {
        "encounter_id": str(uuid.uuid4()),
        "participant": participant,
        "location": location.pk,
        "kind": Encounter.Kind.FIXED_SITE,
        "syringes_collected": 0,
        "secondary_distribution_for": 0,
        "overdose_reversals_reported": 0,
        **overrides,
    }


def test_housing_referral_from_the_encounter_screen_in_one_tap(
    client, outreach_a, site_a, participant_a, catalogue_a
):
    client.force_login(outreach_a)

    response = client.post(
        reverse("encounters:new"),
        encounter_data(site_a, participant_a.public_id, referral_kinds=["housing"]),
        follow=True,
    )

    referral = Referral.objects.get()
    assert (referral.kind, referral.status, referral.made_by) == ("housing", "made", outreach_a)
    assert referral.encounter == Encounter.objects.get()
    assert referral.follow_up_due == outreach_a.program.today() + timedelta(days=14)
    assert "Referral: Housing" in response.text


def test_referral_needs_a_participant(client, outreach_a, site_a, catalogue_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("encounters:new"),
        encounter_data(site_a, "anonymous", referral_kinds=["housing"]),
    )

    assert "A referral needs a participant" in response.text
    assert not Encounter.objects.exists()
    assert not Referral.objects.exists()


def test_worker_sees_due_follow_up_and_marks_it_linked(client, outreach_a, participant_a):
    referral = services.make_referral(
        by=outreach_a,
        participant=participant_a,
        kind="housing",
        follow_up_due=outreach_a.program.today(),
    )
    client.force_login(outreach_a)

    follow_ups = client.get(reverse("referrals:follow_ups"))
    assert reverse("referrals:detail", args=[referral.pk]) in follow_ups.text

    client.post(
        reverse("referrals:detail", args=[referral.pk]),
        {"status": "linked", "note": "Intake booked"},
    )

    referral.refresh_from_db()
    assert referral.status == "linked"
    assert referral.linked_at is not None
    assert list(referral.history.values_list("status", flat=True)) == ["made", "linked"]
    assert (
        reverse("referrals:detail", args=[referral.pk])
        not in client.get(reverse("referrals:follow_ups")).text
    )


def test_follow_ups_of_a_worker_exclude_others_but_a_manager_sees_all(
    client, outreach_a, manager_a, participant_a
):
    mine = services.make_referral(
        by=outreach_a,
        participant=participant_a,
        kind="food",
        follow_up_due=outreach_a.program.today(),
    )
    theirs = services.make_referral(
        by=manager_a,
        participant=participant_a,
        kind="legal",
        follow_up_due=outreach_a.program.today(),
    )
    client.force_login(outreach_a)
    worker_page = client.get(reverse("referrals:follow_ups")).text
    client.force_login(manager_a)
    manager_page = client.get(reverse("referrals:follow_ups")).text

    assert reverse("referrals:detail", args=[mine.pk]) in worker_page
    assert reverse("referrals:detail", args=[theirs.pk]) not in worker_page
    assert reverse("referrals:detail", args=[mine.pk]) in manager_page
    assert reverse("referrals:detail", args=[theirs.pk]) in manager_page


def test_referral_of_another_program_is_not_found(client, outreach_b, outreach_a, participant_a):
    referral = services.make_referral(by=outreach_a, participant=participant_a, kind="housing")
    client.force_login(outreach_b)

    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


def test_status_history_is_kept(outreach_a, participant_a):
    referral = services.make_referral(
        by=outreach_a, participant=participant_a, kind="benefits", status="offered"
    )
    for status in ("made", "lost_to_follow_up", "made", "completed"):
        services.change_referral_status(by=outreach_a, referral=referral, status=status)

    assert list(referral.history.values_list("status", flat=True)) == [
        "offered",
        "made",
        "lost_to_follow_up",
        "made",
        "completed",
    ]


def last_month(program) -> Scope:
    """The 31 days up to today, in the program's time zone."""
    today = program.today()
    return Scope(program=program, start=today - timedelta(days=31), end=today)


def test_linkage_measures_on_known_data(outreach_a, participant_a, program_a):
    start = timezone.now() - timedelta(days=30)
    days_to_link = [2, 4, 10]
    for days in days_to_link:
        referral = services.make_referral(by=outreach_a, participant=participant_a, kind="housing")
        services.change_referral_status(by=outreach_a, referral=referral, status="linked")
        made = start + timedelta(days=1)
        Referral.objects.filter(pk=referral.pk).update(
            made_at=made, linked_at=made + timedelta(days=days)
        )
    services.make_referral(by=outreach_a, participant=participant_a, kind="food")
    Referral.objects.filter(status="made").update(made_at=start + timedelta(days=2))

    scope = last_month(program_a)
    numbers = measures.compute(
        scope, ["referrals_made", "referrals_linked", "linkage_rate", "median_days_to_linkage"]
    )

    assert numbers == {
        "referrals_made": 4,
        "referrals_linked": 3,
        "linkage_rate": 0.75,
        "median_days_to_linkage": 4.0,
    }
    assert measures.breakdown(scope, "referrals_by_kind_status").rows == [
        ("Housing", [0, 0, 3, 0, 0, 0]),
        ("Food", [0, 1, 0, 0, 0, 0]),
    ]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(
    outreach_a, participant_a, program_a
):
    start = timezone.now() - timedelta(days=30)
    for days in (1, 3, 5, 9):
        referral = services.make_referral(by=outreach_a, participant=participant_a, kind="legal")
        services.change_referral_status(by=outreach_a, referral=referral, status="completed")
        Referral.objects.filter(pk=referral.pk).update(
            made_at=start, linked_at=start + timedelta(days=days)
        )

    numbers = measures.compute(last_month(program_a), ["median_days_to_linkage"])

    assert numbers == {"median_days_to_linkage": 4.0}


def test_partner_directory_filters_by_service_and_hides_other_programs(
    client, outreach_a, manager_a, program_b
):
    services.save_partner(
        by=manager_a,
        partner=Partner(name="Open Door Shelter", walk_in=True),
        services=["housing", "food"],
    )
    services.save_partner(
        by=manager_a, partner=Partner(name="Clinic North"), services=["medical_care"]
    )
    Partner.objects.create(program=program_b, name="Program B Shelter")
    client.force_login(outreach_a)

    page = client.get(reverse("referrals:partners"), {"kind": "housing"}).text

    assert "Open Door Shelter" in page
    assert "Clinic North" not in page
    assert "Program B Shelter" not in page


def test_outreach_cannot_add_partners(client, outreach_a):
    client.force_login(outreach_a)

    assert client.get(reverse("referrals:partner_new")).status_code == 403


def test_duplicate_partner_name_is_a_form_error(client, manager_a):
    services.save_partner(by=manager_a, partner=Partner(name="Open Door"), services=[])
    client.force_login(manager_a)

    response = client.post(reverse("referrals:partner_new"), {"name": "open door"})

    assert "already listed" in response.text
    assert Partner.objects.count() == 1
