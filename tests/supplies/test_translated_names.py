"""Item, kit and location names in each enabled language, with the name as entered as the
fallback: on the encounter screen, the stock page, the dashboard, the catalogue the phone keeps,
and editable by managers."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from core.translated_names import localized_name, translated_name_form
from supplies.models import Item, Kit, Lot
from supplies.services import StockError, translate_names
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

SYRINGE = "Syringe 1 mL 28G"


def spanish_client(user) -> Client:
    user.language = "es"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_localized_name_falls_back_to_the_name_as_entered():
    assert localized_name("Cooker", {"es": "Cazoleta"}, "es") == "Cazoleta"
    assert localized_name("Cooker", {"es": "Cazoleta"}, "en") == "Cooker"
    assert localized_name("Cooker", {"es": "  "}, "es") == "Cooker"
    assert localized_name("Cooker", {}, "es-mx") == "Cooker"
    with translation.override("es"):
        assert localized_name("Cooker", {"es": "Cazoleta"}) == "Cazoleta"


def test_the_usual_catalogue_ships_spanish_names(catalogue_a, program_a):
    syringe = Item.objects.get(program=program_a, name=SYRINGE)
    kit = Kit.objects.get(program=program_a, name="Standard injection kit")

    with translation.override("es"):
        assert str(syringe) == "Jeringa 1 mL 28G"
        assert kit.localized_name == "Kit de inyección estándar"
    with translation.override("en"):
        assert str(syringe) == SYRINGE
    assert not Item.objects.filter(program=program_a, name_translations={}).exists()


def test_encounter_screen_in_spanish_shows_spanish_item_kit_and_location_names(
    catalogue_a, outreach_a, site_a
):
    site_a.name_translations = {"es": "Centro de acogida A"}
    site_a.save()

    page = spanish_client(outreach_a).get(reverse("encounters:new")).content.decode()

    assert "Jeringa 1 mL 28G" in page
    assert "Kit de inyección estándar" in page
    assert "Centro de acogida A" in page
    assert SYRINGE not in page
    assert "Standard injection kit" not in page


def test_stock_page_in_spanish_shows_spanish_names(catalogue_a, outreach_a):
    page = spanish_client(outreach_a).get(reverse("supplies:stock")).content.decode()

    assert "Agua estéril" in page
    assert "Sterile water" not in page


def test_an_untranslated_item_shows_as_entered(catalogue_a, outreach_a, program_a):
    ItemFactory(program=program_a, name="Brand X lip balm", category=Item.Category.HYGIENE)

    page = spanish_client(outreach_a).get(reverse("encounters:new")).content.decode()

    assert "Brand X lip balm" in page


def test_dashboard_names_locations_in_spanish(catalogue_a, manager_a, site_a):
    site_a.name_translations = {"es": "Centro de acogida A"}
    site_a.save()

    page = (
        spanish_client(manager_a)
        .get(reverse("reports:dashboard"), {"location": site_a.pk})
        .content.decode()
    )

    assert "Centro de acogida A" in page
    assert "A Drop-in" not in page


def test_catalogue_api_carries_every_language_and_the_requests_name(catalogue_a, outreach_a):
    client = spanish_client(outreach_a)

    items = client.get(reverse("api:item-list"), {"page_size": 500}).json()["results"]
    kits = client.get(reverse("api:kit-list"), {"page_size": 500}).json()["results"]

    syringe = next(item for item in items if item["name"] == SYRINGE)
    assert syringe["name_translations"] == {"es": "Jeringa 1 mL 28G"}
    assert syringe["localized_name"] == "Jeringa 1 mL 28G"
    kit = next(kit for kit in kits if kit["name"] == "Standard injection kit")
    assert kit["localized_name"] == "Kit de inyección estándar"


def test_manager_renames_items_kits_and_locations_in_spanish(catalogue_a, manager_a, site_a):
    client = Client()
    client.force_login(manager_a)
    cooker = Item.objects.get(program=manager_a.program, name="Cooker")
    page = client.get(reverse("supplies:names"))
    assert page.status_code == 200
    data = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    data[f"item_{cooker.pk}_es"] = "Cuchara"
    data[f"location_{site_a.pk}_es"] = "Centro A"

    response = client.post(reverse("supplies:names"), data)

    assert response.status_code == 302
    cooker.refresh_from_db()
    site_a.refresh_from_db()
    assert cooker.name_translations == {"es": "Cuchara"}
    assert site_a.name_translations == {"es": "Centro A"}
    entries = AuditEntry.objects.filter(action="supplies.names.translated")
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {manager_a}


def test_saving_the_page_keeps_names_of_rows_added_since_it_was_opened(catalogue_a, manager_a):
    client = Client()
    client.force_login(manager_a)
    page = client.get(reverse("supplies:names"))
    data = {name: field.initial or "" for name, field in page.context["form"].fields.items()}
    added_meanwhile = ItemFactory(
        program=manager_a.program, name="Wound kit", name_translations={"es": "Kit de heridas"}
    )

    response = client.post(reverse("supplies:names"), data)

    assert response.status_code == 302
    added_meanwhile.refresh_from_db()
    assert added_meanwhile.name_translations == {"es": "Kit de heridas"}


def test_an_emptied_name_falls_back_again(catalogue_a, manager_a):
    cooker = Item.objects.get(program=manager_a.program, name="Cooker")

    translate_names(by=manager_a, names={cooker: {"es": ""}})

    cooker.refresh_from_db()
    assert cooker.name_translations == {}
    with translation.override("es"):
        assert str(cooker) == "Cooker"


def test_outreach_workers_cannot_rename(catalogue_a, outreach_a):
    client = Client()
    client.force_login(outreach_a)

    assert client.get(reverse("supplies:names")).status_code in (403, 404)
    with pytest.raises(StockError):
        translate_names(by=outreach_a, names={})


def test_a_manager_cannot_rename_another_programs_item(catalogue_a, program_b):
    from tests.factories import UserFactory

    other_item = ItemFactory(program=program_b, name="Cooker")
    manager_b = UserFactory(username="manager_b", role="manager", program=program_b)

    translate_names(by=manager_b, names={other_item: {"es": "Cuchara"}})
    with pytest.raises(StockError):
        translate_names(by=manager_b, names={Item.objects.exclude(program=program_b)[0]: {}})


def test_the_admin_form_edits_the_spanish_name(catalogue_a, program_a):
    cooker = Item.objects.get(program=program_a, name="Cooker")
    form_class = translated_name_form(Item)
    form = form_class(instance=cooker)
    assert form["name_es"].initial == "Cazoleta"
    data = {field: form[field].value() for field in form.fields if form[field].value() is not None}
    data["name_es"] = "Cuchara"

    bound = form_class(data, instance=cooker)
    assert bound.is_valid(), bound.errors
    bound.save()

    cooker.refresh_from_db()
    assert cooker.name_translations == {"es": "Cuchara"}


def test_the_names_page_costs_a_few_queries_whatever_the_catalogue(
    catalogue_a, manager_a, django_assert_max_num_queries
):
    client = Client()
    client.force_login(manager_a)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("supplies:names")).status_code == 200


def test_a_lot_reads_in_spanish_with_its_item_name(catalogue_a, program_a):
    lot = Lot.objects.filter(item__program=program_a, item__name="Sterile water").first()

    with translation.override("es"):
        assert str(lot).startswith("Agua estéril, lote L1, vence ")
