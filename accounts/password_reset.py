"""The "forgot your password" email, sent the way every email is (accounts/mail.py).

Django's own view sends it while the page waits, for up to EMAIL_TIMEOUT, and drops it when
the mail server is down. Here the page records the request and queues one task per matching
account through the outbox (`request_password_reset`); the task makes the link and sends it
with no transaction open, retrying with backoff while the mail server is down, and marks the
request sent once the server took it. The page answers the same at once whether or not an
account has that address.

A manager adding a staff member sends the same kind of email, worded as an invitation
(`queue_invitation`): the new account has no usable password until its owner chooses one
through the link, so nobody else ever knows it.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import outbox
from accounts.mail import send_outside_transaction
from accounts.models import PasswordResetEmail, User
from audit.services import record_action


def request_password_reset(*, users: list[User], domain: str, use_https: bool) -> int:
    """Queue, after commit, the reset email to each of `users` (those the address names);
    returns how many."""
    from accounts.tasks import send_password_reset_email

    with transaction.atomic():
        for user in users:
            reset = PasswordResetEmail.objects.create(user=user)
            record_action(
                actor=None,
                action="accounts.user.password_reset_requested",
                target=user,
                program=user.program,
            )
            outbox.queue_after_commit(send_password_reset_email, reset.pk, domain, use_https)
    return len(users)


def queue_invitation(*, user: User, domain: str, use_https: bool) -> PasswordResetEmail:
    """Queue, after commit, the email inviting a new account to choose its first password.

    A step of the services that add a staff member or send their invitation again, which
    hold the transaction and write the audit entry."""
    from accounts.tasks import send_password_reset_email

    invitation = PasswordResetEmail.objects.create(user=user, is_invitation=True)
    outbox.queue_after_commit(send_password_reset_email, invitation.pk, domain, use_https)
    return invitation


def send_password_reset_email(*, reset_id: int, domain: str, use_https: bool) -> bool:
    """Email the account a link to choose a new password, unless this request's email went
    already; returns whether this call sent. Raises what the mail server raises."""
    reset = (
        PasswordResetEmail.objects.filter(pk=reset_id, sent_at__isnull=True)
        .select_related("user")
        .first()
    )
    if reset is None:
        return False
    user = reset.user
    if not user.is_active or not user.email:
        return False
    # A reset is for a password in use; an invitation for an account that has none yet.
    if user.has_usable_password() == reset.is_invitation:
        return False
    # The link is made now, so it is valid for PASSWORD_RESET_TIMEOUT from when it is sent.
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
    }
    template = "invitation" if reset.is_invitation else "password_reset"
    with translation.override(user.language):
        subject = render_to_string(f"registration/{template}_subject.txt", context)
        body = render_to_string(f"registration/{template}_email.html", context)
    message = EmailMessage(subject="".join(subject.splitlines()), body=body, to=[user.email])
    send_outside_transaction(message)
    PasswordResetEmail.objects.filter(pk=reset.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True
