from datetime import timedelta

import pytest

from supplies.catalogue import load_usual_catalogue
from supplies.models import Item
from supplies.services import receive_shipment


@pytest.fixture
def catalogue_a(program_a, site_a, manager_a):
    """Program A's usual items and kits (standard injection kit as usual bundle), in stock at
    site A: 1,000 of each, in one lot expiring in a year."""
    load_usual_catalogue(program=program_a)
    program_a.refresh_from_db()
    items = {item.name: item for item in Item.objects.filter(program=program_a)}
    for item in items.values():
        receive_shipment(
            by=manager_a,
            location=site_a,
            item=item,
            quantity=1000,
            lot_number="L1",
            expires_on=program_a.today() + timedelta(days=365),
        )
    return items


CODE_ANSWERS = {
    "code-mother_first_name": "María",
    "code-birth_month": "03",
    "code-birth_year": "1985",
    "code-birth_place": "Tucson",
    "code-gender": "F",
}
CODE_OF_ANSWERS = "MA0385TF"


@pytest.fixture
def code_answers():
    return dict(CODE_ANSWERS)
