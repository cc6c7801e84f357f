import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from encounters import services as encounter_services
from encounters.models import Encounter
from supplies import field_records, services
from supplies.models import Lot, StockLevel, StockMovement
from tests.conftest import PROGRAM_TODAY, examples
from tests.factories import ItemFactory, LocationFactory, ProgramFactory, UserFactory

TODAY = PROGRAM_TODAY


def on_hand(location, lot):
    level = StockLevel.objects.filter(location=location, lot=lot).first()
    return level.on_hand if level else 0


def ledger_sum(location, lot):
    return (
        StockMovement.objects.filter(location=location, lot=lot).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )


@pytest.fixture
def naloxone(program_a):
    return ItemFactory(program=program_a, name="Naloxone", tracks_lots=True)


@pytest.mark.django_db
def test_receiving_creates_the_lot_and_raises_the_level(manager_a, site_a, naloxone):
    movement = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=24,
        lot_number="NX1",
        expires_on=TODAY + timedelta(days=200),
        supplier="State health dept",
    )

    assert on_hand(site_a, movement.lot) == 24
    assert movement.lot.lot_number == "NX1"


@pytest.mark.django_db
def test_lot_tracked_item_needs_lot_and_expiry(manager_a, site_a, naloxone):
    with pytest.raises(services.StockError, match="lot number and an expiry"):
        services.receive_shipment(by=manager_a, location=site_a, item=naloxone, quantity=5)
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_distribution_takes_the_earliest_expiry_first_and_splits_lots(manager_a, site_a, naloxone):
    later = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=10,
        lot_number="LATE",
        expires_on=TODAY + timedelta(days=300),
    )
    sooner = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=3,
        lot_number="SOON",
        expires_on=TODAY + timedelta(days=30),
    )

    movements = services.distribute_item(by=manager_a, location=site_a, item=naloxone, quantity=5)

    assert [(m.lot.lot_number, m.quantity) for m in movements] == [("SOON", -3), ("LATE", -2)]
    assert on_hand(site_a, sooner.lot) == 0
    assert on_hand(site_a, later.lot) == 8


@pytest.mark.django_db
def test_distributing_more_than_on_hand_is_refused_and_changes_nothing(manager_a, site_a, naloxone):
    received = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=2,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    )

    with pytest.raises(services.InsufficientStock, match="Only 2 of Naloxone left"):
        services.distribute_item(by=manager_a, location=site_a, item=naloxone, quantity=3)

    assert on_hand(site_a, received.lot) == 2
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_transfer_moves_stock_as_one_action(manager_a, site_a, van_a, naloxone):
    lot = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=10,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    ).lot

    transfer_id = services.transfer_stock(
        by=manager_a, lot=lot, quantity=4, from_location=site_a, to_location=van_a
    )

    assert (on_hand(site_a, lot), on_hand(van_a, lot)) == (6, 4)
    assert StockMovement.objects.filter(transfer_id=transfer_id).count() == 2


@pytest.mark.django_db
def test_transfer_of_more_than_on_hand_moves_nothing(manager_a, site_a, van_a, naloxone):
    lot = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=3,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    ).lot

    with pytest.raises(services.InsufficientStock):
        services.transfer_stock(
            by=manager_a, lot=lot, quantity=4, from_location=site_a, to_location=van_a
        )

    assert (on_hand(site_a, lot), on_hand(van_a, lot)) == (3, 0)


@pytest.mark.django_db
def test_expired_stock_is_removed_with_a_reason(manager_a, site_a, naloxone):
    lot = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=6,
        lot_number="A",
        expires_on=TODAY - timedelta(days=1),
    ).lot

    services.adjust_stock(
        by=manager_a,
        location=site_a,
        lot=lot,
        change=6,
        reason="Expired",
        kind=StockMovement.Kind.EXPIRED,
    )

    assert on_hand(site_a, lot) == 0
    with pytest.raises(services.StockError, match="reason"):
        services.adjust_stock(by=manager_a, location=site_a, lot=lot, change=1, reason=" ")


@pytest.mark.django_db
def test_count_sheet_reconciles_levels_to_the_count(manager_a, site_a, naloxone):
    lot_a = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=10,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    ).lot
    lot_b = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=5,
        lot_number="B",
        expires_on=TODAY + timedelta(days=99),
    ).lot

    movements = services.reconcile_count(
        by=manager_a, location=site_a, counts={lot_a.pk: 7, lot_b.pk: 5}
    )

    assert [m.quantity for m in movements] == [-3]
    assert (on_hand(site_a, lot_a), on_hand(site_a, lot_b)) == (7, 5)
    assert ledger_sum(site_a, lot_a) == 7


@pytest.mark.django_db
def test_another_programs_location_is_refused(manager_a, site_b, naloxone):
    with pytest.raises(services.StockError, match="No such location"):
        services.receive_shipment(
            by=manager_a,
            location=site_b,
            item=naloxone,
            quantity=5,
            lot_number="A",
            expires_on=TODAY,
        )


@pytest.mark.django_db
def test_encounter_takes_stock_and_undo_puts_it_back(outreach_a, site_a, manager_a, naloxone):
    lot = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=5,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    ).lot
    encounter, _ = encounter_services.record_encounter(
        by=outreach_a,
        participant=None,
        location=site_a,
        kind=Encounter.Kind.FIXED_SITE,
        supplies=[encounter_services.SupplyLine(item=naloxone, quantity=2)],
    )
    assert on_hand(site_a, lot) == 3

    encounter_services.undo_encounter(by=outreach_a, encounter=encounter)

    assert on_hand(site_a, lot) == 5
    assert ledger_sum(site_a, lot) == 5


@pytest.mark.django_db
def test_encounter_without_enough_stock_is_not_half_saved(outreach_a, site_a, manager_a, naloxone):
    other = ItemFactory(program=naloxone.program, name="Condoms")
    services.receive_shipment(by=manager_a, location=site_a, item=other, quantity=50)
    services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=1,
        lot_number="A",
        expires_on=TODAY + timedelta(days=90),
    )

    with pytest.raises(encounter_services.EncounterError, match="Only 1 of Naloxone"):
        encounter_services.record_encounter(
            by=outreach_a,
            participant=None,
            location=site_a,
            kind=Encounter.Kind.FIXED_SITE,
            supplies=[
                encounter_services.SupplyLine(item=other, quantity=10),
                encounter_services.SupplyLine(item=naloxone, quantity=2),
            ],
        )

    assert not Encounter.objects.exists()
    assert StockLevel.objects.get(lot__item=other).on_hand == 50


@pytest.mark.django_db(transaction=True)
def test_two_workers_handing_out_the_last_units_at_once(manager_a, outreach_a, site_a, naloxone):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this test is about: PostgreSQL only")
    lot = services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=3,
        lot_number="LAST",
        expires_on=TODAY + timedelta(days=90),
    ).lot
    barrier = threading.Barrier(2)
    results = []

    def hand_out():
        try:
            barrier.wait()
            services.distribute_item(by=outreach_a, location=site_a, item=naloxone, quantity=2)
            results.append("ok")
        except services.InsufficientStock:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hand_out) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["ok", "refused"]
    assert on_hand(site_a, lot) == 1
    assert ledger_sum(site_a, lot) == 1


operations = st.lists(
    st.tuples(
        st.sampled_from(["receive", "distribute", "transfer", "adjust"]),
        st.integers(min_value=0, max_value=1),  # location index
        st.integers(min_value=0, max_value=1),  # lot index
        st.integers(min_value=-20, max_value=20),
    ),
    max_size=25,
)


class TestLedgerProperties(HypothesisTestCase):
    """Whatever happens, each level equals the sum of its movements and is never negative."""

    # 60 under HYPOTHESIS_PROFILE=thorough; each example makes a program, its stock and ledger.
    @settings(
        max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(steps=operations)
    def test_levels_always_equal_the_ledger_and_never_go_negative(self, steps):
        program = ProgramFactory()
        manager = UserFactory(program=program, role="manager")
        locations = [LocationFactory(program=program) for _ in range(2)]
        item = ItemFactory(program=program, tracks_lots=True)
        lot_numbers = ["L0", "L1"]
        expiries = [TODAY + timedelta(days=10), TODAY + timedelta(days=20)]
        for kind, location_index, lot_index, amount in steps:
            location = locations[location_index]
            try:
                if kind == "receive":
                    services.receive_shipment(
                        by=manager,
                        location=location,
                        item=item,
                        quantity=amount,
                        lot_number=lot_numbers[lot_index],
                        expires_on=expiries[lot_index],
                    )
                elif kind == "distribute":
                    services.distribute_item(
                        by=manager, location=location, item=item, quantity=amount
                    )
                else:
                    lot = Lot.objects.filter(item=item, lot_number=lot_numbers[lot_index]).first()
                    if lot is None:
                        continue
                    if kind == "transfer":
                        services.transfer_stock(
                            by=manager,
                            lot=lot,
                            quantity=amount,
                            from_location=location,
                            to_location=locations[1 - location_index],
                        )
                    else:
                        services.adjust_stock(
                            by=manager, location=location, lot=lot, change=amount, reason="count"
                        )
            except services.StockError:
                pass
            for level in StockLevel.objects.filter(lot__item=item):
                assert level.on_hand >= 0
                assert level.on_hand == ledger_sum(level.location, level.lot)


@pytest.mark.django_db
def test_receiving_a_blank_lot_number_for_a_tracked_item_is_refused(manager_a, site_a, naloxone):
    with pytest.raises(services.StockError, match="lot number"):
        services.receive_shipment(
            by=manager_a,
            location=site_a,
            item=naloxone,
            quantity=5,
            lot_number="  ",
            expires_on=TODAY,
        )


@pytest.mark.django_db
def test_reversal_without_a_dose_is_refused(outreach_a):
    with pytest.raises(services.StockError, match="at least one dose"):
        field_records.report_overdose_reversal(
            by=outreach_a,
            reported_on=TODAY,
            place="Riverside",
            doses_used=0,
            outcome="survived",
            ems_called="no",
            kit_source="this_program",
        )


@pytest.mark.django_db
def test_collection_needs_a_count_or_a_weight(outreach_a, site_a):
    with pytest.raises(services.StockError, match="Give a count or a weight"):
        field_records.record_syringe_collection(
            by=outreach_a, location=site_a, source="drop_box", collected_on=TODAY
        )
