"""The "forgot your password" email, sent the way every email is (accounts/mail.py).

Django's own view sends it while the page waits, for up to EMAIL_TIMEOUT, and drops it when
the mail server is down. Here the page records the request and queues one task per matching
account through the outbox (`request_password_reset`); the task makes the link and sends it
with no transaction open, retrying with backoff while the mail server is down, and marks the
request sent once the server took it. The page answers the same at once whether or not an
account has that address.
"""

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
    if not user.is_active or not user.email or not user.has_usable_password():
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
    }
    with translation.override(user.language):
        subject = render_to_string("registration/password_reset_subject.txt", context)
        body = render_to_string("registration/password_reset_email.html", context)
    message = EmailMessage(subject="".join(subject.splitlines()), body=body, to=[user.email])
    send_outside_transaction(message)
    PasswordResetEmail.objects.filter(pk=reset.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    return True
