from collections.abc import Iterable

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import password_reset, staff_hooks
from accounts.models import Location, Program, User
from audit.services import record_action
from core.errors import DomainError

# The roles a manager gives: the people who work in the program.
STAFF_ROLES = (User.Role.OUTREACH, User.Role.MANAGER)


class StaffError(DomainError):
    """A change to a staff member that cannot be made as asked."""


@transaction.atomic
def set_user_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose for every page they open."""
    user.language = language
    user.save(update_fields=["language"])
    record_action(
        actor=user,
        action="accounts.user.language_changed",
        target=user,
        details={"language": language},
    )


# --- Staff: a manager adds, changes, deactivates and reactivates the people of their program --


def _check_manager(by: User) -> None:
    if not by.is_authenticated or not by.is_active or not by.is_manager or not by.program_id:
        raise StaffError(_("Only a manager of the program may change its staff."))


def _lock_staff_member(*, by: User, staff_member: User) -> User:
    """The staff member's row, locked, after the program's row: changes to the managers of one
    program happen one at a time, so two managers cannot each remove the other."""
    _check_manager(by)
    Program.objects.select_for_update().filter(pk=by.program_id).first()
    # Read again under the lock: a manager demoted or deactivated by another meanwhile (whose
    # change waited for this lock's release before) makes no change of their own afterwards.
    if not User.objects.filter(
        pk=by.pk, program_id=by.program_id, role=User.Role.MANAGER, is_active=True
    ).exists():
        raise StaffError(_("Only a manager of the program may change its staff."))
    locked = (
        User.objects.select_for_update()
        .filter(pk=staff_member.pk, program_id=by.program_id, role__in=STAFF_ROLES)
        .first()
    )
    if locked is None:
        raise StaffError(_("No such staff member in your program."))
    return locked


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise StaffError(_("Choose outreach or program manager."), field="role")


# Any fixed number: the PostgreSQL advisory lock that takes staff user names and emails one at
# a time, across programs.
CONTACT_CHECK_LOCK = 8_120_001


def _check_contact(*, user_id: int | None, username: str, email: str) -> None:
    """No other account uses the user name or email, ignoring case. Checked under a lock held to
    the end of the transaction, so two managers adding "rosa" at once cannot both pass."""
    if connection.vendor == "postgresql":  # SQLite runs one write transaction at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONTACT_CHECK_LOCK])
    others = User.objects.exclude(pk=user_id)
    if username and others.filter(username__iexact=username).exists():
        raise StaffError(_("This user name is taken. Choose another."), field="username")
    if not email:
        raise StaffError(_("An email address is needed to send the sign-in link."), field="email")
    if others.filter(email__iexact=email).exists():
        raise StaffError(_("Another account already uses this email address."), field="email")


def _program_locations(*, by: User, role: str, locations: Iterable[Location]) -> list[Location]:
    """The chosen locations, all of the manager's program; outreach staff need one at least."""
    locations = list(locations)
    if any(location.program_id != by.program_id for location in locations):
        raise StaffError(_("Choose locations of your own program."), field="locations")
    if role == User.Role.OUTREACH and not locations:
        raise StaffError(_("Choose at least one location they work at."), field="locations")
    return locations


def _other_active_managers(user: User) -> bool:
    return (
        User.objects.filter(program_id=user.program_id, role=User.Role.MANAGER, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    )


@transaction.atomic
def add_staff_member(
    *,
    by: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    locations: Iterable[Location],
    domain: str,
    use_https: bool,
) -> User:
    """Make an account in the manager's program and email its owner a link to choose their
    password (after commit, through the outbox); no one else ever knows the password."""
    _check_manager(by)
    # As the sign-in form reads it (NFKC: full-width letters are plain), so no look-alikes.
    username, email = User.normalize_username(username.strip()), email.strip()
    if not username:
        raise StaffError(_("Choose a user name."), field="username")
    try:
        User.username_validator(username)
        MaxLengthValidator(User._meta.get_field("username").max_length)(username)
    except ValidationError as error:
        raise StaffError(
            _("Use at most 150 letters, digits and @ . + - _ for a user name."), field="username"
        ) from error
    _check_role(role)
    _check_contact(user_id=None, username=username, email=email)
    locations = _program_locations(by=by, role=role, locations=locations)
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        role=role,
        program_id=by.program_id,
        language=by.language,
    )
    user.set_unusable_password()
    user.save()
    user.locations.set(locations)
    password_reset.queue_invitation(user=user, domain=domain, use_https=use_https)
    record_action(
        actor=by,
        action="accounts.user.added",
        target=user,
        program=by.program,
        details={
            "username": username,
            "role": role,
            "locations": sorted(location.pk for location in locations),
        },
    )
    return user


@transaction.atomic
def update_staff_member(
    *,
    by: User,
    staff_member: User,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    locations: Iterable[Location],
) -> User:
    """Change a staff member's name, email, role and locations; the last active manager of the
    program stays a manager."""
    user = _lock_staff_member(by=by, staff_member=staff_member)
    email = email.strip()
    _check_role(role)
    demoted = user.is_manager and role != User.Role.MANAGER and user.is_active
    if demoted and not _other_active_managers(user):
        raise StaffError(
            _("The program needs an active manager: make someone else a manager first."),
            field="role",
        )
    _check_contact(user_id=user.pk, username="", email=email)
    locations = _program_locations(by=by, role=role, locations=locations)
    before = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "locations": sorted(user.locations.values_list("pk", flat=True)),
    }
    user.first_name, user.last_name, user.email, user.role = (
        first_name.strip(),
        last_name.strip(),
        email,
        role,
    )
    user.save(update_fields=["first_name", "last_name", "email", "role"])
    user.locations.set(locations)
    after = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "locations": sorted(location.pk for location in locations),
    }
    record_action(
        actor=by,
        action="accounts.user.updated",
        target=user,
        program=by.program,
        details={
            "changed": sorted(key for key in after if after[key] != before[key]),
            "role": user.role,
        },
    )
    return user


def _end_sessions(user: User) -> int:
    """Delete the user's open sessions; returns how many. Reads every unexpired session (their
    owner is inside the signed data), a few hundred rows in a program."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def deactivate_staff_member(*, by: User, staff_member: User) -> User:
    """Stop a staff member signing in, end their sessions and let the apps above revoke what
    acts as them (API tokens). Never a deletion: encounters and the log still name them."""
    user = _lock_staff_member(by=by, staff_member=staff_member)
    if user.pk == by.pk:
        raise StaffError(_("You cannot deactivate your own account."))
    if not user.is_active:
        return user
    if user.is_manager and not _other_active_managers(user):
        raise StaffError(_("The program needs an active manager: this is the last one."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_ended = _end_sessions(user)
    staff_hooks.run_deactivation_hooks(by=by, user=user)
    record_action(
        actor=by,
        action="accounts.user.deactivated",
        target=user,
        program=by.program,
        details={"username": user.username, "sessions_ended": sessions_ended},
    )
    return user


@transaction.atomic
def reactivate_staff_member(*, by: User, staff_member: User) -> User:
    """Let a former staff member sign in again, with the password they had (their revoked
    tokens stay revoked)."""
    user = _lock_staff_member(by=by, staff_member=staff_member)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_action(
        actor=by,
        action="accounts.user.reactivated",
        target=user,
        program=by.program,
        details={"username": user.username},
    )
    return user


@transaction.atomic
def resend_invitation(*, by: User, staff_member: User, domain: str, use_https: bool) -> User:
    """Email a new link to choose a first password, to an active staff member who has not
    chosen one yet (the first link expired or went astray)."""
    user = _lock_staff_member(by=by, staff_member=staff_member)
    if not user.is_active:
        raise StaffError(_("Reactivate the account before sending the invitation again."))
    if user.has_usable_password():
        raise StaffError(_("They have chosen a password already; they can reset it if needed."))
    if not user.email:
        raise StaffError(_("Add an email address first."))
    password_reset.queue_invitation(user=user, domain=domain, use_https=use_https)
    record_action(
        actor=by,
        action="accounts.user.invitation_sent",
        target=user,
        program=by.program,
        details={"username": user.username},
    )
    return user
