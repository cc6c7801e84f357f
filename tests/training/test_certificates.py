from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import ParticipantFactory
from tests.training.conftest import TODAY, certificate_of, record_session
from training import services
from training.models import (
    VERIFICATION_CODE_ALPHABET,
    VERIFICATION_CODE_LENGTH,
    Certificate,
    TrainingSession,
    certificate_valid_until,
)
from training.services import AttendeeRecord

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_issuing_gives_each_named_attendee_one_certificate_with_an_unambiguous_code(
    manager_a, police_training_a
):
    certificates = Certificate.objects.filter(attendee__session=police_training_a)

    assert certificates.count() == 2
    for certificate in certificates:
        assert len(certificate.code) == VERIFICATION_CODE_LENGTH
        assert set(certificate.code) <= set(VERIFICATION_CODE_ALPHABET)
        # A law-enforcement training is valid for one year from the day it was held.
        assert certificate.valid_until == police_training_a.held_on.replace(
            year=police_training_a.held_on.year + 1
        )
    assert services.issue_certificates(by=manager_a, session=police_training_a) == []
    assert certificates.count() == 2


def test_participants_and_unnamed_attendees_get_no_certificate(manager_a, program_a):
    participant = ParticipantFactory(program=program_a)
    session = record_session(
        manager_a,
        audience=TrainingSession.Audience.PARTICIPANTS,
        attendees=[
            AttendeeRecord(participant=participant, pre_test_score=20, post_test_score=60),
            AttendeeRecord(pre_test_score=30, post_test_score=50),
        ],
    )

    assert services.issue_certificates(by=manager_a, session=session) == []


def test_validity_depends_on_the_kind_and_survives_a_leap_day():
    leap_day = TODAY.replace(year=2024, month=2, day=29)

    assert certificate_valid_until(TrainingSession.Kind.NALOXONE, leap_day) == leap_day.replace(
        year=2026, day=28
    )
    assert certificate_valid_until(TrainingSession.Kind.STAFF, leap_day) == leap_day.replace(
        year=2025, day=28
    )


def test_certificate_pdf_is_a_pdf_naming_the_attendee_training_and_code(
    client, manager_a, police_training_a
):
    certificate = certificate_of(police_training_a, "Jane Doe")
    client.force_login(manager_a)

    response = client.get(reverse("training:certificate", args=[certificate.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate.code in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Jane Doe" in text
    assert certificate.code in text
    assert "Law enforcement" in text
    assert "Program A" in text
    assert "manager_a" in text
    assert f"/verify/{certificate.code}/" in text
    assert "Quentin" not in text


def test_any_staff_of_the_program_may_download_its_certificates(
    client, outreach_a, police_training_a
):
    certificate = certificate_of(police_training_a, "Jane Doe")
    client.force_login(outreach_a)

    response = client.get(reverse("training:certificate", args=[certificate.code]))

    assert response.status_code == 200


def test_certificate_pdf_of_program_b_is_not_found_for_program_a(
    client, outreach_a, manager_a, training_b
):
    url = reverse("training:certificate", args=[certificate_of(training_b, "Bea Bystander").code])

    for user in (outreach_a, manager_a):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_funder_cannot_download_certificates(client, funder, police_training_a):
    client.force_login(funder)
    url = reverse("training:certificate", args=[certificate_of(police_training_a, "Jane Doe").code])

    assert client.get(url).status_code == 403


# --- The public verification page -------------------------------------------------------------


def test_verification_says_valid_with_kind_dates_and_initials_only(client, police_training_a):
    certificate = certificate_of(police_training_a, "Jane Doe")

    response = client.get(reverse("training:verify", args=[certificate.code]))

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["status"] == "valid"
    assert "Valid" in page
    assert "J. D." in page
    assert "Law enforcement" in page
    assert f"{certificate.valid_until:%Y}" in page
    for secret in (
        "Jane",
        "Doe",
        "jane.doe@police.example",
        "Springfield",
        "Program A",
        "Quentin",
        "Zephyr",
        "Sheriff",
        "manager_a",
    ):
        assert secret not in page, secret


def test_verification_accepts_a_code_typed_in_lower_case(client, police_training_a):
    code = certificate_of(police_training_a, "Jane Doe").code

    response = client.get(reverse("training:verify", args=[code.lower()]))

    assert response.context["status"] == "valid"


def test_verification_says_expired_for_a_lapsed_certificate(client, manager_a):
    session = record_session(
        manager_a,
        kind=TrainingSession.Kind.STAFF,
        audience=TrainingSession.Audience.PROVIDERS,
        held_on=TODAY - timedelta(days=800),
        attendees=[AttendeeRecord(name="Old Timer")],
    )
    (certificate,) = services.issue_certificates(by=manager_a, session=session)

    response = client.get(reverse("training:verify", args=[certificate.code]))

    assert response.status_code == 200
    assert response.context["status"] == "expired"
    assert "Expired" in response.content.decode()
    assert "O. T." in response.content.decode()


def test_verification_of_an_unknown_code_is_not_found(client, police_training_a):
    response = client.get(reverse("training:verify", args=["ZZZZZZZZZZ"]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "Not found" in page
    assert "J. D." not in page


def test_officers_are_pointed_to_the_card_check_page(client, manager_a, police_training_a):
    community_training = record_session(
        manager_a, place="Library", attendees=[AttendeeRecord(name="Ann Neighbour")]
    )
    services.issue_certificates(by=manager_a, session=community_training)
    client.force_login(manager_a)
    check_page = reverse("cards:check")

    officer = pdf_text(
        client.get(
            reverse(
                "training:certificate", args=[certificate_of(police_training_a, "Jane Doe").code]
            )
        ).content
    )
    neighbour = pdf_text(
        client.get(
            reverse(
                "training:certificate",
                args=[certificate_of(community_training, "Ann Neighbour").code],
            )
        ).content
    )
    police_page = client.get(reverse("training:detail", args=[police_training_a.pk])).text
    community_page = client.get(reverse("training:detail", args=[community_training.pk])).text

    assert f"Check a harm reduction participant card at http://testserver{check_page}" in officer
    assert check_page not in neighbour
    assert f'href="http://testserver{check_page}"' in police_page
    assert "data-card-check-material" not in community_page
