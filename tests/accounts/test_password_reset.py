""" "Forgot your password": the page answers at once, the same whether or not an account has the
address, and the email goes out from a task, retried while the mail server is down."""

import socket
import time
from smtplib import SMTPException

import pytest
from django.urls import reverse

from accounts.models import PasswordResetEmail, QueuedTask, ServiceStatus
from accounts.tasks import send_password_reset_email
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def ask_for_reset(client, email: str):
    return client.post(reverse("password_reset"), {"email": email})


def reset_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/accounts/reset/" in line)


@pytest.fixture
def silent_mail_server(settings):
    """A mail server that accepts the connection and then says nothing."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = listener.getsockname()[1]
        settings.EMAIL_TIMEOUT = 3
        yield


def test_the_page_answers_at_once_while_the_mail_server_hangs(
    client, outreach_a, silent_mail_server, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks() as after_commit:
        response = ask_for_reset(client, outreach_a.email)

    assert time.monotonic() - started < 1.5
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(after_commit) == 1  # the email's task, handed over after commit
    assert QueuedTask.objects.get().task_name == "accounts.tasks.send_password_reset_email"


def test_the_email_is_retried_while_the_mail_server_is_down_and_sent_once_it_returns(
    client, outreach_a, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse(outreach_a.email, times=100)

    errors = run_queued(lambda: ask_for_reset(client, outreach_a.email))

    assert len(errors) == 1 and isinstance(errors[0], SMTPException)  # after the last retry
    assert mailoutbox == []
    assert ServiceStatus.objects.get(part="mail").failing_since is not None
    reset = PasswordResetEmail.objects.get()
    assert reset.sent_at is None

    # The mail server is back; the task runs again (a retry, or the outbox handing it over).
    refusing_mail_server.recover()
    queued = QueuedTask.objects.get()
    assert send_password_reset_email.apply(args=queued.args).get() is True
    assert send_password_reset_email.apply(args=queued.args).get() is False

    assert [message.to for message in mailoutbox] == [[outreach_a.email]]
    reset.refresh_from_db()
    assert reset.sent_at is not None


def test_a_refusal_or_two_only_delays_the_email(
    client, outreach_a, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse(outreach_a.email, times=2)

    assert run_queued(lambda: ask_for_reset(client, outreach_a.email)) == []

    (message,) = mailoutbox
    assert message.to == [outreach_a.email]
    assert "Reset your hrprogram password" in message.subject


def test_the_link_in_the_email_lets_them_choose_a_new_password(
    client, outreach_a, mailoutbox, run_queued
):
    run_queued(lambda: ask_for_reset(client, outreach_a.email))

    link = reset_link(mailoutbox[0])
    form_page = client.get(link, follow=True)
    new_password = f"{TEST_PASSWORD}-new"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert done.status_code == 302
    outreach_a.refresh_from_db()
    assert outreach_a.check_password(new_password)


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, outreach_a, mailoutbox, run_queued
):
    known = ask_for_reset(client, outreach_a.email)
    unknown = ask_for_reset(client, "nobody@example.org")

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert run_queued(lambda: ask_for_reset(client, "nobody@example.org")) == []
    assert all(message.to != ["nobody@example.org"] for message in mailoutbox)
    assert PasswordResetEmail.objects.filter(user=outreach_a).count() == 1
