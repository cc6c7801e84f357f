"""Correcting and voiding an encounter: one service for the page and the API. Stock is given
back and taken again in one transaction, referrals follow, the summary tables follow, the audit
entry holds the before and after, and a voided encounter leaves every measure."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from encounters.models import (
    DailyEncounterTotals,
    DailySupplyTotals,
    Encounter,
    ParticipantMonth,
    SeenParticipants,
)
from encounters.services import (
    EncounterError,
    SupplyLine,
    correct_encounter,
    record_encounter,
    undo_encounter,
    void_encounter,
)
from participants.retention import delete_participant_on_request
from referrals.models import Referral
from reports import measures
from reports.measures import Scope
from supplies.field_records import report_overdose_reversal
from supplies.models import Item, StockLevel
from supplies.services import receive_shipment
from tests.conftest import PROGRAM_TODAY, PROGRAM_ZONE
from tests.factories import ItemFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def syringes(program_a):
    return ItemFactory(program=program_a, name="Syringe 1 mL", max_per_encounter=500)


@pytest.fixture
def naloxone(program_a):
    return ItemFactory(
        program=program_a,
        name="Naloxone nasal",
        category=Item.Category.NALOXONE,
        doses_per_unit=2,
        max_per_encounter=10,
    )


@pytest.fixture
def stock(manager_a, site_a, van_a, syringes, naloxone):
    """100 syringes and 5 naloxone kits at the drop-in, 20 syringes in the van."""
    receive_shipment(by=manager_a, location=site_a, item=syringes, quantity=100)
    receive_shipment(by=manager_a, location=site_a, item=naloxone, quantity=5)
    receive_shipment(by=manager_a, location=van_a, item=syringes, quantity=20)


@pytest.fixture
def outreach(outreach_a, van_a):
    outreach_a.locations.add(van_a)
    return outreach_a


@pytest.fixture
def sky(program_a):
    return ParticipantFactory(program=program_a, alias="Sky")


@pytest.fixture
def river(program_a):
    return ParticipantFactory(program=program_a, alias="River")


@pytest.fixture
def encounter(outreach, site_a, sky, syringes, stock):
    """Tonight at the drop-in: Sky took 30 syringes and was referred to housing."""
    encounter, _created = record_encounter(
        by=outreach,
        participant=sky,
        location=site_a,
        kind=Encounter.Kind.FIXED_SITE,
        supplies=[SupplyLine(syringes, 30)],
        overdose_reversals_reported=1,
        referral_kinds=["housing"],
    )
    return encounter


def on_hand(location, item) -> int:
    return sum(
        StockLevel.objects.filter(location=location, lot__item=item).values_list(
            "on_hand", flat=True
        )
    )


def today_scope(program, **kwargs) -> Scope:
    return Scope(program=program, start=PROGRAM_TODAY, end=PROGRAM_TODAY, **kwargs)


def both_ways(scope, settings, keys=None) -> dict:
    """The measures from the summary tables, checked against the encounters themselves."""
    with_totals = measures.compute(scope, keys)
    settings.REPORTS_SUMMARY_TABLES = False
    from_encounters = measures.compute(scope, keys)
    settings.REPORTS_SUMMARY_TABLES = True
    assert with_totals == from_encounters
    return with_totals


def test_the_author_corrects_every_field_the_same_day(
    outreach, encounter, site_a, van_a, river, syringes, naloxone, settings
):
    earlier = encounter.occurred_at - timedelta(hours=1)

    correct_encounter(
        by=outreach,
        encounter=encounter,
        reason="Typed at the wrong site, and it was River",
        changes={
            "participant": river,
            "location": van_a,
            "kind": Encounter.Kind.MOBILE_UNIT,
            "occurred_at": earlier,
            "syringes_collected": 12,
            "hiv_test": True,
        },
        supplies=[SupplyLine(syringes, 15)],
    )

    encounter.refresh_from_db()
    assert (encounter.participant, encounter.location, encounter.kind) == (
        river,
        van_a,
        Encounter.Kind.MOBILE_UNIT,
    )
    assert encounter.occurred_at == earlier
    assert encounter.syringes_collected == 12
    assert encounter.hiv_test
    assert [(line.item, line.quantity) for line in encounter.supplies.all()] == [(syringes, 15)]
    # The 30 went back to the drop-in; the 15 came out of the van.
    assert on_hand(site_a, syringes) == 100
    assert on_hand(van_a, syringes) == 5
    # The referral made at it follows it.
    referral = Referral.objects.get(encounter=encounter)
    assert (referral.participant, referral.made_at) == (river, earlier)
    # The summary tables follow: nothing left at the drop-in, all in the van.
    assert both_ways(today_scope(encounter.program, location=site_a), settings)["encounters"] == 0
    van = both_ways(today_scope(encounter.program, location=van_a), settings)
    assert van["encounters"] == 1
    assert van["syringes_collected"] == 12
    assert (
        not ParticipantMonth.objects.filter(participant=encounter.participant_id)
        .exclude(participant=river)
        .exists()
    )
    assert ParticipantMonth.objects.get(participant=river).location_id == van_a.pk


def test_the_audit_entry_holds_the_before_and_after(outreach, encounter, syringes):
    correct_encounter(
        by=outreach,
        encounter=encounter,
        reason="Counted twice",
        changes={"syringes_collected": 4},
        supplies=[SupplyLine(syringes, 20)],
    )

    entry = AuditEntry.objects.get(action="participants.encounter.corrected")
    assert entry.object_id == str(encounter.pk)
    assert entry.details["reason"] == "Counted twice"
    assert entry.details["before"]["supplies"] == {str(syringes.pk): 30}
    assert entry.details["after"]["supplies"] == {str(syringes.pk): 20}
    assert entry.details["before"]["syringes_collected"] == 0
    assert entry.details["after"]["syringes_collected"] == 4
    assert entry.details["before"]["referral_kinds"] == ["housing"]


def test_a_correction_the_stock_cannot_cover_is_refused_and_saves_nothing(
    outreach, encounter, site_a, van_a, syringes
):
    with pytest.raises(EncounterError) as refused:
        correct_encounter(
            by=outreach,
            encounter=encounter,
            reason="It was the van",
            changes={"location": van_a, "syringes_collected": 3},
        )  # 30 syringes, and the van has 20

    assert refused.value.field == "supplies"
    assert "20" in refused.value.message or "enough" in refused.value.message.lower()
    encounter.refresh_from_db()
    assert (encounter.location, encounter.syringes_collected) == (site_a, 0)
    assert on_hand(site_a, syringes) == 70
    assert on_hand(van_a, syringes) == 20
    assert not AuditEntry.objects.filter(action="participants.encounter.corrected").exists()


def test_a_reason_is_required(outreach, encounter):
    with pytest.raises(EncounterError) as refused:
        correct_encounter(by=outreach, encounter=encounter, reason="  ", changes={"note": ""})
    assert refused.value.field == "reason"


def test_the_author_cannot_correct_after_the_day_a_manager_can(
    outreach, manager_a, encounter, pinned_clock
):
    pinned_clock.shift(timedelta(days=1))

    with pytest.raises(EncounterError):
        correct_encounter(
            by=outreach, encounter=encounter, reason="Late", changes={"syringes_collected": 1}
        )
    correct_encounter(
        by=manager_a, encounter=encounter, reason="Late", changes={"syringes_collected": 1}
    )
    encounter.refresh_from_db()
    assert encounter.syringes_collected == 1


def test_moving_to_a_past_day_needs_the_back_entry_permission(outreach, manager_a, encounter):
    yesterday = encounter.occurred_at - timedelta(days=1)

    with pytest.raises(EncounterError) as refused:
        correct_encounter(
            by=outreach,
            encounter=encounter,
            reason="Was yesterday",
            changes={"occurred_at": yesterday},
        )
    assert refused.value.field == "occurred_at"
    correct_encounter(
        by=manager_a,
        encounter=encounter,
        reason="Was yesterday",
        changes={"occurred_at": yesterday},
    )


def test_referrals_taken_off_are_withdrawn_and_new_ones_made(outreach, encounter):
    correct_encounter(
        by=outreach, encounter=encounter, reason="Wrong box", changes={}, referral_kinds=["food"]
    )

    assert sorted(Referral.objects.filter(encounter=encounter).values_list("kind", flat=True)) == [
        "food"
    ]


def test_voiding_returns_the_stock_and_leaves_every_measure(
    outreach, manager_a, encounter, site_a, syringes, settings, client
):
    before = both_ways(today_scope(encounter.program), settings)
    assert before["encounters"] == 1

    void_encounter(by=outreach, encounter=encounter, reason="Entered on the wrong phone")

    encounter.refresh_from_db()
    assert encounter.voided_at is not None
    assert encounter.voided_by == outreach
    assert on_hand(site_a, syringes) == 100
    assert not Referral.objects.filter(encounter=encounter).exists()
    after = both_ways(today_scope(encounter.program), settings)
    assert after["encounters"] == 0
    assert after["reversals_reported"] == 0
    assert after["unduplicated_participants"] == 0
    assert not DailyEncounterTotals.objects.filter(encounters__gt=0).exists()
    assert not DailySupplyTotals.objects.filter(quantity__gt=0).exists()
    assert not ParticipantMonth.objects.exists()
    entry = AuditEntry.objects.get(action="participants.encounter.voided")
    assert entry.details["reason"] == "Entered on the wrong phone"
    # Managers still see it, marked; the worker's list no longer has it.
    client.force_login(manager_a)
    page = client.get(reverse("encounters:list")).content.decode()
    assert "Voided" in page and "Entered on the wrong phone" in page
    client.force_login(outreach)
    assert (
        "Entered on the wrong phone" not in client.get(reverse("encounters:list")).content.decode()
    )


def test_a_voided_encounter_of_a_closed_day_leaves_the_cached_participant_sets(
    outreach, manager_a, site_a, sky, settings
):
    """Days before today are cached as bitmaps of participants; voiding one forgets it."""
    yesterday = datetime(2026, 3, 8, 14, 0, tzinfo=PROGRAM_ZONE)
    encounter, _created = record_encounter(
        by=manager_a, participant=sky, location=site_a, kind="fixed_site", occurred_at=yesterday
    )
    scope = Scope(program=encounter.program, start=yesterday.date(), end=yesterday.date())
    served = ["unduplicated_participants", "new_participants"]
    assert both_ways(scope, settings, served) == dict.fromkeys(served, 1)
    assert SeenParticipants.objects.filter(program=encounter.program).exists()

    void_encounter(by=manager_a, encounter=encounter, reason="Never happened")

    assert both_ways(scope, settings, served) == dict.fromkeys(served, 0)


def test_a_voided_encounter_cannot_be_corrected_or_voided_again(outreach, encounter):
    void_encounter(by=outreach, encounter=encounter, reason="Duplicate")
    with pytest.raises(EncounterError):
        void_encounter(by=outreach, encounter=encounter, reason="Again")
    with pytest.raises(EncounterError):
        correct_encounter(by=outreach, encounter=encounter, reason="Oops", changes={})


def test_undo_after_a_void_is_refused_and_gives_nothing_back_twice(
    client, manager_a, sky, site_a, syringes, stock
):
    """A manager sees voided encounters, so their Undo button still reaches one they voided."""
    encounter, _created = record_encounter(
        by=manager_a,
        participant=sky,
        location=site_a,
        kind=Encounter.Kind.FIXED_SITE,
        supplies=[SupplyLine(syringes, 10)],
    )
    client.force_login(manager_a)
    client.post(reverse("encounters:void", args=[encounter.pk]), {"reason": "Wrong person"})
    assert on_hand(site_a, syringes) == 100

    undone = client.post(reverse("encounters:undo", args=[encounter.pk]), follow=True)

    assert "can no longer be undone" in undone.text
    assert on_hand(site_a, syringes) == 100
    assert Encounter.objects.get(pk=encounter.pk).is_voided


def test_undo_takes_back_the_referral_made_at_the_encounter(client, outreach, encounter):
    assert Referral.objects.filter(encounter=encounter).count() == 1
    client.force_login(outreach)

    client.post(reverse("encounters:undo", args=[encounter.pk]))

    assert not Encounter.objects.filter(pk=encounter.pk).exists()
    assert not Referral.objects.exists()
    assert measures.compute(today_scope(outreach.program), ["referrals_made"]) == {
        "referrals_made": 0
    }


def test_a_second_undo_of_the_same_encounter_is_refused(outreach, encounter, site_a, syringes):
    stale_copy = Encounter.objects.get(pk=encounter.pk)
    undo_encounter(by=outreach, encounter=encounter)

    with pytest.raises(EncounterError):
        undo_encounter(by=outreach, encounter=stale_copy)
    assert on_hand(site_a, syringes) == 100


def test_another_worker_cannot_correct_it(program_a, site_a, encounter):
    from tests.factories import UserFactory

    other = UserFactory(program=program_a, locations=[site_a])
    with pytest.raises(EncounterError):
        correct_encounter(by=other, encounter=encounter, reason="Mine", changes={})


# --- The pages ----------------------------------------------------------------------------------


def test_the_list_offers_correct_and_void_to_the_author(client, outreach, encounter):
    client.force_login(outreach)
    page = client.get(reverse("encounters:list")).content.decode()
    assert reverse("encounters:correct", args=[encounter.pk]) in page
    assert reverse("encounters:void", args=[encounter.pk]) in page


def test_the_correction_page_saves_a_correction(client, outreach, encounter, syringes, sky):
    client.force_login(outreach)
    url = reverse("encounters:correct", args=[encounter.pk])
    page = client.get(url)
    assert page.status_code == 200
    local = timezone.localtime(encounter.occurred_at, PROGRAM_ZONE)
    # The time is shown in the program's zone, as it was typed.
    assert local.strftime("%Y-%m-%dT%H:%M") in page.content.decode()

    response = client.post(
        url,
        {
            "reason": "Fewer syringes",
            "participant": sky.public_id,
            "location": encounter.location_id,
            "kind": encounter.kind,
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 1,
            "referral_kinds": ["housing"],
            f"item_{syringes.pk}": 10,
        },
    )

    assert response.status_code == 302
    assert list(encounter.supplies.values_list("quantity", flat=True)) == [10]


def test_an_encounter_of_someone_forgotten_since_stays_correctable(
    client, manager_a, encounter, syringes, sky
):
    delete_participant_on_request(by=manager_a, participant=sky)
    sky.refresh_from_db()
    client.force_login(manager_a)
    url = reverse("encounters:correct", args=[encounter.pk])
    assert sky.public_id in client.get(url).text
    local = timezone.localtime(encounter.occurred_at, PROGRAM_ZONE)

    response = client.post(
        url,
        {
            "reason": "Syringes were counted wrong",
            "participant": sky.public_id,
            "location": encounter.location_id,
            "kind": encounter.kind,
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "syringes_collected": 7,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 1,
            "referral_kinds": ["housing"],
            f"item_{syringes.pk}": 30,
        },
    )

    assert response.status_code == 302
    encounter.refresh_from_db()
    assert (encounter.syringes_collected, encounter.participant) == (7, sky)


def test_the_correction_page_shows_the_stock_refusal(client, outreach, encounter, syringes, sky):
    client.force_login(outreach)
    local = timezone.localtime(encounter.occurred_at, PROGRAM_ZONE)
    response = client.post(
        reverse("encounters:correct", args=[encounter.pk]),
        {
            "reason": "More",
            "participant": sky.public_id,
            "location": encounter.location_id,
            "kind": encounter.kind,
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 1,
            f"item_{syringes.pk}": 400,  # 100 at the drop-in
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(encounter.supplies.values_list("quantity", flat=True)) == [30]


def test_the_void_page_voids_with_a_reason(client, outreach, encounter):
    client.force_login(outreach)
    url = reverse("encounters:void", args=[encounter.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Test entry"}).status_code == 302
    encounter.refresh_from_db()
    assert encounter.void_reason == "Test entry"


def test_the_pages_speak_spanish(client, outreach, encounter):
    outreach.language = "es"
    outreach.save(update_fields=["language"])
    client.force_login(outreach)
    page = client.get(reverse("encounters:void", args=[encounter.pk])).content.decode()
    assert "Anular" in page


def test_the_next_day_the_author_is_sent_back(client, outreach, encounter, pinned_clock):
    pinned_clock.shift(timedelta(days=1))
    client.force_login(outreach)
    response = client.get(reverse("encounters:correct", args=[encounter.pk]))
    assert response.status_code == 302


# --- A reversal told at an encounter and also reported ---------------------------------------


REVERSAL = {
    "reported_on": PROGRAM_TODAY,
    "place": "Park",
    "doses_used": 2,
    "outcome": "survived",
    "ems_called": "no",
    "kit_source": "this_program",
}


def test_a_reversal_reported_at_its_encounter_is_counted_once(outreach, encounter, settings):
    report = report_overdose_reversal(by=outreach, encounter=encounter, **REVERSAL)

    assert report.encounter == encounter
    assert report.participant == encounter.participant
    measured = both_ways(today_scope(encounter.program), settings, ["reversals_reported"])
    assert measured == {"reversals_reported": 1}


def test_a_report_at_an_encounter_that_told_none_raises_its_count(outreach, site_a, sky, settings):
    quiet, _created = record_encounter(
        by=outreach, participant=sky, location=site_a, kind=Encounter.Kind.FIXED_SITE
    )
    report_overdose_reversal(by=outreach, encounter=quiet, **REVERSAL)
    report_overdose_reversal(by=outreach, **REVERSAL)  # another, told elsewhere

    quiet.refresh_from_db()
    assert quiet.overdose_reversals_reported == 1
    measured = both_ways(today_scope(quiet.program), settings, ["reversals_reported"])
    assert measured == {"reversals_reported": 2}


def test_a_voided_encounter_leaves_its_reports_counted_on_their_own(outreach, encounter, settings):
    report_overdose_reversal(by=outreach, encounter=encounter, **REVERSAL)
    void_encounter(by=outreach, encounter=encounter, reason="Wrong person")

    measured = both_ways(today_scope(encounter.program), settings, ["reversals_reported"])
    assert measured == {"reversals_reported": 1}


def test_a_correction_keeps_the_reports_filed_at_it(outreach, encounter, river):
    report_overdose_reversal(by=outreach, encounter=encounter, **REVERSAL)

    with pytest.raises(EncounterError) as refused:
        correct_encounter(
            by=outreach,
            encounter=encounter,
            reason="None told",
            changes={"overdose_reversals_reported": 0},
        )
    assert refused.value.field == "overdose_reversals_reported"
    correct_encounter(
        by=outreach, encounter=encounter, reason="River", changes={"participant": river}
    )
    assert encounter.reversal_reports.get().participant == river


def test_the_reversal_page_links_the_report_to_the_encounter(client, outreach, encounter, settings):
    client.force_login(outreach)
    listed = client.get(reverse("encounters:list")).content.decode()
    link = f"{reverse('supplies:reversal_new')}?encounter={encounter.pk}"
    assert link in listed
    page = client.get(link)
    assert str(encounter.pk) in page.content.decode()

    response = client.post(
        reverse("supplies:reversal_new"),
        {**REVERSAL, "reported_on": PROGRAM_TODAY.isoformat(), "encounter": str(encounter.pk)},
    )

    assert response.status_code == 302
    assert encounter.reversal_reports.count() == 1
    measured = both_ways(today_scope(encounter.program), settings, ["reversals_reported"])
    assert measured == {"reversals_reported": 1}


def test_a_line_of_an_item_since_taken_off_the_catalogue_stays(
    client, outreach, encounter, syringes, naloxone, sky
):
    syringes.is_active = False
    syringes.save(update_fields=["is_active"])
    client.force_login(outreach)
    local = timezone.localtime(encounter.occurred_at, PROGRAM_ZONE)

    response = client.post(
        reverse("encounters:correct", args=[encounter.pk]),
        {
            "reason": "Add naloxone",
            "participant": sky.public_id,
            "location": encounter.location_id,
            "kind": encounter.kind,
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 1,
            "referral_kinds": ["housing"],
            f"item_{naloxone.pk}": 1,
        },
    )

    assert response.status_code == 302
    assert dict(encounter.supplies.values_list("item__name", "quantity")) == {
        "Syringe 1 mL": 30,
        "Naloxone nasal": 1,
    }


def test_the_timeline_offers_correct_and_void(client, outreach, encounter, sky):
    client.force_login(outreach)
    page = client.get(reverse("participants:detail", args=[sky.public_id])).content.decode()
    assert reverse("encounters:correct", args=[encounter.pk]) in page
    assert reverse("encounters:void", args=[encounter.pk]) in page
