"""Who may open what: every URL of the project against every role, with the status expected.

Each URL pattern of the URLconf needs a row in ACCESS_MATRIX below; a URL without one fails
`test_every_url_has_an_access_matrix_entry`, so a new page cannot ship without someone deciding
who may open it. URL arguments are filled with real rows of program A, so the outreach worker
of program B meets A's rows and must get a 404 (never a 403 that would confirm they exist).

The matrix sends GET. Pages that only take POST answer 405 to a GET; POST_MATRIX then checks
who a POST is refused to (an empty form, so an allowed role changes nothing that matters).

Adding a URL: add one line to ACCESS_MATRIX (and to POST_MATRIX if it only takes POST) with
the keyword arguments it needs from `ProgramRows` and the expected status for each role, in
the column order of `Expect`. An API route (`/api/...`) is added the same way; DRF answers an
anonymous caller 401 or 403, not the sign-in redirect, so write the number it should be.
"""

from collections.abc import Callable
from dataclasses import astuple, dataclass, fields

import pytest
from django.contrib.admin import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.two_programs import ProgramRows, program_rows

pytestmark = pytest.mark.django_db

LOGIN = "sign-in redirect"  # 302 to the sign-in page, keeping where the visitor was going
REDIRECT = "redirect"  # 302 anywhere else
Status = int | str


@dataclass(frozen=True)
class Expect:
    """The status each role gets. Column order of every row below."""

    anonymous: Status
    outreach_a: Status
    outreach_b: Status
    manager_a: Status
    funder: Status
    admin: Status


ROLES = [field.name for field in fields(Expect)]

Kwargs = Callable[[ProgramRows], dict]
NONE: Kwargs = lambda rows: {}  # noqa: E731
PARTICIPANT: Kwargs = lambda rows: {"public_id": rows.participant.public_id}  # noqa: E731

# Shorthands for the common rows. Every URL still has its own line below.
EVERYONE_200 = Expect(200, 200, 200, 200, 200, 200)
GET_REFUSED = Expect(405, 405, 405, 405, 405, 405)  # POST-only: see POST_MATRIX
SIGNED_IN = Expect(LOGIN, 200, 200, 200, 200, 200)
STAFF = Expect(LOGIN, 200, 200, 200, 403, 403)
STAFF_A_ROW = Expect(LOGIN, 200, 404, 200, 403, 403)
MANAGERS = Expect(LOGIN, 403, 403, 200, 403, 403)
# Participant and encounter pages: a funder is told they do not exist (404), not refused.
PARTICIPANT_STAFF = Expect(LOGIN, 200, 200, 200, 404, 403)
PARTICIPANT_A_ROW = Expect(LOGIN, 200, 404, 200, 404, 403)
PARTICIPANT_MANAGERS = Expect(LOGIN, 403, 403, 200, 404, 403)
# Reports of program A's run: its manager, and the funder it is published to.
RUN_READERS = Expect(LOGIN, 403, 403, 200, 200, 403)
# The API: program staff only; a token or a session, never the sign-in page.
API_STAFF = Expect(401, 200, 200, 200, 403, 403)
API_STAFF_A_ROW = Expect(401, 200, 404, 200, 403, 403)
API_POST_ONLY = Expect(401, 405, 405, 405, 403, 403)
# Report runs are the one part of the API open to funders (those they are published to).
API_RUN_READERS = Expect(401, 403, 403, 200, 200, 403)

# url name: (its keyword arguments, Expect(anonymous, outreach_a, outreach_b, manager_a,
#                                          funder, admin))
ACCESS_MATRIX: dict[str, tuple[Kwargs, Expect]] = {
    # Home and Django's sign-in pages
    "home": (NONE, Expect(LOGIN, 200, 200, 200, REDIRECT, 200)),
    "login": (NONE, Expect(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "logout": (NONE, GET_REFUSED),
    "password_change": (NONE, SIGNED_IN),
    "password_change_done": (NONE, SIGNED_IN),
    "password_reset": (NONE, EVERYONE_200),
    "password_reset_done": (NONE, EVERYONE_200),
    # A made-up link: the page says it is invalid, for anyone.
    "password_reset_confirm": (lambda rows: {"uidb64": "MQ", "token": "bad-token"}, EVERYONE_200),
    "password_reset_complete": (NONE, EVERYONE_200),
    "healthz": (NONE, EVERYONE_200),
    # The words of the scripts: no one's data, for every page including the sign-in page.
    "javascript_catalog": (lambda rows: {"language": "es"}, EVERYONE_200),
    # two-factor: the code step after the password sends anyone already verified (or
    # without an authenticator) on; setting one up is open to every signed-in person.
    "security:two_factor": (
        NONE,
        Expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "security:two_factor_setup": (NONE, SIGNED_IN),
    "security:two_factor_settings": (NONE, SIGNED_IN),
    "security:recovery_codes": (NONE, GET_REFUSED),
    "security:two_factor_off": (NONE, GET_REFUSED),
    # accounts
    "accounts:users": (NONE, MANAGERS),
    "accounts:user_new": (NONE, MANAGERS),
    # Program B's worker is refused by role before any lookup, so learns nothing either way.
    "accounts:user_edit": (lambda rows: {"pk": rows.outreach.pk}, MANAGERS),
    "accounts:user_deactivate": (lambda rows: {"pk": rows.manager.pk}, GET_REFUSED),
    "accounts:user_reactivate": (lambda rows: {"pk": rows.manager.pk}, GET_REFUSED),
    "accounts:user_invite": (lambda rows: {"pk": rows.manager.pk}, GET_REFUSED),
    "accounts:locations": (NONE, MANAGERS),
    "accounts:language": (NONE, GET_REFUSED),
    # participants and encounters
    "encounters:new": (NONE, PARTICIPANT_STAFF),
    "encounters:list": (NONE, PARTICIPANT_STAFF),
    "encounters:undo": (lambda rows: {"pk": rows.encounter.pk}, GET_REFUSED),
    # The author today and a manager always; program B's worker and the funder see no row.
    "encounters:correct": (lambda rows: {"pk": rows.encounter.pk}, PARTICIPANT_A_ROW),
    "encounters:void": (lambda rows: {"pk": rows.encounter.pk}, PARTICIPANT_A_ROW),
    "participants:list": (NONE, PARTICIPANT_STAFF),
    "participants:enroll": (NONE, PARTICIPANT_STAFF),
    "encounters:finder": (NONE, PARTICIPANT_STAFF),
    "encounters:search": (NONE, PARTICIPANT_STAFF),
    "encounters:find_by_code": (NONE, GET_REFUSED),
    "participants:duplicates": (NONE, PARTICIPANT_MANAGERS),
    "participants:duplicate_resolve": (lambda rows: {"pk": rows.duplicate.pk}, GET_REFUSED),
    "encounters:pick": (PARTICIPANT, PARTICIPANT_A_ROW),
    "participants:detail": (PARTICIPANT, PARTICIPANT_A_ROW),
    "participants:edit": (PARTICIPANT, PARTICIPANT_A_ROW),
    "participants:delete": (PARTICIPANT, PARTICIPANT_MANAGERS),
    # referrals
    "referrals:follow_ups": (NONE, STAFF),
    "referrals:new": (PARTICIPANT, PARTICIPANT_A_ROW),
    "referrals:detail": (lambda rows: {"pk": rows.referral.pk}, PARTICIPANT_A_ROW),
    "referrals:partners": (NONE, STAFF),
    "referrals:partner_new": (NONE, MANAGERS),
    "referrals:partner_edit": (lambda rows: {"pk": rows.partner.pk}, MANAGERS),
    # training
    "training:list": (NONE, STAFF),
    "training:new": (NONE, STAFF),
    # The training was given by outreach_a, so they and their manager may open it.
    "training:detail": (lambda rows: {"pk": rows.training.pk}, STAFF_A_ROW),
    "training:issue_certificates": (lambda rows: {"pk": rows.training.pk}, GET_REFUSED),
    "training:certificate": (lambda rows: {"code": rows.certificate.code}, STAFF_A_ROW),
    # Public on purpose: anyone holding a certificate's code may check it is valid.
    "training:verify": (lambda rows: {"code": rows.certificate.code}, EVERYONE_200),
    # participant cards: the card page and its PDF for staff of the participant's program;
    # the check pages are public on purpose (an officer scans the card's QR code).
    "cards:print": (PARTICIPANT, PARTICIPANT_A_ROW),
    "cards:replace": (PARTICIPANT, GET_REFUSED),
    "cards:revoke": (PARTICIPANT, GET_REFUSED),
    "cards:pdf": (lambda rows: {"pk": rows.card.pk}, PARTICIPANT_A_ROW),
    "cards:settings": (NONE, PARTICIPANT_MANAGERS),
    "cards:check": (NONE, EVERYONE_200),
    "cards:verify": (lambda rows: {"token": rows.card.token}, EVERYONE_200),
    # the community-relations log
    "community_log:log": (NONE, STAFF),
    "community_log:complaint_new": (NONE, STAFF),
    "community_log:complaint": (lambda rows: {"pk": rows.complaint.pk}, STAFF_A_ROW),
    "community_log:complaint_reported": (lambda rows: {"pk": rows.complaint.pk}, GET_REFUSED),
    "community_log:stick_injury_new": (NONE, STAFF),
    "community_log:found_syringes_new": (NONE, STAFF),
    "community_log:cleanup_new": (lambda rows: {"pk": rows.found_syringes.pk}, STAFF_A_ROW),
    "community_log:police_interaction_new": (NONE, STAFF),
    # supplies
    "supplies:stock": (NONE, STAFF),
    "supplies:receive": (NONE, MANAGERS),
    "supplies:transfer": (NONE, MANAGERS),
    "supplies:adjust": (NONE, MANAGERS),
    "supplies:count": (lambda rows: {"location_id": rows.location.pk}, MANAGERS),
    "supplies:movements": (NONE, STAFF),
    "supplies:collection_new": (NONE, STAFF),
    "supplies:reversal_new": (NONE, STAFF),
    # reports
    "reports:list": (NONE, Expect(LOGIN, 403, 403, 200, 200, 403)),
    "reports:dashboard": (NONE, MANAGERS),
    "reports:encounter_extract": (NONE, MANAGERS),
    "reports:definition_new": (NONE, MANAGERS),
    "reports:definition": (lambda rows: {"pk": rows.definition.pk}, MANAGERS),
    "reports:definition_edit": (lambda rows: {"pk": rows.definition.pk}, MANAGERS),
    "reports:community_settings": (NONE, MANAGERS),
    "reports:ready_definitions_add": (NONE, GET_REFUSED),
    "reports:run_request": (lambda rows: {"pk": rows.definition.pk}, GET_REFUSED),
    "reports:run_request_from_list": (NONE, GET_REFUSED),
    "reports:run_retry": (lambda rows: {"pk": rows.run.pk}, GET_REFUSED),
    "reports:run_publish": (lambda rows: {"pk": rows.run.pk}, GET_REFUSED),
    "reports:run": (lambda rows: {"pk": rows.run.pk}, RUN_READERS),
    "reports:run_download": (
        lambda rows: {"pk": rows.run.pk, "file_format": "csv"},
        RUN_READERS,
    ),
    # Public on purpose once a manager turns it on (program A's is on; off, it is a 404:
    # tests/reports/test_community.py).
    "reports:community": (lambda rows: {"slug": rows.community.slug}, EVERYONE_200),
    # audit
    "audit:log": (NONE, MANAGERS),
    "audit:download": (NONE, MANAGERS),
    "supplies:disposal_new": (NONE, MANAGERS),
    "supplies:names": (NONE, MANAGERS),
    # Browsers ask for it whatever the page says: a permanent redirect to the app's icon.
    "favicon": (NONE, Expect(301, 301, 301, 301, 301, 301)),
    # The installable encounter app: public files (the pages they open need a sign-in).
    "encounters:service_worker": (NONE, EVERYONE_200),
    "encounters:web_manifest": (NONE, EVERYONE_200),
    # API pages for people: managers make tokens; the schema and docs need a sign-in.
    "api:tokens": (NONE, MANAGERS),
    "api:token_revoke": (lambda rows: {"pk": rows.token.pk}, GET_REFUSED),
    "api:schema": (NONE, Expect(401, 200, 200, 200, 200, 200)),
    "api:docs": (NONE, Expect(401, 200, 200, 200, 200, 200)),
    # Anything else under /api/: a JSON 404 for anyone.
    "api:not_found": (NONE, Expect(404, 404, 404, 404, 404, 404)),
    # API endpoints
    "api:sync": (NONE, API_POST_ONLY),
    "api:participant-list": (NONE, API_STAFF),
    "api:participant-lookup": (NONE, API_POST_ONLY),
    "api:participant-questions": (NONE, API_STAFF),
    "api:participant-recent": (NONE, API_STAFF),
    "api:participant-detail": (PARTICIPANT, API_STAFF_A_ROW),
    "api:encounter-list": (NONE, API_STAFF),
    "api:encounter-detail": (lambda rows: {"pk": rows.encounter.pk}, API_STAFF_A_ROW),
    "api:encounter-void": (lambda rows: {"pk": rows.encounter.pk}, API_POST_ONLY),
    "api:item-list": (NONE, API_STAFF),
    "api:item-detail": (lambda rows: {"pk": rows.lot.item.pk}, API_STAFF_A_ROW),
    "api:kit-list": (NONE, API_STAFF),
    "api:kit-detail": (lambda rows: {"pk": rows.kit.pk}, API_STAFF_A_ROW),
    "api:location-list": (NONE, API_STAFF),
    "api:location-detail": (lambda rows: {"pk": rows.location.pk}, API_STAFF_A_ROW),
    "api:stock-level-list": (NONE, API_STAFF),
    "api:sharps-disposal-list": (NONE, API_STAFF),
    # No disposal among the rows: staff get the 404 of a row that is not theirs.
    "api:sharps-disposal-detail": (
        lambda rows: {"pk": 999_999},
        Expect(401, 404, 404, 404, 403, 403),
    ),
    "api:referral-list": (NONE, API_STAFF),
    "api:referral-detail": (lambda rows: {"pk": rows.referral.pk}, API_STAFF_A_ROW),
    "api:training-session-list": (NONE, API_STAFF),
    # The training was given by outreach_a, as on its page.
    "api:training-session-detail": (lambda rows: {"pk": rows.training.pk}, API_STAFF_A_ROW),
    "api:participant-card-list": (NONE, API_STAFF),
    "api:participant-card-detail": (lambda rows: {"pk": rows.card.pk}, API_STAFF_A_ROW),
    "api:participant-card-replace": (lambda rows: {"pk": rows.card.pk}, API_POST_ONLY),
    "api:participant-card-withdraw": (lambda rows: {"pk": rows.card.pk}, API_POST_ONLY),
    "api:complaint-list": (NONE, API_STAFF),
    "api:complaint-detail": (lambda rows: {"pk": rows.complaint.pk}, API_STAFF_A_ROW),
    "api:complaint-reported-to-state": (
        lambda rows: {"pk": rows.complaint.pk},
        API_POST_ONLY,
    ),
    "api:stick-injury-list": (NONE, API_STAFF),
    "api:stick-injury-detail": (lambda rows: {"pk": rows.stick_injury.pk}, API_STAFF_A_ROW),
    "api:found-syringe-report-list": (NONE, API_STAFF),
    "api:found-syringe-report-detail": (
        lambda rows: {"pk": rows.found_syringes.pk},
        API_STAFF_A_ROW,
    ),
    "api:police-interaction-list": (NONE, API_STAFF),
    "api:police-interaction-detail": (
        lambda rows: {"pk": rows.police_interaction.pk},
        API_STAFF_A_ROW,
    ),
    "api:report-run-list": (NONE, API_RUN_READERS),
    "api:report-run-detail": (lambda rows: {"pk": rows.run.pk}, API_RUN_READERS),
    "api:report-run-download": (
        lambda rows: {"pk": rows.run.pk, "file_format": "csv"},
        API_RUN_READERS,
    ),
}

# POST-only URLs, posted an empty form. Roles run in this order, the one who may act last:
# an allowed POST may change the row (an undo deletes the encounter).
POST_ORDER = ["anonymous", "outreach_b", "funder", "admin", "manager_a", "outreach_a"]
POST_MATRIX: dict[str, tuple[Kwargs, Expect]] = {
    "logout": (NONE, Expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "accounts:language": (NONE, Expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    # Aimed at the manager themself: refused with a message (no one deactivates themself; they
    # are active already; they chose a password long ago), so nothing changes for later roles.
    "accounts:user_deactivate": (
        lambda rows: {"pk": rows.manager.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    "accounts:user_reactivate": (
        lambda rows: {"pk": rows.manager.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    "accounts:user_invite": (
        lambda rows: {"pk": rows.manager.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    # Only its author may undo; the manager is told it can no longer be undone here.
    "encounters:undo": (
        lambda rows: {"pk": rows.encounter.pk},
        Expect(LOGIN, REDIRECT, 404, REDIRECT, 404, 403),
    ),
    "encounters:find_by_code": (NONE, Expect(LOGIN, 200, 200, 200, 404, 403)),
    # New codes only for a session past two-factor; outreach_a and _b have no authenticator.
    "security:recovery_codes": (NONE, Expect(LOGIN, REDIRECT, REDIRECT, 200, 200, 200)),
    "security:two_factor_off": (
        NONE,
        Expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "participants:duplicate_resolve": (
        lambda rows: {"pk": rows.duplicate.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 404, 403),
    ),
    "training:issue_certificates": (
        lambda rows: {"pk": rows.training.pk},
        Expect(LOGIN, REDIRECT, 404, REDIRECT, 403, 403),
    ),
    "api:token_revoke": (
        lambda rows: {"pk": rows.token.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    "reports:ready_definitions_add": (NONE, Expect(LOGIN, 403, 403, REDIRECT, 403, 403)),
    # An empty form: the staff of the participant's program are told to choose why.
    "cards:replace": (PARTICIPANT, Expect(LOGIN, REDIRECT, 404, REDIRECT, 404, 403)),
    "cards:revoke": (PARTICIPANT, Expect(LOGIN, REDIRECT, 404, REDIRECT, 404, 403)),
    # Outreach staff record complaints; only a manager reports them to the state.
    "community_log:complaint_reported": (
        lambda rows: {"pk": rows.complaint.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    # An empty form: the manager gets the page again with what is missing.
    "reports:run_request": (
        lambda rows: {"pk": rows.definition.pk},
        Expect(LOGIN, 403, 403, 400, 403, 403),
    ),
    "reports:run_request_from_list": (NONE, Expect(LOGIN, 403, 403, 400, 403, 403)),
    # The run was built: the manager is told only a failed run can be retried.
    "reports:run_retry": (
        lambda rows: {"pk": rows.run.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
    # The run is published already: the manager is told so; nobody else may publish it.
    "reports:run_publish": (
        lambda rows: {"pk": rows.run.pk},
        Expect(LOGIN, 403, 403, REDIRECT, 403, 403),
    ),
}


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(name, route) of every pattern, included URLconfs followed to the bottom.

    The Django admin is left out on purpose: it has its own permission system and its own
    tests (anonymous visitors go to its sign-in, program staff are refused; see test_audit.py).
    """
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == admin_site.name:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def test_every_url_has_an_access_matrix_entry():
    missing = [
        f"new URL {name} ({route}) has no access-matrix entry"
        for name, route in url_patterns()
        if name not in ACCESS_MATRIX
    ]

    assert not missing, "\n".join(missing)


def test_every_access_matrix_entry_is_a_url():
    names = {name for name, _route in url_patterns()}

    assert not set(ACCESS_MATRIX) - names
    assert not set(POST_MATRIX) - names
    get_refused = {name for name, (_, expect) in ACCESS_MATRIX.items() if expect == GET_REFUSED}
    assert get_refused == set(POST_MATRIX), "a POST-only URL needs a POST_MATRIX row"


@pytest.fixture
def users(outreach_a, outreach_b, manager_a, funder, admin_user):
    return {
        "anonymous": None,
        "outreach_a": outreach_a,
        "outreach_b": outreach_b,
        "manager_a": manager_a,
        "funder": funder,
        "admin": admin_user,
    }


@pytest.fixture
def rows_a(site_a, outreach_a, manager_a, funder):
    return program_rows(location=site_a, outreach=outreach_a, manager=manager_a, funder=funder)


def _status(response) -> Status:
    if response.status_code == 302:
        sign_in = reverse("login")
        return LOGIN if response.url.startswith(f"{sign_in}?next=") else REDIRECT
    return response.status_code


def _signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_get_access_matrix(users, rows_a):
    """GET every URL as every role. One test for the whole table (one set of rows and one
    session per role), reporting every cell that differs."""
    clients = {role: _signed_in(users[role]) for role in ROLES}
    wrong = []
    for name, (kwargs, expect) in sorted(ACCESS_MATRIX.items()):
        url = reverse(name, kwargs=kwargs(rows_a))
        for role, wanted in zip(ROLES, astuple(expect), strict=True):
            got = _status(clients[role].get(url))
            if got != wanted:
                wrong.append(f"GET {url} ({name}) as {role}: got {got}, expected {wanted}")

    assert not wrong, "\n".join(wrong)


def test_post_access_matrix(users, rows_a):
    """POST an empty form to every POST-only URL as every role, each in a fresh session
    (signing out would end a shared one), the role allowed to act last."""
    wrong = []
    for name, (kwargs, expect) in sorted(POST_MATRIX.items()):
        url = reverse(name, kwargs=kwargs(rows_a))
        wanted = dict(zip(ROLES, astuple(expect), strict=True))
        for role in POST_ORDER:
            got = _status(_signed_in(users[role]).post(url))
            if got != wanted[role]:
                wrong.append(f"POST {url} ({name}) as {role}: got {got}, expected {wanted[role]}")

    assert not wrong, "\n".join(wrong)
