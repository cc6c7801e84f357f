"""Lists of items, kits and locations follow the names people read: in Spanish, Spanish
alphabetical order (an accented initial among its letter), after any display order."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.selectors import locations_for
from supplies.models import Item
from supplies.selectors import items_for
from supplies.services import receive_shipment
from tests.factories import ItemFactory, LocationFactory

pytestmark = pytest.mark.django_db

# English order: Bandage, Tourniquet, Vitamin C. Spanish: Ácido ascórbico, Compresor, Venda.
NAMES = {"Tourniquet": "Compresor", "Vitamin C": "Ácido ascórbico", "Bandage": "Venda"}


@pytest.fixture
def items(program_a, site_a, manager_a):
    made = []
    for name, spanish in NAMES.items():
        item = ItemFactory(
            program=program_a,
            name=name,
            name_translations={"es": spanish},
            category=Item.Category.WOUND_CARE,
        )
        receive_shipment(by=manager_a, location=site_a, item=item, quantity=50)
        made.append(item)
    return made


def client_in(language: str, user) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def in_page_order(page: str, names) -> list[str]:
    found = {name: page.find(name) for name in names}
    assert all(at >= 0 for at in found.values()), found
    return sorted(found, key=found.get)


def test_stock_page_in_spanish_lists_items_in_spanish_order(items, outreach_a):
    spanish = client_in("es", outreach_a).get(reverse("supplies:stock")).content.decode()
    english = client_in("en", outreach_a).get(reverse("supplies:stock")).content.decode()

    assert in_page_order(spanish, NAMES.values()) == ["Ácido ascórbico", "Compresor", "Venda"]
    assert in_page_order(english, NAMES) == ["Bandage", "Tourniquet", "Vitamin C"]


def test_count_sheet_in_spanish_lists_items_in_spanish_order(items, manager_a, site_a):
    url = reverse("supplies:count", args=[site_a.pk])

    page = client_in("es", manager_a).get(url).content.decode()

    assert in_page_order(page, NAMES.values()) == ["Ácido ascórbico", "Compresor", "Venda"]


def test_encounter_screen_in_spanish_orders_counters_and_locations_in_spanish(
    items, manager_a, program_a, site_a
):
    site_a.name_translations = {"es": "Zona de acogida"}
    site_a.save()
    LocationFactory(program=program_a, name="Van", name_translations={"es": "Furgoneta"})

    page = client_in("es", manager_a).get(reverse("encounters:new")).content.decode()

    assert in_page_order(page, NAMES.values()) == ["Ácido ascórbico", "Compresor", "Venda"]
    assert in_page_order(page, ["Zona de acogida", "Furgoneta"]) == [
        "Furgoneta",
        "Zona de acogida",
    ]


def test_display_order_comes_before_the_name(items, outreach_a):
    bandage = Item.objects.get(name="Bandage")
    bandage.display_order = 1
    bandage.save()

    with translation.override("es"):
        names = [item.localized_name for item in items_for(outreach_a)]

    assert names == ["Venda", "Ácido ascórbico", "Compresor"]


def test_untranslated_names_sort_as_entered_among_translated_ones(outreach_a, program_a, site_a):
    site_a.name_translations = {"es": "Centro"}
    site_a.save()
    LocationFactory(program=program_a, name="Bodega")
    LocationFactory(program=program_a, name="Almacén", name_translations={"es": " "})

    with translation.override("es"):
        spanish = [location.localized_name for location in locations_for(outreach_a)]
    with translation.override("en"):
        english = [location.name for location in locations_for(outreach_a)]

    assert spanish == ["Almacén", "Bodega", "Centro"]
    assert english == ["A Drop-in", "Almacén", "Bodega"]


def test_a_database_without_the_languages_collation_still_lists_by_name(items, manager_a):
    from core.translated_names import localized_name_order

    # No PostgreSQL has an ICU collation for "xx": the list is in the database's own order.
    ordered = Item.objects.filter(program=manager_a.program).order_by(
        localized_name_order(language="xx")
    )

    assert [item.name for item in ordered] == ["Bandage", "Tourniquet", "Vitamin C"]
