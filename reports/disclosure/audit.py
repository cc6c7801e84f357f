"""The release check: before a report goes out, attack it as a reader holding everything the
program has released, and withhold what would give a small count away.

Cell-key noise alone does not hold against a reader who knows how the numbers relate: the
categories of a breakdown add up to everyone served, several breakdowns of the same people
narrow that total down, and a period is the sum of the periods it is made of. So every release
(a run's files, a month of the community page) is recorded as the texts it showed (Release),
and a new one is checked with integer linear programming, as tau-ARGUS checks complementary
suppression: the unknowns are the true counts behind every protected cell of every release
related to the new one (overlapping it, or overlapping one that does), bounded by what each
text says ("<11": 0 to 12; a number: within 2) and tied by the relations below. Any count that
could be from 1 to the threshold and that the system pins to a single value means the new
release would reveal it; its breakdowns (then its people measures) are withheld, one if one is
enough, else more in a fixed order, until nothing new is pinned.

Relations (the ones a reader can know from the definitions): new <= served <= encounters; each
breakdown of participants adds up to everyone served; encounters by location and by kind add
up to all encounters; people at a location are at most its encounters and at most everyone
served, and everyone served is at most the sum over locations; a printed row counts at least
one and a row printed in one period but not in another was zero there; a period inside another
counts at most as much, and a period made of released periods adds them up (encounters, new
participants) or counts at most their sum (distinct people). Age bands are compared only
between periods ending in the same year (age is reckoned at the period's end).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from scipy.optimize import linprog

from reports.disclosure.cellkey import MOST_NOISE
from reports.disclosure.published import SMALL, WITHHELD, PublishedTable, Shown

SERVED, NEW, ENCOUNTERS = "unduplicated_participants", "new_participants", "encounters"
PARTITIONS = ("gender", "race_ethnicity", "age_band", "zip3")
BY_SITE, BY_KIND = "encounters_by_site", "encounters_by_kind"
# What to withhold first when a release would give a small count away.
WITHHOLD_ORDER = (*reversed(PARTITIONS), BY_KIND, BY_SITE, NEW, ENCOUNTERS, SERVED)

Cell = tuple  # ("m", measure key) or ("t", table key, row label or None for the total, column)
Period = tuple[date, date]


@dataclass(frozen=True)
class ReleaseCells:
    period: Period
    cells: dict[Cell, str]  # protected cells only, with the text the reader saw


def released_cells(measures: dict[str, Shown], tables: list[PublishedTable]) -> dict:
    """The protected cells of a published report that take part in the relations above."""
    cells: dict[Cell, str] = {}
    for key in (SERVED, NEW, ENCOUNTERS):
        shown = measures.get(key)
        if shown is not None and shown.hidden != WITHHELD:
            cells[("m", key)] = shown.text
    for table in tables:
        if table.key not in (*PARTITIONS, BY_SITE, BY_KIND):
            continue
        rows = [(label, values) for label, values in table.rows]
        if table.total_row is not None:
            rows.append((None, table.total_row))
        for label, values in rows:
            for column, shown in enumerate(values):
                if shown.hidden == WITHHELD or (shown.value is None and shown.hidden != SMALL):
                    continue
                cells[("t", table.key, label, column)] = shown.text
    return cells


def _bounds(text: str, threshold: int) -> tuple[int, float]:
    if text == f"<{threshold + 1}":
        return 0, threshold + MOST_NOISE
    value = int(text.replace(",", ""))
    return max(0, value - MOST_NOISE), value + MOST_NOISE


class _Program:
    """Integer linear programming over named whole unknowns."""

    BIG = 10**7

    def __init__(self):
        self.index: dict = {}
        self.low: list[float] = []
        self.high: list[float] = []
        self.rows: list[tuple[dict, float, bool]] = []  # (terms, bound, is equality)

    def var(self, name) -> int:
        if name not in self.index:
            self.index[name] = len(self.low)
            self.low.append(0)
            self.high.append(self.BIG)
        return self.index[name]

    def bound(self, name, low, high) -> None:
        k = self.var(name)
        self.low[k], self.high[k] = max(self.low[k], low), min(self.high[k], high)

    def at_most(self, terms: dict, bound: float = 0) -> None:
        for name in terms:
            self.var(name)
        self.rows.append((terms, bound, False))

    def equals(self, terms: dict, value: float = 0) -> None:
        for name in terms:
            self.var(name)
        self.rows.append((terms, value, True))

    def _matrix(self, equality: bool):
        rows = [(terms, bound) for terms, bound, is_eq in self.rows if is_eq == equality]
        if not rows:
            return None, None
        a = np.zeros((len(rows), len(self.low)))
        for r, (terms, _bound) in enumerate(rows):
            for name, coefficient in terms.items():
                a[r, self.index[name]] += coefficient
        return a, np.array([bound for _terms, bound in rows], dtype=float)

    def feasible(self) -> bool:
        a_ub, b_ub = self._matrix(False)
        a_eq, b_eq = self._matrix(True)
        result = linprog(
            np.zeros(len(self.low)),
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=list(zip(self.low, self.high, strict=True)),
            integrality=np.ones(len(self.low)),
            options={"presolve": False},
        )
        return result.status == 0

    def ranges(self, names: Iterable) -> dict | None:
        """name -> (least, most) whole value; None if the releases contradict each other
        (the data changed between them: nothing can be concluded)."""
        a_ub, b_ub = self._matrix(False)
        a_eq, b_eq = self._matrix(True)
        bounds = list(zip(self.low, self.high, strict=True))
        found = {}
        for name in names:
            ends = []
            for sign in (1, -1):
                c = np.zeros(len(self.low))
                c[self.index[name]] = sign
                result = linprog(
                    c,
                    A_ub=a_ub,
                    b_ub=b_ub,
                    A_eq=a_eq,
                    b_eq=b_eq,
                    bounds=bounds,
                    integrality=np.ones(len(self.low)),
                    # HiGHS's presolve wrongly finds some of these whole-number programs infeasible.
                    options={"presolve": False},
                )
                if result.status != 0:
                    return None
                ends.append(round(sign * result.fun))
            found[name] = (ends[0], ends[1])
        return found


def _inside(inner: Period, outer: Period) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1] and inner != outer


def _tilings(period: Period, periods: list[Period], most: int = 20) -> list[list[Period]]:
    """Ways to make `period` of two or more released periods laid end to end."""
    found: list[list[Period]] = []

    def extend(start: date, pieces: list[Period]) -> None:
        if len(found) >= most:
            return
        if start > period[1]:
            if len(pieces) > 1:
                found.append(pieces)
            return
        for piece in periods:
            if piece[0] == start and piece[1] <= period[1] and piece != period:
                extend(piece[1] + timedelta(days=1), [*pieces, piece])

    extend(period[0], [])
    return found


def _relate(lp: _Program, releases: list[ReleaseCells], threshold: int) -> list:
    """Write every release's bounds and relations; returns the unknowns that may be small."""
    served = lambda p: (p, "m", SERVED)  # noqa: E731
    encounters = lambda p: (p, "m", ENCOUNTERS)  # noqa: E731
    rows: dict[str, set] = {}
    for release in releases:
        for cell in release.cells:
            if cell[0] == "t" and cell[2] is not None:
                rows.setdefault((cell[1], cell[3]), set()).add(cell[2])
    distinct, additive = [("m", SERVED)], [("m", NEW), ("m", ENCOUNTERS)]
    for (table, column), labels in rows.items():
        people = table in PARTITIONS or (table == BY_SITE and column == 1)
        for label in labels:
            (distinct if people else additive).append(("t", table, label, column))
    candidates = []
    for release in releases:
        p = release.period
        for cell, text in release.cells.items():
            name = _name(p, cell)
            low, high = _bounds(text, threshold)
            printed_row = cell[0] == "t" and cell[2] is not None
            lp.bound(name, max(low, 1 if printed_row else 0), high)
            if low <= threshold:
                candidates.append(name)
        tables = {cell[1] for cell in release.cells if cell[0] == "t"}
        for (table, column), labels in rows.items():
            if table not in tables:
                continue
            for label in labels:
                if ("t", table, label, column) not in release.cells:
                    lp.equals({(p, "t", table, label, column): 1}, 0)
        lp.at_most({(p, "m", NEW): 1, served(p): -1})
        lp.at_most({served(p): 1, encounters(p): -1})
        for table in tables & {*PARTITIONS, BY_KIND}:
            whole = served(p) if table in PARTITIONS else encounters(p)
            lp.equals({**{(p, "t", table, lb, 0): 1 for lb in rows.get((table, 0), ())}, whole: -1})
        if BY_SITE in tables:
            sites = rows.get((BY_SITE, 0), set())
            lp.equals({**{(p, "t", BY_SITE, s, 0): 1 for s in sites}, encounters(p): -1})
            for site in sites:
                lp.at_most({(p, "t", BY_SITE, site, 1): 1, (p, "t", BY_SITE, site, 0): -1})
                lp.at_most({(p, "t", BY_SITE, site, 1): 1, served(p): -1})
            lp.at_most({served(p): 1, **{(p, "t", BY_SITE, s, 1): -1 for s in sites}})
    periods = sorted({release.period for release in releases})
    for outer in periods:
        for inner in periods:
            if _inside(inner, outer):
                for cell in [*distinct, *additive]:
                    if _comparable(cell, inner, outer):
                        lp.at_most({_name(inner, cell): 1, _name(outer, cell): -1})
        for pieces in _tilings(outer, periods):
            for cell in additive:
                lp.equals({_name(outer, cell): 1, **{_name(q, cell): -1 for q in pieces}})
            for cell in distinct:
                if all(_comparable(cell, q, outer) for q in pieces):
                    lp.at_most({_name(outer, cell): 1, **{_name(q, cell): -1 for q in pieces}})
    return candidates


def _name(period: Period, cell: Cell) -> tuple:
    if cell[0] == "t" and cell[2] is None:
        # A total is the whole it adds up to.
        if cell[1] in PARTITIONS:
            return (period, "m", SERVED)
        if cell[1] in (BY_KIND, BY_SITE) and cell[3] == 0:
            return (period, "m", ENCOUNTERS)
    return (period, *cell)


def _comparable(cell: Cell, one: Period, other: Period) -> bool:
    return not (cell[0] == "t" and cell[1] == "age_band") or one[1].year == other[1].year


def pinned(releases: list[ReleaseCells], threshold: int) -> set | None:
    """The unknowns the releases together pin to a single value from 1 to the threshold;
    None if they contradict each other (the data changed between them)."""
    lp = _Program()
    candidates = _relate(lp, releases, threshold)
    ranges = lp.ranges(dict.fromkeys(candidates)) if candidates else {}
    if ranges is None or (not candidates and not lp.feasible()):
        return None
    return {name for name, (low, high) in ranges.items() if low == high and 1 <= low <= threshold}


def consistent(releases: list[ReleaseCells], threshold: int) -> list[ReleaseCells]:
    """The releases, oldest first, leaving out any that contradicts those before it (its
    counts were corrected in between): the largest set the check can reason about."""
    kept: list[ReleaseCells] = []
    for release in releases:
        lp = _Program()
        _relate(lp, [*kept, release], threshold)
        if lp.feasible():
            kept.append(release)
    return kept


def overlapping(releases: Iterable[ReleaseCells], period: Period) -> list[ReleaseCells]:
    """The releases related to `period`: those overlapping it, those overlapping them, and so
    on (October is related to November through October-November)."""
    releases = list(releases)
    first, last = period
    while True:
        related = [r for r in releases if r.period[0] <= last and first <= r.period[1]]
        wider = (min([first, *(r.period[0] for r in related)]),
                 max([last, *(r.period[1] for r in related)]))  # fmt: skip
        if wider == (first, last):
            return related
        first, last = wider


def withheld_until_safe(
    *,
    period: Period,
    measures: dict[str, Shown],
    tables: list[PublishedTable],
    earlier: list[ReleaseCells],
    threshold: int,
    first: Iterable[str] = (),
) -> tuple[dict[str, Shown], list[PublishedTable], list[str]]:
    """The report with as little withheld as this search finds for it to pin no small count
    that the earlier releases alone do not: `first` (what an earlier release of the same
    report and period withheld, so both show the same), then nothing more; else one
    breakdown or people measure (in WITHHOLD_ORDER); else more and more of them in that
    order. Returns the report and the keys withheld."""
    first = list(first)
    earlier = overlapping(earlier, period)
    if earlier and pinned(earlier, threshold) is None:
        earlier = consistent(earlier, threshold)
    present = [
        key
        for key in WITHHOLD_ORDER
        if key in measures or any(table.key == key for table in tables)
    ]
    already: list[set] = []

    def without(keys) -> tuple[dict[str, Shown], list[PublishedTable]]:
        hidden = Shown(None, WITHHELD, threshold)
        return (
            {key: hidden if key in keys else shown for key, shown in measures.items()},
            [_withheld_table(t) if t.key in keys else t for t in tables],
        )

    def safe(keys) -> bool:
        candidate = ReleaseCells(period, released_cells(*without(keys)))
        found = pinned([*earlier, candidate], threshold)
        if found is None:
            # Contradicting the earlier releases (counts corrected since they went out):
            # nothing can be concluded, so the check fails closed and withholds more.
            return False
        if found and not already:
            already.append((pinned(earlier, threshold) if earlier else set()) or set())
        return not found - (already[0] if already else set())

    more = [key for key in present if key not in first]
    choices = [[], *([key] for key in more), *(more[: n + 1] for n in range(len(more)))]
    for keys in choices:
        keys = [*first, *keys]
        if safe(keys):
            return *without(keys), keys
    return *without(present), present


def _withheld_table(table: PublishedTable) -> PublishedTable:
    # Not even the row labels: a printed row says someone is in it.
    return replace(table, rows=[], total_row=None, hidden_count=0, withheld=True)


def cells_to_json(cells: dict[Cell, str]) -> list[list]:
    return [[*cell, text] for cell, text in cells.items()]


def cells_from_json(rows: list[list]) -> dict[Cell, str]:
    return {tuple(row[:-1]): row[-1] for row in rows}
