"""Schemathesis against /api/schema/: generated requests to every operation, valid and invalid,
signed in with a manager's token, find no 500 and no response that breaks the schema. Bounded
in examples so the run stays well under two minutes.

The operations are driven one by one with Hypothesis (rather than schemathesis' pytest plugin),
so one test signs in once and reports every operation that failed."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import create_token
from hrprogram.wsgi import application
from referrals.services import make_referral
from reports.models import ReportRun
from reports.services import add_ready_definitions
from supplies.models import Kit, KitItem
from tests.conftest import examples

pytestmark = pytest.mark.django_db

# 15 under HYPOTHESIS_PROFILE=thorough (each example is a request through the whole stack).
EXAMPLES_PER_OPERATION_AND_MODE = examples(15)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_test_connection():
    """Django closes the database connection at the end of a request; the raw WSGI app would
    close the test's own, so keep it open as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(keep_test_connection, monkeypatch, manager_a, outreach_a, program_a, encounter_a):
    """The schema as served to a manager of program A, who has a little of everything."""
    # Thousands of requests in a few seconds are the point here, not a reason to refuse.
    monkeypatch.setattr(APIView, "throttle_classes", [])
    item = encounter_a.supplies.get().item
    kit = Kit.objects.create(program=program_a, name="Standard")
    KitItem.objects.create(kit=kit, item=item, quantity=10)
    make_referral(by=outreach_a, participant=encounter_a.participant, kind="housing")
    # Report runs: one built (with its files), one failed (no files, a reason).
    (definition, *_others) = add_ready_definitions(program=program_a, by=manager_a)
    for status, files in (
        (ReportRun.Status.SUCCEEDED, {"csv_file": b"a,b", "xlsx_file": b"PK", "pdf_file": b"%PDF"}),
        (ReportRun.Status.FAILED, {}),
    ):
        ReportRun.objects.create(
            definition=definition,
            period_start="2025-03-01",
            period_end="2025-03-31",
            requested_by=manager_a,
            status=status,
            error="" if files else "It failed.",
            **files,
        )
    _token, plain = create_token(by=manager_a, user=manager_a, name="schemathesis")
    headers = {"Authorization": f"Token {plain}"}
    config = schemathesis.Config.from_dict({"headers": headers})
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=config, headers=headers
    )


def failures_of(operation, mode: GenerationMode) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # no input to make invalid (an operation without parameters)
    except (Exception, BaseExceptionGroup) as error:  # one failure must not hide the others
        return f"{operation.label} ({mode}): {error}"
    return None


def test_the_api_keeps_to_its_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := failures_of(operation, mode))
    ]

    assert len(operations) >= 20
    assert not failures, "\n\n".join(failures)
