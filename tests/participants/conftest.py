import pytest

from supplies.catalogue import load_usual_catalogue
from supplies.models import Item


@pytest.fixture
def catalogue_a(program_a):
    """Program A's usual items and kits, with the standard injection kit as usual bundle."""
    load_usual_catalogue(program=program_a)
    program_a.refresh_from_db()
    return {item.name: item for item in Item.objects.filter(program=program_a)}


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
