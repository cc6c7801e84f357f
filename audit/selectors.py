"""Reads of the audit log, scoped to what the requesting user may see."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.models import User
from audit.models import AuditEntry

# Whose rows the log mostly names; the object-type filter offers the models of these apps.
AUDITED_APPS = ("accounts", "participants", "supplies", "referrals", "training", "reports")
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


def object_type_label(object_type: str) -> str:
    """The model's name in the reader's language ("Participant"), or the stored label."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


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
