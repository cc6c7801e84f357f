import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "last_activity"
# Writing the session on every request costs a database write; a minute of slack is harmless.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


class ProgramTimeZoneMiddleware:
    """Work in the signed-in user's program's time zone for the whole request: times shown on
    pages, times typed in forms (a back-entered encounter's "21:15" is the program's 21:15) and
    the days lists are cut by. Signed out: UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        program = getattr(request.user, "program", None) if request.user.is_authenticated else None
        if program is not None:
            timezone.activate(program.tzinfo)
        try:
            return self.get_response(request)
        finally:
            # Also undoes what the API activates for a token client (core.rest.views).
            timezone.deactivate()


class IdleTimeoutMiddleware:
    """Sign out a session left idle for IDLE_TIMEOUT_MINUTES (shared phones, shared vans)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_activity = request.session.get(LAST_ACTIVITY_KEY, now)
            if now - last_activity > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    # A script (the offline queue's sync) needs a status it can act on, not
                    # a redirect to the sign-in page.
                    return JsonResponse(
                        {"detail": _("Your session ended after a time without activity.")},
                        status=401,
                    )
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                return redirect_to_login(request.get_full_path())
            if now - last_activity >= ACTIVITY_WRITE_INTERVAL_SECONDS or (
                LAST_ACTIVITY_KEY not in request.session
            ):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Speak each signed-in user's chosen language, whatever their browser asks for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)
