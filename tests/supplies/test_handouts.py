"""Several items handed out in one call (an encounter's bundle): each first expiry first out,
all or nothing, in a few queries whatever the number of items."""

from datetime import timedelta

import pytest

from supplies import services
from supplies.models import StockLevel, StockMovement
from tests.conftest import PROGRAM_TODAY
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

TODAY = PROGRAM_TODAY


@pytest.fixture
def stocked(manager_a, site_a, program_a):
    """Naloxone in two lots (3 expiring soon, 10 later) and 50 syringes, at site A."""
    naloxone = ItemFactory(program=program_a, name="Naloxone", tracks_lots=True)
    syringes = ItemFactory(program=program_a, name="Syringes")
    for number, quantity, days in (("LATE", 10, 300), ("SOON", 3, 30)):
        services.receive_shipment(
            by=manager_a,
            location=site_a,
            item=naloxone,
            quantity=quantity,
            lot_number=number,
            expires_on=TODAY + timedelta(days=days),
        )
    services.receive_shipment(by=manager_a, location=site_a, item=syringes, quantity=50)
    return {"naloxone": naloxone, "syringes": syringes}


def levels(site):
    return {
        (level.lot.item.name, level.lot.lot_number): level.on_hand
        for level in StockLevel.objects.filter(location=site).select_related("lot__item")
    }


def test_several_items_are_taken_first_expiry_first(manager_a, site_a, stocked):
    movements = services.distribute_items(
        by=manager_a,
        location=site_a,
        handouts=[
            services.Handout(stocked["naloxone"], 5),
            services.Handout(stocked["syringes"], 20),
        ],
    )

    assert sorted((m.lot.lot_number, m.quantity) for m in movements) == [
        ("", -20),
        ("LATE", -2),
        ("SOON", -3),
    ]
    assert levels(site_a) == {
        ("Naloxone", "LATE"): 8,
        ("Naloxone", "SOON"): 0,
        ("Syringes", ""): 30,
    }


def test_one_item_short_takes_nothing_of_any(manager_a, site_a, stocked):
    before = levels(site_a)

    with pytest.raises(services.InsufficientStock, match="Only 13 of Naloxone left"):
        services.distribute_items(
            by=manager_a,
            location=site_a,
            handouts=[
                services.Handout(stocked["syringes"], 20),
                services.Handout(stocked["naloxone"], 14),
            ],
        )

    assert levels(site_a) == before
    assert not StockMovement.objects.filter(kind="distributed").exists()


def test_the_same_item_twice_counts_both(manager_a, site_a, stocked):
    with pytest.raises(services.InsufficientStock, match="Only 3 of Naloxone left"):
        services.distribute_items(
            by=manager_a,
            location=site_a,
            handouts=[
                services.Handout(stocked["naloxone"], 10),
                services.Handout(stocked["naloxone"], 4),
            ],
        )

    services.distribute_items(
        by=manager_a,
        location=site_a,
        handouts=[
            services.Handout(stocked["naloxone"], 10),
            services.Handout(stocked["naloxone"], 3),
        ],
    )
    assert levels(site_a)[("Naloxone", "LATE")] == 0


def test_the_cost_does_not_grow_with_the_items(
    manager_a, site_a, program_a, django_assert_max_num_queries
):
    items = [ItemFactory(program=program_a, name=f"Item {n}") for n in range(8)]
    for item in items:
        services.receive_shipment(by=manager_a, location=site_a, item=item, quantity=5)

    with django_assert_max_num_queries(6):
        services.distribute_items(
            by=manager_a,
            location=site_a,
            handouts=[services.Handout(item, 2) for item in items],
        )
