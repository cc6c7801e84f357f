"""Reads of the audit log, scoped to what the requesting user may see."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.models import User
from audit.models import AuditEntry
from participants.models import Participant

# Whose rows the log mostly names; the object-type filter offers the models of these apps.
AUDITED_APPS = ("accounts", "participants", "supplies", "referrals", "training", "reports")
PARTICIPANT_TYPE = Participant._meta.label_lower
USER_TYPE = User._meta.label_lower


def audit_entries_for(user: User) -> QuerySet[AuditEntry]:
    """Entries of a manager's program, including sign-ins and failed sign-ins of its people.

    Nobody else reads the log in the app (administrators read all of it in the admin).
    """
    if not user.is_authenticated or not user.is_manager:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(program_id=user.program_id)


def audited_object_types() -> list[tuple[str, str]]:
    """(label, name) of every model of the audited apps, for the filter's choices."""
    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
        for app_label in AUDITED_APPS
        if apps.is_installed(app_label)
        for model in apps.get_app_config(app_label).get_models()
    )


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""


def filtered_audit_entries(user: User, filters: AuditFilters, tzinfo) -> QuerySet[AuditEntry]:
    """The log narrowed by the filters, newest first; dates are days in the program zone.

    A user filter finds what they did and the sign-in attempts made on their account.
    An action filter matches a whole dotted name or its beginning ("participants.").
    """
    entries = audit_entries_for(user)
    if filters.date_from:
        entries = entries.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo))
    if filters.date_to:
        entries = entries.filter(at__lte=datetime.combine(filters.date_to, time.max, tzinfo))
    if filters.user_id:
        entries = entries.filter(
            Q(actor_id=filters.user_id) | Q(object_type=USER_TYPE, object_id=str(filters.user_id))
        )
    if filters.action:
        entries = entries.filter(action__startswith=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    return entries.select_related("actor").order_by("-at", "-id")


def participant_public_ids(user: User, entries: list[AuditEntry]) -> dict[str, str]:
    """Participant pk -> public id for the entries shown, so a person reads "HR-7K3QX", not a
    row number. One query; participants deleted since are simply missing."""
    ids = {
        entry.object_id
        for entry in entries
        if entry.object_type == PARTICIPANT_TYPE and entry.object_id.isdigit()
    }
    if not ids or not user.is_manager:
        return {}
    return {
        str(pk): public_id
        for pk, public_id in Participant.objects.filter(
            program_id=user.program_id, pk__in=[int(pk) for pk in ids]
        ).values_list("pk", "public_id")
    }


def participant_pk_for_public_id(user: User, public_id: str) -> str | None:
    """The row id of the program's participant with this public id, as the log stores it."""
    pk = (
        Participant.objects.filter(program_id=user.program_id, public_id=public_id.upper())
        .values_list("pk", flat=True)
        .first()
    )
    return str(pk) if pk is not None else None
