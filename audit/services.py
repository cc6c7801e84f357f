from django.db import models

from accounts.models import Program, User
from audit.models import AuditEntry


def record_action(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    program: Program | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log; call it inside the transaction of the change."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        program=program,
        ip_address=ip_address,
        details=details or {},
    )
