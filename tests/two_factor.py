"""Helpers for signing in past two-factor in tests: an authenticator and its current code."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from security.middleware import TWO_FACTOR_ON_SESSION_KEY
from security.selectors import two_factor_required


def authenticator_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app, added if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device


def current_code(device: TOTPDevice) -> str:
    """What the phone shows now, as a person would read it off the app."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the server has not seen yet: a second sign-in within the same 30 seconds would
    otherwise reuse the last one, which django-otp refuses (as it should)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return current_code(device)


def verify_second_factor_in_session(client, user) -> None:
    """Mark the test client's session as past two-factor, for users whose role requires it."""
    if not two_factor_required(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session[TWO_FACTOR_ON_SESSION_KEY] = True
    session.save()


def sign_in_in_browser(page, username: str, password: str) -> None:
    """Password, then for roles that need it the code from the user's (test) authenticator."""
    from playwright.sync_api import expect  # only the browser tests have a page to drive

    user = User.objects.get(username=username)
    device = authenticator_for(user) if two_factor_required(user) else None
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
        page.get_by_label("Code").fill(fresh_code(device))
        page.get_by_role("button", name="Verify").click()
