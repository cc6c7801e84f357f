"""Releases: what each published output showed, recorded for the release check
(reports.disclosure.audit), and the community page's periods, shown as first released."""

import dataclasses
from datetime import date

from django.db import transaction

from accounts.models import Program
from audit.services import record_action
from reports import exports, measures
from reports.disclosure import audit
from reports.models import CommunityReportSetting, Release, ReportDefinition


def released_so_far(
    program: Program, start: date, end: date, *, exclude_run: int | None = None
) -> list[audit.ReleaseCells]:
    """Every release of the program related to [start, end] (audit.overlapping), as the
    check reads them: runs built (published or waiting for review) and community periods
    shown."""
    releases = Release.objects.filter(program=program).exclude(run_id=exclude_run)
    every = [
        audit.ReleaseCells(
            (release.period_start, release.period_end), audit.cells_from_json(release.cells)
        )
        for release in releases.only("period_start", "period_end", "cells").order_by("pk")
    ]
    return audit.overlapping(every, (start, end))


def withheld_before(definition: ReportDefinition, start: date, end: date) -> list[str]:
    """What earlier releases of the same report and period withheld: a second release of it
    withholds the same, so the two show the same."""
    found: list[str] = []
    for keys in Release.objects.filter(
        definition=definition, period_start=start, period_end=end
    ).values_list("withheld", flat=True):
        found += [key for key in keys if key not in found]
    return found


def record_release(content, *, definition: ReportDefinition, run=None, community=None):
    fields = {
        "program": definition.program,
        "definition": definition,
        "period_start": content.period_start,
        "period_end": content.period_end,
        "cells": audit.cells_to_json(content.released_cells),
        "withheld": list(content.withheld),
    }
    if run is not None:
        return Release.objects.update_or_create(run=run, defaults=fields)[0]
    return Release.objects.create(
        community=community, content=exports.content_to_json(content), **fields
    )


def community_content(setting: CommunityReportSetting, start: date, end: date):
    """The community page's report for a period: as first released, the same every time.

    The first request for a period runs the release check against every release of the
    program, records the release and shows it; every later one shows that record.
    """
    definition = setting.definition

    def recorded():
        return Release.objects.filter(
            community=setting, definition=definition, period_start=start, period_end=end
        ).first()

    release = recorded()
    if release is None:
        with transaction.atomic():
            Program.objects.select_for_update().filter(pk=setting.program_id).exists()
            release = recorded()
            if release is None:
                content = exports.report_content(
                    program=setting.program,
                    title=definition.name,
                    measure_keys=[k for k in definition.measures if k in measures.MEASURES],
                    breakdown_keys=[k for k in definition.breakdowns if k in measures.BREAKDOWNS],
                    start=start,
                    end=end,
                    earlier=released_so_far(setting.program, start, end),
                    withhold_first=withheld_before(definition, start, end),
                )
                release = record_release(content, definition=definition, community=setting)
                record_action(
                    actor=None,
                    action="reports.community.released",
                    target=release,
                    program=setting.program,
                    details={
                        "period_start": start.isoformat(),
                        "period_end": end.isoformat(),
                        "withheld": list(content.withheld),
                    },
                )
                return content
    return _in_reader_language(exports.content_from_json(release.content))


def _in_reader_language(content):
    """A stored release with its measure and breakdown names and definitions in the language
    of this request (the numbers, and the row labels, as first released)."""
    return dataclasses.replace(
        content,
        measures=[
            dataclasses.replace(
                line,
                label=str(measures.MEASURES[line.key].label),
                definition=str(measures.MEASURES[line.key].definition),
            )
            if line.key in measures.MEASURES
            else line
            for line in content.measures
        ],
        tables=[
            dataclasses.replace(
                table,
                title=str(measures.BREAKDOWNS[table.key].label),
                definition=str(measures.BREAKDOWNS[table.key].definition),
            )
            if table.key in measures.BREAKDOWNS
            else table
            for table in content.tables
        ],
    )
