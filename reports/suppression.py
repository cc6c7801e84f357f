"""Small-cell suppression for everything a funder or the public reads.

Every cell that counts people and holds 1 up to the threshold (setting
REPORT_SUPPRESSION_THRESHOLD, default 10) is shown as "<11" (the threshold plus one). Where a
table shows totals, that alone would not do: a reader subtracts the cells they see from the
total and finds the hidden one. So a table is suppressed as a whole: after the small cells, more
cells are hidden (the smallest first; these show as "*") until no hidden cell can be worked
out, neither exactly from the row and column sums nor from the known range of the "<11" cells
(two hidden cells of a row that add up to 20 must both be 10). Zero cells and supply counts
are shown as they are.

The check that decides "can be worked out" runs on each table (a few dozen cells): interval
reasoning over every row and column sum, and exact linear algebra over rationals.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_THRESHOLD = 10
COMPLEMENTARY_LABEL = "*"
INFINITY = float("inf")
# Breakdowns whose rows overlap (a participant may name several substances): their columns do
# not add up to anything, so they get no total and no complementary suppression.
OVERLAPPING_BREAKDOWNS = frozenset({"populations", "substances", "routes"})

PRIMARY = "primary"
COMPLEMENTARY = "complementary"


def suppression_threshold() -> int:
    return int(getattr(settings, "REPORT_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def small_cell_label(threshold: int | None = None) -> str:
    """The text of a hidden small cell: "<11" for the default threshold of 10."""
    if threshold is None:
        threshold = suppression_threshold()
    return f"<{threshold + 1}"


def is_small(value: Any, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= threshold


@dataclass(frozen=True)
class ShownValue:
    """One number as a funder sees it: the value, or why it is hidden."""

    value: int | float | None
    hidden: str = ""  # "", PRIMARY or COMPLEMENTARY
    threshold: int = DEFAULT_THRESHOLD

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)

    @property
    def text(self) -> str:
        if self.hidden == PRIMARY:
            return small_cell_label(self.threshold)
        if self.hidden == COMPLEMENTARY:
            return COMPLEMENTARY_LABEL
        return format_number(self.value)

    @property
    def export_value(self) -> int | float | str:
        """A number where one may be shown (so spreadsheets can sum it), the label otherwise."""
        if self.hidden or self.value is None:
            return self.text
        return self.value

    def __str__(self) -> str:
        return self.text


def format_number(value: int | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        # Ratios and medians: at most two decimals, no trailing zeros.
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def suppress_scalar(
    value: int | float | None, *, counts_people: bool, threshold: int | None = None
) -> ShownValue:
    """A single people count of 1 up to the threshold is hidden; anything else is shown."""
    if threshold is None:
        threshold = suppression_threshold()
    if counts_people and is_small(value, threshold):
        return ShownValue(value, PRIMARY, threshold)
    return ShownValue(value, "", threshold)


# --- Tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressedTable:
    """A breakdown as it may be published: every cell a ShownValue, with totals if additive."""

    key: str
    title: str
    definition: str
    counts_people: bool
    row_header: str
    columns: list[str]  # includes the "Total" column when there are row totals
    rows: list[tuple[str, list[ShownValue]]]
    total_row: list[ShownValue] | None = None
    hidden_count: int = 0

    @property
    def has_complementary(self) -> bool:
        return any(
            cell.hidden == COMPLEMENTARY
            for cells in [*(c for _, c in self.rows), self.total_row or []]
            for cell in cells
        )


# Columns whose rows overlap: a participant seen at two locations counts at both.
OVERLAPPING_COLUMNS = {"encounters_by_site": frozenset({1})}


def _is_count(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def summed_columns(table) -> list[int]:
    """The columns whose cells add up to a meaningful total (none for overlapping rows)."""
    if table.key in OVERLAPPING_BREAKDOWNS:
        return []
    overlapping = OVERLAPPING_COLUMNS.get(table.key, frozenset())
    return [
        j
        for j in range(len(table.columns))
        if j not in overlapping and all(_is_count(cells[j]) for _, cells in table.rows)
    ]


def people_columns(table) -> set[int]:
    if not table.counts_people:
        return set()
    columns = getattr(table, "people_columns", None)
    return set(range(len(table.columns))) if columns is None else set(columns)


def suppress_table(table, *, threshold: int | None = None) -> SuppressedTable:
    """Apply small-cell and complementary suppression to a `reports.measures.Table`.

    Columns that add up get a total row (when there is more than one row); rows get a total
    column when every column counts the same thing and adds up. Only the columns that count
    people are suppressed; a table of supplies is shown unchanged.
    """
    if threshold is None:
        threshold = suppression_threshold()
    values = [list(cells) for _, cells in table.rows]
    row_count = len(values)
    column_count = len(table.columns)
    summed = summed_columns(table)
    people = people_columns(table)
    uniform = getattr(table, "people_columns", None) is None
    row_totals = uniform and column_count > 1 and row_count > 0 and len(summed) == column_count
    column_totals = row_count > 1 and bool(summed)
    grid = Grid.with_totals(
        values, row_totals=row_totals, column_totals=summed if column_totals else ()
    )
    if people:
        people_entries = {
            (i, j)
            for i in range(len(grid.values))
            for j in range(len(grid.values[i]))
            if j in people or (row_totals and j == column_count)
        }
        grid.suppress(threshold, only=people_entries)

    def shown(i: int, j: int) -> ShownValue:
        return ShownValue(grid.values[i][j], grid.hidden[i][j], threshold)

    width = column_count + (1 if row_totals else 0)
    rows = [
        (str(label), [shown(i, j) for j in range(width)]) for i, (label, _) in enumerate(table.rows)
    ]
    total_row = [shown(row_count, j) for j in range(width)] if column_totals else None
    columns = [*table.columns, str(_("Total"))] if row_totals else list(table.columns)
    return SuppressedTable(
        key=table.key,
        title=str(table.title),
        definition=str(table.definition),
        counts_people=table.counts_people,
        row_header=str(table.row_header),
        columns=[str(column) for column in columns],
        rows=rows,
        total_row=total_row,
        hidden_count=sum(1 for row in grid.hidden for mark in row if mark),
    )


Entry = tuple[int, int]


@dataclass
class Equation:
    """members add up to total: one row or column of a table with its total."""

    members: list[Entry]
    total: Entry

    @property
    def entries(self) -> list[Entry]:
        return [*self.members, self.total]


@dataclass
class Grid:
    """Cell values with any totals as the last row and column, and what is hidden.

    A value of None is a cell that does not apply: it is neither shown as a number nor part of
    a sum.
    """

    values: list[list[int | float | None]]
    equations: list[Equation] = field(default_factory=list)
    hidden: list[list[str]] = field(default_factory=list)

    def __post_init__(self):
        if not self.hidden:
            self.hidden = [["" for _ in row] for row in self.values]

    @classmethod
    def with_totals(
        cls,
        values: Sequence[Sequence[int | float | None]],
        *,
        row_totals: bool,
        column_totals: bool | Iterable[int],
    ) -> "Grid":
        """The cells with a total column (if `row_totals`) and a total row for the columns
        `column_totals` names (all of them if True); a column not summed totals None."""
        cells = [list(row) for row in values]
        row_count = len(cells)
        column_count = len(cells[0]) if cells else 0
        if column_totals is True:
            summed = set(range(column_count + (1 if row_totals else 0)))
        elif column_totals is False:
            summed = set()
        else:
            summed = set(column_totals)
            if row_totals and summed:
                summed.add(column_count)
        equations = []
        if row_totals:
            for i, row in enumerate(cells):
                row.append(sum(value or 0 for value in row))
                equations.append(
                    Equation(members=[(i, j) for j in range(column_count)], total=(i, column_count))
                )
        if summed and row_count:
            width = len(cells[0])
            cells.append(
                [sum(row[j] or 0 for row in cells) if j in summed else None for j in range(width)]
            )
            for j in sorted(summed):
                equations.append(
                    Equation(members=[(i, j) for i in range(row_count)], total=(row_count, j))
                )
            if row_totals and summed == set(range(width)):
                # The grand total is also the sum of the column totals.
                equations.append(
                    Equation(
                        members=[(row_count, j) for j in range(column_count)],
                        total=(row_count, column_count),
                    )
                )
        return cls(values=cells, equations=equations)

    def value(self, entry: Entry):
        return self.values[entry[0]][entry[1]]

    def is_hidden(self, entry: Entry) -> bool:
        return bool(self.hidden[entry[0]][entry[1]])

    def entries(self) -> list[Entry]:
        return [(i, j) for i, row in enumerate(self.values) for j in range(len(row))]

    def suppress(self, threshold: int, *, only: set[Entry] | None = None) -> None:
        """Hide the small cells (of `only`, if given: the cells that count people), then as few
        others as it takes so that none can be worked out."""
        for i, j in self.entries():
            if (only is None or (i, j) in only) and is_small(self.values[i][j], threshold):
                self.hidden[i][j] = PRIMARY
        if not self.equations:
            return
        while True:
            exposed = exposed_entries(self, threshold)
            if not exposed:
                return
            extra = self._next_to_hide(exposed)
            if extra is None:
                return
            self.hidden[extra[0]][extra[1]] = COMPLEMENTARY

    def _next_to_hide(self, exposed: list[Entry]) -> Entry | None:
        """The smallest shown cell of a row or column that gives a hidden cell away.

        First the rows and columns with a single hidden cell (subtraction finds it), then those
        of the cells the ranges pin down, then anywhere.
        """
        totals = {equation.total for equation in self.equations}

        def preference(candidate: Entry):
            value = self.value(candidate)
            # A cell before a total, a non-zero cell before a zero (a hidden zero is easily
            # guessed), the smallest first.
            return (candidate in totals, value == 0, value, candidate)

        def shown(lines) -> list[Entry]:
            return [
                entry
                for line in lines
                for entry in line
                if not self.is_hidden(entry) and self.value(entry) is not None
            ]

        lines = [equation.entries for equation in self.equations]
        single = [line for line in lines if sum(self.is_hidden(entry) for entry in line) == 1]
        around_exposed = [line for line in lines if any(entry in line for entry in exposed)]
        for group in (single, around_exposed, [self.entries()]):
            candidates = shown(group)
            if candidates:
                return min(candidates, key=preference)
        return None


def exposed_entries(grid: Grid, threshold: int) -> list[Entry]:
    """Hidden entries a reader could work out from the shown cells and totals, in grid order."""
    unknowns = [
        entry for entry in grid.entries() if grid.is_hidden(entry) and grid.value(entry) is not None
    ]
    if not unknowns:
        return []
    pinned = set(_pinned_by_linear_algebra(grid, unknowns))
    pinned.update(_pinned_by_bounds(grid, unknowns, threshold))
    return [entry for entry in unknowns if entry in pinned]


def _equation_terms(grid: Grid, equation: Equation) -> tuple[dict[Entry, int], float]:
    """The equation as sum(coefficient * unknown) == constant, over its hidden entries."""
    coefficients: dict[Entry, int] = {}
    constant = 0
    for entry, sign in [*((m, 1) for m in equation.members), (equation.total, -1)]:
        value = grid.value(entry)
        if value is None:
            continue
        if grid.is_hidden(entry):
            coefficients[entry] = coefficients.get(entry, 0) + sign
        else:
            constant -= sign * value
    return coefficients, constant


def _pinned_by_linear_algebra(grid: Grid, unknowns: list[Entry]) -> list[Entry]:
    """Unknowns fixed by the sums alone: their unit vector lies in the row space of the system."""
    index = {entry: k for k, entry in enumerate(unknowns)}
    rows = []
    for equation in grid.equations:
        coefficients, _constant = _equation_terms(grid, equation)
        if coefficients:
            row = [Fraction(0)] * len(unknowns)
            for entry, coefficient in coefficients.items():
                row[index[entry]] = Fraction(coefficient)
            rows.append(row)
    pivots = _reduced_row_echelon(rows)
    pinned = []
    for pivot_column, row in pivots:
        if all(value == 0 for k, value in enumerate(row) if k != pivot_column):
            pinned.append(unknowns[pivot_column])
    return pinned


def _reduced_row_echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Gauss-Jordan elimination; returns (pivot column, row) for each non-zero row."""
    rows = [row[:] for row in rows]
    pivots: list[tuple[int, list[Fraction]]] = []
    if not rows:
        return pivots
    width = len(rows[0])
    rank = 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [value / lead for value in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
        if rank == len(rows):
            break
    for r in range(rank):
        column = next(k for k, value in enumerate(rows[r]) if value != 0)
        pivots.append((column, rows[r]))
    return pivots


# A set of whole numbers as sorted, disjoint, non-adjacent closed ranges; INFINITY as an end.
Ranges = list[tuple[float, float]]


def _reader_ranges(grid: Grid, entry: Entry, threshold: int) -> Ranges:
    """What a reader knows of a hidden entry from its label alone: "<11" is 1 to 10, and "*"
    is any count that is not a small one (0, or above the threshold)."""
    if grid.hidden[entry[0]][entry[1]] == PRIMARY:
        return [(1, threshold)]
    return [(0, 0), (threshold + 1, INFINITY)]


def _normalised(ranges) -> Ranges:
    merged: Ranges = []
    for low, high in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _added(a: Ranges, b: Ranges) -> Ranges:
    return _normalised(
        (a_low + b_low, a_high + b_high) for a_low, a_high in a for b_low, b_high in b
    )


def _negated(a: Ranges) -> Ranges:
    return _normalised((-high, -low) for low, high in a)


def _intersected(a: Ranges, b: Ranges) -> Ranges:
    return _normalised(
        (max(a_low, b_low), min(a_high, b_high)) for a_low, a_high in a for b_low, b_high in b
    )


# Ranges that grow past this many pieces are widened to their hull: still sound, and cheap.
MOST_PIECES = 12


def _pinned_by_bounds(grid: Grid, unknowns: list[Entry], threshold: int) -> list[Entry]:
    """Unknowns whose possible values, narrowed by every sum they appear in, come down to one.

    Each row or column sum narrows each of its hidden entries to the values that the other
    entries' possible values still allow; repeated until nothing changes.
    """
    possible = {entry: _reader_ranges(grid, entry, threshold) for entry in unknowns}
    systems = [_equation_terms(grid, equation) for equation in grid.equations]
    systems = [(coefficients, constant) for coefficients, constant in systems if coefficients]
    for _round in range(50):
        changed = False
        for coefficients, constant in systems:
            for entry, coefficient in coefficients.items():
                # coefficient * x = constant - sum(coefficient_o * x_o over the others)
                rest: Ranges = [(0, 0)]
                for other, other_coefficient in coefficients.items():
                    if other == entry:
                        continue
                    term = possible[other] if other_coefficient > 0 else _negated(possible[other])
                    rest = _added(rest, term)
                    if len(rest) > MOST_PIECES:
                        rest = [(rest[0][0], rest[-1][1])]
                allowed = _added([(constant, constant)], _negated(rest))
                if coefficient < 0:
                    allowed = _negated(allowed)
                narrowed = _intersected(possible[entry], allowed)
                if narrowed != possible[entry]:
                    possible[entry] = narrowed
                    changed = True
        if not changed:
            break
    return [
        entry
        for entry in unknowns
        if len(possible[entry]) <= 1
        and (not possible[entry] or possible[entry][0][0] >= possible[entry][0][1])
    ]
