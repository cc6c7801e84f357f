from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from supplies.models import StockLevel
from tests.factories import UserFactory
from tests.training.conftest import NALOXONE, TODAY, record_session
from training.models import Attendee, Certificate, TrainingSession

pytestmark = pytest.mark.django_db

OFFICERS = [
    ("Jane Doe", "Springfield PD", "jane.doe@police.example", 40, 90),
    ("John Roe", "Springfield PD", "", 55, 75),
    ("Maria Lopez", "County Sheriff", "m.lopez@sheriff.example", "", ""),
]


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }


def law_enforcement_post(manager, site, naloxone, **overrides) -> dict:
    """The form as a manager fills it: 12 officers, 3 of them recorded, 12 nasal kits."""
    data = {
        "kind": TrainingSession.Kind.LAW_ENFORCEMENT,
        "audience": TrainingSession.Audience.LAW_ENFORCEMENT,
        "held_on": (TODAY - timedelta(days=2)).isoformat(),
        "place": "Springfield police academy",
        "trainer": manager.pk,
        "attendee_count": "12",
        "location": site.pk,
        f"kit_{naloxone.pk}": "12",
        **management("attendees", 5),
    }
    for row, (name, agency, email, pre, post) in enumerate(OFFICERS):
        data.update(
            {
                f"attendees-{row}-name": name,
                f"attendees-{row}-agency": agency,
                f"attendees-{row}-email": email,
                f"attendees-{row}-pre_test_score": str(pre),
                f"attendees-{row}-post_test_score": str(post),
            }
        )
    data.update(overrides)
    return data


def test_manager_records_a_police_training_and_downloads_each_certificate(
    client, manager_a, site_a, catalogue_a
):
    naloxone = catalogue_a[NALOXONE]
    client.force_login(manager_a)
    page = client.get(reverse("training:new"))
    assert page.status_code == 200
    assert f"kit_{naloxone.pk}" in page.content.decode()

    response = client.post(
        reverse("training:new"), law_enforcement_post(manager_a, site_a, naloxone), follow=True
    )

    session = TrainingSession.objects.get()
    assert response.redirect_chain[-1][0] == reverse("training:detail", args=[session.pk])
    assert session.attendee_count == 12
    assert session.trainer == manager_a
    assert sorted(session.attendees.values_list("name", flat=True)) == sorted(
        name for name, *_ in OFFICERS
    )
    assert session.attendees.get(name="Jane Doe").post_test_score == 90
    assert StockLevel.objects.get(location=site_a, lot__item=naloxone).on_hand == 988
    assert "Springfield PD" in response.content.decode()

    response = client.post(reverse("training:issue_certificates", args=[session.pk]), follow=True)

    assert "3 certificates issued." in response.content.decode()
    certificates = Certificate.objects.filter(attendee__session=session)
    assert certificates.count() == 3
    for certificate in certificates:
        url = reverse("training:certificate", args=[certificate.code])
        assert url in response.content.decode()
        download = client.get(url)
        assert download.status_code == 200
        text = PdfReader(BytesIO(download.content)).pages[0].extract_text()
        assert certificate.attendee.name in text
        assert certificate.code in text


def test_the_form_refuses_more_kits_than_on_hand_and_saves_nothing(
    client, manager_a, site_a, catalogue_a
):
    naloxone = catalogue_a[NALOXONE]
    earlier = record_session(manager_a, location=site_a, kits=[(naloxone, 500)])
    client.force_login(manager_a)

    response = client.post(
        reverse("training:new"),
        law_enforcement_post(manager_a, site_a, naloxone, **{f"kit_{naloxone.pk}": "501"}),
    )

    assert response.status_code == 200
    assert "Only 500 of Naloxone nasal" in response.content.decode()
    assert list(TrainingSession.objects.all()) == [earlier]
    assert not Attendee.objects.exists()
    assert StockLevel.objects.get(location=site_a, lot__item=naloxone).on_hand == 500


def test_the_form_explains_what_is_wrong(client, manager_a, site_a, catalogue_a):
    naloxone = catalogue_a[NALOXONE]
    client.force_login(manager_a)

    response = client.post(
        reverse("training:new"),
        law_enforcement_post(
            manager_a,
            site_a,
            naloxone,
            held_on=(TODAY + timedelta(days=3)).isoformat(),
            attendee_count="2",
            location="",
            **{"attendees-1-post_test_score": "140"},
        ),
    )

    page = response.content.decode()
    assert "This date is in the future." in page
    assert "Choose the location the naloxone kits came from." in page
    assert "less than or equal to 100" in page
    assert not TrainingSession.objects.exists()

    response = client.post(
        reverse("training:new"),
        law_enforcement_post(manager_a, site_a, naloxone, attendee_count="2"),
    )

    assert "3 people are recorded, more than the 2 who attended." in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_outreach_records_a_training_they_gave_without_choosing_a_trainer(
    client, outreach_a, manager_a
):
    client.force_login(outreach_a)
    assert "trainer" not in client.get(reverse("training:new")).context["form"].fields

    response = client.post(
        reverse("training:new"),
        {
            "kind": TrainingSession.Kind.NALOXONE,
            "audience": TrainingSession.Audience.PARTICIPANTS,
            "held_on": TODAY.isoformat(),
            "place": "Drop-in",
            "trainer": manager_a.pk,  # ignored: outreach record their own trainings
            "attendee_count": "4",
            **management("attendees", 2),
        },
    )

    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert session.trainer == outreach_a


def test_list_filters_by_kind_and_dates(client, manager_a):
    police = record_session(
        manager_a,
        kind=TrainingSession.Kind.LAW_ENFORCEMENT,
        audience=TrainingSession.Audience.LAW_ENFORCEMENT,
        held_on=TODAY - timedelta(days=3),
    )
    old_police = record_session(
        manager_a,
        kind=TrainingSession.Kind.LAW_ENFORCEMENT,
        audience=TrainingSession.Audience.LAW_ENFORCEMENT,
        held_on=TODAY - timedelta(days=60),
    )
    record_session(manager_a, held_on=TODAY - timedelta(days=3))
    client.force_login(manager_a)

    response = client.get(
        reverse("training:list"),
        {
            "kind": TrainingSession.Kind.LAW_ENFORCEMENT,
            "date_from": (TODAY - timedelta(days=7)).isoformat(),
        },
    )
    assert list(response.context["page"]) == [police]

    response = client.get(reverse("training:list"), {"kind": TrainingSession.Kind.LAW_ENFORCEMENT})
    assert list(response.context["page"]) == [police, old_police]


def test_list_page_runs_in_few_queries_whatever_the_number_of_sessions(
    client, manager_a, program_a, site_a, catalogue_a, django_assert_max_num_queries
):
    naloxone = catalogue_a[NALOXONE]
    for number in range(25):
        trainer = UserFactory(program=program_a, role=User.Role.OUTREACH)
        record_session(
            manager_a,
            trainer=trainer,
            held_on=TODAY - timedelta(days=number),
            location=site_a,
            kits=[(naloxone, 2)],
        )
    client.force_login(manager_a)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("training:list"))

    sessions = list(response.context["page"])
    assert len(sessions) == 25
    assert all(session.kits_handed_out == 2 for session in sessions)
    assert "2 naloxone kits" in response.content.decode()


def test_a_training_of_program_b_is_not_found_for_program_a(
    client, outreach_a, manager_a, training_b
):
    for user in (outreach_a, manager_a):
        client.force_login(user)
        assert client.get(reverse("training:detail", args=[training_b.pk])).status_code == 404
        assert (
            client.post(reverse("training:issue_certificates", args=[training_b.pk])).status_code
            == 404
        )
        assert training_b not in client.get(reverse("training:list")).context["page"]


def test_funder_cannot_open_training_pages(client, funder, police_training_a):
    client.force_login(funder)

    for url in (
        reverse("training:list"),
        reverse("training:new"),
        reverse("training:detail", args=[police_training_a.pk]),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("training:issue_certificates", args=[police_training_a.pk])).status_code
        == 403
    )


def test_training_pages_ask_to_sign_in(client, police_training_a):
    response = client.get(reverse("training:list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
