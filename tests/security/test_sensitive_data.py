"""Nothing that identifies a participant (code answers, the code, alias) reaches the logs,
the error email to the admins or the error page, even when a request handling them fails."""

import io
import logging
from pathlib import Path

import pytest
import yaml
from celery.signals import after_setup_logger
from django.conf import settings
from django.test import Client
from django.urls import reverse

from encounters import views as encounter_views
from participants import services
from security.redaction import RedactParticipantData

pytestmark = pytest.mark.django_db

ANSWERS = {
    "code-mother_first_name": "Evangelina",
    "code-birth_month": "07",
    "code-birth_year": "1986",
    "code-birth_place": "Tegucigalpa",
    "code-gender": "F",
}
ALIAS = "Moonwhisper"
CODE = "EV0786TF"  # what the default recipe makes of ANSWERS
IDENTIFYING = ["Evangelina", "Tegucigalpa", ALIAS, CODE]


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Operations", "ops@example.org")]


@pytest.fixture
def log_output():
    """What the configured console handler writes while the test runs."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactParticipantData) for f in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def signed_in(outreach_a):
    # A real browser gets the 500 page; the test client would re-raise the error instead.
    client = Client(raise_request_exception=False)
    client.force_login(outreach_a)
    return client


@pytest.fixture
def failing_enrolment(monkeypatch):
    """The enrolment service fails the way a database error would: quoting what it was given."""

    def enroll_participant(*, by, code, profile=None, characteristics=None):
        raise RuntimeError(f"could not store participant {code} with {profile}")

    monkeypatch.setattr(services, "enroll_participant", enroll_participant)


def assert_nothing_identifying(text, where):
    for value in IDENTIFYING:
        assert value.lower() not in text.lower(), f"{value!r} found in the {where}"


def test_failed_enrolment_leaks_nothing_to_email_log_or_page(
    signed_in, admins, mailoutbox, log_output, failing_enrolment
):
    response = signed_in.post(reverse("participants:enroll"), {**ANSWERS, "alias": ALIAS})

    assert response.status_code == 500
    assert_nothing_identifying(response.text, "error page")
    # The report still says what went wrong, where.
    assert len(mailoutbox) == 1
    report = f"{mailoutbox[0].subject}\n{mailoutbox[0].body}"
    assert "could not store participant" in report
    assert "/participants/new/" in report
    assert "code-birth_place = '********************'" in report
    assert_nothing_identifying(report, "error email")
    log = log_output.getvalue()
    assert "Internal Server Error: /participants/new/" in log
    assert "could not store participant" in log
    assert_nothing_identifying(log, "log")


def test_failed_search_leaks_the_typed_alias_nowhere(
    signed_in, admins, mailoutbox, log_output, monkeypatch
):
    def search_participants(user, query):
        raise RuntimeError(f"search index unavailable for {query!r}")

    # Where the search view looks it up (it imports the selector by name).
    monkeypatch.setattr(encounter_views, "search_participants", search_participants)

    response = signed_in.get(
        reverse("encounters:search"),
        {"q": ALIAS},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/encounters/new/?q={ALIAS}",
    )

    assert response.status_code == 500
    report = mailoutbox[0].body
    assert "search index unavailable" in report
    assert "/participants/search/?q=" in report
    for text, where in ((response.text, "page"), (report, "email"), (log_output.getvalue(), "log")):
        assert ALIAS.lower() not in text.lower(), where


def test_debug_error_page_hides_the_answers_too(signed_in, settings, failing_enrolment):
    settings.DEBUG = True

    response = signed_in.post(reverse("participants:enroll"), {**ANSWERS, "alias": ALIAS})

    assert response.status_code == 500
    assert "could not store participant" in response.text  # Django's technical page
    assert_nothing_identifying(response.text, "debug page")


def test_log_lines_written_by_the_code_lose_participant_fields(log_output):
    logging.getLogger("participants").warning("no match for alias=%s in %s", ALIAS, "program A")

    line = log_output.getvalue()
    assert "no match for alias=" in line
    assert "in program A" in line
    assert ALIAS not in line


def test_celery_worker_log_handlers_redact_too():
    stream = io.StringIO()
    logger = logging.getLogger("worker-logging-under-test")
    logger.addHandler(logging.StreamHandler(stream))
    logger.propagate = False

    # What a worker sends once it has set up its own handlers.
    after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None)
    logger.warning("retrying enrolment for alias=%s", ALIAS)

    assert "retrying enrolment for alias=" in stream.getvalue()
    assert ALIAS not in stream.getvalue()


def test_web_server_access_log_leaves_out_query_strings_and_referrers():
    # A search is a GET: its query string holds what was typed (an alias, a public id).
    compose = yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())
    command = " ".join(compose["services"]["web"]["command"])
    if "--access-logfile" not in command:
        return
    argv = compose["services"]["web"]["command"]
    log_format = argv[argv.index("--access-logformat") + 1]
    assert "%(U)s" in log_format  # the path, without the query string
    for with_query_or_referrer in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert with_query_or_referrer not in log_format
