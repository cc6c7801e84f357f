"""The usual catalogue of a syringe services program, for new programs and the demo."""

from datetime import timedelta

from django.db import transaction

from accounts.models import Program
from supplies.models import FundingSource, Item, Kit, KitItem, StockLevel
from supplies.services import receive_shipment

C = Item.Category

# (name, category, unit, tracks lots, naloxone doses per unit, most per encounter)
USUAL_ITEMS = [
    ("Syringe 1 mL 28G", C.SYRINGES, "each", False, None, 500),
    ("Syringe 1 mL 27G", C.SYRINGES, "each", False, None, 500),
    ("Syringe 0.5 mL 29G", C.SYRINGES, "each", False, None, 500),
    ("Syringe 3 mL 25G", C.SYRINGES, "each", False, None, 200),
    ("Insulin syringe", C.SYRINGES, "each", False, None, 200),
    ("Cooker", C.INJECTION_EQUIPMENT, "each", False, None, 200),
    ("Cottons", C.INJECTION_EQUIPMENT, "pack", False, None, 200),
    ("Sterile water", C.INJECTION_EQUIPMENT, "vial", True, None, 200),
    ("Alcohol pads", C.INJECTION_EQUIPMENT, "each", False, None, 500),
    ("Tourniquet", C.INJECTION_EQUIPMENT, "each", False, None, 20),
    ("Naloxone nasal 4 mg (2-dose kit)", C.NALOXONE, "kit", True, 2, 10),
    ("Naloxone injectable 0.4 mg", C.NALOXONE, "vial", True, 1, 10),
    ("Fentanyl test strip", C.DRUG_CHECKING, "each", True, None, 50),
    ("Xylazine test strip", C.DRUG_CHECKING, "each", True, None, 50),
    ("Smoking kit", C.SMOKING, "kit", False, None, 20),
    ("Pipe", C.SMOKING, "each", False, None, 20),
    ("Mouthpieces", C.SMOKING, "each", False, None, 50),
    ("Push sticks", C.SMOKING, "each", False, None, 50),
    ("Screens", C.SMOKING, "pack", False, None, 50),
    ("Snorting kit", C.SNORTING, "kit", False, None, 20),
    ("Wound care kit", C.WOUND_CARE, "kit", True, None, 10),
    ("Condoms", C.SEXUAL_HEALTH, "each", False, None, 100),
    ("Lubricant", C.SEXUAL_HEALTH, "each", False, None, 100),
    ("Sharps container", C.DISPOSAL, "each", False, None, 10),
    ("Hygiene kit", C.HYGIENE, "kit", False, None, 10),
    ("Overdose prevention leaflet", C.EDUCATIONAL, "each", False, None, 20),
    ("Safer use and wound care guide", C.EDUCATIONAL, "each", False, None, 20),
]

USUAL_KITS = {
    "Standard injection kit": [
        ("Syringe 1 mL 28G", 10),
        ("Cooker", 2),
        ("Cottons", 1),
        ("Sterile water", 2),
        ("Alcohol pads", 10),
    ],
    "Safer smoking kit": [("Smoking kit", 1), ("Mouthpieces", 2), ("Screens", 1)],
    "Naloxone and test strips": [
        ("Naloxone nasal 4 mg (2-dose kit)", 1),
        ("Fentanyl test strip", 5),
    ],
}
USUAL_BUNDLE = "Standard injection kit"

# The usual items' and kits' names in the other languages of the app.
USUAL_TRANSLATIONS = {
    "Syringe 1 mL 28G": {"es": "Jeringa 1 mL 28G"},
    "Syringe 1 mL 27G": {"es": "Jeringa 1 mL 27G"},
    "Syringe 0.5 mL 29G": {"es": "Jeringa 0,5 mL 29G"},
    "Syringe 3 mL 25G": {"es": "Jeringa 3 mL 25G"},
    "Insulin syringe": {"es": "Jeringa de insulina"},
    "Cooker": {"es": "Cazoleta"},
    "Cottons": {"es": "Filtros de algodón"},
    "Sterile water": {"es": "Agua estéril"},
    "Alcohol pads": {"es": "Toallitas con alcohol"},
    "Tourniquet": {"es": "Torniquete"},
    "Naloxone nasal 4 mg (2-dose kit)": {"es": "Naloxona nasal 4 mg (kit de 2 dosis)"},
    "Naloxone injectable 0.4 mg": {"es": "Naloxona inyectable 0,4 mg"},
    "Fentanyl test strip": {"es": "Tira reactiva de fentanilo"},
    "Xylazine test strip": {"es": "Tira reactiva de xilacina"},
    "Smoking kit": {"es": "Kit para fumar"},
    "Pipe": {"es": "Pipa"},
    "Mouthpieces": {"es": "Boquillas"},
    "Push sticks": {"es": "Varillas para empujar"},
    "Screens": {"es": "Filtros de malla"},
    "Snorting kit": {"es": "Kit para inhalar"},
    "Wound care kit": {"es": "Kit de cuidado de heridas"},
    "Condoms": {"es": "Condones"},
    "Lubricant": {"es": "Lubricante"},
    "Sharps container": {"es": "Contenedor de objetos punzocortantes"},
    "Hygiene kit": {"es": "Kit de higiene"},
    "Overdose prevention leaflet": {"es": "Folleto de prevención de sobredosis"},
    "Safer use and wound care guide": {"es": "Guía de consumo más seguro y cuidado de heridas"},
    "Standard injection kit": {"es": "Kit de inyección estándar"},
    "Safer smoking kit": {"es": "Kit para fumar más seguro"},
    "Naloxone and test strips": {"es": "Naloxona y tiras reactivas"},
}


@transaction.atomic
def test_strip_kind(name: str, category: str) -> str:
    """What a drug-checking item detects, read from its name; blank for other items."""
    if category != C.DRUG_CHECKING:
        return ""
    lowered = name.lower()
    for kind in (Item.TestStripKind.FENTANYL, Item.TestStripKind.XYLAZINE):
        if kind.value in lowered:
            return kind.value
    return Item.TestStripKind.OTHER.value


def load_usual_catalogue(*, program: Program) -> None:
    """Give a program the usual items and kits; items it already has are left as they are."""
    items = {}
    for order, (name, category, unit, tracks_lots, doses, most) in enumerate(USUAL_ITEMS):
        items[name], _ = Item.objects.get_or_create(
            program=program,
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "tracks_lots": tracks_lots,
                "doses_per_unit": doses,
                "max_per_encounter": most,
                "display_order": order,
                "test_strip_kind": test_strip_kind(name, category),
                "name_translations": USUAL_TRANSLATIONS.get(name, {}),
            },
        )
    for kit_name, lines in USUAL_KITS.items():
        kit, created = Kit.objects.get_or_create(
            program=program,
            name=kit_name,
            defaults={"name_translations": USUAL_TRANSLATIONS.get(kit_name, {})},
        )
        if created:
            KitItem.objects.bulk_create(
                KitItem(kit=kit, item=items[item_name], quantity=quantity)
                for item_name, quantity in lines
            )
    if program.usual_bundle_id is None:
        program.usual_bundle = Kit.objects.get(program=program, name=USUAL_BUNDLE)
        program.save(update_fields=["usual_bundle"])


def add_usual_translations(*, program: Program) -> None:
    """The usual names in other languages for the program's usual items and kits that have
    none yet (a demo made before they shipped)."""
    for model in (Item, Kit):
        for row in model.objects.filter(
            program=program, name__in=USUAL_TRANSLATIONS, name_translations={}
        ):
            row.name_translations = USUAL_TRANSLATIONS[row.name]
            row.save(update_fields=["name_translations"])


DEMO_STOCK_PER_LOCATION = 2_000


@transaction.atomic
def stock_demo_locations(*, program: Program, by) -> None:
    """Receive a first shipment of every item at each location that has no stock yet."""
    today = program.today()
    funding, _ = FundingSource.objects.get_or_create(program=program, name="State opioid grant")
    for location in program.locations.filter(is_active=True):
        if StockLevel.objects.filter(location=location).exists():
            continue
        for number, item in enumerate(program.items.filter(is_active=True), start=1):
            receive_shipment(
                by=by,
                location=location,
                item=item,
                quantity=DEMO_STOCK_PER_LOCATION,
                lot_number=f"DEMO-{number:03d}" if item.tracks_lots else "",
                expires_on=today + timedelta(days=30 * (6 + number % 18))
                if item.tracks_lots
                else None,
                funding_source=funding,
                supplier="Demo supplier",
            )
