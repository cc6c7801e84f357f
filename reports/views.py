from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import manager_required, report_reader_required
from accounts.selectors import locations_for
from audit.services import record_action
from reports.dashboard import EARLIEST, DashboardFilterForm, dashboard_context
from reports.extract import encounter_extract_rows, extract_header, stream_csv
from reports.measures import Scope


@report_reader_required
def report_list(request):
    # Report runs arrive with the reports issue; until then the page says so plainly.
    return render(request, "reports/report_list.html", {"report_runs": []})


@manager_required
def dashboard(request):
    """The manager's landing page for reports: key measures against the period before, trends,
    sites, stock alerts and overdue follow-ups, all of the manager's own program."""
    user = request.user
    today = timezone.localdate(timezone=user.program.tzinfo)
    form = DashboardFilterForm(request.GET or None, locations=locations_for(user), today=today)
    start, end = form.period_bounds()
    scope = Scope(program=user.program, start=start, end=end, location=form.chosen_location())
    filters = {name: value for name, value in request.GET.items() if name != "location"}
    context = dashboard_context(user, scope, today=today, filters=filters)
    return render(request, "reports/dashboard.html", {"form": form, **context})


@manager_required
def encounter_extract(request):
    """One year's encounters of the manager's program as CSV, streamed with flat memory."""
    user = request.user
    this_year = timezone.localdate(timezone=user.program.tzinfo).year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = None
    if year is None or not EARLIEST.year <= year <= this_year:
        message = _("Give a year from %(first)d to %(last)d.") % {
            "first": EARLIEST.year,
            "last": this_year,
        }
        return JsonResponse({"error": message}, status=400)
    record_action(
        actor=user,
        action="reports.extract.downloaded",
        program=user.program,
        ip_address=request.META.get("REMOTE_ADDR"),
        details={"year": year, "extract": "encounters"},
    )
    response = StreamingHttpResponse(
        stream_csv(encounter_extract_rows(user.program, year=year), extract_header()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="encounters-{year}.csv"'
    return response
