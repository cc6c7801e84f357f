"""What a funder report holds, and its three files: CSV, XLSX (openpyxl) and PDF (reportlab).

`report_content()` computes the measures and breakdowns of a definition for a period through
`reports.disclosure` (the published values, never the true counts of people); the renderers
only lay that content out, so the three files always show the same numbers.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from accounts.models import Program
from core.spreadsheets import CsvWriter, without_formulas
from reports import measures
from reports.disclosure import PublishedTable, Shown, audit, method_note, published_report


class ReportContentError(Exception):
    """A definition that cannot be computed as it stands; the message says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MeasureLine:
    key: str
    label: str
    definition: str
    shown: Shown


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows, as published: the one input of every renderer."""

    title: str
    program: str
    period_start: date
    period_end: date
    generated_at: datetime
    measures: list[MeasureLine]
    tables: list[PublishedTable]
    threshold: int
    # What the release check left out (breakdown and measure keys).
    withheld: tuple[str, ...] = ()

    @property
    def released_cells(self) -> dict:
        """The protected cells the release check relates (recorded as a Release)."""
        return audit.released_cells({line.key: line.shown for line in self.measures}, self.tables)

    @property
    def period_label(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(self.period_start, "DATE_FORMAT"),
            "end": formats.date_format(self.period_end, "DATE_FORMAT"),
        }

    @property
    def method_note(self) -> str:
        return method_note(self.threshold)


def report_content(
    *,
    program: Program,
    title: str,
    measure_keys: list[str],
    breakdown_keys: list[str],
    start: date,
    end: date,
    threshold: int | None = None,
    earlier: list[audit.ReleaseCells] | None = None,
    withhold_first: list[str] = (),
) -> ReportContent:
    """A report's numbers as published (one aggregate query per source and table).

    With `earlier` (the program's releases so far), the release check runs: whatever would,
    with them, pin a small count is withheld (reports.disclosure.audit), starting with
    `withhold_first`.
    """
    unknown = [key for key in measure_keys if key not in measures.MEASURES]
    unknown += [key for key in breakdown_keys if key not in measures.BREAKDOWNS]
    if unknown:
        raise ReportContentError(
            _("The definition names measures that do not exist (any more): %(keys)s.")
            % {"keys": ", ".join(unknown)}
        )
    scope = measures.Scope(program=program, start=start, end=end)
    published = published_report(scope, measure_keys, breakdown_keys, threshold=threshold)
    shown, tables, withheld = published.measures, published.tables, []
    if earlier is not None:
        shown, tables, withheld = audit.withheld_until_safe(
            period=(start, end),
            measures=shown,
            tables=tables,
            earlier=earlier,
            threshold=published.threshold,
            first=withhold_first,
        )
    lines = [
        MeasureLine(
            key=key,
            label=str(measures.MEASURES[key].label),
            definition=str(measures.MEASURES[key].definition),
            shown=shown[key],
        )
        for key in measure_keys
    ]
    return ReportContent(
        title=title,
        program=program.name,
        period_start=start,
        period_end=end,
        # The program's time, with its offset: the funder reads the program's day, not the server's.
        generated_at=timezone.localtime(timezone.now(), program.tzinfo),
        measures=lines,
        tables=tables,
        threshold=published.threshold,
        withheld=tuple(withheld),
    )


# --- A frozen release (the community page shows a period the same way every time) ---------------


def content_to_json(content: ReportContent) -> dict:
    def cell(shown: Shown) -> list:
        return [shown.value, shown.hidden]

    return {
        "title": content.title,
        "program": content.program,
        "period": [content.period_start.isoformat(), content.period_end.isoformat()],
        "generated_at": content.generated_at.isoformat(),
        "threshold": content.threshold,
        "withheld": list(content.withheld),
        "measures": [
            [line.key, line.label, line.definition, cell(line.shown)] for line in content.measures
        ],
        "tables": [
            {
                "key": table.key,
                "title": table.title,
                "definition": table.definition,
                "counts_people": table.counts_people,
                "row_header": table.row_header,
                "columns": table.columns,
                "rows": [[label, [cell(c) for c in cells]] for label, cells in table.rows],
                "total_row": [cell(c) for c in table.total_row] if table.total_row else None,
                "hidden_count": table.hidden_count,
                "withheld": table.withheld,
            }
            for table in content.tables
        ],
    }


def content_from_json(data: dict) -> ReportContent:
    threshold = data["threshold"]

    def shown(pair) -> Shown:
        return Shown(pair[0], pair[1], threshold)

    return ReportContent(
        title=data["title"],
        program=data["program"],
        period_start=date.fromisoformat(data["period"][0]),
        period_end=date.fromisoformat(data["period"][1]),
        generated_at=datetime.fromisoformat(data["generated_at"]),
        measures=[
            MeasureLine(key=key, label=label, definition=definition, shown=shown(pair))
            for key, label, definition, pair in data["measures"]
        ],
        tables=[
            PublishedTable(
                key=table["key"],
                title=table["title"],
                definition=table["definition"],
                counts_people=table["counts_people"],
                row_header=table["row_header"],
                columns=table["columns"],
                rows=[(label, [shown(c) for c in cells]) for label, cells in table["rows"]],
                total_row=[shown(c) for c in table["total_row"]] if table["total_row"] else None,
                hidden_count=table["hidden_count"],
                withheld=table["withheld"],
            )
            for table in data["tables"]
        ],
        threshold=threshold,
        withheld=tuple(data["withheld"]),
    )


def _table_rows(table: PublishedTable) -> list[list]:
    """Header, body and total rows of a breakdown, each cell a number or a label."""
    rows = [[table.row_header, *table.columns]]
    rows += [[label, *(cell.export_value for cell in cells)] for label, cells in table.rows]
    if table.total_row is not None:
        rows.append([_("Total"), *(cell.export_value for cell in table.total_row)])
    return rows


def _no_rows_text(table: PublishedTable | None = None) -> str:
    if table is not None and table.withheld:
        return WITHHELD_TEXT()
    return _("Nothing to count in this period.")


def WITHHELD_TEXT() -> str:
    return _(
        "Withheld from this release: together with the program's earlier releases it would "
        "let a small count be worked out."
    )


# --- CSV ---------------------------------------------------------------------------------------


def render_csv(content: ReportContent) -> bytes:
    """One file: the report's heading, the measures with their definitions, each breakdown."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow([_("Report"), content.title])
    writer.writerow([_("Program"), content.program])
    writer.writerow([_("Period"), content.period_start.isoformat(), content.period_end.isoformat()])
    writer.writerow([_("Generated"), content.generated_at.isoformat(timespec="seconds")])
    writer.writerow([_("Disclosure control"), content.method_note])
    if content.measures:
        writer.writerow([])
        writer.writerow([_("Measures")])
        writer.writerow([_("Measure"), _("Value"), _("Definition")])
        for line in content.measures:
            writer.writerow([line.label, line.shown.export_value, line.definition])
    for table in content.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([_("Definition"), table.definition])
        if table.rows:
            writer.writerows(_table_rows(table))
        else:
            writer.writerow([_no_rows_text(table)])
    # A byte-order mark so that spreadsheet programs read accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------------

SHEET_TITLE_LENGTH = 31
FORBIDDEN_IN_SHEET_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(title: str, taken: set[str]) -> str:
    base = title.translate(FORBIDDEN_IN_SHEET_TITLES).strip()[:SHEET_TITLE_LENGTH] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = base[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def render_xlsx(content: ReportContent) -> bytes:
    """A summary sheet (measures, values, definitions) and one sheet per breakdown."""
    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_title(_("Summary"), taken)
    summary.append([content.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Program"), content.program])
    summary.append([_("Period"), content.period_start, content.period_end])
    summary.append([_("Generated"), content.generated_at.replace(tzinfo=None)])
    summary.append([_("Disclosure control"), content.method_note])
    summary.append([])
    summary.append([_("Measure"), _("Value"), _("Definition")])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for line in content.measures:
        summary.append([line.label, line.shown.export_value, line.definition])
        summary.cell(row=summary.max_row, column=3).alignment = wrap
    for row in (3,):
        for cell in summary[row][1:]:
            cell.number_format = "yyyy-mm-dd"
    summary.cell(row=4, column=2).number_format = "yyyy-mm-dd hh:mm"
    summary.column_dimensions["A"].width = 42
    summary.column_dimensions["B"].width = 14
    summary.column_dimensions["C"].width = 90

    for table in content.tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_("Definition"), table.definition])
        sheet.append([])
        if not table.rows:
            sheet.append([_no_rows_text(table)])
            continue
        rows = _table_rows(table)
        for row in rows:
            sheet.append(row)
        for cell in sheet[4]:
            cell.font = bold
        if table.total_row is not None:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        sheet.column_dimensions["A"].width = 36
        for index in range(2, len(rows[0]) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
        if table.hidden_count:
            sheet.append([])
            sheet.append([content.method_note])
    without_formulas(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

ACCENT = colors.HexColor("#0d6efd")
GRID = colors.HexColor("#bbbbbb")
LIGHT = colors.HexColor("#eef3fb")
CHART_WIDTH = 6.5 * inch
MOST_CHART_BARS = 12


def _styles():
    styles = getSampleStyleSheet()
    return {
        "title": styles["Title"],
        "heading": styles["Heading2"],
        "body": styles["BodyText"],
        "small": ParagraphStyle(
            "small", parent=styles["BodyText"], fontSize=8, leading=10, alignment=TA_LEFT
        ),
        "cell": ParagraphStyle("cell", parent=styles["BodyText"], fontSize=9, leading=11),
    }


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _grid_style(*, header_rows: int = 1, total_row: bool = False) -> TableStyle:
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), LIGHT),
        ("FONTNAME", (0, 0), (-1, header_rows - 1), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]
    if total_row:
        commands.append(("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"))
    return TableStyle(commands)


def _bar_chart(table: PublishedTable, *, column: int = 0) -> Flowable | None:
    """A horizontal bar chart of one column of a breakdown: only the cells that are shown."""
    bars = [
        (label, cells[column].value)
        for label, cells in table.rows
        if not cells[column].is_hidden and isinstance(cells[column].value, int | float)
    ][:MOST_CHART_BARS]
    if len(bars) < 2:
        return None
    bar_height = 18
    height = bar_height * len(bars) + 50
    drawing = Drawing(CHART_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x = 2.2 * inch
    chart.y = 20
    chart.width = CHART_WIDTH - 2.2 * inch - 20
    chart.height = bar_height * len(bars)
    # Bars top to bottom in table order.
    chart.data = [[value for _label, value in reversed(bars)]]
    chart.categoryAxis.categoryNames = [label[:38] for label, _value in reversed(bars)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = ACCENT
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    title = f"{table.title}: {table.columns[column]}"
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing


def _charts(content: ReportContent) -> list[Flowable]:
    """One or two charts: the first breakdown of supplies and the first about people."""
    chosen = []
    for wanted_people in (False, True):
        for table in content.tables:
            if table.counts_people == wanted_people:
                drawing = _bar_chart(table, column=_chart_column(table))
                if drawing is not None:
                    chosen.append(drawing)
                    break
    return chosen


def _chart_column(table: PublishedTable) -> int:
    """The last column: the total of a cross-table, people trained beside sessions."""
    return len(table.columns) - 1


def render_pdf(content: ReportContent) -> bytes:
    """Title, period, the measures with their definitions, charts, then each breakdown."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.75 * inch,
        bottomMargin=0.75 * inch,
        title=content.title,
        author=content.program,
    )
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(_escaped(content.title), styles["title"]),
        Paragraph(
            _escaped(
                _("%(program)s, %(period)s")
                % {"program": content.program, "period": content.period_label}
            ),
            styles["body"],
        ),
        Paragraph(
            _escaped(
                _("Made %(when)s, the program's time.")
                % {"when": formats.date_format(content.generated_at, "DATETIME_FORMAT")}
            ),
            styles["small"],
        ),
        Paragraph(_escaped(content.method_note), styles["small"]),
        Spacer(1, 0.2 * inch),
    ]
    if content.measures:
        story.append(Paragraph(_escaped(_("Measures")), styles["heading"]))
        rows = [[_("Measure"), _("Value"), _("Definition")]]
        for line in content.measures:
            rows.append(
                [
                    Paragraph(_escaped(line.label), styles["cell"]),
                    line.shown.text,
                    Paragraph(_escaped(line.definition), styles["small"]),
                ]
            )
        measures_table = Table(rows, colWidths=[2.0 * inch, 0.9 * inch, 4.1 * inch], repeatRows=1)
        measures_table.setStyle(_grid_style())
        story += [measures_table, Spacer(1, 0.25 * inch)]
    for drawing in _charts(content):
        story += [drawing, Spacer(1, 0.2 * inch)]
    for table in content.tables:
        heading = [
            Paragraph(_escaped(table.title), styles["heading"]),
            Paragraph(_escaped(table.definition), styles["small"]),
            Spacer(1, 0.08 * inch),
        ]
        if not table.rows:
            story.append(KeepTogether([*heading, Paragraph(_no_rows_text(table), styles["body"])]))
            continue
        rows = [
            [
                Paragraph(_escaped(str(cell)), styles["cell"])
                if index == 0
                else (cell if isinstance(cell, str) else Shown(cell).text)
                for index, cell in enumerate(row)
            ]
            for row in _table_rows(table)
        ]
        width = document.width
        first = min(2.6 * inch, width / 2)
        rest = (width - first) / max(1, len(rows[0]) - 1)
        pdf_table = Table(rows, colWidths=[first] + [rest] * (len(rows[0]) - 1), repeatRows=1)
        pdf_table.setStyle(_grid_style(total_row=table.total_row is not None))
        story.append(KeepTogether([*heading, pdf_table]))
        story.append(Spacer(1, 0.2 * inch))
    document.build(story)
    return buffer.getvalue()


# --- A run's stored files, as downloaded from the pages and the API -----------------------------


@dataclass(frozen=True)
class RunFileFormat:
    field: str  # the ReportRun field holding the file
    content_type: str


RUN_FILE_FORMATS = {
    "csv": RunFileFormat("csv_file", "text/csv; charset=utf-8"),
    "xlsx": RunFileFormat(
        "xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "pdf": RunFileFormat("pdf_file", "application/pdf"),
}


def run_file_name(*, definition_name: str, start: date, end: date, file_format: str) -> str:
    """`monthly-program-report-2025-03-01-2025-03-31.pdf`: what a download is saved as."""
    name = slugify(definition_name) or "report"
    return f"{name}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.{file_format}"
