import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from encounters import services as encounter_services
from encounters.models import Encounter, EncounterSupply
from tests.conftest import PROGRAM_ZONE
from tests.factories import EncounterFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

NEW = reverse("encounters:new")


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


@pytest.fixture
def signed_in(client, outreach_a, catalogue_a):
    client.force_login(outreach_a)
    return client


def encounter_data(location, participant="anonymous", **overrides):
    data = {
        "encounter_id": str(uuid.uuid4()),
        "participant": participant,
        "location": location.pk,
        "kind": Encounter.Kind.FIXED_SITE,
        "syringes_collected": 0,
        "secondary_distribution_for": 0,
        "overdose_reversals_reported": 0,
    }
    data.update(overrides)
    return data


def item_field(item):
    return f"item_{item.pk}"


def test_encounter_is_saved_with_supplies_services_and_collection(
    signed_in, site_a, participant_a, catalogue_a
):
    syringes = catalogue_a["Syringe 1 mL 28G"]
    naloxone = catalogue_a["Naloxone nasal 4 mg (2-dose kit)"]

    response = signed_in.post(
        NEW,
        encounter_data(
            site_a,
            participant_a.public_id,
            hiv_test="on",
            syringes_collected=25,
            **{item_field(syringes): 20, item_field(naloxone): 1},
        ),
    )

    assert response.status_code == 302
    encounter = Encounter.objects.get()
    assert encounter.participant == participant_a
    assert encounter.hiv_test and not encounter.hcv_test
    assert encounter.syringes_collected == 25
    assert dict(encounter.supplies.values_list("item__name", "quantity")) == {
        "Syringe 1 mL 28G": 20,
        "Naloxone nasal 4 mg (2-dose kit)": 1,
    }


def test_resubmitted_uuid_stores_one_encounter(signed_in, site_a):
    data = encounter_data(site_a)

    first = signed_in.post(NEW, data)
    second = signed_in.post(NEW, data)

    assert Encounter.objects.count() == 1
    assert first.url == second.url


def test_usual_bundle_is_preselected(signed_in, catalogue_a):
    page = signed_in.get(NEW)

    form = page.context["form"]
    syringes = catalogue_a["Syringe 1 mL 28G"]
    assert form[item_field(syringes)].value() == 10
    assert form[item_field(catalogue_a["Condoms"])].value() == 0


def test_saved_page_offers_undo_and_undo_removes_the_encounter(signed_in, site_a):
    response = signed_in.post(NEW, encounter_data(site_a), follow=True)
    encounter = Encounter.objects.get()
    assert reverse("encounters:undo", args=[encounter.pk]) in response.text

    signed_in.post(reverse("encounters:undo", args=[encounter.pk]))

    assert not Encounter.objects.exists()


def test_undo_is_refused_after_the_window(signed_in, outreach_a, site_a):
    encounter = EncounterFactory(program=outreach_a.program, staff=outreach_a, location=site_a)
    Encounter.objects.filter(pk=encounter.pk).update(
        created_at=timezone.now() - encounter_services.UNDO_WINDOW - timedelta(seconds=1)
    )

    response = signed_in.post(reverse("encounters:undo", args=[encounter.pk]), follow=True)

    assert Encounter.objects.filter(pk=encounter.pk).exists()
    assert "can no longer be undone" in response.text


def test_undo_of_someone_elses_encounter_is_refused(signed_in, manager_a, site_a):
    encounter = EncounterFactory(program=manager_a.program, staff=manager_a, location=site_a)

    signed_in.post(reverse("encounters:undo", args=[encounter.pk]))

    assert Encounter.objects.filter(pk=encounter.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participant": ""}, "Find the participant, or choose anonymous."),
        ({"participant": "HR-ZZZZZ"}, "No participant HR-ZZZZZ in your program."),
        ({"syringes_collected": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    signed_in, site_a, overrides, message
):
    response = signed_in.post(NEW, encounter_data(site_a, **overrides))

    assert response.status_code == 200
    assert message in response.text
    assert not Encounter.objects.exists()


def test_quantity_above_the_item_ceiling_is_refused(signed_in, site_a, catalogue_a):
    naloxone = catalogue_a["Naloxone nasal 4 mg (2-dose kit)"]

    response = signed_in.post(NEW, encounter_data(site_a, **{item_field(naloxone): 500}))

    assert "At most 10 of this item" in response.text
    assert not Encounter.objects.exists()
    assert not EncounterSupply.objects.exists()


def test_negative_quantity_is_refused(signed_in, site_a, catalogue_a):
    syringes = catalogue_a["Syringe 1 mL 28G"]

    response = signed_in.post(NEW, encounter_data(site_a, **{item_field(syringes): -5}))

    assert "cannot be negative" in response.text
    assert not Encounter.objects.exists()


def test_time_far_in_the_future_is_refused(signed_in, site_a):
    future = timezone.localtime(timezone=PROGRAM_ZONE) + timedelta(days=3)

    response = signed_in.post(
        NEW, encounter_data(site_a, occurred_at=future.strftime("%Y-%m-%dT%H:%M"))
    )

    assert "in the future" in response.text
    assert not Encounter.objects.exists()


def test_time_before_the_program_began_is_refused(signed_in, program_a, site_a, manager_a):
    program_a.started_on = program_a.today() - timedelta(days=30)
    program_a.save()
    signed_in.force_login(manager_a)
    before = timezone.localtime(timezone=program_a.tzinfo) - timedelta(days=60)

    response = signed_in.post(
        NEW, encounter_data(site_a, occurred_at=before.strftime("%Y-%m-%dT%H:%M"))
    )

    assert "The program began on" in response.text
    assert not Encounter.objects.exists()


def test_past_day_needs_the_back_entry_permission(signed_in, outreach_a, site_a):
    yesterday = (timezone.localtime(timezone=PROGRAM_ZONE) - timedelta(days=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )

    refused = signed_in.post(NEW, encounter_data(site_a, occurred_at=yesterday))
    assert "needs the back-entry permission" in refused.text
    assert not Encounter.objects.exists()

    outreach_a.user_permissions.add(Permission.objects.get(codename="backdate_encounter"))
    allowed = signed_in.post(NEW, encounter_data(site_a, occurred_at=yesterday))

    assert allowed.status_code == 302
    assert Encounter.objects.count() == 1


def test_note_field_is_absent_unless_the_program_turns_notes_on(signed_in, program_a, site_a):
    assert 'name="note"' not in signed_in.get(NEW).text
    program_a.encounter_notes_enabled = True
    program_a.save()

    page = signed_in.get(NEW).text
    signed_in.post(NEW, encounter_data(site_a, note="Asked about housing"))

    assert "Never write names" in page
    assert Encounter.objects.get().note == "Asked about housing"


def test_note_is_ignored_when_notes_are_off(signed_in, site_a):
    signed_in.post(NEW, encounter_data(site_a, note="Some note"))

    assert Encounter.objects.get().note == ""


def test_location_of_another_program_is_refused(signed_in, site_b):
    response = signed_in.post(NEW, encounter_data(site_b))

    assert response.status_code == 200
    assert not Encounter.objects.exists()


def test_service_refuses_a_participant_of_another_program(outreach_a, site_a, program_b):
    other = ParticipantFactory(program=program_b)

    with pytest.raises(encounter_services.EncounterError):
        encounter_services.record_encounter(
            by=outreach_a,
            participant=other,
            location=site_a,
            kind=Encounter.Kind.FIXED_SITE,
        )
    assert not Encounter.objects.exists()


def test_returning_participant_shows_their_last_encounter(
    signed_in, outreach_a, site_a, participant_a, catalogue_a
):
    signed_in.post(
        NEW,
        encounter_data(site_a, participant_a.public_id, **{item_field(catalogue_a["Cooker"]): 3}),
    )

    response = signed_in.get(reverse("encounters:pick", args=[participant_a.public_id]))

    assert "Last:" in response.text
    assert "3 Cooker" in response.text
