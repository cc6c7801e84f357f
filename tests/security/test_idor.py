"""Another program's ids lead nowhere: in a URL, a query string, a form or an API call,
program B's rows look exactly like rows that do not exist, and nothing of B's changes.

Program A's staff get a 404 (or their form's "not a valid choice"), never a 403 that would
confirm the row exists. Funders are told participant pages do not exist (404) and get a 404 for
any report run not published to them; otherwise funders and administrators are refused program
pages whatever the id (403), and the API's program endpoints (403).
"""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEntry
from encounters.models import Encounter
from referrals.models import Referral
from reports.models import ReportDefinition, ReportRun
from supplies.models import StockLevel, StockMovement
from tests.factories import UserFactory
from tests.security.two_programs import program_rows
from training.models import Certificate

pytestmark = pytest.mark.django_db

NO_SUCH_PUBLIC_ID = "HR-ZZZZZ"
NO_SUCH_PK = 2_000_000_000


@pytest.fixture
def manager_b(program_b):
    return UserFactory(username="manager_b", role=User.Role.MANAGER, program=program_b)


@pytest.fixture
def rows_b(site_b, outreach_b, manager_b):
    return program_rows(location=site_b, outreach=outreach_b, manager=manager_b)


@pytest.fixture
def rows_a(site_a, outreach_a, manager_a):
    return program_rows(location=site_a, outreach=outreach_a, manager=manager_a)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# (url name, method, kwargs naming B's row, kwargs naming no row at all)
ID_URLS = [
    ("encounters:pick", "get", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("participants:detail", "get", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("participants:edit", "get", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("participants:edit", "post", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("participants:delete", "get", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("participants:delete", "post", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("encounters:undo", "post", lambda b: {"pk": b.encounter.pk}, "uuid"),
    ("encounters:correct", "get", lambda b: {"pk": b.encounter.pk}, "uuid"),
    ("encounters:correct", "post", lambda b: {"pk": b.encounter.pk}, "uuid"),
    ("encounters:void", "post", lambda b: {"pk": b.encounter.pk}, "uuid"),
    ("participants:duplicate_resolve", "post", lambda b: {"pk": b.duplicate.pk}, "pk"),
    ("referrals:new", "get", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("referrals:new", "post", lambda b: {"public_id": b.participant.public_id}, "public_id"),
    ("referrals:detail", "get", lambda b: {"pk": b.referral.pk}, "pk"),
    ("referrals:detail", "post", lambda b: {"pk": b.referral.pk}, "pk"),
    ("referrals:partner_edit", "get", lambda b: {"pk": b.partner.pk}, "pk"),
    ("referrals:partner_edit", "post", lambda b: {"pk": b.partner.pk}, "pk"),
    ("training:detail", "get", lambda b: {"pk": b.training.pk}, "pk"),
    ("training:issue_certificates", "post", lambda b: {"pk": b.training.pk}, "pk"),
    ("training:certificate", "get", lambda b: {"code": b.certificate.code}, "code"),
    ("supplies:count", "get", lambda b: {"location_id": b.location.pk}, "location_id"),
    ("supplies:count", "post", lambda b: {"location_id": b.location.pk}, "location_id"),
    ("reports:definition", "get", lambda b: {"pk": b.definition.pk}, "pk"),
    ("reports:definition_edit", "get", lambda b: {"pk": b.definition.pk}, "pk"),
    ("reports:definition_edit", "post", lambda b: {"pk": b.definition.pk}, "pk"),
    ("reports:run_request", "post", lambda b: {"pk": b.definition.pk}, "pk"),
    ("reports:run", "get", lambda b: {"pk": b.run.pk}, "pk"),
    ("reports:run_retry", "post", lambda b: {"pk": b.run.pk}, "pk"),
    ("reports:run_publish", "post", lambda b: {"pk": b.run.pk}, "pk"),
    ("accounts:user_edit", "get", lambda b: {"pk": b.outreach.pk}, "pk"),
    ("accounts:user_edit", "post", lambda b: {"pk": b.outreach.pk}, "pk"),
    ("accounts:user_deactivate", "post", lambda b: {"pk": b.outreach.pk}, "pk"),
    ("accounts:user_reactivate", "post", lambda b: {"pk": b.outreach.pk}, "pk"),
    ("accounts:user_invite", "post", lambda b: {"pk": b.outreach.pk}, "pk"),
    *[
        ("reports:run_download", "get", lambda b, f=f: {"pk": b.run.pk, "file_format": f}, "pk")
        for f in ("csv", "xlsx", "pdf")
    ],
]
NOWHERE = {
    "public_id": NO_SUCH_PUBLIC_ID,
    "pk": NO_SUCH_PK,
    "uuid": uuid.UUID(int=1),
    "code": "NOSUCHCODE",
    "location_id": NO_SUCH_PK,
}

# What each program-A role gets for B's row: a 404, or the refusal their role gets anyway.
MANAGER_ONLY = {
    "accounts:user_edit",
    "accounts:user_deactivate",
    "accounts:user_reactivate",
    "accounts:user_invite",
    "participants:delete",
    "participants:duplicate_resolve",
    "referrals:partner_edit",
    "supplies:count",
    "reports:definition",
    "reports:definition_edit",
    "reports:run_request",
    "reports:run_retry",
    "reports:run_publish",
}
# Report pages managers and funders open; outreach staff are refused them all.
REPORT_READERS = {"reports:run", "reports:run_download"}
# Pages about one participant outside the participants and encounters apps: funders get 404
# there too.
ABOUT_A_PARTICIPANT = {"referrals:new", "referrals:detail"}


def _expected(role: str, name: str) -> int:
    """404 where the role may open such a page but not B's row; else the role's refusal."""
    if role == "funder":
        # Never told participant pages exist; B's run was not published to them.
        about_participants = (
            name.startswith(("participants:", "encounters:")) or name in ABOUT_A_PARTICIPANT
        )
        return 404 if about_participants or name in REPORT_READERS else 403
    if role == "admin":
        return 403
    if role == "outreach_a" and name in MANAGER_ONLY | REPORT_READERS:
        return 403
    return 404


def _post_data(name: str, rows_b) -> dict:
    """A form that would change B's row, were the page to accept it."""
    return {
        "referrals:detail": {"status": Referral.Status.LINKED, "note": "linked by A"},
        "referrals:partner_edit": {"name": "Renamed by A", "services": ["food"]},
        "referrals:new": {"kind": "food", "status": "made"},
        "participants:edit": {"alias": "Renamed by A"},
        "participants:delete": {"confirm": "on", "reason": "asked"},
        "participants:duplicate_resolve": {"action": "dismiss"},
        "supplies:count": {f"lot_{rows_b.lot.pk}": "0", "reason": "count by A"},
        "reports:definition_edit": {
            "name": "Renamed by A",
            "measures": ["encounters"],
            "schedule": "none",
            "run_on_day": 5,
            "is_active": "on",
        },
        "reports:run_request": {"start": "2025-01-01", "end": "2025-01-31"},
        "accounts:user_edit": {
            "first_name": "Renamed by A",
            "email": "renamed-by-a@example.org",
            "role": "manager",
            "locations": [rows_b.location.pk],
        },
    }.get(name, {})


def _snapshot(rows_b) -> dict:
    """What of program B a successful attack would change."""
    level = StockLevel.objects.get(location=rows_b.location, lot=rows_b.lot)
    rows_b.participant.refresh_from_db()
    rows_b.partner.refresh_from_db()
    rows_b.duplicate.refresh_from_db()
    return {
        "participant": (rows_b.participant.alias, rows_b.participant.public_id),
        "encounter": Encounter.objects.filter(pk=rows_b.encounter.pk).exists(),
        "referral": Referral.objects.get(pk=rows_b.referral.pk).status,
        "referrals": Referral.objects.filter(participant=rows_b.participant).count(),
        "partner": rows_b.partner.name,
        "duplicate": rows_b.duplicate.dismissed,
        "certificates": Certificate.objects.filter(attendee__session=rows_b.training).count(),
        "stock": level.on_hand,
        "movements": StockMovement.objects.filter(program=rows_b.location.program).count(),
        "definition": ReportDefinition.objects.filter(pk=rows_b.definition.pk)
        .values_list("name", "measures", "schedule")
        .get(),
        "runs": list(
            ReportRun.objects.filter(definition__program=rows_b.location.program)
            .order_by("pk")
            .values_list("pk", "status", "attempts")
        ),
        "staff": list(
            User.objects.filter(program=rows_b.location.program)
            .order_by("pk")
            .values_list("pk", "first_name", "email", "role", "is_active", "password")
        ),
        "downloads": AuditEntry.objects.filter(
            action="reports.run.downloaded", object_id=str(rows_b.run.pk)
        ).count(),
    }


def test_another_programs_ids_in_urls_are_not_found(
    rows_a, rows_b, outreach_a, manager_a, funder, admin_user
):
    before = _snapshot(rows_b)
    wrong = []
    for role, user in [
        ("outreach_a", outreach_a),
        ("manager_a", manager_a),
        ("funder", funder),
        ("admin", admin_user),
    ]:
        client = signed_in(user)
        for name, method, kwargs, missing_kind in ID_URLS:
            key = next(iter(kwargs(rows_b)))
            send = getattr(client, method)
            data = _post_data(name, rows_b) if method == "post" else None
            for_b = send(reverse(name, kwargs=kwargs(rows_b)), data).status_code
            nowhere = {**kwargs(rows_b), key: NOWHERE[missing_kind]}
            for_nothing = send(reverse(name, kwargs=nowhere), data)
            expected = _expected(role, name)
            if for_b != expected or for_nothing.status_code != expected:
                wrong.append(
                    f"{method.upper()} {name} as {role}: B's row {for_b}, no row "
                    f"{for_nothing.status_code}, expected {expected} for both"
                )

    assert not wrong, "\n".join(wrong)
    assert _snapshot(rows_b) == before


def test_another_programs_rows_give_no_view_entries(rows_b, outreach_a):
    client = signed_in(outreach_a)

    client.get(reverse("participants:detail", args=[rows_b.participant.public_id]))
    client.get(reverse("referrals:detail", args=[rows_b.referral.pk]))
    client.get(reverse("training:certificate", args=[rows_b.certificate.code]))

    assert not AuditEntry.objects.filter(
        action__in=[
            "participants.participant.viewed",
            "referrals.referral.viewed",
            "training.certificate.downloaded",
        ]
    ).exists()


# --- Ids in query strings ----------------------------------------------------------------------


def test_query_strings_naming_another_programs_rows_show_nothing_of_them(
    rows_a, rows_b, outreach_a, manager_a
):
    b_participant = rows_b.participant
    secrets_of_b = [
        b_participant.public_id,
        b_participant.alias,
        rows_b.lot.lot_number,
        rows_b.lot.item.name,
        rows_b.partner.name,
        rows_b.definition.name,
    ]
    pages = [
        ("encounters:new", {"participant": b_participant.public_id}),
        ("encounters:new", {"saved": str(rows_b.encounter.pk)}),
        ("encounters:list", {"location": rows_b.location.pk}),
        ("participants:list", {"q": b_participant.public_id}),
        ("encounters:search", {"q": b_participant.alias}),
        ("supplies:stock", {"location": rows_b.location.pk}),
        ("supplies:movements", {"location": rows_b.location.pk, "item": rows_b.lot.item.pk}),
        ("referrals:follow_ups", {"worker": rows_b.referral.made_by_id}),
        ("referrals:partners", {"q": rows_b.partner.name}),
        ("training:list", {}),
        ("audit:log", {"object_id": b_participant.public_id}),
        ("audit:log", {"user": rows_b.referral.made_by_id}),
        ("reports:list", {}),
        ("reports:dashboard", {"location": rows_b.location.pk}),
        ("reports:community_settings", {}),
    ]
    leaks = []
    for user in (outreach_a, manager_a):
        client = signed_in(user)
        for name, query in pages:
            response = client.get(reverse(name), query)
            if response.status_code == 403:
                continue  # a page this role may not open at all
            if response.status_code != 200:
                leaks.append(f"{name}?{query} as {user}: status {response.status_code}")
                continue
            # What was typed comes back in the search box; nothing else of B's may appear.
            typed = {str(value) for value in query.values()}
            shown = [
                secret for secret in secrets_of_b if secret in response.text and secret not in typed
            ]
            if shown:
                leaks.append(f"{name}?{query} as {user} shows {shown}")

    assert not leaks, "\n".join(leaks)


# --- Ids in forms ------------------------------------------------------------------------------


def test_forms_refuse_another_programs_rows_and_change_nothing_of_them(
    rows_a, rows_b, outreach_a, manager_a
):
    before = _snapshot(rows_b)
    yesterday = manager_a.program.today() - timedelta(days=1)
    attempts = [
        (
            outreach_a,
            "encounters:new",
            {},
            {
                "encounter_id": str(uuid.uuid4()),
                "participant": rows_b.participant.public_id,
                "location": rows_a.location.pk,
                "kind": "fixed_site",
                "syringes_collected": 0,
                "secondary_distribution_for": 0,
                "overdose_reversals_reported": 0,
            },
        ),
        (
            outreach_a,
            "encounters:new",
            {},
            {
                "encounter_id": str(rows_b.encounter.pk),
                "participant": "anonymous",
                "location": rows_a.location.pk,
                "kind": "fixed_site",
                "syringes_collected": 0,
                "secondary_distribution_for": 0,
                "overdose_reversals_reported": 0,
            },
        ),
        (
            outreach_a,
            "referrals:new",
            {"public_id": rows_a.participant.public_id},
            {"kind": "housing", "status": "made", "partner": rows_b.partner.pk},
        ),
        (
            outreach_a,
            "supplies:reversal_new",
            {},
            {
                "reported_on": yesterday.isoformat(),
                "place": "Park",
                "doses_used": 1,
                "outcome": "survived",
                "ems_called": "no",
                "kit_source": "this_program",
                "participant": rows_b.participant.public_id,
            },
        ),
        (
            outreach_a,
            "supplies:collection_new",
            {},
            {
                "location": rows_b.location.pk,
                "source": "drop_box",
                "collected_on": yesterday.isoformat(),
                "counted": 10,
            },
        ),
        (
            manager_a,
            "supplies:adjust",
            {},
            {
                "lot": rows_b.lot.pk,
                "location": rows_b.location.pk,
                "kind": "adjusted",
                "change": -50,
                "reason": "taken by A",
            },
        ),
        (
            manager_a,
            "supplies:transfer",
            {},
            {
                "lot": rows_b.lot.pk,
                "from_location": rows_b.location.pk,
                "to_location": rows_a.location.pk,
                "quantity": 50,
            },
        ),
        (
            manager_a,
            "supplies:receive",
            {},
            {"location": rows_b.location.pk, "item": rows_b.lot.item.pk, "quantity": 5},
        ),
        (
            manager_a,
            "supplies:count",
            {"location_id": rows_a.location.pk},
            {f"lot_{rows_b.lot.pk}": "0", "reason": "count"},
        ),
        (
            manager_a,
            "training:new",
            {},
            {
                "kind": "naloxone",
                "audience": "community",
                "held_on": yesterday.isoformat(),
                "place": "Hall",
                "trainer": manager_a.pk,
                "attendee_count": 2,
                "location": rows_b.location.pk,
                "attendees-TOTAL_FORMS": 1,
                "attendees-INITIAL_FORMS": 0,
                "attendees-0-participant": rows_b.participant.public_id,
            },
        ),
    ]
    wrong = []
    for user, name, kwargs, data in attempts:
        response = signed_in(user).post(reverse(name, kwargs=kwargs), data)
        # Refused in the form: the page again with a message, nothing saved.
        if response.status_code != 200:
            wrong.append(f"POST {name} as {user}: status {response.status_code}, expected 200")

    assert not wrong, "\n".join(wrong)
    assert _snapshot(rows_b) == before
    assert not Encounter.objects.filter(participant=rows_b.participant, staff=outreach_a).exists()


def test_report_forms_refuse_another_programs_definitions(rows_a, rows_b, manager_a):
    before = _snapshot(rows_b)
    client = signed_in(manager_a)

    run = client.post(
        reverse("reports:run_request_from_list"),
        {"definition": rows_b.definition.pk, "start": "2025-01-01", "end": "2025-01-31"},
    )
    community = client.post(
        reverse("reports:community_settings"),
        {"enabled": "on", "definition": rows_b.definition.pk, "period": "month"},
    )

    # The page again, the choice refused as unknown; nothing of B's is run or shown.
    assert run.status_code == 400
    assert "definition" in run.context["run_form"].errors
    assert community.status_code == 200
    assert "definition" in community.context["form"].errors
    assert _snapshot(rows_b) == before
    rows_a.community.refresh_from_db()
    assert rows_a.community.definition == rows_a.definition


# --- The API -----------------------------------------------------------------------------------

# (route name, kwargs naming B's row, kwargs naming no row at all)
API_ID_URLS = [
    (
        "api:participant-detail",
        lambda b: {"public_id": b.participant.public_id},
        {"public_id": NO_SUCH_PUBLIC_ID},
    ),
    ("api:encounter-detail", lambda b: {"pk": b.encounter.pk}, {"pk": uuid.UUID(int=1)}),
    ("api:referral-detail", lambda b: {"pk": b.referral.pk}, {"pk": NO_SUCH_PK}),
    ("api:item-detail", lambda b: {"pk": b.lot.item.pk}, {"pk": NO_SUCH_PK}),
    ("api:kit-detail", lambda b: {"pk": b.kit.pk}, {"pk": NO_SUCH_PK}),
    ("api:location-detail", lambda b: {"pk": b.location.pk}, {"pk": NO_SUCH_PK}),
    ("api:training-session-detail", lambda b: {"pk": b.training.pk}, {"pk": NO_SUCH_PK}),
    ("api:report-run-detail", lambda b: {"pk": b.run.pk}, {"pk": NO_SUCH_PK}),
    *[
        (
            "api:report-run-download",
            lambda b, f=f: {"pk": b.run.pk, "file_format": f},
            {"pk": NO_SUCH_PK, "file_format": f},
        )
        for f in ("csv", "xlsx", "pdf")
    ],
]


def _api_expected(role: str, name: str) -> int:
    """404 where the role may use the endpoint but not B's row; else the role's refusal."""
    reports = name.startswith("api:report-run")
    if role == "admin" or (role == "funder" and not reports):
        return 403
    if role == "outreach_a" and reports:
        return 403
    return 404


def api_signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_another_programs_ids_in_the_api_are_not_found(
    rows_a, rows_b, outreach_a, manager_a, funder, admin_user
):
    before = _snapshot(rows_b)
    wrong = []
    for role, user in [
        ("outreach_a", outreach_a),
        ("manager_a", manager_a),
        ("funder", funder),
        ("admin", admin_user),
    ]:
        client = api_signed_in(user)
        for name, kwargs, nowhere in API_ID_URLS:
            for_b = client.get(reverse(name, kwargs=kwargs(rows_b)))
            for_nothing = client.get(reverse(name, kwargs=nowhere))
            expected = _api_expected(role, name)
            # Not even the message may tell B's row from no row.
            if (
                for_b.status_code != expected
                or for_nothing.status_code != expected
                or for_b.json() != for_nothing.json()
            ):
                wrong.append(
                    f"GET {name} as {role}: B's row {for_b.status_code} {for_b.json()}, no row "
                    f"{for_nothing.status_code} {for_nothing.json()}, expected {expected}"
                )

    assert not wrong, "\n".join(wrong)
    assert _snapshot(rows_b) == before
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


def test_api_lists_and_filters_show_nothing_of_another_program(
    rows_a, rows_b, outreach_a, manager_a
):
    b = rows_b
    secrets_of_b = [
        b.participant.public_id,
        b.participant.alias,
        str(b.encounter.pk),
        b.lot.lot_number,
        b.lot.item.name,
        b.kit.name,
        b.location.name,
        b.training.place,
        b.definition.name,
    ]
    lists = [
        ("/api/v1/participants/", {}),
        ("/api/v1/participants/", {"public_id": b.participant.public_id}),
        ("/api/v1/participants/recent/", {}),
        ("/api/v1/encounters/", {}),
        ("/api/v1/encounters/", {"participant": b.participant.public_id}),
        ("/api/v1/referrals/", {}),
        ("/api/v1/referrals/", {"participant": b.participant.public_id}),
        ("/api/v1/items/", {}),
        ("/api/v1/kits/", {}),
        ("/api/v1/locations/", {}),
        ("/api/v1/stock-levels/", {}),
        ("/api/v1/stock-levels/", {"item": b.lot.item.pk}),
        ("/api/v1/training-sessions/", {}),
        ("/api/v1/report-runs/", {}),
    ]
    leaks = []
    for user in (outreach_a, manager_a):
        client = api_signed_in(user)
        for url, query in lists:
            response = client.get(url, query)
            if response.status_code == 403:
                continue  # an endpoint this role may not use at all
            typed = {str(value) for value in query.values()}
            shown = [s for s in secrets_of_b if s in response.text and s not in typed]
            if response.status_code != 200 or shown:
                leaks.append(f"{url}?{query} as {user}: {response.status_code}, shows {shown}")
        # B's location as a filter is refused exactly as a location that does not exist.
        for url in ("/api/v1/stock-levels/", "/api/v1/encounters/"):
            for_b = client.get(url, {"location": b.location.pk})
            for_nothing = client.get(url, {"location": NO_SUCH_PK})
            if for_b.status_code != 400 or for_b.json() != for_nothing.json():
                leaks.append(f"{url}?location=B as {user}: {for_b.status_code} {for_b.json()}")

    assert not leaks, "\n".join(leaks)


def test_api_writes_naming_another_programs_rows_are_refused_and_change_nothing(
    rows_a, rows_b, outreach_a, manager_a
):
    before = _snapshot(rows_b)
    yesterday = manager_a.program.today() - timedelta(days=1)
    encounter = {
        "location": rows_a.location.pk,
        "kind": "fixed_site",
        "supplies": [],
    }
    attempts = [
        # (who, method, url, body, the status a made-up id would get too)
        (
            outreach_a,
            "patch",
            f"/api/v1/referrals/{rows_b.referral.pk}/",
            {"status": "linked", "note": "linked by A"},
            404,
        ),
        (
            outreach_a,
            "post",
            "/api/v1/encounters/",
            {**encounter, "id": str(uuid.uuid4()), "participant": rows_b.participant.public_id},
            400,
        ),
        (
            outreach_a,
            "post",
            "/api/v1/encounters/",
            {**encounter, "id": str(uuid.uuid4()), "location": rows_b.location.pk},
            400,
        ),
        (
            outreach_a,
            "post",
            "/api/v1/encounters/",
            {
                **encounter,
                "id": str(uuid.uuid4()),
                "supplies": [{"item": rows_b.lot.item.pk, "quantity": 1}],
            },
            400,
        ),
        (
            outreach_a,
            "post",
            "/api/v1/referrals/",
            {"participant": rows_b.participant.public_id, "kind": "food", "status": "made"},
            400,
        ),
        (
            outreach_a,
            "post",
            "/api/v1/referrals/",
            {
                "participant": rows_a.participant.public_id,
                "kind": "housing",
                "status": "made",
                "partner": rows_b.partner.pk,
            },
            400,
        ),
        (
            manager_a,
            "post",
            "/api/v1/training-sessions/",
            {
                "kind": "naloxone",
                "audience": "community",
                "held_on": yesterday.isoformat(),
                "place": "Hall",
                "attendee_count": 1,
                "location": rows_b.location.pk,
            },
            400,
        ),
    ]
    wrong = []
    for user, method, url, body, expected in attempts:
        response = getattr(api_signed_in(user), method)(url, body, format="json")
        if response.status_code != expected:
            wrong.append(f"{method.upper()} {url} as {user}: {response.status_code}, {body}")
    sync = api_signed_in(outreach_a).post(
        "/api/v1/sync/",
        {
            "items": [
                {
                    **encounter,
                    "id": str(uuid.uuid4()),
                    "occurred_at": timezone.now().isoformat(),
                    "participant": rows_b.participant.public_id,
                }
            ]
        },
        format="json",
    )

    assert not wrong, "\n".join(wrong)
    assert sync.status_code == 200
    assert sync.json()["counts"] == {"created": 0, "exists": 0, "rejected": 1}
    assert _snapshot(rows_b) == before
    assert not Encounter.objects.filter(participant=rows_b.participant, staff=outreach_a).exists()
