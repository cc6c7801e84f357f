"""Two-factor pages: verify at sign-in, set up an authenticator, recovery codes, settings."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.models import Device

from security import selectors, services
from security.forms import ConfirmAuthenticatorForm, SecondFactorForm
from security.middleware import TWO_FACTOR_ON_SESSION_KEY
from security.qr import qr_code_svg


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: a bare word would be taken for a view name by redirect().
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(view_name: str, next_url: str) -> str:
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def _mark_verified(request, device: Device) -> None:
    """The session has passed the second factor; a new session key, as after a sign-in."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[TWO_FACTOR_ON_SESSION_KEY] = True


def _recovery_codes_page(request, codes: list[str], *, next_url: str, first_time: bool):
    # Rendered straight from the POST and never stored in clear: shown this once only.
    return render(
        request,
        "security/recovery_codes.html",
        {"codes": codes, "next": next_url, "first_time": first_time},
    )


@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor(request):
    """After the password: the code from the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if selectors.authenticator_for(user) is None:
        return redirect(_with_next("security:two_factor_setup", next_url))
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.verify_second_factor(
                user=user, token=form.cleaned_data["token"]
            )
        except services.TwoFactorError as error:
            form.add_error("token", error.message)
            status = 429 if error.throttled else 200
        else:
            _mark_verified(request, verification.device)
            if verification.used_recovery_code:
                left = selectors.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left. "
                        "Make new ones on the two-factor page.",
                        "You used a recovery code; %(count)d are left. "
                        "Make new ones on the two-factor page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return render(
        request, "security/two_factor_verify.html", {"form": form, "next": next_url}, status=status
    )


@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor_setup(request):
    """Add an authenticator app: scan the QR code, type the first code, keep recovery codes."""
    user = request.user
    next_url = _next_url(request)
    if selectors.authenticator_for(user) is not None and not user.is_verified():
        # The password alone must never be enough to swap in someone else's phone.
        return redirect(_with_next("security:two_factor", next_url))
    device = services.start_enrollment(user=user)
    form = ConfirmAuthenticatorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrollment(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except services.TwoFactorError as error:
            form.add_error("token", error.message)
            status = 429 if error.throttled else 200
        else:
            _mark_verified(request, device)
            return _recovery_codes_page(request, codes, next_url=next_url, first_time=True)
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "security/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": qr_code_svg(device.config_url, title=_("QR code for your authenticator")),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": selectors.two_factor_required(user),
        },
        status=status,
    )


@never_cache
@login_required
def two_factor_settings(request):
    """Whether two-factor is on, how many recovery codes are left, and what can be changed."""
    user = request.user
    return render(
        request,
        "security/two_factor_settings.html",
        {
            "enabled": selectors.two_factor_enabled(user),
            "required": selectors.two_factor_required(user),
            "codes_left": selectors.recovery_codes_left(user),
        },
    )


@never_cache
@require_POST
@login_required
def recovery_codes(request):
    """Replace the recovery codes (after losing the paper, or using most of them)."""
    if not request.user.is_verified():
        return redirect(_with_next("security:two_factor", reverse("security:two_factor_settings")))
    try:
        codes = services.regenerate_recovery_codes(user=request.user)
    except services.TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("security:two_factor_settings")
    return _recovery_codes_page(
        request, codes, next_url=reverse("security:two_factor_settings"), first_time=False
    )


@require_POST
@login_required
def two_factor_off(request):
    """Outreach staff may turn two-factor off again; other roles may not."""
    if not request.user.is_verified():
        return redirect(_with_next("security:two_factor", reverse("security:two_factor_settings")))
    try:
        services.turn_off_two_factor(user=request.user)
    except services.TwoFactorError as error:
        messages.error(request, error.message)
    else:
        request.session[TWO_FACTOR_ON_SESSION_KEY] = False
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("security:two_factor_settings")
