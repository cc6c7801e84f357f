"""Reads about a person's second factor: whether they need one, and what they have set up."""

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

# People who can see across participants or change the system must prove a second factor.
ROLES_REQUIRING_TWO_FACTOR = frozenset({User.Role.MANAGER, User.Role.FUNDER, User.Role.ADMIN})


def two_factor_required(user: User) -> bool:
    """Managers, funders and administrators, and anyone who may open the admin site."""
    return user.role in ROLES_REQUIRING_TWO_FACTOR or user.is_staff or user.is_superuser


def authenticator_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up. One query."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_authenticator_for(user: User) -> TOTPDevice | None:
    """An authenticator shown as a QR code but not confirmed with a code yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_for(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_enabled(user: User) -> bool:
    """Whether signing in asks this user for a code: they have a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
