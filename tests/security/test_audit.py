"""The audit log: append-only, written with the change it records, and with every read that
shows a participant, every download, every sign-in; a manager reads their program's part."""

import inspect
import json
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from api import services as api_services
from audit.middleware import client_ip
from audit.models import AppendOnlyError, AuditEntry
from audit.services import record_action
from cards import services as card_services
from community_log import services as community_log_services
from demo import cards as demo_cards
from demo import reports as demo_reports
from encounters import api as encounter_api
from encounters import services as encounter_services
from participants import retention
from participants import services as participant_services
from participants.models import PossibleDuplicate
from referrals import services as referral_services
from referrals.models import Partner
from reports import community as report_community
from reports import releases as report_releases
from reports import services as report_services
from reports.models import ReportRun
from security import services as security_services
from supplies import field_records
from supplies import services as supply_services
from tests.factories import TEST_PASSWORD, ItemFactory, ParticipantFactory, UserFactory
from tests.two_factor import authenticator_for, current_code
from training import services as training_services
from training.models import TrainingSession
from training.services import AttendeeRecord

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def entry(manager_a):
    return record_action(actor=manager_a, action="test.something.done", details={"n": 1})


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


@pytest.fixture
def participant_b(program_b):
    return ParticipantFactory(program=program_b, alias="Robin")


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


# --- Append-only ------------------------------------------------------------------------------


def test_a_stored_entry_cannot_be_saved_again(entry):
    entry.action = "test.something.else"

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.done"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda entries: entries.update(action="rewritten"),
        lambda entries: entries.delete(),
        lambda entries: entries.bulk_update(list(entries), ["action"]),
        lambda entries: entries.update_or_create(pk=entries[0].pk, defaults={"action": "x"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_bulk_changes_of_the_log_are_refused(entry, change):
    with pytest.raises(AppendOnlyError):
        change(AuditEntry.objects.all())

    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.done"


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_update_and_delete(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.done"


@postgresql_only
def test_the_database_still_accepts_new_entries_by_raw_sql(manager_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, action, object_type, object_id, details)"
            " VALUES (now(), 'test.raw.insert', '', '', '{}')"
        )

    assert entries("test.raw.insert").count() == 1


def test_administrators_may_read_but_not_add_change_or_delete_entries(client, admin_user, entry):
    client.force_login(admin_user)
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])

    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    detail = client.get(change_url)
    posted = client.post(change_url, {"action": "rewritten"})

    assert listing.status_code == 200
    assert "test.something.done" in listing.text
    assert 'value="delete_selected"' not in listing.text
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text
    assert posted.status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something.done"


def test_admin_site_sends_anonymous_visitors_to_its_sign_in(client):
    response = client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_site_refuses_program_staff(client, manager_a, entry):
    client.force_login(manager_a)

    response = client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Same transaction -------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def test_an_entry_is_rolled_back_with_the_change_it_records(outreach_a, participant_a):
    with pytest.raises(Interrupted), transaction.atomic():
        participant_services.update_participant_profile(
            by=outreach_a, participant=participant_a, profile={"alias": "Moon"}, characteristics={}
        )
        raise Interrupted

    participant_a.refresh_from_db()
    assert participant_a.alias == "Sunny"
    assert not entries("participants.participant.updated").exists()


def test_a_failed_service_leaves_no_entry(outreach_a, participant_a):
    with pytest.raises(referral_services.ReferralError):
        referral_services.make_referral(by=outreach_a, participant=participant_a, kind="nonsense")

    assert not entries("referrals.referral.made").exists()


# --- Reads: participant pages, encounter screen, referrals, downloads ------------------------


def test_a_participant_page_view_writes_exactly_one_entry(client, outreach_a, participant_a):
    client.force_login(outreach_a)
    before = AuditEntry.objects.count()

    response = client.get(reverse("participants:detail", args=[participant_a.public_id]))

    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "participants.participant.viewed"
    assert entry.actor == outreach_a
    assert entry.program == participant_a.program
    assert (entry.object_type, entry.object_id) == (
        "participants.participant",
        str(participant_a.pk),
    )
    assert entry.ip_address == "127.0.0.1"
    assert entry.at > timezone.now() - timedelta(minutes=1)


def test_another_programs_participant_page_is_a_404_and_records_no_view(
    client, outreach_a, participant_b
):
    client.force_login(outreach_a)

    response = client.get(reverse("participants:detail", args=[participant_b.public_id]))

    assert response.status_code == 404
    assert not entries("participants.participant.viewed").exists()


def test_the_profile_edit_page_is_a_recorded_view(client, outreach_a, participant_a):
    client.force_login(outreach_a)

    client.get(reverse("participants:edit", args=[participant_a.public_id]))

    assert entries("participants.participant.viewed").get().details == {"page": "edit"}


def test_choosing_a_participant_on_the_encounter_screen_is_a_recorded_view(
    client, outreach_a, participant_a
):
    client.force_login(outreach_a)

    picked = client.get(reverse("encounters:pick", args=[participant_a.public_id]))
    preselected = client.get(reverse("encounters:new"), {"participant": participant_a.public_id})

    assert picked.status_code == preselected.status_code == 200
    views = entries("participants.participant.viewed")
    assert views.count() == 2
    assert {entry.details["page"] for entry in views} == {"encounter"}
    assert {entry.object_id for entry in views} == {str(participant_a.pk)}


def test_the_encounter_screen_without_a_participant_records_no_view(client, outreach_a):
    client.force_login(outreach_a)

    client.get(reverse("encounters:new"))
    client.get(reverse("encounters:pick", args=["anonymous"]))

    assert not entries("participants.participant.viewed").exists()


def test_finding_a_participant_by_code_is_a_recorded_view(client, outreach_a, program_a):
    participant = ParticipantFactory(program=program_a, code="MA0385TF")
    client.force_login(outreach_a)

    client.post(
        reverse("encounters:find_by_code"),
        {
            "code-mother_first_name": "María",
            "code-birth_month": "03",
            "code-birth_year": "1985",
            "code-birth_place": "Tucson",
            "code-gender": "F",
        },
    )

    assert entries("participants.participant.viewed").get().object_id == str(participant.pk)


def test_a_referral_page_view_is_recorded(client, outreach_a, participant_a):
    referral = referral_services.make_referral(
        by=outreach_a, participant=participant_a, kind="housing"
    )
    client.force_login(outreach_a)

    client.get(reverse("referrals:detail", args=[referral.pk]))

    entry = entries("referrals.referral.viewed").get()
    assert (entry.actor, entry.object_id) == (outreach_a, str(referral.pk))


def test_a_certificate_download_is_recorded(client, manager_a, program_a):
    session = training_services.record_training_session(
        by=manager_a,
        kind=TrainingSession.Kind.NALOXONE,
        held_on=program_a.today() - timedelta(days=1),
        place="Library",
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=3,
        attendees=[AttendeeRecord(name="Jane Doe")],
    )
    (certificate,) = training_services.issue_certificates(by=manager_a, session=session)
    client.force_login(manager_a)

    response = client.get(reverse("training:certificate", args=[certificate.code]))

    assert response.status_code == 200
    entry = entries("training.certificate.downloaded").get()
    assert (entry.actor, entry.program, entry.object_id) == (
        manager_a,
        program_a,
        str(certificate.pk),
    )


# --- Writes through pages carry the client address --------------------------------------------


def test_a_change_made_through_a_page_records_the_client_address(client, outreach_a, participant_a):
    client.force_login(outreach_a)

    client.post(
        reverse("participants:edit", args=[participant_a.public_id]),
        {"alias": "Moon"},
        REMOTE_ADDR="203.0.113.9",
    )

    entry = entries("participants.participant.updated").get()
    assert (entry.actor, entry.ip_address) == (outreach_a, "203.0.113.9")


def test_a_change_made_outside_a_request_has_no_address(outreach_a, participant_a):
    participant_services.update_participant_profile(
        by=outreach_a, participant=participant_a, profile={"alias": "Moon"}, characteristics={}
    )

    assert entries("participants.participant.updated").get().ip_address is None


# --- Sign-in, failed sign-in, sign-out --------------------------------------------------------


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_sign_in_is_recorded_with_the_address(client, outreach_a):
    sign_in(client, "outreach_a", TEST_PASSWORD, REMOTE_ADDR="198.51.100.7")

    entry = entries("accounts.user.signed_in").get()
    assert (entry.actor, entry.program, entry.ip_address) == (
        outreach_a,
        outreach_a.program,
        "198.51.100.7",
    )


def test_failed_sign_in_is_recorded_without_the_password(client, outreach_a):
    sign_in(client, "outreach_a", "hunter2-wrong-guess", REMOTE_ADDR="198.51.100.8")

    entry = entries("accounts.user.sign_in_failed").get()
    assert entry.actor is None
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(outreach_a.pk))
    assert entry.program == outreach_a.program
    assert entry.ip_address == "198.51.100.8"
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "hunter2" not in stored


def test_a_sign_in_attempt_on_no_account_does_not_store_what_was_typed(client, outreach_a):
    sign_in(client, "correct-horse-typed-in-the-wrong-box", "x")

    entry = entries("accounts.user.sign_in_failed").get()
    assert entry.details == {"account_exists": False}
    assert (entry.program, entry.object_id) == (None, "")
    assert "correct-horse" not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_a_locked_out_attempt_is_marked(client, outreach_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "outreach_a", "wrong")

    sign_in(client, "outreach_a", TEST_PASSWORD)

    failures = entries("accounts.user.sign_in_failed").order_by("id")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failures.last().details.get("locked_out") is True
    assert not entries("accounts.user.signed_in").exists()


def test_sign_out_is_recorded(client, outreach_a):
    client.force_login(outreach_a)

    client.post(reverse("logout"))

    assert entries("accounts.user.signed_out").get().actor == outreach_a


# --- The client address ------------------------------------------------------------------------


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "10.0.0.2"


def test_a_trusted_proxy_gives_the_address_it_saw_not_what_the_client_claimed(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


def test_a_malformed_forwarded_for_falls_back_to_the_connection(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")

    assert client_ip(request) == "10.0.0.2"


# --- The manager's audit page ----------------------------------------------------------------


def test_the_manager_menu_links_the_audit_log(client, manager_a, outreach_a):
    client.force_login(manager_a)
    manager_home = client.get(reverse("home")).text
    client.force_login(outreach_a)
    outreach_home = client.get(reverse("home")).text

    assert reverse("audit:log") in manager_home
    assert reverse("audit:log") not in outreach_home


def test_only_managers_open_the_audit_log(client, outreach_a, funder):
    for user in (outreach_a, funder):
        client.force_login(user)
        assert client.get(reverse("audit:log")).status_code == 403


def test_the_audit_log_shows_only_the_managers_program(
    client, manager_a, outreach_a, outreach_b, participant_a, participant_b
):
    participant_services.update_participant_profile(
        by=outreach_a, participant=participant_a, profile={"alias": "Moon"}, characteristics={}
    )
    participant_services.update_participant_profile(
        by=outreach_b, participant=participant_b, profile={"alias": "Star"}, characteristics={}
    )
    sign_in(client, "outreach_b", "wrong")
    sign_in(client, "outreach_a", "wrong")
    client.force_login(manager_a)

    page = client.get(reverse("audit:log")).text

    assert participant_a.public_id in page
    assert participant_b.public_id not in page
    assert "outreach_b" not in page
    assert page.count("accounts.user.sign_in_failed") == 1


def test_the_audit_log_filters_by_user_action_and_object(
    client, manager_a, outreach_a, program_a, participant_a
):
    other_worker = UserFactory(username="other_worker", program=program_a)
    other = ParticipantFactory(program=program_a)
    participant_services.update_participant_profile(
        by=outreach_a, participant=participant_a, profile={"alias": "Moon"}, characteristics={}
    )
    participant_services.update_participant_profile(
        by=other_worker, participant=other, profile={"alias": "Star"}, characteristics={}
    )
    client.force_login(manager_a)
    url = reverse("audit:log")

    by_user = client.get(url, {"user": outreach_a.pk}).text
    by_action = client.get(url, {"action": "accounts.user."}).text
    by_card_id = client.get(url, {"object_id": participant_a.public_id}).text
    by_type = client.get(url, {"object_type": "participants.participant"}).text

    assert participant_a.public_id in by_user and other.public_id not in by_user
    assert "participants.participant.updated" not in by_action
    assert "accounts.user.signed_in" in by_action
    assert participant_a.public_id in by_card_id and other.public_id not in by_card_id
    assert "accounts.user.signed_in" not in by_type and other.public_id in by_type


def test_the_audit_log_filters_by_days_in_the_program_time_zone(client, manager_a, outreach_a):
    record_action(actor=outreach_a, action="test.today")
    client.force_login(manager_a)
    today = timezone.localdate(timezone=manager_a.program.tzinfo)

    shown = client.get(reverse("audit:log"), {"date_from": today, "date_to": today}).text
    hidden = client.get(reverse("audit:log"), {"date_to": today - timedelta(days=1)}).text

    assert "test.today" in shown
    assert "test.today" not in hidden


def test_bad_filters_get_a_message_not_an_error(client, manager_a):
    client.force_login(manager_a)

    response = client.get(
        reverse("audit:log"),
        {
            "date_from": "2026-02-30",
            "date_to": "yesterday",
            "user": "999999",
            "object_type": "no.such",
            "object_id": "HR-NOONE",
            "before": "garbage",
        },
    )

    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    assert "No participant with this card id." in response.text


def test_the_audit_log_pages_newest_first_through_a_cursor(
    client, manager_a, outreach_a, django_assert_max_num_queries
):
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=outreach_a, program=outreach_a.program, action=f"test.numbered.{n:03d}")
        for n in range(120)
    )
    client.force_login(manager_a)
    url = reverse("audit:log")

    with django_assert_max_num_queries(12):
        first = client.get(url, {"action": "test.numbered."})
    second = client.get(url + first.context["older"])
    third = client.get(url + second.context["older"])

    shown = [
        row["entry"].action
        for response in (first, second, third)
        for row in response.context["rows"]
    ]
    assert len(shown) == 120
    assert len(set(shown)) == 120
    assert third.context["older"] is None


# --- Every write service records itself -------------------------------------------------------


@pytest.fixture
def stocked_a(program_a, site_a, manager_a):
    """One item of program A with 100 units in one lot at site A."""
    item = ItemFactory(program=program_a, name="Syringe 1 mL")
    movement = supply_services.receive_shipment(
        by=manager_a, location=site_a, item=item, quantity=100, lot_number="L1"
    )
    return movement.lot


def _encounter(world):
    encounter, _created = encounter_services.record_encounter(
        by=world.outreach_a,
        participant=world.participant,
        location=world.site_a,
        kind="fixed_site",
        supplies=[encounter_services.SupplyLine(item=world.lot.item, quantity=2)],
    )
    return encounter


def _corrected_with_referral(world, **kwargs):
    """An encounter with a housing referral, corrected an hour earlier (referrals follow)."""
    encounter, _created = encounter_services.record_encounter(
        by=world.outreach_a,
        participant=world.participant,
        location=world.site_a,
        kind="fixed_site",
        referral_kinds=["housing"],
    )
    return encounter_services.correct_encounter(
        by=world.outreach_a,
        encounter=encounter,
        reason="An hour earlier",
        changes={"occurred_at": encounter.occurred_at - timedelta(hours=1)},
        **kwargs,
    )


def _duplicate(world):
    return PossibleDuplicate.objects.create(
        program=world.program_a,
        participant=world.participant,
        other=ParticipantFactory(program=world.program_a),
        reason=PossibleDuplicate.Reason.NEAR_CODE,
    )


def _training(world):
    return training_services.record_training_session(
        by=world.manager_a,
        kind=TrainingSession.Kind.NALOXONE,
        held_on=world.manager_a.program.today() - timedelta(days=1),
        place="Library",
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=2,
        attendees=[AttendeeRecord(name="Jane Doe")],
    )


def _referral(world):
    return referral_services.make_referral(
        by=world.outreach_a, participant=world.participant, kind="housing"
    )


def _monthly_report(world):
    """Program A's ready-made monthly report (scheduled on the 5th)."""
    definitions = report_services.add_ready_definitions(program=world.program_a, by=world.manager_a)
    return next(d for d in definitions if d.ready_key == "monthly_program")


def _report_run(world, status=ReportRun.Status.QUEUED, **fields):
    return ReportRun.objects.create(
        definition=_monthly_report(world),
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        requested_by=world.manager_a,
        status=status,
        **fields,
    )


def _encounter_data(world) -> dict:
    """What the API's encounter serializer hands the service for a valid encounter."""
    return {
        "id": uuid.uuid4(),
        "participant": world.participant,
        "location": world.site_a,
        "kind": "fixed_site",
        "supply_lines": [encounter_services.SupplyLine(item=world.lot.item, quantity=1)],
        "syringes_collected": 0,
        "secondary_distribution_for": 0,
        "overdose_reversals_reported": 0,
        "services": {},
    }


def _synced(world):
    """One encounter queued offline, as a phone sends it to /api/v1/sync/."""
    request = SimpleNamespace(user=world.outreach_a)
    item = {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": world.site_a.pk,
        "kind": "fixed_site",
        "participant": world.participant.public_id,
        "supplies": [{"item": world.lot.item.pk, "quantity": 1}],
    }
    (result,) = api_services.sync_encounters(by=world.outreach_a, items=[item], request=request)
    assert result["status"] == "created", result


def _enrolling(world):
    return security_services.start_enrollment(user=world.manager_a)


def _complaint(world):
    return community_log_services.record_complaint(
        by=world.outreach_a,
        received_at=timezone.now() - timedelta(hours=2),
        source_kind="business",
        what="Syringes by the door",
    )


def _found_syringes(world):
    return community_log_services.record_found_syringes(
        by=world.outreach_a,
        reported_on=world.program_a.today(),
        source_kind="resident",
        place="Park",
    )


def _invited(world):
    """An outreach worker added but who has not chosen a password yet."""
    user = UserFactory(username="invited", program=world.program_a, locations=[world.site_a])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


# service -> (the call, by whom ("nobody": a scheduled task), the action it must record)
WRITE_SERVICES = {
    "accounts.services.set_user_language": (
        lambda w: account_services.set_user_language(user=w.outreach_a, language="es"),
        "outreach_a",
        "accounts.user.language_changed",
    ),
    "accounts.services.add_staff_member": (
        lambda w: account_services.add_staff_member(
            by=w.manager_a,
            username="new_worker",
            first_name="New",
            last_name="Worker",
            email="new_worker@example.org",
            role="outreach",
            locations=[w.site_a],
            domain="testserver",
            use_https=True,
        ),
        "manager_a",
        "accounts.user.added",
    ),
    "accounts.services.update_staff_member": (
        lambda w: account_services.update_staff_member(
            by=w.manager_a,
            staff_member=w.outreach_a,
            first_name="Renamed",
            last_name="",
            email=w.outreach_a.email,
            role="outreach",
            locations=[w.van_a],
        ),
        "manager_a",
        "accounts.user.updated",
    ),
    "accounts.services.deactivate_staff_member": (
        lambda w: account_services.deactivate_staff_member(
            by=w.manager_a, staff_member=w.outreach_a
        ),
        "manager_a",
        "accounts.user.deactivated",
    ),
    "accounts.services.reactivate_staff_member": (
        lambda w: account_services.reactivate_staff_member(
            by=w.manager_a,
            staff_member=account_services.deactivate_staff_member(
                by=w.manager_a, staff_member=w.outreach_a
            ),
        ),
        "manager_a",
        "accounts.user.reactivated",
    ),
    "accounts.services.resend_invitation": (
        lambda w: account_services.resend_invitation(
            by=w.manager_a,
            staff_member=_invited(w),
            domain="testserver",
            use_https=True,
        ),
        "manager_a",
        "accounts.user.invitation_sent",
    ),
    "participants.services.enroll_participant": (
        lambda w: participant_services.enroll_participant(by=w.outreach_a, code="NEW0001"),
        "outreach_a",
        "participants.participant.enrolled",
    ),
    "participants.services.update_participant_profile": (
        lambda w: participant_services.update_participant_profile(
            by=w.outreach_a, participant=w.participant, profile={"alias": "M"}, characteristics={}
        ),
        "outreach_a",
        "participants.participant.updated",
    ),
    "participants.services.merge_participants": (
        lambda w: participant_services.merge_participants(
            by=w.manager_a,
            keep=w.participant,
            duplicate=ParticipantFactory(program=w.program_a),
        ),
        "manager_a",
        "participants.participant.merged",
    ),
    "participants.services.dismiss_possible_duplicate": (
        lambda w: participant_services.dismiss_possible_duplicate(
            by=w.manager_a, duplicate=_duplicate(w)
        ),
        "manager_a",
        "participants.duplicate.dismissed",
    ),
    "encounters.services.record_encounter": (
        _encounter,
        "outreach_a",
        "participants.encounter.recorded",
    ),
    "encounters.services.correct_encounter": (
        lambda w: encounter_services.correct_encounter(
            by=w.outreach_a,
            encounter=_encounter(w),
            reason="Two, not three",
            changes={"syringes_collected": 2},
        ),
        "outreach_a",
        "participants.encounter.corrected",
    ),
    "encounters.services.void_encounter": (
        lambda w: encounter_services.void_encounter(
            by=w.outreach_a, encounter=_encounter(w), reason="Entered twice"
        ),
        "outreach_a",
        "participants.encounter.voided",
    ),
    "encounters.api.correct_encounter_from_api": (
        lambda w: encounter_api.correct_encounter_from_api(
            by=w.outreach_a,
            encounter=_encounter(w),
            data={"reason": "Fewer", "supply_lines": []},
        ),
        "outreach_a",
        "participants.encounter.corrected",
    ),
    "referrals.services.follow_corrected_encounter": (
        lambda w: _corrected_with_referral(w),
        "outreach_a",
        "referrals.referral.corrected",
    ),
    "referrals.services.withdraw_referrals_at_encounter": (
        lambda w: _corrected_with_referral(w, referral_kinds=[]),
        "outreach_a",
        "referrals.referral.withdrawn",
    ),
    "encounters.services.undo_encounter": (
        lambda w: encounter_services.undo_encounter(by=w.outreach_a, encounter=_encounter(w)),
        "outreach_a",
        "participants.encounter.undone",
    ),
    "supplies.field_records.record_sharps_disposal": (
        lambda w: field_records.record_sharps_disposal(
            by=w.manager_a,
            location=w.site_a,
            disposed_on=w.program_a.today(),
            containers=2,
            manifest_number="M-1",
            syringes_counted=300,
        ),
        "manager_a",
        "supplies.disposal.recorded",
    ),
    "supplies.services.translate_names": (
        lambda w: supply_services.translate_names(
            by=w.manager_a, names={w.site_a: {"es": "Centro A"}, w.lot.item: {"es": "Jeringa"}}
        ),
        "manager_a",
        "supplies.names.translated",
    ),
    "supplies.services.receive_shipment": (
        lambda w: supply_services.receive_shipment(
            by=w.manager_a, location=w.site_a, item=w.lot.item, quantity=5, lot_number="L2"
        ),
        "manager_a",
        "supplies.stock.received",
    ),
    "supplies.services.transfer_stock": (
        lambda w: supply_services.transfer_stock(
            by=w.manager_a, lot=w.lot, quantity=3, from_location=w.site_a, to_location=w.van_a
        ),
        "manager_a",
        "supplies.stock.transferred",
    ),
    "supplies.services.adjust_stock": (
        lambda w: supply_services.adjust_stock(
            by=w.manager_a, location=w.site_a, lot=w.lot, change=-1, reason="Dropped"
        ),
        "manager_a",
        "supplies.stock.adjusted",
    ),
    "supplies.services.reconcile_count": (
        lambda w: supply_services.reconcile_count(
            by=w.manager_a, location=w.site_a, counts={w.lot.pk: 90}
        ),
        "manager_a",
        "supplies.stock.counted",
    ),
    "supplies.field_records.record_syringe_collection": (
        lambda w: field_records.record_syringe_collection(
            by=w.outreach_a,
            location=w.site_a,
            source="drop_box",
            collected_on=w.site_a.program.today(),
            counted=40,
        ),
        "outreach_a",
        "supplies.collection.recorded",
    ),
    "supplies.field_records.report_overdose_reversal": (
        lambda w: field_records.report_overdose_reversal(
            by=w.outreach_a,
            reported_on=w.outreach_a.program.today(),
            place="Park",
            doses_used=2,
            outcome="survived",
            ems_called="no",
            kit_source="this_program",
        ),
        "outreach_a",
        "supplies.reversal.reported",
    ),
    "referrals.services.make_referral": (_referral, "outreach_a", "referrals.referral.made"),
    "referrals.services.change_referral_status": (
        lambda w: referral_services.change_referral_status(
            by=w.outreach_a, referral=_referral(w), status="linked"
        ),
        "outreach_a",
        "referrals.referral.status_changed",
    ),
    "referrals.services.save_partner": (
        lambda w: referral_services.save_partner(
            by=w.manager_a, partner=Partner(name="Shelter"), services=["housing"]
        ),
        "manager_a",
        "referrals.partner.created",
    ),
    "training.services.record_training_session": (
        _training,
        "manager_a",
        "training.session.recorded",
    ),
    "training.services.issue_certificates": (
        lambda w: training_services.issue_certificates(by=w.manager_a, session=_training(w)),
        "manager_a",
        "training.certificates.issued",
    ),
    # Forgetting participants
    "participants.retention.delete_participant_on_request": (
        lambda w: retention.delete_participant_on_request(
            by=w.manager_a, participant=w.participant
        ),
        "manager_a",
        "participants.participant.deleted_on_request",
    ),
    "participants.retention.anonymise_inactive_participants": (
        lambda w: retention.anonymise_inactive_participants(
            now=timezone.now() + timedelta(days=366 * 10)
        ),
        "nobody",
        "participants.retention.anonymised",
    ),
    # Two-factor
    "security.services.start_enrollment": (
        _enrolling,
        "manager_a",
        "accounts.two_factor.enrollment_started",
    ),
    "security.services.confirm_enrollment": (
        lambda w: security_services.confirm_enrollment(
            user=w.manager_a, device=(device := _enrolling(w)), token=current_code(device)
        ),
        "manager_a",
        "accounts.two_factor.enrolled",
    ),
    "security.services.verify_second_factor": (
        lambda w: security_services.verify_second_factor(
            user=w.manager_a, token=current_code(authenticator_for(w.manager_a))
        ),
        "manager_a",
        "accounts.two_factor.verified",
    ),
    "security.services.regenerate_recovery_codes": (
        lambda w: (
            authenticator_for(w.manager_a)
            and security_services.regenerate_recovery_codes(user=w.manager_a)
        ),
        "manager_a",
        "accounts.two_factor.recovery_codes_replaced",
    ),
    "security.services.turn_off_two_factor": (
        lambda w: (
            authenticator_for(w.outreach_a)
            and security_services.turn_off_two_factor(user=w.outreach_a)
        ),
        "outreach_a",
        "accounts.two_factor.turned_off",
    ),
    # Funder reports
    "reports.services.add_ready_definitions": (
        _monthly_report,
        "manager_a",
        "reports.definition.created",
    ),
    "reports.services.save_definition": (
        lambda w: report_services.save_definition(
            by=w.manager_a,
            name="Naloxone for the county",
            measure_keys=["naloxone_doses"],
            breakdown_keys=[],
            published_to=[],
            schedule="none",
            run_on_day=5,
        ),
        "manager_a",
        "reports.definition.created",
    ),
    "reports.services.request_run": (
        lambda w: report_services.request_run(
            by=w.manager_a,
            definition=_monthly_report(w),
            start=date(2025, 3, 1),
            end=date(2025, 3, 31),
        ),
        "manager_a",
        "reports.run.requested",
    ),
    "reports.services.enqueue_due_runs": (
        lambda w: _monthly_report(w) and report_services.enqueue_due_runs(today=date(2025, 4, 5)),
        "nobody",
        "reports.run.scheduled",
    ),
    "reports.services.retry_run": (
        lambda w: report_services.retry_run(
            by=w.manager_a, run=_report_run(w, ReportRun.Status.FAILED, error="boom")
        ),
        "manager_a",
        "reports.run.retried",
    ),
    "reports.services.build_run": (
        lambda w: report_services.build_run(_report_run(w).pk),
        "nobody",
        "reports.run.built",
    ),
    "reports.services.publish_run": (
        lambda w: report_services.publish_run(
            _report_run(w, ReportRun.Status.SUCCEEDED, csv_file=b"a").pk
        ),
        "nobody",
        "reports.run.published",
    ),
    "reports.services.publish_reviewed_run": (
        lambda w: report_services.publish_reviewed_run(
            by=w.manager_a, run=_report_run(w, ReportRun.Status.SUCCEEDED, csv_file=b"a")
        ),
        "manager_a",
        "reports.run.published",
    ),
    "reports.releases.community_content": (
        lambda w: report_releases.community_content(
            report_community.set_community_report(
                by=w.manager_a, enabled=True, definition=_monthly_report(w), period="month"
            ),
            date(2025, 3, 1),
            date(2025, 3, 31),
        ),
        "nobody",
        "reports.community.released",
    ),
    "reports.services.record_download": (
        lambda w: report_services.record_download(
            by=w.manager_a,
            run=_report_run(w, ReportRun.Status.SUCCEEDED, csv_file=b"a"),
            file_format="csv",
            ip_address="203.0.113.9",
        ),
        "manager_a",
        "reports.run.downloaded",
    ),
    "reports.community.set_community_report": (
        lambda w: report_community.set_community_report(
            by=w.manager_a, enabled=True, definition=_monthly_report(w), period="quarter"
        ),
        "manager_a",
        "reports.community.changed",
    ),
    "demo.reports.seed_demo_reports": (
        lambda w: demo_reports.seed_demo_reports(program=w.program_a, funders=[]),
        "nobody",
        "reports.definition.created",
    ),
    # Participant cards; a check is audited for the program with nobody as the actor
    "cards.services.issue_card": (
        lambda w: card_services.issue_card(by=w.outreach_a, participant=w.participant),
        "outreach_a",
        "cards.card.issued",
    ),
    "cards.services.reissue_card": (
        lambda w: card_services.reissue_card(by=w.outreach_a, participant=w.participant),
        "outreach_a",
        "cards.card.reissued",
    ),
    "cards.services.revoke_card": (
        lambda w: card_services.revoke_card(
            by=w.manager_a,
            card=card_services.issue_card(by=w.outreach_a, participant=w.participant),
            because="withdrawn",
        ),
        "manager_a",
        "cards.card.revoked",
    ),
    "cards.services.verify_card": (
        lambda w: card_services.verify_card(
            token=card_services.issue_card(by=w.outreach_a, participant=w.participant).token
        ),
        "nobody",
        "cards.card.verified",
    ),
    "cards.services.update_card_settings": (
        lambda w: card_services.update_card_settings(
            by=w.manager_a,
            phone="555",
            legal_text_en="Law",
            legal_text_es="Ley",
            legal_text_reviewed=False,
        ),
        "manager_a",
        "cards.settings.changed",
    ),
    "demo.cards.seed_demo_card_settings": (
        lambda w: demo_cards.seed_demo_card_settings(program=w.program_a, manager=w.manager_a),
        "manager_a",
        "cards.settings.changed",
    ),
    # The community-relations log
    "community_log.services.record_complaint": (
        _complaint,
        "outreach_a",
        "community_log.complaint.recorded",
    ),
    "community_log.services.update_complaint": (
        lambda w: community_log_services.update_complaint(
            by=w.outreach_a, complaint=_complaint(w), response="Met them", resolved=True
        ),
        "outreach_a",
        "community_log.complaint.updated",
    ),
    "community_log.services.mark_complaint_reported": (
        lambda w: community_log_services.mark_complaint_reported(
            by=w.manager_a, complaint=_complaint(w)
        ),
        "manager_a",
        "community_log.complaint.reported_to_state",
    ),
    "community_log.services.record_stick_injury": (
        lambda w: community_log_services.record_stick_injury(
            by=w.outreach_a, occurred_on=w.program_a.today(), injured_person="child"
        ),
        "outreach_a",
        "community_log.stick_injury.recorded",
    ),
    "community_log.services.record_found_syringes": (
        _found_syringes,
        "outreach_a",
        "community_log.found_syringes.recorded",
    ),
    "community_log.services.record_cleanup": (
        lambda w: community_log_services.record_cleanup(
            by=w.outreach_a,
            report=_found_syringes(w),
            location=w.site_a,
            cleaned_up_on=w.program_a.today(),
            syringes_collected=12,
        ),
        "outreach_a",
        "community_log.found_syringes.cleaned_up",
    ),
    "community_log.services.record_police_interaction": (
        lambda w: community_log_services.record_police_interaction(
            by=w.outreach_a, occurred_on=w.program_a.today(), kind="search", card_shown=True
        ),
        "outreach_a",
        "community_log.police_interaction.recorded",
    ),
    # The API
    "api.services.create_token": (
        lambda w: api_services.create_token(by=w.manager_a, user=w.outreach_a, name="Warehouse"),
        "manager_a",
        "api.token.created",
    ),
    "api.services.revoke_token": (
        lambda w: api_services.revoke_token(
            by=w.manager_a,
            token=api_services.create_token(by=w.manager_a, user=w.outreach_a, name="Old")[0],
        ),
        "manager_a",
        "api.token.revoked",
    ),
    "api.services.revoke_tokens_of": (
        lambda w: api_services.revoke_tokens_of(
            by=w.manager_a,
            user=api_services.create_token(by=w.manager_a, user=w.outreach_a, name="Old")[0].user,
        ),
        "manager_a",
        "api.token.revoked",
    ),
    "encounters.api.record_encounter_from_api": (
        lambda w: encounter_api.record_encounter_from_api(by=w.outreach_a, data=_encounter_data(w)),
        "outreach_a",
        "participants.encounter.recorded",
    ),
    "api.services.sync_encounters": (
        _synced,
        "outreach_a",
        "participants.encounter.recorded",
    ),
}

# Public functions of the service modules that write no entry of their own, and why.
NOT_AUDITED_ON_THEIR_OWN = {
    "participants.services.new_public_id": "computes a value, writes nothing",
    "participants.services.participant_relations": "reads the models' fields, writes nothing",
    "encounters.services.may_backdate": "answers a question, writes nothing",
    "encounters.services.may_correct": "answers a question, writes nothing",
    "referrals.services.referral_kinds_at": "a query, writes nothing",
    "referrals.services.default_follow_up_due": "computes a date, writes nothing",
    "training.services.new_verification_code": "computes a value, writes nothing",
    "supplies.services.distribute_item": (
        "a step of record_encounter and record_training_session, which write the entry"
    ),
    "supplies.services.distribute_items": (
        "a step of record_encounter and record_training_session, which write the entry"
    ),
    "supplies.services.return_encounter_supplies": (
        "a step of undo_encounter, correct_encounter and void_encounter, which write it"
    ),
    "participants.retention.years_before": "computes a date, writes nothing",
    "participants.retention.retention_cutoff": "computes a date, writes nothing",
    "participants.retention.participants_due_for_anonymisation": "a query, writes nothing",
    "security.services.normalise_code": "computes a value, writes nothing",
    "security.services.hash_recovery_code": "computes a value, writes nothing",
    "security.services.format_recovery_code": "computes a value, writes nothing",
    "reports.services.program_today": "computes a date, writes nothing",
    "reports.services.check_manager_of": "checks who asks, writes nothing",
    "referrals.services.make_referral_at_encounter": "a step of record_encounter, which writes it",
    "reports.services.check_period": "checks input, writes nothing",
    "reports.services.report_recipients": "a query, writes nothing",
    "reports.services.run_url": "computes a value, writes nothing",
    "reports.services.send_ready_email": (
        "one email queued by publish_run, whose audit entry names the recipients; writes only "
        "its sent marker"
    ),
    "reports.community.community_period": "computes dates, writes nothing",
    "reports.community.unused_community_slug": "computes a value, writes nothing",
    "reports.services.check_known_keys": "checks input, writes nothing",
    "reports.releases.released_so_far": "a query, writes nothing",
    "reports.releases.withheld_before": "a query, writes nothing",
    "reports.releases.record_release": "a step of build_run and community_content, which audit it",
    "supplies.field_records.estimated_syringes": "computes a value, writes nothing",
    "supplies.services.check_location": "checks input, writes nothing",
    "cards.services.new_card_token": "computes a value, writes nothing",
    "cards.services.new_short_code": "computes a value, writes nothing",
    "cards.services.normalise_short_code": "computes a value, writes nothing",
}
SERVICE_MODULES = [
    account_services,
    participant_services,
    encounter_services,
    encounter_api,
    retention,
    supply_services,
    field_records,
    referral_services,
    training_services,
    security_services,
    report_services,
    report_community,
    report_releases,
    api_services,
    demo_reports,
    card_services,
    community_log_services,
    demo_cards,
]


def test_every_public_service_function_is_known_to_the_audit_tests():
    found = {
        f"{module.__name__}.{name}"
        for module in SERVICE_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }

    unknown = found - set(WRITE_SERVICES) - set(NOT_AUDITED_ON_THEIR_OWN)
    assert not unknown, f"new service {sorted(unknown)}: add it to WRITE_SERVICES (and audit it)"
    assert not (set(WRITE_SERVICES) | set(NOT_AUDITED_ON_THEIR_OWN)) - found


@pytest.mark.parametrize("service", sorted(WRITE_SERVICES))
def test_every_write_service_records_who_did_what_in_which_program(
    service, program_a, site_a, van_a, outreach_a, manager_a, stocked_a
):
    call, by, action = WRITE_SERVICES[service]
    world = SimpleNamespace(
        program_a=program_a,
        site_a=site_a,
        van_a=van_a,
        outreach_a=outreach_a,
        manager_a=manager_a,
        nobody=None,
        lot=stocked_a,
        participant=ParticipantFactory(program=program_a),
    )
    before = AuditEntry.objects.count()

    call(world)

    entry = entries(action).order_by("id").last()
    assert entry is not None, f"{service} wrote no {action} entry"
    assert entry.actor == getattr(world, by)
    assert entry.program == program_a
    assert AuditEntry.objects.count() > before
