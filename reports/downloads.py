"""A built run's file as a download, for the report pages and the API alike."""

from django.db import transaction
from django.http import HttpResponse

from audit.middleware import client_ip
from reports import exports
from reports import selectors as report_selectors
from reports import services as report_services


def run_file_response(request, pk: int, file_format: str) -> HttpResponse | None:
    """The file if the user may read the run and it is built, its download audited; else None."""
    stored = exports.RUN_FILE_FORMATS.get(file_format)
    if stored is None:
        return None
    found = report_selectors.run_file(request.user, pk, stored.field)
    if found is None:
        return None
    run, data = found
    with transaction.atomic():
        report_services.record_download(
            by=request.user, run=run, file_format=file_format, ip_address=client_ip(request)
        )
    response = HttpResponse(data, content_type=stored.content_type)
    name = exports.run_file_name(
        definition_name=run.definition.name,
        start=run.period_start,
        end=run.period_end,
        file_format=file_format,
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
