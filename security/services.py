"""Two-factor sign-in: set up an authenticator app, verify a code, recovery codes.

Authenticators are django-otp TOTP devices; recovery codes are django-otp static tokens, but
stored as a keyed hash (django-otp keeps static tokens in clear text), so a copy of the
database alone does not hold codes anyone could type in. Every outcome is in the audit log.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.services import record_action
from security import selectors

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: the codes are read off paper.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_DIGITS = 6


class TwoFactorError(Exception):
    """A code that was refused, with a message for the person who typed it."""

    def __init__(self, message: str, *, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at

    @property
    def throttled(self) -> bool:
        return self.retry_at is not None


@dataclass(frozen=True)
class Verification:
    device: Device
    used_recovery_code: bool


def normalise_code(code: str) -> str:
    """What people type, as compared: lower case, without spaces or dashes."""
    return "".join(ch for ch in str(code).lower() if ch.isalnum())


@sensitive_variables("code")
def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code: a keyed hash, as short as the token column."""
    digest = salted_hmac(
        "hrprogram.security.recovery_code", normalise_code(code), algorithm="sha256"
    )
    return digest.hexdigest()[: StaticToken._meta.get_field("token").max_length]


def format_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them for showing once.

    The device itself is kept, so a session that signed in with a recovery code stays valid.
    """
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": _("Recovery codes"), "confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _i in range(RECOVERY_CODE_LENGTH))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=hash_recovery_code(code)) for code in codes
    )
    return [format_recovery_code(code) for code in codes]


@transaction.atomic
def start_enrollment(*, user: User) -> TOTPDevice:
    """An authenticator to show as a QR code; it counts only once a code from it is confirmed."""
    pending = selectors.pending_authenticator_for(user)
    if pending is not None:
        return pending
    device = TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False, digits=TOTP_DIGITS
    )
    # A new secret was made for this account: worth a line even if it is never confirmed.
    record_action(actor=user, action="accounts.two_factor.enrollment_started", target=user)
    return device


@sensitive_variables("token")
def confirm_enrollment(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Turn on two-factor with the app that produced `token`; returns new recovery codes.

    Replaces any earlier authenticator and recovery codes of the user.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        allowed, throttle = device.verify_is_allowed()
        accepted = allowed and device.verify_token(normalise_code(token))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            record_action(actor=user, action="accounts.two_factor.enrolled", target=user)
            return codes
        record_action(
            actor=user,
            action="accounts.two_factor.failed",
            target=user,
            details={"step": "enrollment", "throttled": not allowed},
        )
    raise _refusal(throttle)


@sensitive_variables("token", "code")
def verify_second_factor(*, user: User, token: str) -> Verification:
    """Check a code from the user's authenticator, or one of their recovery codes.

    Wrong codes slow down further tries (django-otp doubles the wait after each failure)
    and each one is written to the audit log.
    """
    code = normalise_code(token)
    with transaction.atomic():
        used_recovery_code = not (code.isdigit() and len(code) == TOTP_DIGITS)
        if used_recovery_code:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            candidate = hash_recovery_code(code)
        else:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            candidate = code
        device = device.first()
        if device is None:
            allowed, throttle, accepted = True, None, False
        else:
            allowed, throttle = device.verify_is_allowed()
            accepted = allowed and device.verify_token(candidate)
        if accepted:
            details = {"method": "recovery_code" if used_recovery_code else "authenticator"}
            if used_recovery_code:
                details["recovery_codes_left"] = device.token_set.count()
            record_action(
                actor=user, action="accounts.two_factor.verified", target=user, details=details
            )
            return Verification(device=device, used_recovery_code=used_recovery_code)
        record_action(
            actor=user,
            action="accounts.two_factor.failed",
            target=user,
            details={
                "step": "sign_in",
                "method": "recovery_code" if used_recovery_code else "authenticator",
                "throttled": not allowed,
            },
        )
    raise _refusal(throttle)


def _refusal(throttle: dict | None) -> TwoFactorError:
    if throttle and throttle.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        retry_at = throttle["locked_until"]
        seconds = max(1, int((retry_at - timezone.now()).total_seconds()) + 1)
        return TwoFactorError(
            _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
            % {"seconds": seconds},
            retry_at=retry_at,
        )
    return TwoFactorError(_("That code is not right. Check the code and try again."))


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working at once."""
    if not selectors.two_factor_enabled(user):
        raise TwoFactorError(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    record_action(actor=user, action="accounts.two_factor.recovery_codes_replaced", target=user)
    return codes


@transaction.atomic
def turn_off_two_factor(*, user: User) -> None:
    """Remove the user's authenticator and recovery codes, where their role allows it."""
    if selectors.two_factor_required(user):
        raise TwoFactorError(_("Your role requires two-factor sign-in; it cannot be turned off."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_action(actor=user, action="accounts.two_factor.turned_off", target=user)
