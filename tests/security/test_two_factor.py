"""Two-factor sign-in: required for managers, funders and admins, optional for outreach.

These tests sign in through the real forms (password, then code); `client.force_login` would
skip the second factor (see tests/conftest.py).
"""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from security import services
from tests.factories import TEST_PASSWORD
from tests.two_factor import authenticator_for, current_code, fresh_code

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("security:two_factor")
SETUP = reverse("security:two_factor_setup")


def sign_in_with_password(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def enter_code(client, code, next_url="/"):
    return client.post(TWO_FACTOR, {"token": code, "next": next_url})


def codes_on_page(html):
    return re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", html)


def actions_of(user):
    return list(
        AuditEntry.objects.filter(actor=user, action__startswith="accounts.two_factor")
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def no_throttle(settings):
    """Throttling doubles a wait after each wrong code; tests that follow a wrong code with a
    right one at once would otherwise have to sleep."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- Who must use it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["manager_a", "funder", "admin_user"])
def test_password_alone_opens_no_page_for_managers_funders_and_admins(
    request, client, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    sign_in_with_password(client, user)

    for url in ("/", reverse("reports:list"), reverse("password_change"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(TWO_FACTOR), url


def test_manager_without_an_authenticator_is_sent_to_set_one_up(client, manager_a):
    sign_in_with_password(client, manager_a)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert "Set up two-factor sign-in" in response.text


def test_outreach_signs_in_with_a_password_only_by_default(client, outreach_a):
    sign_in_with_password(client, outreach_a)

    assert client.get(reverse("encounters:new")).status_code == 200


def test_htmx_request_before_the_code_is_redirected_by_htmx(client, manager_a):
    sign_in_with_password(client, manager_a)

    response = client.get(reverse("encounters:search"), {"q": "ab"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(TWO_FACTOR)


# --- Enrolment -----------------------------------------------------------------------------------


def test_set_up_page_draws_the_qr_code_itself_and_shows_the_key(client, manager_a):
    sign_in_with_password(client, manager_a)

    response = client.get(SETUP)

    device = TOTPDevice.objects.get(user=manager_a)
    assert not device.confirmed
    assert '<svg class="qr-code"' in response.text
    # The secret never leaves the server: no image from another site, no URL carrying it.
    assert "<img" not in response.text
    assert "otpauth://" not in response.text
    secret = "".join(re.search(r"data-secret-key>([A-Z2-7 ]+)<", response.text)[1].split())
    assert base64.b32decode(secret) == device.bin_key


def test_first_code_turns_two_factor_on_and_shows_ten_recovery_codes_once(client, manager_a):
    sign_in_with_password(client, manager_a, next_url="/supplies/stock/")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=manager_a)

    response = client.post(SETUP, {"token": current_code(device), "next": "/supplies/stock/"})

    assert response.status_code == 200
    codes = codes_on_page(response.text)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert 'href="/supplies/stock/"' in response.text
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    # Stored as keyed hashes: the database holds none of the codes people can type.
    stored = set(StaticToken.objects.filter(device__user=manager_a).values_list("token", flat=True))
    assert len(stored) == 10
    assert stored.isdisjoint({code.replace("-", "") for code in codes})
    assert stored == {services.hash_recovery_code(code) for code in codes}
    # The session is verified: pages open.
    assert client.get("/").status_code == 200
    assert actions_of(manager_a) == [
        "accounts.two_factor.enrollment_started",
        "accounts.two_factor.enrolled",
    ]


def test_wrong_first_code_leaves_two_factor_off(client, manager_a):
    sign_in_with_password(client, manager_a)
    client.get(SETUP)

    response = client.post(SETUP, {"token": "000000"})

    assert "That code is not right" in response.text
    assert not TOTPDevice.objects.filter(user=manager_a, confirmed=True).exists()
    assert client.get("/").status_code == 302
    assert actions_of(manager_a) == [
        "accounts.two_factor.enrollment_started",
        "accounts.two_factor.failed",
    ]


def test_password_alone_cannot_swap_in_another_phone(client, manager_a):
    authenticator_for(manager_a)
    sign_in_with_password(client, manager_a)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response.url.startswith(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=manager_a).count() == 1


# --- Signing in with a code -----------------------------------------------------------------


def test_code_from_the_app_completes_the_sign_in_and_keeps_next(client, manager_a):
    device = authenticator_for(manager_a)
    sign_in_with_password(client, manager_a, next_url="/supplies/stock/")
    assert client.get("/supplies/stock/").url.startswith(TWO_FACTOR)

    response = enter_code(client, current_code(device), next_url="/supplies/stock/")

    assert response.status_code == 302
    assert response.url == "/supplies/stock/"
    assert client.get("/supplies/stock/").status_code == 200
    assert actions_of(manager_a) == ["accounts.two_factor.verified"]


@pytest.mark.parametrize("odd_next", ["reports", "x", "javascript:alert(1)", "//evil.example/"])
def test_a_next_that_is_not_a_path_here_leads_home_after_the_code(client, manager_a, odd_next):
    device = authenticator_for(manager_a)
    sign_in_with_password(client, manager_a)

    response = enter_code(client, current_code(device), next_url=odd_next)
    again = client.get(TWO_FACTOR, {"next": odd_next})

    assert response.status_code == again.status_code == 302
    assert response.url == again.url == "/"


def test_wrong_code_is_refused_and_audited(client, manager_a, no_throttle):
    device = authenticator_for(manager_a)
    sign_in_with_password(client, manager_a)

    response = enter_code(client, "123456" if current_code(device) != "123456" else "654321")

    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert client.get("/").status_code == 302
    assert actions_of(manager_a) == ["accounts.two_factor.failed"]
    entry = AuditEntry.objects.get(action="accounts.two_factor.failed")
    assert entry.details["method"] == "authenticator"
    assert entry.object_id == str(manager_a.pk)


def test_a_code_works_only_once(client, manager_a):
    device = authenticator_for(manager_a)
    code = current_code(device)
    sign_in_with_password(client, manager_a)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("logout"))

    sign_in_with_password(client, manager_a)
    response = enter_code(client, code)

    assert "That code is not right" in response.text


def test_wrong_codes_in_a_row_make_the_next_try_wait(client, manager_a):
    device = authenticator_for(manager_a)
    sign_in_with_password(client, manager_a)
    right = current_code(device)
    wrong = "111111" if right != "111111" else "222222"

    enter_code(client, wrong)
    response = enter_code(client, right)

    assert response.status_code == 429
    assert "Too many wrong codes" in response.text
    assert client.get("/").status_code == 302
    last = AuditEntry.objects.filter(action="accounts.two_factor.failed").latest("pk")
    assert last.details["throttled"] is True


def test_recovery_code_signs_in_once(client, manager_a):
    authenticator_for(manager_a)
    codes = services.regenerate_recovery_codes(user=manager_a)
    sign_in_with_password(client, manager_a)

    response = enter_code(client, codes[3].upper().replace("-", " "))

    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "9 are left" in home.text
    assert StaticToken.objects.filter(device__user=manager_a).count() == 9
    entry = AuditEntry.objects.get(action="accounts.two_factor.verified")
    assert entry.details == {"method": "recovery_code", "recovery_codes_left": 9}

    client.post(reverse("logout"))
    sign_in_with_password(client, manager_a)
    assert "That code is not right" in enter_code(client, codes[3]).text


def test_new_recovery_codes_replace_the_old_ones(client, manager_a, no_throttle):
    device = authenticator_for(manager_a)
    old_codes = services.regenerate_recovery_codes(user=manager_a)
    sign_in_with_password(client, manager_a)
    enter_code(client, current_code(device))

    response = client.post(reverse("security:recovery_codes"))

    new_codes = codes_on_page(response.text)
    assert len(new_codes) == 10
    assert set(new_codes).isdisjoint(old_codes)
    assert client.get(reverse("security:recovery_codes")).status_code == 405
    client.post(reverse("logout"))
    sign_in_with_password(client, manager_a)
    assert "That code is not right" in enter_code(client, old_codes[0]).text
    assert enter_code(client, new_codes[0]).status_code == 302


def test_admin_site_opens_only_after_the_code(client, admin_user):
    device = authenticator_for(admin_user)
    sign_in_with_password(client, admin_user)
    assert client.get("/admin/").url.startswith(TWO_FACTOR)

    enter_code(client, current_code(device), next_url="/admin/")

    assert client.get("/admin/").status_code == 200


def test_staff_flag_alone_makes_two_factor_required(client, outreach_a):
    outreach_a.is_staff = True
    outreach_a.save(update_fields=["is_staff"])
    sign_in_with_password(client, outreach_a)

    assert client.get("/admin/").url.startswith(TWO_FACTOR)


# --- Optional for outreach ---------------------------------------------------------------------


def test_outreach_who_turns_it_on_is_asked_for_a_code_at_the_next_sign_in(client, outreach_a):
    sign_in_with_password(client, outreach_a)
    settings_page = client.get(reverse("security:two_factor_settings"))
    assert 'data-two-factor-status="off"' in settings_page.text
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=outreach_a)
    assert len(codes_on_page(client.post(SETUP, {"token": current_code(device)}).text)) == 10
    client.post(reverse("logout"))

    sign_in_with_password(client, outreach_a)
    assert client.get(reverse("encounters:new")).url.startswith(TWO_FACTOR)
    enter_code(client, fresh_code(device))

    assert client.get(reverse("encounters:new")).status_code == 200


def test_outreach_can_turn_it_off_again_but_a_manager_cannot(client, outreach_a, manager_a):
    for user in (outreach_a, manager_a):
        device = authenticator_for(user)
        services.regenerate_recovery_codes(user=user)
        sign_in_with_password(client, user)
        enter_code(client, fresh_code(device))

        client.post(reverse("security:two_factor_off"))

        page = client.get(reverse("security:two_factor_settings"))
        client.post(reverse("logout"))
        if user is outreach_a:
            assert 'data-two-factor-status="off"' in page.text
            assert not TOTPDevice.objects.filter(user=user).exists()
            assert "accounts.two_factor.turned_off" in actions_of(user)
        else:
            assert "cannot be turned off" in page.text
            assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_admin_site_never_shows_an_authenticator_secret(client, admin_user, manager_a):
    device = authenticator_for(manager_a)
    client.force_login(admin_user)

    response = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert response.status_code == 200
    assert device.key not in response.text
