from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import manager_required
from audit import selectors
from audit.forms import AuditFilterForm
from audit.object_names import names_of
from core.pagination import keyset_page

AUDIT_PAGE_SIZE = 50


@require_GET
@manager_required
def audit_log(request):
    """The program's audit log, newest first, filtered by day, person, action and object."""
    user = request.user
    form = AuditFilterForm(
        request.GET or None, user=user, object_types=selectors.audited_object_types()
    )
    entries = selectors.filtered_audit_entries(user, form.filters(), user.program.tzinfo)
    page = keyset_page(request, entries, time_field="at", size=AUDIT_PAGE_SIZE)
    names = names_of(user, page.rows)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "rows": [
                {
                    "entry": entry,
                    "public_id": names.get((entry.object_type, entry.object_id), ""),
                }
                for entry in page.rows
            ],
            "older": page.older_url,
            "paged": not page.is_first,
            "program_timezone": user.program.timezone,
        },
    )
