"""Reads of the community-relations log, scoped to the requesting user's program."""

from django.db.models import QuerySet

from accounts.models import Program, User
from community_log.models import Complaint, FoundSyringeReport, PoliceInteraction, StickInjury


def _of_program(model, user: User) -> QuerySet:
    if not user.is_authenticated or not user.is_program_staff:
        return model.objects.none()
    return model.objects.filter(program_id=user.program_id)


def complaints_for(user: User) -> QuerySet[Complaint]:
    return _of_program(Complaint, user)


def stick_injuries_for(user: User) -> QuerySet[StickInjury]:
    return _of_program(StickInjury, user)


def found_syringe_reports_for(user: User) -> QuerySet[FoundSyringeReport]:
    return _of_program(FoundSyringeReport, user).select_related("cleanup__location")


def police_interactions_for(user: User) -> QuerySet[PoliceInteraction]:
    return _of_program(PoliceInteraction, user)


def complaints_to_report(program: Program) -> QuerySet[Complaint]:
    """The program's complaints not yet reported to the state, oldest (most urgent) first."""
    return Complaint.objects.filter(program=program, reported_to_state_at__isnull=True).order_by(
        "received_at", "id"
    )


def complaints_to_report_for(user: User) -> QuerySet[Complaint]:
    """What a manager still has to report to the state; nothing for anyone else."""
    if not user.is_authenticated or not user.is_manager:
        return Complaint.objects.none()
    return complaints_to_report(user.program)
