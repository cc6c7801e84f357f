"""A measure whose true value is 0 is published as "<11", so every note that explains "<11"
says it covers 0 to 10: in the CSV, the XLSX, the PDF and on the page, in both languages."""

import csv
import html
import io

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports
from tests.reports.known_program import MARCH

pytestmark = pytest.mark.django_db

NOTE = {"en": "counts from 0 to 10 are shown as <11", "es": "los conteos de 0 a 10 se muestran"}


@pytest.fixture(name="empty_report")
def empty_report_fixture(program_a):
    """Nobody was served in the period: the true count is 0."""
    return exports.report_content(
        program=program_a,
        title="Empty month",
        measure_keys=["unduplicated_participants"],
        breakdown_keys=[],
        start=MARCH[0],
        end=MARCH[1],
    )


def every_text(content) -> dict[str, str]:
    csv_text = exports.render_csv(content).decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(exports.render_xlsx(content)))
    xlsx_text = " ".join(
        str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row
    )
    pages = PdfReader(io.BytesIO(exports.render_pdf(content))).pages
    pdf_text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    page = render_to_string("reports/_report_content.html", {"content": content})
    page_text = " ".join(html.unescape(page).split())
    return {"csv": csv_text, "xlsx": xlsx_text, "pdf": pdf_text, "page": page_text}


def test_a_true_zero_is_shown_as_the_small_count_label(empty_report):
    rows = list(csv.reader(io.StringIO(exports.render_csv(empty_report).decode("utf-8-sig"))))

    assert next(row[:2] for row in rows if row and row[0] == "Participants served") == [
        "Participants served",
        "<11",
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_note_says_the_label_covers_zero(empty_report, language):
    with translation.override(language):
        texts = every_text(empty_report)

    for where, text in texts.items():
        assert NOTE[language] in text, where
        assert "1 to 10" not in text and "1 a 10" not in text, where
