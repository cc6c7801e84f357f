"""Items, kits, locations and stock levels: the program's own, read through the selectors."""

import pytest

from supplies.models import Kit, KitItem
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_items_list_the_active_catalogue_in_display_order(outreach_a_api, program_a, syringes):
    ItemFactory(program=program_a, name="Old pipe", is_active=False)
    ItemFactory(program=program_a, name="Cooker", display_order=1)

    names = [row["name"] for row in outreach_a_api.get("/api/v1/items/").json()["results"]]

    assert names == ["Cooker", "Syringe 1 mL"]


def test_program_b_gets_404_on_program_a_items_and_kits(outreach_b_api, program_a, syringes):
    kit = Kit.objects.create(program=program_a, name="Standard")
    KitItem.objects.create(kit=kit, item=syringes, quantity=10)

    assert outreach_b_api.get(f"/api/v1/items/{syringes.pk}/").status_code == 404
    assert outreach_b_api.get(f"/api/v1/kits/{kit.pk}/").status_code == 404
    assert outreach_b_api.get("/api/v1/items/").json()["results"] == []


def test_kits_come_with_their_lines(outreach_a_api, program_a, syringes):
    kit = Kit.objects.create(program=program_a, name="Standard")
    KitItem.objects.create(kit=kit, item=syringes, quantity=10)

    response = outreach_a_api.get("/api/v1/kits/")

    assert response.json()["results"] == [
        {
            "id": kit.pk,
            "name": "Standard",
            "name_translations": {},
            "localized_name": "Standard",
            "lines": [{"item": syringes.pk, "item_name": "Syringe 1 mL", "quantity": 10}],
        }
    ]


def test_locations_assigned_are_those_a_worker_may_record_at(
    outreach_a_api, manager_a_api, site_a, van_a, site_b
):
    def names(client, query=""):
        return [row["name"] for row in client.get(f"/api/v1/locations/{query}").json()["results"]]

    assert names(outreach_a_api) == ["A Drop-in", "A Van"]
    assert names(outreach_a_api, "?assigned=true") == ["A Drop-in"]
    assert names(manager_a_api, "?assigned=true") == ["A Drop-in", "A Van"]
    assert outreach_a_api.get(f"/api/v1/locations/{site_b.pk}/").status_code == 404


def test_stock_levels_show_what_is_on_hand_by_lot(outreach_a_api, stock_a, site_a):
    rows = outreach_a_api.get("/api/v1/stock-levels/", {"location": site_a.pk}).json()["results"]

    assert {(row["item_name"], row["lot_number"], row["on_hand"]) for row in rows} == {
        ("Syringe 1 mL", "", 1000),
        ("Naloxone nasal", "N1", 5),
    }


def test_program_b_sees_none_of_program_a_stock(outreach_b_api, stock_a, site_a):
    assert outreach_b_api.get("/api/v1/stock-levels/").json()["results"] == []
    response = outreach_b_api.get("/api/v1/stock-levels/", {"location": site_a.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["location"]
