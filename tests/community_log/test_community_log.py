"""The community-relations log: complaints and their 72 hours, injuries, found syringes and
police interactions; scoped to the program, every write audited (tests/security/test_audit.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community_log import reminders, selectors, services, tasks
from community_log.models import Complaint, FoundSyringeReport
from supplies.models import SyringeCollection

pytestmark = pytest.mark.django_db

# 10:00 in New York (the programs' zone) on a Monday.
MONDAY_MORNING = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager_with_mail(manager_a):
    manager_a.email = "manager@example.org"
    manager_a.save(update_fields=["email"])
    return manager_a


def complaint(by, *, hours_ago: float = 1) -> Complaint:
    return services.record_complaint(
        by=by,
        received_at=timezone.now() - timedelta(hours=hours_ago),
        source_kind="business",
        place="Corner of 5th and Main",
        what="Syringes near the shop door",
    )


@pytest.fixture
def digest(run_queued):
    """`digest(manager)`: run the daily task as beat would, and the tasks it queued (one per
    program, then one per manager) as the worker would; the emails the manager got so far."""

    def run(manager) -> list:
        assert run_queued(tasks.send_state_report_reminders.delay) == []
        return [message for message in mail.outbox if manager.email in message.to]

    return run


# --- The 72-hour clock ----------------------------------------------------------------------------


def test_a_complaint_over_72_hours_unreported_is_in_the_digest_once_a_day(
    clock, outreach_a, manager_with_mail, digest
):
    late = complaint(outreach_a, hours_ago=80)

    first = digest(manager_with_mail)
    again = digest(manager_with_mail)

    assert len(first) == len(again) == 1  # a second run the same day sends nothing more
    assert "1 complaint to report to the state" in first[0].subject
    assert "OVERDUE" in first[0].body
    assert "Business" in first[0].body
    clock.shift(timedelta(days=1))
    assert len(digest(manager_with_mail)) == 2  # the next day, again
    assert late.reported_to_state_at is None


def test_a_complaint_marked_reported_leaves_the_digest(
    clock, outreach_a, manager_with_mail, digest
):
    late = complaint(outreach_a, hours_ago=80)
    services.mark_complaint_reported(by=manager_with_mail, complaint=late)

    assert digest(manager_with_mail) == []
    program = manager_with_mail.program
    assert not reminders.managers_owed_a_reminder(program=program, day=program.today()).exists()


def test_a_complaint_within_its_72_hours_is_listed_as_due_not_overdue(
    clock, outreach_a, manager_with_mail, digest
):
    complaint(outreach_a, hours_ago=2)

    (message,) = digest(manager_with_mail)

    assert "OVERDUE" not in message.body
    assert "due 5 Mar 2026 08:00" in message.body  # 72 h after 08:00 on Monday, local time


def test_the_digest_day_is_the_programs_not_the_servers(outreach_a, manager_with_mail, digest):
    # 19:50 on 9 March in New York, still 9 March in UTC.
    with time_machine.travel(datetime(2026, 3, 9, 23, 50, tzinfo=UTC), tick=False):
        complaint(outreach_a, hours_ago=80)
        assert len(digest(manager_with_mail)) == 1
    # 23:30 on 9 March in New York, already 10 March in UTC: the same program day.
    with time_machine.travel(datetime(2026, 3, 10, 3, 30, tzinfo=UTC), tick=False):
        assert len(digest(manager_with_mail)) == 1
    # 00:30 on 10 March in New York: a new day, a new digest.
    with time_machine.travel(datetime(2026, 3, 10, 4, 30, tzinfo=UTC), tick=False):
        assert len(digest(manager_with_mail)) == 2


def test_the_manager_home_page_shows_what_is_still_to_report(clock, client, outreach_a, manager_a):
    late = complaint(outreach_a, hours_ago=80)
    complaint(outreach_a, hours_ago=1)
    client.force_login(manager_a)

    page = client.get(reverse("home")).text
    assert "data-state-reports-due" in page
    assert page.count("list-group-item-danger") == 1  # the late one

    services.mark_complaint_reported(by=manager_a, complaint=late)
    page = client.get(reverse("home")).text
    assert page.count("list-group-item-danger") == 0
    assert "data-state-reports-due" in page  # the other one is still to report


def test_outreach_staff_record_complaints_but_only_managers_mark_them_reported(
    client, outreach_a, manager_a
):
    client.force_login(outreach_a)
    response = client.post(
        reverse("community_log:complaint_new"),
        {
            "received_at": timezone.localtime(timezone=outreach_a.program.tzinfo).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "source_kind": "resident",
            "place": "Park",
            "what": "Needles in the playground",
        },
    )
    recorded = Complaint.objects.get()
    assert response.status_code == 302
    assert (
        client.post(reverse("community_log:complaint_reported", args=[recorded.pk])).status_code
        == 403
    )

    client.force_login(manager_a)
    client.post(reverse("community_log:complaint_reported", args=[recorded.pk]))
    recorded.refresh_from_db()
    assert recorded.reported_to_state_at is not None
    assert recorded.reported_to_state_by == manager_a


def test_a_complaint_in_the_future_gets_a_message(client, outreach_a):
    client.force_login(outreach_a)
    tomorrow = timezone.localtime() + timedelta(days=1)

    response = client.post(
        reverse("community_log:complaint_new"),
        {
            "received_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
            "source_kind": "resident",
            "what": "Noise",
        },
    )

    assert response.status_code == 200
    assert "This time is in the future." in response.text
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("program_zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_a_complaint_from_year_one_gets_a_message_in_any_time_zone(
    client, outreach_a, program_zone
):
    outreach_a.program.timezone = program_zone
    outreach_a.program.save(update_fields=["timezone"])
    client.force_login(outreach_a)

    response = client.post(
        reverse("community_log:complaint_new"),
        {"received_at": "0001-01-01T00:00", "source_kind": "resident", "what": "Noise"},
    )

    assert response.status_code == 200
    assert "Choose a date after 1900." in response.text
    assert not Complaint.objects.exists()


def test_marking_twice_is_refused(manager_a, outreach_a):
    recorded = complaint(outreach_a)
    services.mark_complaint_reported(by=manager_a, complaint=recorded)

    with pytest.raises(services.CommunityLogError, match="already marked"):
        services.mark_complaint_reported(by=manager_a, complaint=recorded)


# --- Found syringes, injuries, police ---------------------------------------------------------


def test_a_clean_up_is_a_collection_so_its_syringes_count_once(outreach_a, site_a):
    today = outreach_a.program.today()

    report = services.record_found_syringes(
        by=outreach_a,
        reported_on=today,
        source_kind="resident",
        place="Riverside path",
        syringes_found=30,
        location=site_a,
        cleaned_up_on=today,
        syringes_collected=28,
    )

    collection = SyringeCollection.objects.get()
    assert report.cleanup == collection
    assert collection.source == SyringeCollection.Source.CLEANUP
    assert collection.syringes == 28


def test_a_clean_up_recorded_later_from_the_log(client, outreach_a, site_a):
    report = services.record_found_syringes(
        by=outreach_a,
        reported_on=outreach_a.program.today(),
        source_kind="business",
        place="Alley behind 5th",
    )
    client.force_login(outreach_a)

    response = client.post(
        reverse("community_log:cleanup_new", args=[report.pk]),
        {
            "location": site_a.pk,
            "cleaned_up_on": outreach_a.program.today().isoformat(),
            "syringes_collected": "12",
        },
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.cleanup.syringes == 12


def test_syringes_collected_without_a_team_get_a_form_error(client, outreach_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("community_log:found_syringes_new"),
        {
            "reported_on": outreach_a.program.today().isoformat(),
            "source_kind": "resident",
            "place": "Park",
            "syringes_collected": "5",
        },
    )

    assert response.status_code == 200
    assert "Needed when syringes were collected." in response.text
    assert not FoundSyringeReport.objects.exists()


def test_a_police_interaction_is_kept_without_a_name_or_id(client, outreach_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("community_log:police_interaction_new"),
        {
            "occurred_on": outreach_a.program.today().isoformat(),
            "kind": "search",
            "card_shown": "on",
            "supplies_confiscated": "on",
        },
    )

    assert response.status_code == 302
    (interaction,) = selectors.police_interactions_for(outreach_a)
    assert interaction.card_shown and interaction.supplies_confiscated
    field_names = {field.name for field in interaction._meta.get_fields()}
    assert not field_names & {"participant", "officer", "name"}


def test_an_injury_on_a_day_in_the_future_is_refused(outreach_a):
    with pytest.raises(services.CommunityLogError, match="future"):
        services.record_stick_injury(
            by=outreach_a,
            occurred_on=outreach_a.program.today() + timedelta(days=1),
            injured_person="child",
        )


def test_a_made_up_choice_is_refused(outreach_a):
    with pytest.raises(services.CommunityLogError, match="Choose one"):
        services.record_police_interaction(
            by=outreach_a, occurred_on=date(2026, 1, 5), kind="tea_party"
        )


def test_program_b_sees_nothing_of_program_a(client, outreach_a, outreach_b):
    recorded = complaint(outreach_a)
    services.record_stick_injury(
        by=outreach_a, occurred_on=outreach_a.program.today(), injured_person="staff"
    )

    assert not selectors.complaints_for(outreach_b).exists()
    assert not selectors.stick_injuries_for(outreach_b).exists()
    client.force_login(outreach_b)
    assert client.get(reverse("community_log:complaint", args=[recorded.pk])).status_code == 404
    assert "Corner of 5th" not in client.get(reverse("community_log:log")).text


def test_the_log_page_lists_every_kind(client, outreach_a, django_assert_max_num_queries):
    complaint(outreach_a)
    today = outreach_a.program.today()
    services.record_stick_injury(by=outreach_a, occurred_on=today, injured_person="child")
    services.record_found_syringes(
        by=outreach_a, reported_on=today, source_kind="staff", place="Bridge"
    )
    services.record_police_interaction(by=outreach_a, occurred_on=today, kind="stop")
    client.force_login(outreach_a)

    with django_assert_max_num_queries(15):
        page = client.get(reverse("community_log:log")).text

    for text in ["Corner of 5th", "Child", "Bridge", "Stopped or questioned"]:
        assert text in page
