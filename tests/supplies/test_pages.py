from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supplies.catalogue import load_usual_catalogue
from supplies.models import (
    Item,
    OverdoseReversal,
    ReorderLevel,
    StockLevel,
    StockMovement,
    SyringeCollection,
)
from supplies.services import receive_shipment
from tests.conftest import PROGRAM_TODAY
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

NALOXONE = "Naloxone nasal 4 mg (2-dose kit)"
CONDOMS = "Condoms"


def on_hand(location, item) -> int:
    return sum(
        StockLevel.objects.filter(location=location, lot__item=item).values_list(
            "on_hand", flat=True
        )
    )


def today_of(user) -> str:
    """Today in the user's program time zone, as the date field expects it."""
    return timezone.localdate(timezone=user.program.tzinfo).isoformat()


def level_of(location, item) -> StockLevel:
    return StockLevel.objects.get(location=location, lot__item=item)


@pytest.fixture
def stock_b(program_b, site_b):
    """Program B's catalogue with 77 naloxone kits in lot B-SECRET at site B."""
    load_usual_catalogue(program=program_b)
    naloxone = Item.objects.get(program=program_b, name=NALOXONE)
    manager_b = UserFactory(username="manager_b", role=User.Role.MANAGER, program=program_b)
    receive_shipment(
        by=manager_b,
        location=site_b,
        item=naloxone,
        quantity=77,
        lot_number="B-SECRET",
        expires_on=PROGRAM_TODAY + timedelta(days=300),
    )
    return naloxone


# --- Receiving and the stock page --------------------------------------------------------------


def test_manager_receives_a_shipment_and_the_stock_page_shows_the_lot_and_level(
    client, manager_a, van_a, catalogue_a
):
    naloxone = catalogue_a[NALOXONE]
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:receive"),
        {
            "location": van_a.pk,
            "item": naloxone.pk,
            "quantity": 24,
            "lot_number": "NX-2291",
            "expires_on": (PROGRAM_TODAY + timedelta(days=400)).isoformat(),
            "supplier": "State health department",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{reverse('supplies:stock')}?location={van_a.pk}"
    assert on_hand(van_a, naloxone) == 24
    page = client.get(reverse("supplies:stock"), {"location": van_a.pk}).text
    assert "NX-2291" in page
    assert ">24 <" in page


def test_receiving_naloxone_without_a_lot_number_shows_the_error_and_saves_nothing(
    client, manager_a, van_a, catalogue_a
):
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:receive"),
        {"location": van_a.pk, "item": catalogue_a[NALOXONE].pk, "quantity": 5},
    )

    assert response.status_code == 200
    assert "needs a lot number" in response.text
    assert not StockLevel.objects.filter(location=van_a).exists()


def test_stock_page_marks_naloxone_expiring_within_the_alert_days(
    client, manager_a, van_a, catalogue_a
):
    receive_shipment(
        by=manager_a,
        location=van_a,
        item=catalogue_a[NALOXONE],
        quantity=3,
        lot_number="SOON",
        expires_on=PROGRAM_TODAY + timedelta(days=10),
    )
    client.force_login(manager_a)

    response = client.get(reverse("supplies:stock"), {"location": van_a.pk})

    assert [row["expiry"] for row in response.context["rows"]] == ["expiring"]
    assert "Expiring soon" in response.text


def test_stock_page_of_program_a_never_shows_program_b_stock(
    client, outreach_a, site_b, catalogue_a, stock_b
):
    client.force_login(outreach_a)

    everything = client.get(reverse("supplies:stock"))
    asked_for_b = client.get(reverse("supplies:stock"), {"location": site_b.pk})

    assert "B-SECRET" not in everything.text
    assert site_b.name not in everything.text
    assert "B-SECRET" not in asked_for_b.text
    assert not any(row["level"].location_id == site_b.pk for row in everything.context["rows"])


def test_stock_page_stays_within_a_few_queries(
    client, outreach_a, catalogue_a, django_assert_max_num_queries
):
    client.force_login(outreach_a)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("supplies:stock"))

    assert len(response.context["rows"]) == len(catalogue_a)


@pytest.mark.parametrize(
    "page",
    [
        reverse("supplies:receive"),
        reverse("supplies:transfer"),
        reverse("supplies:adjust"),
    ],
)
def test_outreach_cannot_open_manager_stock_pages(client, outreach_a, page):
    client.force_login(outreach_a)

    assert client.get(page).status_code == 403
    assert client.post(page, {}).status_code == 403


def test_outreach_cannot_open_the_count_sheet(client, outreach_a, site_a, catalogue_a):
    client.force_login(outreach_a)
    counts = {f"lot_{level.lot_id}": 0 for level in StockLevel.objects.filter(location=site_a)}

    assert client.get(reverse("supplies:count", args=[site_a.pk])).status_code == 403
    assert client.post(reverse("supplies:count", args=[site_a.pk]), counts).status_code == 403
    assert on_hand(site_a, catalogue_a[CONDOMS]) == 1000


def test_funder_cannot_open_the_stock_page(client, funder):
    client.force_login(funder)

    assert client.get(reverse("supplies:stock")).status_code == 403


# --- Counting, transferring, adjusting ---------------------------------------------------------


def test_a_count_that_differs_creates_an_adjustment_and_the_level_equals_the_count(
    client, manager_a, site_a, catalogue_a
):
    condoms, cooker = (
        level_of(site_a, catalogue_a[CONDOMS]),
        level_of(site_a, catalogue_a["Cooker"]),
    )
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:count", args=[site_a.pk]),
        {f"lot_{condoms.lot_id}": 940, f"lot_{cooker.lot_id}": "", "reason": "Monthly count"},
    )

    assert response.status_code == 200
    assert on_hand(site_a, catalogue_a[CONDOMS]) == 940
    assert on_hand(site_a, catalogue_a["Cooker"]) == 1000
    adjustment = StockMovement.objects.get(kind=StockMovement.Kind.ADJUSTED)
    assert (adjustment.lot_id, adjustment.quantity, adjustment.reason) == (
        condoms.lot_id,
        -60,
        "Monthly count",
    )
    assert [movement.quantity for movement in response.context["changes"]] == [-60]
    assert "-60" in response.text


def test_the_count_sheet_lists_one_empty_box_per_lot_on_hand(
    client, manager_a, site_a, catalogue_a
):
    client.force_login(manager_a)

    response = client.get(reverse("supplies:count", args=[site_a.pk]))

    boxes = response.context["form"].lot_fields()
    assert len(boxes) == len(catalogue_a)
    assert all(box.value() is None for box in boxes)


def test_a_count_of_a_lot_that_ran_out_since_the_sheet_was_opened_still_counts(
    client, manager_a, van_a, site_a, catalogue_a
):
    lot = level_of(site_a, catalogue_a[CONDOMS]).lot
    client.force_login(manager_a)

    response = client.post(reverse("supplies:count", args=[van_a.pk]), {f"lot_{lot.pk}": 6})

    assert response.status_code == 200
    assert on_hand(van_a, catalogue_a[CONDOMS]) == 6


def test_stock_page_ignores_a_location_filter_that_is_not_a_number(client, manager_a):
    client.force_login(manager_a)

    assert client.get(reverse("supplies:stock"), {"location": "abc"}).status_code == 200


def test_the_count_sheet_of_another_programs_location_is_404(client, manager_a, site_b):
    client.force_login(manager_a)

    assert client.get(reverse("supplies:count", args=[site_b.pk])).status_code == 404
    assert client.post(reverse("supplies:count", args=[site_b.pk]), {}).status_code == 404


def test_transfer_through_the_page_moves_stock(client, manager_a, site_a, van_a, catalogue_a):
    naloxone = catalogue_a[NALOXONE]
    lot = level_of(site_a, naloxone).lot
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:transfer"),
        {"lot": lot.pk, "from_location": site_a.pk, "to_location": van_a.pk, "quantity": 40},
    )

    assert response.status_code == 302
    assert on_hand(site_a, naloxone) == 960
    assert on_hand(van_a, naloxone) == 40


def test_transfer_of_more_than_on_hand_shows_the_message_and_changes_nothing(
    client, manager_a, site_a, van_a, catalogue_a
):
    naloxone = catalogue_a[NALOXONE]
    lot = level_of(site_a, naloxone).lot
    movements_before = StockMovement.objects.count()
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:transfer"),
        {"lot": lot.pk, "from_location": site_a.pk, "to_location": van_a.pk, "quantity": 1001},
    )

    assert response.status_code == 200
    assert "Only 1000 of" in response.text
    assert on_hand(site_a, naloxone) == 1000
    assert not StockLevel.objects.filter(location=van_a, on_hand__gt=0).exists()
    assert StockMovement.objects.count() == movements_before


def test_transfer_lot_choices_hide_program_b_lots(client, manager_a, catalogue_a, stock_b):
    client.force_login(manager_a)

    response = client.get(reverse("supplies:transfer"))

    assert "B-SECRET" not in response.text
    lot_b = StockLevel.objects.get(lot__item=stock_b).lot
    other = client.post(reverse("supplies:transfer"), {"lot": lot_b.pk, "quantity": 1})
    assert other.status_code == 200
    assert other.context["form"].errors["lot"]


def test_adjust_without_a_reason_shows_an_error_and_changes_nothing(
    client, manager_a, site_a, catalogue_a
):
    condoms = level_of(site_a, catalogue_a[CONDOMS])
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:adjust"),
        {
            "location": site_a.pk,
            "lot": condoms.lot_id,
            "kind": StockMovement.Kind.WASTED,
            "change": -5,
            "reason": "  ",
        },
    )

    assert response.status_code == 200
    assert "Give a reason for the adjustment." in response.text
    assert on_hand(site_a, catalogue_a[CONDOMS]) == 1000


def test_adjust_with_a_reason_records_expired_stock_as_a_removal(
    client, manager_a, site_a, catalogue_a
):
    condoms = level_of(site_a, catalogue_a[CONDOMS])
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:adjust"),
        {
            "location": site_a.pk,
            "lot": condoms.lot_id,
            "kind": StockMovement.Kind.EXPIRED,
            "change": 12,
            "reason": "Water damage",
        },
    )

    assert response.status_code == 302
    assert on_hand(site_a, catalogue_a[CONDOMS]) == 988


# --- The ledger ----------------------------------------------------------------------------------


def test_movements_page_stays_within_a_few_queries_and_pages_older_rows(
    client, manager_a, outreach_a, site_a, van_a, catalogue_a, django_assert_max_num_queries
):
    syringes = catalogue_a["Syringe 1 mL 28G"]
    for _ in range(120):
        receive_shipment(by=manager_a, location=van_a, item=syringes, quantity=1)
    client.force_login(outreach_a)

    with django_assert_max_num_queries(10):
        first = client.get(reverse("supplies:movements"), {"location": van_a.pk})
    second = client.get(reverse("supplies:movements") + first.context["older"])

    assert len(first.context["movements"]) == 100
    assert len(second.context["movements"]) == 20
    assert second.context["older"] is None
    seen = {movement.pk for movement in first.context["movements"]} | {
        movement.pk for movement in second.context["movements"]
    }
    assert len(seen) == 120


def test_movements_page_never_shows_program_b_movements(client, outreach_a, catalogue_a, stock_b):
    client.force_login(outreach_a)

    response = client.get(reverse("supplies:movements"))

    assert "B-SECRET" not in response.text
    assert len(response.context["movements"]) == len(catalogue_a)


# --- Collections and reversals -------------------------------------------------------------------


def test_collection_by_weight_converts_with_the_programs_syringes_per_pound(
    client, outreach_a, site_a, program_a
):
    program_a.syringes_per_pound = 180
    program_a.save(update_fields=["syringes_per_pound"])
    client.force_login(outreach_a)

    response = client.post(
        reverse("supplies:collection_new"),
        {
            "location": site_a.pk,
            "source": SyringeCollection.Source.DROP_BOX,
            "collected_on": today_of(outreach_a),
            "weight_pounds": "2.5",
        },
        follow=True,
    )

    collection = SyringeCollection.objects.get()
    assert (collection.weight_pounds, collection.counted, collection.syringes) == (
        Decimal("2.50"),
        None,
        450,
    )
    assert "450 syringes" in response.text


def test_collection_with_both_count_and_weight_is_refused(client, outreach_a, site_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("supplies:collection_new"),
        {
            "location": site_a.pk,
            "source": SyringeCollection.Source.CLEANUP,
            "collected_on": today_of(outreach_a),
            "counted": 30,
            "weight_pounds": "1",
        },
    )

    assert response.status_code == 200
    assert "not both" in response.text
    assert not SyringeCollection.objects.exists()


def test_reversal_with_an_unknown_participant_id_shows_an_error_and_saves_nothing(
    client, outreach_a, program_b
):
    participant_b = ParticipantFactory(program=program_b)
    client.force_login(outreach_a)

    for public_id in ("HR-NOPE9", participant_b.public_id):
        response = client.post(
            reverse("supplies:reversal_new"),
            {
                "reported_on": today_of(outreach_a),
                "place": "Riverside park",
                "doses_used": 2,
                "outcome": OverdoseReversal.Outcome.SURVIVED,
                "ems_called": OverdoseReversal.EmsCalled.NO,
                "kit_source": OverdoseReversal.KitSource.THIS_PROGRAM,
                "participant": public_id,
            },
        )

        assert response.status_code == 200
        assert f"No participant {public_id} in your program." in response.text
    assert not OverdoseReversal.objects.exists()


def test_reversal_with_a_known_participant_is_recorded_and_listed(client, outreach_a, program_a):
    participant = ParticipantFactory(program=program_a)
    client.force_login(outreach_a)

    response = client.post(
        reverse("supplies:reversal_new"),
        {
            "reported_on": today_of(outreach_a),
            "place": "Riverside park",
            "doses_used": 2,
            "outcome": OverdoseReversal.Outcome.SURVIVED,
            "ems_called": OverdoseReversal.EmsCalled.YES,
            "kit_source": OverdoseReversal.KitSource.THIS_PROGRAM,
            "participant": participant.public_id.lower(),
        },
        follow=True,
    )

    reversal = OverdoseReversal.objects.get()
    assert (reversal.participant, reversal.place, reversal.recorded_by) == (
        participant,
        "Riverside park",
        outreach_a,
    )
    assert "Riverside park" in response.text


def test_reversal_place_that_looks_like_an_address_is_refused(client, outreach_a):
    client.force_login(outreach_a)

    response = client.post(
        reverse("supplies:reversal_new"),
        {
            "reported_on": today_of(outreach_a),
            "place": "123 Main St",
            "doses_used": 1,
            "outcome": OverdoseReversal.Outcome.SURVIVED,
            "ems_called": OverdoseReversal.EmsCalled.NO,
            "kit_source": OverdoseReversal.KitSource.PHARMACY,
        },
    )

    assert "This looks like an address." in response.text
    assert not OverdoseReversal.objects.exists()


# --- Home page alerts and navigation ------------------------------------------------------------


def test_manager_home_shows_a_low_stock_alert_when_a_reorder_level_is_above_on_hand(
    client, manager_a, site_a, catalogue_a
):
    ReorderLevel.objects.create(location=site_a, item=catalogue_a[CONDOMS], minimum=1500)
    ReorderLevel.objects.create(location=site_a, item=catalogue_a["Cooker"], minimum=10)
    client.force_login(manager_a)

    response = client.get(reverse("home"))

    assert [alert.item for alert in response.context["stock_alerts"].low] == [catalogue_a[CONDOMS]]
    assert "Low: Condoms at A Drop-in" in response.text
    assert "Low: Cooker" not in response.text


def test_manager_home_shows_a_low_stock_alert_for_a_location_with_no_stock_at_all(
    client, manager_a, van_a, catalogue_a
):
    ReorderLevel.objects.create(location=van_a, item=catalogue_a[CONDOMS], minimum=50)
    client.force_login(manager_a)

    response = client.get(reverse("home"))

    assert "Low: Condoms at A Van" in response.text


def test_outreach_home_has_no_stock_alerts(client, outreach_a, site_a, catalogue_a):
    ReorderLevel.objects.create(location=site_a, item=catalogue_a[CONDOMS], minimum=1500)
    client.force_login(outreach_a)

    response = client.get(reverse("home"))

    assert "stock_alerts" not in response.context
    assert "Stock alerts" not in response.text
    assert reverse("supplies:stock") in response.text
    assert reverse("supplies:receive") not in response.text


def test_stock_page_lists_the_users_own_locations_first(
    client, manager_a, outreach_a, site_a, van_a, catalogue_a
):
    receive_shipment(by=manager_a, location=van_a, item=catalogue_a[CONDOMS], quantity=40)
    # "A Van" sorts after "A Drop-in" by name; the worker's van still comes first.
    outreach_a.locations.set([van_a])
    client.force_login(outreach_a)

    rows = client.get(reverse("supplies:stock")).context["rows"]

    assert rows[0]["level"].location == van_a
    assert {row["level"].location for row in rows} == {site_a, van_a}


def test_stock_page_shows_units_in_the_users_language(client, outreach_a, catalogue_a):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])
    client.force_login(outreach_a)

    page = client.get(reverse("supplies:stock")).text

    assert '<span class="small text-muted">unidad</span>' in page
    assert '<span class="small text-muted">each</span>' not in page
