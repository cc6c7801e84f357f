"""Published numbers: what a funder or the public reads of one report, never the true counts.

Rules, from what each number counts (reports.measures.registry.Counts):
- people, contacts and referrals: each count gets its cell-key noise (cellkey.py), at most 2;
  a result from 0 to the threshold is shown as "<11" (threshold plus one), a larger one as the
  number. So no number from 1 to 10 is ever printed, "<11" stands for 0 to 12, and a printed
  number is within 2 of the truth;
- a total is a cell of its own: the true total with its own noise (the total of a breakdown of
  everyone served is the same cell as "Participants served", so it shows the same number), not
  the sum of the noisy cells;
- a rate of two counts is computed from their published values, and withheld ("x") when
  either is a small count; a median or mean over a group is withheld when the group is small;
- items (supplies) and events (sessions, complaints) are shown exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.disclosure import cellkey
from reports.measures.counts import Counts
from reports.measures.registry import MEASURES, Table

SMALL = "small"  # a protected count from 0 to the threshold
WITHHELD = "withheld"  # a rate or statistic built on a small count
WITHHELD_LABEL = "x"
# Cell keys of these sets are kept apart: a set of encounters is not a set of people.
KEY_KIND = {Counts.PEOPLE: "people", Counts.CONTACTS: "contacts", Counts.REFERRALS: "referrals"}


def small_label(threshold: int) -> str:
    """The text of a small count: "<11" for the default threshold of 10."""
    return f"<{threshold + 1}"


def format_number(value: int | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        # Ratios and medians: at most two decimals, no trailing zeros.
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


@dataclass(frozen=True)
class Shown:
    """One published number, or why it is not shown. Holds no true count."""

    value: int | float | None
    hidden: str = ""  # "", SMALL or WITHHELD
    threshold: int = cellkey.DEFAULT_THRESHOLD

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)

    @property
    def text(self) -> str:
        if self.hidden == SMALL:
            return small_label(self.threshold)
        if self.hidden == WITHHELD:
            return WITHHELD_LABEL
        return format_number(self.value)

    @property
    def export_value(self) -> int | float | str:
        """A number where one is shown (so spreadsheets can sum it), the label otherwise."""
        if self.hidden or self.value is None:
            return self.text
        return self.value

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PublishedTable:
    """A breakdown as published: every cell a Shown, with a total row where columns add up."""

    key: str
    title: str
    definition: str
    counts_people: bool
    row_header: str
    columns: list[str]  # includes the "Total" column when there are row totals
    rows: list[tuple[str, list[Shown]]]
    total_row: list[Shown] | None = None
    hidden_count: int = 0
    # Left out of this release: with earlier releases it would give a small count away.
    withheld: bool = False


def method_note(threshold: int) -> str:
    """The one sentence every export and the community page carry."""
    return _(
        "Counts of people, encounters and referrals are protected by the cell-key method: "
        "counts from 0 to %(threshold)d are shown as %(label)s, larger ones are within "
        "%(noise)d of the true count (the same people always give the same number), totals are "
        "protected on their own and need not equal the sum of their rows, rates use the "
        "published counts (%(withheld)s: not shown, built on a small count); a person is a "
        "participant, counted once however often they came; supplies are exact."
    ) % {
        "threshold": threshold,
        "label": small_label(threshold),
        "noise": cellkey.MOST_NOISE,
        "withheld": WITHHELD_LABEL,
    }


class Publisher:
    """Publishes the numbers of one report; `cell_keys` are the keys keys.py found."""

    def __init__(self, *, threshold: int | None = None):
        self.threshold = cellkey.threshold() if threshold is None else threshold

    def shown(self, value, hidden: str = "") -> Shown:
        return Shown(value, hidden, self.threshold)

    def count(self, value, *, counts: str, place: str, cell_key: int | None = None) -> Shown:
        """One count as published: exact unless it counts people, contacts or referrals."""
        if counts not in Counts.PROTECTED or not isinstance(value, int):
            return self.shown(value)
        # The same set of people (or encounters) is the same cell wherever it is counted.
        identity = (
            f"{KEY_KIND[counts]}|set:{cell_key}" if cell_key is not None else f"{counts}|{place}"
        )
        published = cellkey.perturbed(value, identity)
        if published <= self.threshold:
            # Zero too: "<11" says 0 to 12 (a count of 11 or 12 may fall under), never one.
            return self.shown(None, SMALL)
        return self.shown(published)

    def measures(
        self, keys: list[str], values: dict, cell_keys: dict[str, int]
    ) -> dict[str, Shown]:
        """The published value of each measure of `keys` (values holds their true values and
        those of the counts their rates and statistics are built on)."""
        counted = {
            key: self.count(
                values.get(key),
                counts=MEASURES[key].counts,
                place=key,
                cell_key=cell_keys.get(key),
            )
            for key in {*keys, *(part for key in keys for part in MEASURES[key].of)}
        }
        published = {}
        for key in keys:
            measure = MEASURES[key]
            if measure.counts == Counts.RATE:
                published[key] = self._rate(values.get(key), *measure.of, counted=counted)
            elif measure.counts == Counts.STATISTIC:
                group = counted[measure.of[0]]
                withheld = group.hidden == SMALL
                published[key] = (
                    self.shown(None, WITHHELD) if withheld else self.shown(values.get(key))
                )
            else:
                published[key] = counted[key]
        return published

    def _rate(self, exact, numerator: str, denominator: str, *, counted) -> Shown:
        parts = (MEASURES[numerator], MEASURES[denominator])
        if not any(part.is_protected for part in parts):
            return self.shown(exact)
        top, bottom = counted[numerator], counted[denominator]
        if top.is_hidden or bottom.is_hidden:
            return self.shown(None, WITHHELD)
        if not bottom.value:
            return self.shown(None)
        return self.shown(round(top.value / bottom.value, 2))

    def table(self, table: Table, cell_keys: dict[tuple[str | None, int], int]) -> PublishedTable:
        """A breakdown as published, with a total row and column where its cells add up."""
        width = len(table.columns)
        kinds = [table.counts_in(j) for j in range(width)]
        summed = _summed_columns(table)
        row_totals = width > 1 and len(set(kinds)) == 1 and len(summed) == width and table.rows
        column_totals = len(table.rows) > 1 and bool(summed)

        def cell(value, label, column: int | None) -> Shown:
            kind = kinds[0] if column is None else kinds[column]
            name = "total" if column is None else str(column)
            return self.count(
                value,
                counts=kind,
                place=f"{table.key}|{label if label is not None else 'total'}|{name}",
                cell_key=cell_keys.get((label, column)),
            )

        rows = []
        for label, values in table.rows:
            cells = [cell(value, label, j) for j, value in enumerate(values)]
            if row_totals:
                cells.append(cell(sum(value or 0 for value in values), label, None))
            rows.append((str(label), cells))
        total_row = None
        if column_totals:
            total_row = [
                cell(sum(values[j] or 0 for _label, values in table.rows), None, j)
                if j in summed
                else self.shown(None)
                for j in range(width)
            ]
            if row_totals:
                grand = sum(sum(value or 0 for value in values) for _label, values in table.rows)
                total_row.append(cell(grand, None, None))
        columns = [*table.columns, str(_("Total"))] if row_totals else list(table.columns)
        hidden = sum(c.is_hidden for _label, cells in rows for c in cells)
        return PublishedTable(
            key=table.key,
            title=str(table.title),
            definition=str(table.definition),
            counts_people=table.counts_people,
            row_header=str(table.row_header),
            columns=[str(column) for column in columns],
            rows=rows,
            total_row=total_row,
            hidden_count=hidden + sum(c.is_hidden for c in total_row or []),
        )


# Breakdowns whose rows overlap (a participant may name several substances): their columns do
# not add up to anything, so they get no total.
OVERLAPPING_BREAKDOWNS = frozenset({"populations", "substances", "routes_of_use"})
# Columns whose rows overlap: a participant seen at two locations counts at both.
OVERLAPPING_COLUMNS = {"encounters_by_site": frozenset({1})}


def _summed_columns(table: Table) -> list[int]:
    if table.key in OVERLAPPING_BREAKDOWNS:
        return []
    overlapping = OVERLAPPING_COLUMNS.get(table.key, frozenset())
    return [
        j
        for j in range(len(table.columns))
        if j not in overlapping
        and all(
            values[j] is None or (isinstance(values[j], int) and not isinstance(values[j], bool))
            for _label, values in table.rows
        )
    ]
