"""The ready-made reports' names and descriptions read in the reader's language, until the
program renames them."""

import pytest
from django.utils import translation

from reports.models import ReportDefinition
from reports.services import add_ready_definitions

pytestmark = pytest.mark.django_db


def test_a_ready_report_added_in_english_reads_in_spanish(program_a):
    with translation.override("en"):
        add_ready_definitions(program=program_a, by=None)
    monthly = ReportDefinition.objects.get(program=program_a, ready_key="monthly_program")
    assert monthly.name == "Monthly program report"

    with translation.override("es"):
        assert monthly.shown_name == "Informe mensual del programa"
        assert str(monthly) == monthly.shown_name
        assert monthly.shown_description.startswith("El mes")
    with translation.override("en"):
        assert monthly.shown_name == "Monthly program report"


def test_a_ready_report_added_in_spanish_reads_in_english(program_a):
    with translation.override("es"):
        add_ready_definitions(program=program_a, by=None)
    monthly = ReportDefinition.objects.get(program=program_a, ready_key="monthly_program")

    with translation.override("en"):
        assert monthly.shown_name == "Monthly program report"


def test_a_renamed_ready_report_keeps_the_programs_name(program_a):
    add_ready_definitions(program=program_a, by=None)
    ReportDefinition.objects.filter(ready_key="monthly_program").update(name="Board pack")
    monthly = ReportDefinition.objects.get(program=program_a, ready_key="monthly_program")

    with translation.override("es"):
        assert monthly.shown_name == "Board pack"
