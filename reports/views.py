from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import manager_required, report_reader_required
from accounts.selectors import locations_for
from audit.middleware import client_ip
from audit.services import record_action
from core.replica import may_read_replica, reading_from_replica, replica_alias
from reports import community, exports, measures, periods, releases
from reports import selectors as report_selectors
from reports import services as report_services
from reports.dashboard import EARLIEST, DashboardFilterForm, dashboard_context
from reports.downloads import run_file_response
from reports.extract import encounter_extract_rows, extract_header, stream_csv
from reports.forms import CommunityReportForm, ReportDefinitionForm, RunRequestForm
from reports.measures import Scope


@manager_required
def dashboard(request):
    """The manager's landing page for reports: key measures against the period before, trends,
    sites, stock alerts and overdue follow-ups, all of the manager's own program."""
    user = request.user
    today = user.program.today()
    form = DashboardFilterForm(request.GET or None, locations=locations_for(user), today=today)
    start, end = form.period_bounds()
    scope = Scope(program=user.program, start=start, end=end, location=form.chosen_location())
    filters = {name: value for name, value in request.GET.items() if name != "location"}
    with reading_from_replica(may_read_replica(request)):
        context = dashboard_context(user, scope, today=today, filters=filters)
        return render(request, "reports/dashboard.html", {"form": form, **context})


@manager_required
def encounter_extract(request):
    """One year's encounters of the manager's program as CSV, streamed with flat memory."""
    user = request.user
    this_year = user.program.today().year
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
        ip_address=client_ip(request),
        details={"year": year, "extract": "encounters"},
    )
    response = StreamingHttpResponse(
        stream_csv(
            encounter_extract_rows(
                user.program,
                year=year,
                using=replica_alias() if may_read_replica(request) else None,
            ),
            extract_header(),
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="encounters-{year}.csv"'
    return response


# --- Funder reports: definitions, runs, downloads, the community page ---------------------------

RUN_PAGE_SIZE = 50
COMMUNITY_CACHE_SECONDS = 60 * 60


@require_GET
@report_reader_required
def report_list(request):
    """Managers: the program's report definitions and every run. Funders: the runs published to
    their organisations, and nothing else."""
    return _report_list_page(request)


def _report_list_page(request, run_form=None, *, status=200):
    user = request.user
    runs = Paginator(report_selectors.run_list(user), RUN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": runs}
    if user.is_manager:
        definitions = report_selectors.definitions_for(user)
        context["definitions"] = definitions.prefetch_related("published_to")
        context["community"] = report_selectors.community_setting_for(user)
        if run_form is None:
            start, end = periods.previous_complete_period(
                report_services.program_today(user.program), periods.MONTHLY
            )
            run_form = RunRequestForm(definitions=definitions, initial={"start": start, "end": end})
        context["run_form"] = run_form
    return render(request, "reports/report_list.html", context, status=status)


@require_POST
@manager_required
def ready_definitions_add(request):
    created = report_services.add_ready_definitions(program=request.user.program, by=request.user)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d ready-made report was added.",
                "%(count)d ready-made reports were added.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("The program has every ready-made report already."))
    return redirect("reports:list")


def _definition_form_page(request, definition=None):
    user = request.user
    organisations = report_selectors.funder_organisations()
    initial = ReportDefinitionForm.initial_for(definition) if definition else None
    form = ReportDefinitionForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            definition = report_services.save_definition(
                by=user,
                definition=definition,
                name=cleaned["name"],
                description=cleaned["description"],
                measure_keys=cleaned["measures"],
                breakdown_keys=cleaned["breakdowns"],
                published_to=list(cleaned["published_to"]),
                schedule=cleaned["schedule"],
                run_on_day=cleaned["run_on_day"],
                is_active=cleaned["is_active"],
            )
        except report_services.ReportError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The report definition was saved."))
            return redirect("reports:definition", pk=definition.pk)
    return render(request, "reports/definition_form.html", {"form": form, "definition": definition})


@manager_required
def definition_new(request):
    return _definition_form_page(request)


@manager_required
def definition_edit(request, pk: int):
    definition = get_object_or_404(report_selectors.definitions_for(request.user), pk=pk)
    return _definition_form_page(request, definition)


def _definition_page(request, definition, form, *, status=200):
    runs = (
        report_selectors.run_list(request.user)
        .filter(definition=definition)
        .order_by("-created_at", "-id")[:RUN_PAGE_SIZE]
    )
    return render(
        request,
        "reports/definition_detail.html",
        {
            "definition": definition,
            "form": form,
            "runs": runs,
            "unknown_keys": definition.unknown_keys(),
            "measure_defs": [
                measures.MEASURES[key] for key in definition.measures if key in measures.MEASURES
            ],
            "breakdown_defs": [
                measures.BREAKDOWNS[key]
                for key in definition.breakdowns
                if key in measures.BREAKDOWNS
            ],
        },
        status=status,
    )


@require_GET
@manager_required
def definition_detail(request, pk: int):
    definition = get_object_or_404(
        report_selectors.definitions_for(request.user).prefetch_related("published_to"), pk=pk
    )
    start, end = periods.previous_complete_period(
        report_services.program_today(definition.program), periods.MONTHLY
    )
    form = RunRequestForm(initial={"start": start, "end": end})
    return _definition_page(request, definition, form)


def _requested_run(request, form: RunRequestForm, definition):
    """Queue the run the valid form asks for; None (with the form's errors) if refused."""
    if not form.is_valid():
        return None
    try:
        run = report_services.request_run(
            by=request.user,
            definition=definition or form.cleaned_data["definition"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
    except report_services.ReportError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    messages.success(
        request,
        _(
            "The report is being prepared. You will get an email when it is ready to review; "
            "it goes to the funders only when you publish it."
        ),
    )
    return run


@require_POST
@manager_required
def run_request(request, pk: int):
    """Run a definition for a period a manager chooses; the worker builds it."""
    definition = get_object_or_404(report_selectors.definitions_for(request.user), pk=pk)
    form = RunRequestForm(request.POST)
    run = _requested_run(request, form, definition)
    if run is not None:
        return redirect("reports:run", pk=run.pk)
    return _definition_page(request, definition, form, status=400)


@require_POST
@manager_required
def run_request_from_list(request):
    """The same, from the report list, with the definition chosen in the form."""
    form = RunRequestForm(request.POST, definitions=report_selectors.definitions_for(request.user))
    run = _requested_run(request, form, None)
    if run is not None:
        return redirect("reports:run", pk=run.pk)
    return _report_list_page(request, form, status=400)


@require_GET
@report_reader_required
def run_detail(request, pk: int):
    run = get_object_or_404(report_selectors.run_list(request.user), pk=pk)
    # A funder has no program of their own (the middleware leaves them in UTC): a run's times
    # are its program's, whoever reads them.
    with timezone.override(run.definition.program.tzinfo):
        return render(
            request,
            "reports/run_detail.html",
            {
                "run": run,
                "withheld": report_selectors.withheld_in(run) if request.user.is_manager else [],
                "formats": list(exports.RUN_FILE_FORMATS),
                "in_progress": not run.is_ready and run.status != run.Status.FAILED,
            },
        )


@require_POST
@manager_required
def run_retry(request, pk: int):
    run = get_object_or_404(report_selectors.run_list(request.user), pk=pk)
    try:
        report_services.retry_run(by=request.user, run=run)
    except report_services.ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report was queued again."))
    return redirect("reports:run", pk=run.pk)


@require_POST
@manager_required
def run_publish(request, pk: int):
    """Release a run the manager has reviewed to the funders of its definition, once they
    have confirmed it on a second page (it cannot be taken back)."""
    run = get_object_or_404(report_selectors.run_list(request.user), pk=pk)
    if run.is_ready and run.published_at is None and request.POST.get("confirmed") != "yes":
        return render(
            request,
            "reports/run_publish_confirm.html",
            {"run": run, "organisations": run.definition.published_to.all()},
        )
    try:
        report_services.publish_reviewed_run(by=request.user, run=run)
    except report_services.ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report was published."))
    return redirect("reports:run", pk=run.pk)


@require_GET
@report_reader_required
def run_download(request, pk: int, file_format: str):
    """One file of a run: managers of the program, funders it is published to; else 404."""
    response = run_file_response(request, pk, file_format)
    if response is None:
        raise Http404
    return response


@manager_required
def community_settings(request):
    """Turn the public community page on or off, and choose what it shows."""
    user = request.user
    setting = report_selectors.community_setting_for(user)
    initial = (
        {"enabled": setting.enabled, "definition": setting.definition, "period": setting.period}
        if setting
        else None
    )
    form = CommunityReportForm(
        request.POST if request.method == "POST" else None,
        definitions=report_selectors.definitions_for(user).filter(is_active=True),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            setting = community.set_community_report(
                by=user,
                enabled=form.cleaned_data["enabled"],
                definition=form.cleaned_data["definition"],
                period=form.cleaned_data["period"],
            )
        except report_services.ReportError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The community report setting was saved."))
            return redirect("reports:community_settings")
    return render(request, "reports/community_settings.html", {"form": form, "setting": setting})


@require_GET
def community_report(request, slug: str):
    """The public community report: the chosen measures for the last complete period, as
    published (reports.disclosure). Not found unless the program has turned it on."""
    setting = report_selectors.public_community_setting(slug)
    if setting is None:
        raise Http404
    definition = setting.definition
    today = report_services.program_today(setting.program)
    start, end = community.community_period(setting, today)
    key = (
        f"reports:community:{setting.pk}:{definition.pk}:{start}:{end}:{translation.get_language()}"
    )
    content = cache.get(key)
    if content is None:
        content = releases.community_content(setting, start, end)
        cache.set(key, content, COMMUNITY_CACHE_SECONDS)
    return render(
        request, "reports/community_report.html", {"content": content, "setting": setting}
    )
