"""Writes to the community-relations log. Each is one transaction with its audit entry."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Location, User
from audit.services import record_action
from community_log.models import (
    Complaint,
    FoundSyringeReport,
    PoliceInteraction,
    SourceKind,
    StickInjury,
)
from core.errors import DomainError
from core.forms import EARLIEST_DATE
from supplies import field_records
from supplies import services as supply_services
from supplies.models import SyringeCollection


class CommunityLogError(DomainError):
    """An entry of the community-relations log that cannot be written as asked."""


def _check_staff(by: User) -> None:
    if not by.is_program_staff:
        raise CommunityLogError(_("Only staff of a program can write to its community log."))


def _check_day(by: User, day: date, field: str) -> None:
    if day < EARLIEST_DATE:
        raise CommunityLogError(_("Choose a date after 1900."), field=field)
    if day > by.program.today():
        raise CommunityLogError(_("This date is in the future."), field=field)
    started = by.program.started_on
    if started is not None and day < started:
        raise CommunityLogError(
            _("This date is before the program started (%(date)s).") % {"date": started},
            field=field,
        )


def _check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise CommunityLogError(_("Choose one of the options."), field=field)


@transaction.atomic
def record_complaint(
    *,
    by: User,
    received_at: datetime,
    source_kind: str,
    what: str,
    place: str = "",
    response: str = "",
    resolved: bool = False,
) -> Complaint:
    """A complaint from the community; its 72 hours to report it to the state start now."""
    _check_staff(by)
    _check_choice(source_kind, SourceKind, "source_kind")
    if received_at > timezone.now():
        raise CommunityLogError(_("This time is in the future."), field="received_at")
    if received_at.date() < EARLIEST_DATE:
        # Before the program's time zone is applied: year 1 would fall out of range there.
        raise CommunityLogError(_("Choose a date after 1900."), field="received_at")
    _check_day(by, timezone.localtime(received_at, by.program.tzinfo).date(), "received_at")
    if not what.strip():
        raise CommunityLogError(_("Say what the complaint is about."), field="what")
    complaint = Complaint.objects.create(
        program=by.program,
        received_at=received_at,
        source_kind=source_kind,
        place=place.strip(),
        what=what.strip(),
        response=response.strip(),
        resolved=resolved,
        recorded_by=by,
    )
    record_action(
        actor=by,
        action="community_log.complaint.recorded",
        target=complaint,
        program=by.program,
        details={"source_kind": source_kind},
    )
    return complaint


@transaction.atomic
def update_complaint(*, by: User, complaint: Complaint, response: str, resolved: bool) -> Complaint:
    """Write down the program's response and whether the complaint is resolved."""
    _check_staff(by)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk, program=by.program)
    complaint.response = response.strip()
    complaint.resolved = resolved
    complaint.save(update_fields=["response", "resolved"])
    record_action(
        actor=by,
        action="community_log.complaint.updated",
        target=complaint,
        program=by.program,
        details={"resolved": resolved},
    )
    return complaint


@transaction.atomic
def mark_complaint_reported(
    *, by: User, complaint: Complaint, reported_at: datetime | None = None
) -> Complaint:
    """A manager reported the complaint to the state: its 72-hour clock stops."""
    if not by.is_manager:
        raise CommunityLogError(_("Only a manager can mark a complaint as reported to the state."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk, program=by.program)
    if complaint.reported_to_state_at is not None:
        raise CommunityLogError(_("This complaint was already marked as reported."))
    reported_at = reported_at or timezone.now()
    if reported_at > timezone.now() or reported_at < complaint.received_at:
        raise CommunityLogError(
            _("The report was made between receiving the complaint and now."),
            field="reported_at",
        )
    complaint.reported_to_state_at = reported_at
    complaint.reported_to_state_by = by
    complaint.save(update_fields=["reported_to_state_at", "reported_to_state_by"])
    record_action(
        actor=by,
        action="community_log.complaint.reported_to_state",
        target=complaint,
        program=by.program,
        details={"within_72_hours": reported_at <= complaint.state_report_due_at},
    )
    return complaint


@transaction.atomic
def record_stick_injury(
    *,
    by: User,
    occurred_on: date,
    injured_person: str,
    place: str = "",
    what_happened: str = "",
    referred_to_care: bool = False,
) -> StickInjury:
    """A syringe-stick injury to someone who is not a participant."""
    _check_staff(by)
    _check_day(by, occurred_on, "occurred_on")
    _check_choice(injured_person, StickInjury.InjuredPerson, "injured_person")
    injury = StickInjury.objects.create(
        program=by.program,
        occurred_on=occurred_on,
        injured_person=injured_person,
        place=place.strip(),
        what_happened=what_happened.strip(),
        referred_to_care=referred_to_care,
        recorded_by=by,
    )
    record_action(
        actor=by, action="community_log.stick_injury.recorded", target=injury, program=by.program
    )
    return injury


def _cleanup(
    *, by: User, location: Location | None, cleaned_up_on: date | None, collected: int | None
) -> SyringeCollection | None:
    if not collected:
        return None
    if location is None:
        raise CommunityLogError(_("Say which location's team cleaned up."), field="location")
    if cleaned_up_on is None:
        raise CommunityLogError(_("Give the day of the clean-up."), field="cleaned_up_on")
    _check_day(by, cleaned_up_on, "cleaned_up_on")
    try:
        return field_records.record_syringe_collection(
            by=by,
            location=location,
            source=SyringeCollection.Source.CLEANUP,
            collected_on=cleaned_up_on,
            counted=collected,
        )
    except supply_services.StockError as error:
        raise CommunityLogError(error.message, field="location") from error


@transaction.atomic
def record_found_syringes(
    *,
    by: User,
    reported_on: date,
    source_kind: str,
    place: str = "",
    syringes_found: int | None = None,
    location: Location | None = None,
    cleaned_up_on: date | None = None,
    syringes_collected: int | None = None,
) -> FoundSyringeReport:
    """Syringes found discarded; with a count collected, also the clean-up (a collection of
    the stock ledger, so the syringes count once among the used syringes collected)."""
    _check_staff(by)
    _check_day(by, reported_on, "reported_on")
    _check_choice(source_kind, SourceKind, "source_kind")
    if not place.strip():
        raise CommunityLogError(_("Say where the syringes were found."), field="place")
    if cleaned_up_on is not None and cleaned_up_on < reported_on:
        raise CommunityLogError(
            _("The clean-up cannot be before the report."), field="cleaned_up_on"
        )
    report = FoundSyringeReport.objects.create(
        program=by.program,
        reported_on=reported_on,
        source_kind=source_kind,
        place=place.strip(),
        syringes_found=syringes_found,
        cleanup=_cleanup(
            by=by, location=location, cleaned_up_on=cleaned_up_on, collected=syringes_collected
        ),
        recorded_by=by,
    )
    record_action(
        actor=by,
        action="community_log.found_syringes.recorded",
        target=report,
        program=by.program,
        details={"cleaned_up": report.cleanup_id is not None},
    )
    return report


@transaction.atomic
def record_cleanup(
    *,
    by: User,
    report: FoundSyringeReport,
    location: Location,
    cleaned_up_on: date,
    syringes_collected: int,
) -> FoundSyringeReport:
    """The clean-up that followed a found-syringe report recorded earlier."""
    _check_staff(by)
    report = FoundSyringeReport.objects.select_for_update().get(pk=report.pk, program=by.program)
    if report.cleanup_id is not None:
        raise CommunityLogError(_("This report already has its clean-up."))
    if cleaned_up_on < report.reported_on:
        raise CommunityLogError(
            _("The clean-up cannot be before the report."), field="cleaned_up_on"
        )
    if not syringes_collected or syringes_collected < 1:
        raise CommunityLogError(
            _("Give how many syringes were collected."), field="syringes_collected"
        )
    report.cleanup = _cleanup(
        by=by, location=location, cleaned_up_on=cleaned_up_on, collected=syringes_collected
    )
    report.save(update_fields=["cleanup"])
    record_action(
        actor=by,
        action="community_log.found_syringes.cleaned_up",
        target=report,
        program=by.program,
    )
    return report


@transaction.atomic
def record_police_interaction(
    *,
    by: User,
    occurred_on: date,
    kind: str,
    place: str = "",
    card_shown: bool = False,
    supplies_confiscated: bool = False,
    description: str = "",
) -> PoliceInteraction:
    """A police interaction a participant chose to tell, kept without their name or id."""
    _check_staff(by)
    _check_day(by, occurred_on, "occurred_on")
    _check_choice(kind, PoliceInteraction.Kind, "kind")
    interaction = PoliceInteraction.objects.create(
        program=by.program,
        occurred_on=occurred_on,
        kind=kind,
        place=place.strip(),
        card_shown=card_shown,
        supplies_confiscated=supplies_confiscated,
        description=description.strip(),
        recorded_by=by,
    )
    record_action(
        actor=by,
        action="community_log.police_interaction.recorded",
        target=interaction,
        program=by.program,
        details={"card_shown": card_shown, "supplies_confiscated": supplies_confiscated},
    )
    return interaction
