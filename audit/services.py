"""Writes to the audit log. Entries are only ever appended (see audit.models)."""

from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest

from accounts.models import Program, User
from audit.middleware import client_ip, current_ip
from audit.models import AuditEntry

# Attempted user names longer than this are not real accounts; never stored in any case.
MAX_USERNAME_LENGTH = 150


def record_action(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    program: Program | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log; call it inside the transaction of the change.

    The program defaults to the actor's, the address to the client of the current request.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    if program is None and actor is not None:
        program = actor.program
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        program=program,
        ip_address=ip_address if ip_address is not None else current_ip(),
        details=details or {},
    )


def record_read(
    *,
    request: HttpRequest,
    action: str,
    target: models.Model,
    program: Program | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry for something a person looked at or downloaded: a participant's page,
    a certificate, an export. One small insert."""
    return record_action(
        actor=request.user,
        action=action,
        target=target,
        program=program or getattr(target, "program", None),
        ip_address=client_ip(request),
        details=details,
    )


def record_sign_in(*, user: User, request: HttpRequest | None) -> AuditEntry:
    return record_action(
        actor=user,
        action="accounts.user.signed_in",
        target=user,
        ip_address=client_ip(request) if request is not None else None,
    )


def record_sign_out(*, user: User | None, request: HttpRequest | None) -> AuditEntry | None:
    if user is None or not user.is_authenticated:
        return None  # nobody was signed in: nothing happened worth a line
    return record_action(
        actor=user,
        action="accounts.user.signed_out",
        target=user,
        ip_address=client_ip(request) if request is not None else None,
    )


def record_sign_in_failure(*, username: str, request: HttpRequest | None) -> AuditEntry:
    """A failed sign-in: the account it was for, if one exists, never the password.

    An attempted name that is no account is not stored either: people type their password
    into the name field by mistake.
    """
    user_model = get_user_model()
    username = (username or "")[:MAX_USERNAME_LENGTH]
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
    details = {"account_exists": user is not None}
    if request is not None and getattr(request, "axes_locked_out", False):
        details["locked_out"] = True
    return record_action(
        actor=None,
        action="accounts.user.sign_in_failed",
        target=user,
        # The program of the account tried, so its manager sees attempts on their people.
        program=user.program if user is not None else None,
        ip_address=client_ip(request) if request is not None else None,
        details=details,
    )
