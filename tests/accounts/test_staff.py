"""A manager adds, changes, deactivates and reactivates the staff of their own program: the
new person chooses their own password through an emailed link; a deactivated person is signed
out everywhere and their API tokens stop working; the program always keeps an active manager."""

import contextlib
import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import PasswordResetEmail, User
from api import services as api_services
from api.models import ApiToken
from audit.models import AuditEntry
from tests.factories import TEST_PASSWORD, UserFactory
from tests.spanish import english_among, html_texts

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-password-of-mine"


def new_staff_form(site, **changes) -> dict:
    form = {
        "username": "rosa",
        "first_name": "Rosa",
        "last_name": "Parks",
        "email": "rosa@example.org",
        "role": "outreach",
        "locations": [site.pk],
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def edit_form(user: User, **changes) -> dict:
    form = {
        "first_name": user.first_name or "Name",
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "locations": [location.pk for location in user.locations.all()],
    }
    form.update(changes)
    return form


def password_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/accounts/reset/" in line)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def manager_client(client, manager_a):
    client.force_login(manager_a)
    return client


@pytest.fixture
def second_manager_a(program_a):
    return UserFactory(username="manager_a2", role=User.Role.MANAGER, program=program_a)


# --- Adding ------------------------------------------------------------------------------------


def test_a_manager_adds_an_outreach_worker_who_chooses_a_password_and_signs_in(
    manager_client, site_a, van_a, mailoutbox, run_queued
):
    responses = []
    errors = run_queued(
        lambda: responses.append(
            manager_client.post(
                reverse("accounts:user_new"),
                new_staff_form(site_a, locations=[site_a.pk, van_a.pk]),
                follow=True,
            )
        )
    )

    assert errors == []
    page = responses[0]
    assert "A link to choose their password is on its way to rosa@example.org" in page.text
    rosa = User.objects.get(username="rosa")
    assert (rosa.role, rosa.program, rosa.is_active) == ("outreach", site_a.program, True)
    assert set(rosa.locations.all()) == {site_a, van_a}
    assert not rosa.has_usable_password()
    (message,) = mailoutbox
    assert message.to == ["rosa@example.org"]
    assert "Your hrprogram account is ready" in message.subject
    assert "rosa" in message.body
    assert PasswordResetEmail.objects.get(user=rosa).sent_at is not None

    invitee = Client()
    form_page = invitee.get(password_link(message), follow=True)
    assert form_page.status_code == 200
    done = invitee.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert sign_in(invitee, "rosa", NEW_PASSWORD).status_code == 302
    assert invitee.get(reverse("home")).status_code == 200
    # The link works once.
    assert "no longer works" in Client().get(password_link(message), follow=True).text


def test_adding_is_audited(manager_client, manager_a, site_a, run_queued):
    run_queued(lambda: manager_client.post(reverse("accounts:user_new"), new_staff_form(site_a)))

    entry = AuditEntry.objects.get(action="accounts.user.added")
    rosa = User.objects.get(username="rosa")
    assert (entry.actor, entry.program, entry.object_id) == (
        manager_a,
        manager_a.program,
        str(rosa.pk),
    )
    assert entry.details["role"] == "outreach"


def test_an_added_manager_is_asked_for_two_factor_at_first_sign_in(
    manager_client, site_a, mailoutbox, run_queued
):
    run_queued(
        lambda: manager_client.post(
            reverse("accounts:user_new"), new_staff_form(site_a, role="manager", locations=None)
        )
    )
    invitee = Client()
    form_page = invitee.get(password_link(mailoutbox[0]), follow=True)
    invitee.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    sign_in(invitee, "rosa", NEW_PASSWORD)
    home = invitee.get(reverse("home"), follow=True)

    assert User.objects.get(username="rosa").is_manager
    assert home.redirect_chain[-1][0].startswith(reverse("security:two_factor_setup"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "OUTREACH_A"}, "username", "This user name is taken"),
        ({"username": "has space"}, "username", "Enter a valid username"),
        ({"username": ""}, "username", "This field is required"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"email": "OUTREACH_A@example.org"}, "email", "Another account already uses"),
        ({"email": ""}, "email", "This field is required"),
        ({"locations": None}, "locations", "Choose at least one location"),
        ({"role": "funder"}, "role", "Select a valid choice"),
        ({"role": "admin"}, "role", "Select a valid choice"),
        ({"first_name": "x" * 151}, "first_name", "at most 150 characters"),
    ],
)
def test_bad_input_gets_a_form_error_and_adds_no_one(
    manager_client, outreach_a, site_a, changes, field, message
):
    users_before = User.objects.count()

    response = manager_client.post(reverse("accounts:user_new"), new_staff_form(site_a, **changes))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert User.objects.count() == users_before
    assert not PasswordResetEmail.objects.exists()


def test_another_programs_location_is_not_a_choice(manager_client, site_a, site_b):
    response = manager_client.post(
        reverse("accounts:user_new"), new_staff_form(site_a, locations=[site_b.pk])
    )

    assert response.status_code == 200
    assert "locations" in response.context["form"].errors
    assert not User.objects.filter(username="rosa").exists()


def test_the_service_refuses_another_programs_location(manager_a, site_b):
    with pytest.raises(services.StaffError):
        services.add_staff_member(
            by=manager_a,
            username="rosa",
            first_name="Rosa",
            last_name="",
            email="rosa@example.org",
            role="outreach",
            locations=[site_b],
            domain="testserver",
            use_https=True,
        )


@pytest.mark.parametrize("username", ["has space", "x" * 151, "<b>"])
def test_the_service_refuses_a_malformed_user_name(manager_a, site_a, username):
    with pytest.raises(services.StaffError, match="user name"):
        services.add_staff_member(
            by=manager_a,
            username=username,
            first_name="Rosa",
            last_name="",
            email="rosa@example.org",
            role="outreach",
            locations=[site_a],
            domain="testserver",
            use_https=True,
        )
    assert not User.objects.filter(email="rosa@example.org").exists()


def test_the_invitation_can_be_sent_again_until_a_password_is_chosen(
    manager_client, site_a, mailoutbox, run_queued
):
    run_queued(lambda: manager_client.post(reverse("accounts:user_new"), new_staff_form(site_a)))
    rosa = User.objects.get(username="rosa")

    run_queued(lambda: manager_client.post(reverse("accounts:user_invite", args=[rosa.pk])))

    assert len(mailoutbox) == 2
    assert AuditEntry.objects.filter(action="accounts.user.invitation_sent").count() == 1
    rosa.set_password(NEW_PASSWORD)
    rosa.save()
    page = manager_client.post(reverse("accounts:user_invite", args=[rosa.pk]), follow=True)
    assert "chosen a password already" in page.text


# --- Editing -----------------------------------------------------------------------------------


def test_a_manager_changes_name_email_role_and_locations(
    manager_client, manager_a, outreach_a, site_a, van_a
):
    response = manager_client.post(
        reverse("accounts:user_edit", args=[outreach_a.pk]),
        edit_form(
            outreach_a,
            first_name="Ana",
            last_name="Diaz",
            email="ana@example.org",
            role="manager",
            locations=[van_a.pk],
        ),
    )

    assert response.status_code == 302
    outreach_a.refresh_from_db()
    assert (outreach_a.get_full_name(), outreach_a.email, outreach_a.role) == (
        "Ana Diaz",
        "ana@example.org",
        "manager",
    )
    assert list(outreach_a.locations.all()) == [van_a]
    entry = AuditEntry.objects.get(action="accounts.user.updated")
    assert entry.actor == manager_a
    assert entry.details["changed"] == ["email", "first_name", "last_name", "locations", "role"]


def test_the_edit_page_refuses_an_email_in_use(manager_client, outreach_a, manager_a):
    response = manager_client.post(
        reverse("accounts:user_edit", args=[outreach_a.pk]),
        edit_form(outreach_a, email=manager_a.email.upper()),
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_the_last_active_manager_cannot_be_demoted(manager_client, manager_a, site_a):
    response = manager_client.post(
        reverse("accounts:user_edit", args=[manager_a.pk]),
        edit_form(manager_a, role="outreach", locations=[site_a.pk]),
    )

    assert response.status_code == 200
    assert "needs an active manager" in response.context["form"].errors["role"][0]
    manager_a.refresh_from_db()
    assert manager_a.is_manager


def test_a_manager_may_be_demoted_while_another_is_active(manager_client, second_manager_a, site_a):
    response = manager_client.post(
        reverse("accounts:user_edit", args=[second_manager_a.pk]),
        edit_form(second_manager_a, role="outreach", locations=[site_a.pk]),
    )

    assert response.status_code == 302
    second_manager_a.refresh_from_db()
    assert second_manager_a.is_outreach


# --- Deactivating and reactivating -------------------------------------------------------------


def test_deactivating_ends_sessions_revokes_tokens_and_stops_sign_in(
    manager_client, manager_a, outreach_a
):
    worker = Client()
    assert sign_in(worker, "outreach_a", TEST_PASSWORD).status_code == 302
    assert worker.get(reverse("home")).status_code == 200
    token, plain = api_services.create_token(by=manager_a, user=outreach_a, name="Tablet")
    assert Client().get("/api/v1/items/", HTTP_AUTHORIZATION=f"Token {plain}").status_code == 200

    response = manager_client.post(
        reverse("accounts:user_deactivate", args=[outreach_a.pk]), follow=True
    )

    assert "is deactivated" in response.text
    outreach_a.refresh_from_db()
    assert not outreach_a.is_active
    assert not any(
        session.get_decoded().get("_auth_user_id") == str(outreach_a.pk)
        for session in Session.objects.all()
    )
    assert worker.get(reverse("home")).status_code == 302
    assert sign_in(Client(), "outreach_a", TEST_PASSWORD).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/items/", HTTP_AUTHORIZATION=f"Token {plain}").status_code == 401
    entry = AuditEntry.objects.get(action="accounts.user.deactivated")
    assert (entry.actor, entry.program, entry.details["sessions_ended"]) == (
        manager_a,
        manager_a.program,
        1,
    )
    assert AuditEntry.objects.filter(action="api.token.revoked", actor=manager_a).count() == 1
    # The manager's own session goes on.
    assert manager_client.get(reverse("accounts:users")).status_code == 200


def test_reactivating_lets_them_sign_in_again_with_their_password(
    manager_client, manager_a, outreach_a
):
    token, _plain = api_services.create_token(by=manager_a, user=outreach_a, name="Tablet")
    services.deactivate_staff_member(by=manager_a, staff_member=outreach_a)

    response = manager_client.post(
        reverse("accounts:user_reactivate", args=[outreach_a.pk]), follow=True
    )

    assert "is active again" in response.text
    outreach_a.refresh_from_db()
    assert outreach_a.is_active
    assert sign_in(Client(), "outreach_a", TEST_PASSWORD).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None  # tokens stay revoked
    assert AuditEntry.objects.get(action="accounts.user.reactivated").actor == manager_a


def test_a_manager_cannot_deactivate_themself(manager_client, manager_a, second_manager_a):
    response = manager_client.post(
        reverse("accounts:user_deactivate", args=[manager_a.pk]), follow=True
    )

    assert "cannot deactivate your own account" in response.text
    manager_a.refresh_from_db()
    assert manager_a.is_active
    assert not AuditEntry.objects.filter(action="accounts.user.deactivated").exists()


def test_the_last_active_manager_cannot_demote_themself(manager_a, second_manager_a):
    services.deactivate_staff_member(by=manager_a, staff_member=second_manager_a)

    with pytest.raises(services.StaffError, match="needs an active manager"):
        services.update_staff_member(
            by=manager_a,
            staff_member=manager_a,
            first_name="Only",
            last_name="",
            email=manager_a.email,
            role="outreach",
            locations=[],
        )
    manager_a.refresh_from_db()
    assert manager_a.is_manager


def test_two_managers_cannot_deactivate_each_other(manager_a, second_manager_a):
    services.deactivate_staff_member(by=manager_a, staff_member=second_manager_a)

    with pytest.raises(services.StaffError):
        services.deactivate_staff_member(by=second_manager_a, staff_member=manager_a)

    manager_a.refresh_from_db()
    assert manager_a.is_active


def test_the_last_active_manager_check_holds_in_the_service(program_a, manager_a):
    """Whoever asks, the program's one active manager stays active (an inactive manager's
    request is refused before that)."""
    former = UserFactory(username="former", role=User.Role.MANAGER, program=program_a)
    services.deactivate_staff_member(by=manager_a, staff_member=former)
    former.refresh_from_db()

    with pytest.raises(services.StaffError):
        services.deactivate_staff_member(by=former, staff_member=manager_a)
    with pytest.raises(services.StaffError, match="own account"):
        services.deactivate_staff_member(by=manager_a, staff_member=manager_a)


# --- Who may ------------------------------------------------------------------------------------


def test_another_programs_staff_are_not_found(client, manager_a, outreach_b):
    client.force_login(manager_a)

    for name in ("accounts:user_edit",):
        assert client.get(reverse(name, args=[outreach_b.pk])).status_code == 404
    for name in ("accounts:user_deactivate", "accounts:user_reactivate", "accounts:user_invite"):
        assert client.post(reverse(name, args=[outreach_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts:user_edit", args=[outreach_b.pk]), edit_form(outreach_b)
        ).status_code
        == 404
    )
    outreach_b.refresh_from_db()
    assert outreach_b.is_active


def test_the_services_refuse_another_programs_staff(manager_a, outreach_b):
    with pytest.raises(services.StaffError, match="No such staff member"):
        services.deactivate_staff_member(by=manager_a, staff_member=outreach_b)
    outreach_b.refresh_from_db()
    assert outreach_b.is_active


def test_funders_and_admins_are_not_staff_to_manage(client, manager_a, funder, admin_user):
    client.force_login(manager_a)

    assert client.get(reverse("accounts:user_edit", args=[funder.pk])).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[admin_user.pk])).status_code == 404


@pytest.mark.parametrize("role", ["outreach_a", "outreach_b", "funder"])
def test_outreach_staff_and_funders_are_refused(client, request, role, manager_a, outreach_a):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("accounts:user_new")).status_code == 403
    assert client.get(reverse("accounts:user_edit", args=[outreach_a.pk])).status_code == 403
    assert client.post(reverse("accounts:user_deactivate", args=[manager_a.pk])).status_code == 403
    manager_a.refresh_from_db()
    assert manager_a.is_active


def test_the_service_refuses_an_outreach_worker(outreach_a, manager_a):
    with pytest.raises(services.StaffError, match="Only a manager"):
        services.deactivate_staff_member(by=outreach_a, staff_member=manager_a)


def test_the_pages_fit_a_phone(manager_client, outreach_a):
    for url in (reverse("accounts:user_new"), reverse("accounts:user_edit", args=[outreach_a.pk])):
        page = manager_client.get(url).text
        assert 'name="viewport"' in page
        assert "w-100" in page  # the main button spans the screen


def test_the_pages_and_the_invitation_are_in_spanish(
    client, manager_a, outreach_a, site_a, mailoutbox, run_queued
):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])
    client.force_login(manager_a)
    pages = [
        client.get(reverse("accounts:users")),
        client.get(reverse("accounts:user_new")),
        client.get(reverse("accounts:user_edit", args=[outreach_a.pk])),
        client.post(reverse("accounts:user_new"), new_staff_form(site_a, locations=None)),
    ]
    run_queued(lambda: client.post(reverse("accounts:user_new"), new_staff_form(site_a)))

    for page in pages:
        assert page.status_code == 200
        assert english_among(html_texts(page.text)) == []
    assert "Añadir a alguien del equipo" in pages[1].text
    (message,) = mailoutbox  # the new person's language is their manager's to begin with
    assert message.subject == "Tu cuenta de hrprogram está lista"
    assert english_among(message.body.splitlines()) == []


def test_the_invitation_of_an_account_deactivated_since_sets_no_password(
    manager_client, site_a, mailoutbox, run_queued
):
    run_queued(lambda: manager_client.post(reverse("accounts:user_new"), new_staff_form(site_a)))
    rosa = User.objects.get(username="rosa")
    manager_client.post(reverse("accounts:user_deactivate", args=[rosa.pk]))
    stranger = Client()

    form_page = stranger.get(password_link(mailoutbox[0]), follow=True)
    stranger.post(
        form_page.redirect_chain[-1][0]
        if form_page.redirect_chain
        else password_link(mailoutbox[0]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert "no longer works" in form_page.text
    rosa.refresh_from_db()
    assert not rosa.has_usable_password()


def test_a_full_width_user_name_is_stored_as_sign_in_reads_it(
    manager_client, site_a, mailoutbox, run_queued
):
    run_queued(
        lambda: manager_client.post(
            reverse("accounts:user_new"),
            new_staff_form(site_a, username="\uff52\uff4f\uff53\uff41"),
        )
    )

    assert User.objects.filter(username="rosa").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", ["username", "email"])
def test_two_managers_adding_the_same_person_at_once_make_one_account(
    manager_a, program_b, site_a, site_b, monkeypatch, shared
):
    manager_b = UserFactory(username="manager_b", role=User.Role.MANAGER, program=program_b)
    both_checked = threading.Barrier(2, timeout=5)
    check = services._check_contact

    def check_then_wait(**contact):
        check(**contact)
        # Under the lock the second cannot pass its check before the first saved: the wait
        # runs out and the first goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(services, "_check_contact", check_then_wait)
    outcomes = []

    def add(by, site, number):
        try:
            services.add_staff_member(
                by=by,
                username="rosa" if shared == "username" else f"rosa{number}",
                first_name="Rosa",
                last_name="",
                email="rosa@example.org" if shared == "email" else f"rosa{number}@example.org",
                role="outreach",
                locations=[site],
                domain="testserver",
                use_https=False,
            )
            outcomes.append("added")
        except services.StaffError as error:
            outcomes.append(error.field)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(manager_a, site_a, 1)),
        threading.Thread(target=add, args=(manager_b, site_b, 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted(["added", shared])
    assert User.objects.filter(email__istartswith="rosa").count() == 1


def test_a_manager_demoted_meanwhile_changes_no_one(manager_a, second_manager_a, outreach_a):
    services.update_staff_member(
        by=second_manager_a,
        staff_member=manager_a,
        first_name="Manager",
        last_name="A",
        email="manager_a@example.org",
        role=User.Role.OUTREACH,
        locations=list(outreach_a.locations.all()),
    )
    stale = manager_a  # the request's user, loaded before the demotion

    with pytest.raises(services.StaffError):
        services.deactivate_staff_member(by=stale, staff_member=outreach_a)
    outreach_a.refresh_from_db()
    assert outreach_a.is_active
