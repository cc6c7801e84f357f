from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User

NAVIGATION = {
    User.Role.OUTREACH: [
        ("home", _("Home")),
        ("encounters:new", _("Log encounter")),
        ("participants:list", _("Participants")),
        ("encounters:list", _("Encounters")),
        ("referrals:follow_ups", _("Follow-ups")),
        ("referrals:partners", _("Partners")),
        ("training:list", _("Trainings")),
        ("community_log:log", _("Community log")),
        ("supplies:stock", _("Stock")),
    ],
    User.Role.MANAGER: [
        ("home", _("Home")),
        ("encounters:new", _("Log encounter")),
        ("participants:list", _("Participants")),
        ("encounters:list", _("Encounters")),
        ("referrals:follow_ups", _("Follow-ups")),
        ("referrals:partners", _("Partners")),
        ("training:list", _("Trainings")),
        ("community_log:log", _("Community log")),
        ("supplies:stock", _("Stock")),
        ("supplies:receive", _("Receive")),
        ("participants:duplicates", _("Possible duplicates")),
        ("accounts:users", _("Users")),
        ("accounts:locations", _("Locations")),
        ("cards:settings", _("Participant cards")),
        ("api:tokens", _("API tokens")),
        ("reports:dashboard", _("Dashboard")),
        ("reports:list", _("Reports")),
        ("audit:log", _("Audit log")),
    ],
    User.Role.FUNDER: [("reports:list", _("Reports"))],
    User.Role.ADMIN: [("home", _("Home")), ("admin:index", _("Administration"))],
}


def navigation(request):
    """The menu of the signed-in user's role: only the pages that role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "navigation": [
            {"url": reverse(name), "label": label, "active": name == current}
            for name, label in NAVIGATION.get(user.role, [])
        ]
    }
