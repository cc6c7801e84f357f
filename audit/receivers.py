"""Django's sign-in signals, written to the audit log.

Signing in happens inside django.contrib.auth (its views, `client.login`, axes), so its own
signals are the one place that sees every attempt; each receiver only calls a service.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import services


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def user_signed_in(sender, request, user, **kwargs):
    services.record_sign_in(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def user_signed_out(sender, request, user, **kwargs):
    services.record_sign_out(user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def user_sign_in_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password masked by Django already; only the name is read.
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    services.record_sign_in_failure(username=str(username), request=request)
