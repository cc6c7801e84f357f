"""Three middlewares: the second factor before any page, the content security policy, and no
caching of what signed-in people see."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from security import selectors

# Cached in the session so that people without two-factor pay no query per page.
TWO_FACTOR_ON_SESSION_KEY = "two_factor_on"

# What someone signed in with a password only may still open: the two-factor pages
# themselves, signing out, the language switch and the words of the pages' scripts.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "security:two_factor",
        "security:two_factor_setup",
        "logout",
        "accounts:language",
        "healthz",
        "javascript_catalog",
    }
)


class TwoFactorRequiredMiddleware:
    """Send a signed-in person who still owes a second factor to the two-factor page.

    Managers, funders, administrators and admin-site staff always owe one (and set up an
    authenticator first if they have none); outreach staff owe one once they have turned it on.
    Must come after django_otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if not self._owes_second_factor(request):
            return None
        url = f"{reverse('security:two_factor')}?{urlencode({'next': request.get_full_path()})}"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor sign-in is required."), "two_factor_url": url},
                status=403,
            )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

    @staticmethod
    def _owes_second_factor(request) -> bool:
        user = request.user
        if selectors.two_factor_required(user):
            return True
        enabled = request.session.get(TWO_FACTOR_ON_SESSION_KEY)
        if enabled is None:
            enabled = selectors.two_factor_enabled(user)
            request.session[TWO_FACTOR_ON_SESSION_KEY] = enabled
        return enabled


def _policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has none of its own.

    The policy allows no inline script or style at all, so templates keep JS and CSS in
    static files and pass data through data- attributes or json_script.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = _policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class NoStoreForSignedInMiddleware:
    """Tell browsers and proxies to keep no copy of a page or API answer given to someone signed in.

    Outreach phones are shared: a page cached by the browser would still show participants
    (Back, history, an offline cache of the HTTP layer) after its reader signed out. Every answer
    to a signed-in session and every API answer (tokens authenticate inside the view, so the API
    is covered by its path) gets `Cache-Control: no-store` with Django's never-cache headers.
    Static files are served before this runs and keep their long cache lifetimes; the service
    worker keeps its own copies of the encounter screen in Cache Storage, which it clears at
    sign-out. An answer the view marks `same_for_everyone` (the JavaScript catalogue) keeps its
    own headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "same_for_everyone", False):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response


def remember_two_factor_state(sender, request, user, **kwargs):
    """At each sign-in, note whether the person has two-factor on (one query, once)."""
    if request is not None and hasattr(request, "session"):
        request.session[TWO_FACTOR_ON_SESSION_KEY] = selectors.two_factor_required(
            user
        ) or selectors.two_factor_enabled(user)
