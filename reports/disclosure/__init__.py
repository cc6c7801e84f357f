"""Disclosure control: the one way numbers leave the program.

Every published output (the funder CSV, XLSX and PDF of a run, the report-run API that serves
them, the public community page) is computed by `published_report()`; the manager's dashboard
and lists inside the program read reports.measures directly and stay exact.

- cellkey: the noise of a cell (the cell-key method), keyed by REPORT_DISCLOSURE_KEY;
- keys: the cell keys (sums of record keys) of the participants and encounters a cell counts;
- published: the rules, by what each number counts, and the method note every output carries.

The reasoning, the threat model and what the program promises are in the README
("Disclosure control").
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import measures
from reports.disclosure import keys
from reports.disclosure.cellkey import MOST_NOISE, threshold
from reports.disclosure.published import (
    SMALL,
    WITHHELD,
    WITHHELD_LABEL,
    PublishedTable,
    Publisher,
    Shown,
    format_number,
    method_note,
    small_label,
)

__all__ = [
    "MOST_NOISE",
    "SMALL",
    "WITHHELD",
    "WITHHELD_LABEL",
    "PublishedReport",
    "PublishedTable",
    "Shown",
    "format_number",
    "method_note",
    "published_report",
    "small_label",
    "threshold",
]


@dataclass(frozen=True)
class PublishedReport:
    measures: dict[str, Shown]
    tables: list[PublishedTable]
    threshold: int


def published_report(
    scope: measures.Scope,
    measure_keys: list[str],
    breakdown_keys: list[str],
    *,
    threshold: int | None = None,
) -> PublishedReport:
    """The measures and breakdowns of a report as they may be published: one aggregate query
    per source and table for the counts, and one per keyed table for the cell keys."""
    publisher = Publisher(threshold=threshold)
    needed = list(
        dict.fromkeys(
            [*measure_keys, *(part for key in measure_keys for part in measures.MEASURES[key].of)]
        )
    )
    values = measures.compute(scope, needed) if needed else {}
    shown = publisher.measures(measure_keys, values, keys.scalar_keys(scope, needed))
    tables = [
        publisher.table(table, keys.breakdown_keys(scope, key))
        for key, table in zip(
            breakdown_keys, measures.breakdowns(scope, breakdown_keys), strict=True
        )
    ]
    return PublishedReport(measures=shown, tables=tables, threshold=publisher.threshold)
