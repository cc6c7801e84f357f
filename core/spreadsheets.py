"""Files a spreadsheet program opens: nothing typed into the system runs there as a formula.

A location, item or report named "=HYPERLINK(...)" by whoever can name them would otherwise be
a live formula in the funder's spreadsheet (CSV injection). In CSV such text is kept with a
leading apostrophe, as OWASP advises; in XLSX the cell is stored as text, shown as typed.
"""

import csv

FORMULA_STARTS = ("=", "@", "\t", "\r")
SIGNS = ("+", "-")


def could_run(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula. A lone sign ("-", no value) and a
    signed number ("-5") are shown as they are."""
    if text.startswith(FORMULA_STARTS):
        return True
    if text.startswith(SIGNS) and len(text) > 1:
        try:
            float(text)
        except ValueError:
            return True
    return False


def cell_text(value):
    if isinstance(value, str) and could_run(value):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose text cells never start a formula."""

    def __init__(self, buffer):
        self._writer = csv.writer(buffer)

    def writerow(self, row) -> None:
        self._writer.writerow([cell_text(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def without_formulas(workbook) -> None:
    """Store as text every cell openpyxl took for a formula (any text starting with '=')."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
