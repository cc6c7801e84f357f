from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import manager_required
from audit import selectors
from audit.actions import action_label, object_link, readable_details
from audit.forms import AuditFilterForm
from audit.object_names import names_of
from audit.services import record_action
from core.pagination import CURSOR_PARAMETER, keyset_page
from core.spreadsheets import CsvWriter

AUDIT_PAGE_SIZE = 50
# A download is for a period's review, not a copy of the whole log.
MOST_ROWS_PER_DOWNLOAD = 50_000


def _filtered(request):
    user = request.user
    form = AuditFilterForm(
        request.GET or None, user=user, object_types=selectors.audited_object_types()
    )
    return form, selectors.filtered_audit_entries(user, form.filters(), user.program.tzinfo)


def _filter_query(request) -> dict[str, str]:
    """The filters asked for, without the page cursor: a download holds every page."""
    return {key: value for key, value in request.GET.items() if value and key != CURSOR_PARAMETER}


def _readable(user, entries) -> list[dict]:
    """Each entry with its action in words, its object named and linked, its details
    labelled; a query per named object type."""
    names = names_of(user, entries)
    rows = []
    for entry in entries:
        name = names.get((entry.object_type, entry.object_id), "")
        rows.append(
            {
                "entry": entry,
                "action": action_label(entry.action),
                "who": entry.actor.display_name if entry.actor else "",
                "public_id": name,
                "object_name": name or entry.object_id,
                "object_kind": selectors.object_type_label(entry.object_type),
                "link": object_link(entry.object_type, entry.object_id, name),
                "details": readable_details(entry.details),
            }
        )
    return rows


@require_GET
@manager_required
def audit_log(request):
    """The program's audit log, newest first, filtered by day, person, action and object."""
    user = request.user
    form, entries = _filtered(request)
    page = keyset_page(request, entries, time_field="at", size=AUDIT_PAGE_SIZE)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "rows": _readable(user, page.rows),
            "older": page.older_url,
            "paged": not page.is_first,
            "program_timezone": user.program.timezone,
            "download_query": urlencode(_filter_query(request)),
        },
    )


@require_GET
@manager_required
def audit_log_download(request):
    """The filtered log as CSV, in the reader's language; the download is itself logged."""
    user = request.user
    _form, entries = _filtered(request)
    entries = list(entries[:MOST_ROWS_PER_DOWNLOAD])
    record_action(
        actor=user,
        action="audit.log.downloaded",
        details={
            "rows": len(entries),
            "filters": _filter_query(request),
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate(timezone=user.program.tzinfo).isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    writer = CsvWriter(response)
    writer.writerow(
        [
            _("When"),
            _("Who"),
            _("Action"),
            _("Action code"),
            _("Object type"),
            _("Object"),
            _("IP address"),
            _("Details"),
        ]
    )
    tzinfo = user.program.tzinfo
    for row in _readable(user, entries):
        entry = row["entry"]
        writer.writerow(
            [
                timezone.localtime(entry.at, tzinfo).strftime("%Y-%m-%d %H:%M:%S"),
                row["who"],
                row["action"],
                entry.action,
                row["object_kind"],
                row["object_name"],
                entry.ip_address or "",
                "; ".join(f"{label}: {value}" for label, value in row["details"]),
            ]
        )
    return response
