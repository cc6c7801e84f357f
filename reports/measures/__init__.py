"""Every number the dashboard, the funder reports and the API show, computed in one place.

A measure is computed for a `Scope` (a program, a period of whole days in the program's time
zone, and optionally one location and one encounter kind) by aggregate queries: rows are never
loaded into Python. `compute()` gives scalar measures, `breakdown()` a table by some category,
`trend()` scalar measures by week or month, `by_location()` by location. Each measure has a
one-line definition that is shown beside it on the page and in every export.

- scope: the Scope;
- registry: every measure and breakdown, with its label and definition;
- counts: what each of their numbers counts (people, contacts, items...), for disclosure;
- sources: the querysets and summary tables the measures read (the only module here that
  imports other apps' models);
- scalars: compute(); breakdowns: breakdown(); trends: trend() and by_location().
"""

from reports.measures.breakdowns import breakdown, breakdowns
from reports.measures.registry import (
    BREAKDOWNS,
    ENCOUNTER_LIST,
    MEASURES,
    BreakdownDef,
    MeasureDef,
    Table,
    Value_,
    unknown_keys,
)
from reports.measures.scalars import compute
from reports.measures.scope import Scope, month_scope
from reports.measures.sources import encounters_in, participants_served, summaries_on
from reports.measures.trends import GROUPABLE, Grain, by_location, trend

__all__ = [
    "BREAKDOWNS",
    "ENCOUNTER_LIST",
    "GROUPABLE",
    "MEASURES",
    "BreakdownDef",
    "Grain",
    "MeasureDef",
    "Scope",
    "Table",
    "Value_",
    "breakdown",
    "breakdowns",
    "by_location",
    "compute",
    "encounters_in",
    "month_scope",
    "participants_served",
    "summaries_on",
    "trend",
    "unknown_keys",
]
