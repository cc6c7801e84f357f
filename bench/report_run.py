"""The yearly funder report run, timed end to end: called by bench/reports.py (`make bench`).

Runs the ready-made state annual report for a year of the bench database through
`reports.services.build_run`, the function the Celery worker runs: the measures and
breakdowns, disclosure control, the CSV, XLSX and PDF files stored in the database, publishing and
the ready emails (kept in memory here). Then times each step alone, to show where the time
goes. The run is deleted afterwards, so repeated benches leave nothing behind.
"""

import time
from datetime import date

TARGET_SECONDS = 3


def time_yearly_report(program, year: int) -> list[tuple[str, float]]:
    """(label, seconds) pairs: the whole run first, then its steps."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from reports import exports, services
    from reports.models import ReportDefinition, ReportRun

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.add_ready_definitions(program=program, by=None)
    definition = ReportDefinition.objects.get(program=program, ready_key="state_annual")
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), timezone.localdate(timezone=program.tzinfo))
    manager = User.objects.filter(program=program, role=User.Role.MANAGER).first()
    run = ReportRun.objects.create(
        definition=definition, period_start=start, period_end=end, requested_by=manager
    )
    try:
        started = time.perf_counter()
        status = services.build_run(run.pk)
        whole = time.perf_counter() - started
        if status != ReportRun.Status.SUCCEEDED:
            run.refresh_from_db()
            raise RuntimeError(f"the bench report run failed: {run.error}")
        run.refresh_from_db()
        sizes = {
            "CSV": len(run.csv_file),
            "XLSX": len(run.xlsx_file),
            "PDF": len(run.pdf_file),
        }
    finally:
        ReportRun.objects.filter(pk=run.pk).delete()

    timings = [
        (f"end to end, {start:%Y-%m-%d} to {end:%Y-%m-%d} (target {TARGET_SECONDS} s)", whole)
    ]
    started = time.perf_counter()
    content = exports.report_content(
        program=program,
        title=definition.name,
        measure_keys=list(definition.measures),
        breakdown_keys=list(definition.breakdowns),
        start=start,
        end=end,
    )
    timings.append(
        (
            f"  measures and {len(content.tables)} breakdowns, published",
            time.perf_counter() - started,
        )
    )
    for label, render in (
        ("CSV", exports.render_csv),
        ("XLSX", exports.render_xlsx),
        ("PDF", exports.render_pdf),
    ):
        started = time.perf_counter()
        render(content)
        seconds = time.perf_counter() - started
        timings.append((f"  {label} ({sizes[label] / 1024:,.0f} KB)", seconds))
    return timings
