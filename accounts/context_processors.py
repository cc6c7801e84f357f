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
    # Grouped, so that the menu fits a laptop's width and a phone's height: field work, stock,
    # reports and administration, each a drop-down.
    User.Role.MANAGER: [
        ("home", _("Home")),
        ("encounters:new", _("Log encounter")),
        (
            _("Field"),
            [
                ("participants:list", _("Participants")),
                ("encounters:list", _("Encounters")),
                ("referrals:follow_ups", _("Follow-ups")),
                ("referrals:partners", _("Partners")),
                ("training:list", _("Trainings")),
                ("community_log:log", _("Community log")),
            ],
        ),
        (_("Stock"), [("supplies:stock", _("Stock")), ("supplies:receive", _("Receive"))]),
        (_("Reports"), [("reports:dashboard", _("Dashboard")), ("reports:list", _("Reports"))]),
        (
            _("Administration"),
            [
                ("participants:duplicates", _("Possible duplicates")),
                ("accounts:users", _("Users")),
                ("accounts:locations", _("Locations")),
                ("supplies:names", _("Names in other languages")),
                ("cards:settings", _("Participant cards")),
                ("api:tokens", _("API tokens")),
                ("audit:log", _("Audit log")),
            ],
        ),
    ],
    User.Role.FUNDER: [("reports:list", _("Reports"))],
    User.Role.ADMIN: [("home", _("Home")), ("admin:index", _("Administration"))],
}


def _link(name, label, current):
    return {"url": reverse(name), "label": label, "active": name == current}


def navigation(request):
    """The menu of the signed-in user's role: only the pages that role may open.

    `navigation_menu` is what the bar shows (links and groups of links); `navigation` is every
    link of it in order, for whoever needs the plain list."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "navigation_menu": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    menu = []
    for name, entry in NAVIGATION.get(user.role, []):
        if isinstance(entry, list):
            items = [_link(item_name, label, current) for item_name, label in entry]
            menu.append(
                {
                    "label": name,
                    "links": items,
                    "active": any(item["active"] for item in items),
                    "key": f"nav-group-{len(menu)}",
                }
            )
        else:
            menu.append(_link(name, entry, current))
    links = [link for entry in menu for link in entry.get("links", [entry])]
    return {"navigation": links, "navigation_menu": menu}
