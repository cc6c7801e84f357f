"""Token authentication for integrations: the token's SHA-256 is looked up, never the token."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiToken, token_hash

KEYWORDS = ("token", "bearer")
# Writing last_used_at on every request would cost a write per call; a minute of slack is enough.
LAST_USED_WRITE_INTERVAL = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <token>` (or `Bearer <token>`) of an unrevoked ApiToken."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send 'Token' and the token, separated by one space.")
            )
        try:
            token = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        api_token = (
            ApiToken.objects.select_related("user", "user__program")
            .filter(key_hash=token_hash(token))
            .first()
        )
        if api_token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if api_token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not api_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is deactivated."))
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > (
            LAST_USED_WRITE_INTERVAL
        ):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.user, api_token

    def authenticate_header(self, request):
        return "Token"
