"""The program's public community page: whether it is on, which report it shows and for
which complete period."""

from datetime import date

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Program, User
from audit.services import record_action
from reports import periods
from reports.models import CommunityReportSetting, ReportDefinition
from reports.services import ReportError, check_manager_of


def unused_community_slug(program: Program) -> str:
    base = slugify(program.name)[:50] or "program"
    slug, number = base, 2
    while CommunityReportSetting.objects.filter(slug=slug).exclude(program=program).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


@transaction.atomic
def set_community_report(
    *,
    by: User,
    enabled: bool,
    definition: ReportDefinition | None,
    period: str,
) -> CommunityReportSetting:
    """Turn the program's public community page on or off and choose what it shows."""
    check_manager_of(by, by.program_id)
    if definition is not None and definition.program_id != by.program_id:
        raise ReportError(_("Choose a report of your program."), field="definition")
    if enabled and definition is None:
        raise ReportError(
            _("Choose which report the public page shows before turning it on."),
            field="definition",
        )
    if period not in CommunityReportSetting.Period.values:
        raise ReportError(_("Choose a period from the list."), field="period")
    setting, _created = CommunityReportSetting.objects.select_for_update().get_or_create(
        program=by.program, defaults={"slug": unused_community_slug(by.program)}
    )
    setting.enabled = enabled
    setting.definition = definition
    setting.period = period
    setting.save(update_fields=["enabled", "definition", "period"])
    record_action(
        actor=by,
        action="reports.community.changed",
        target=setting,
        program=by.program,
        details={
            "enabled": enabled,
            "definition": definition.pk if definition else None,
            "period": period,
        },
    )
    return setting


def community_period(setting: CommunityReportSetting, today: date) -> tuple[date, date]:
    """The last complete month, quarter or year before today."""
    schedule = {
        CommunityReportSetting.Period.MONTH: periods.MONTHLY,
        CommunityReportSetting.Period.QUARTER: periods.QUARTERLY,
        CommunityReportSetting.Period.YEAR: periods.YEARLY,
    }[setting.period]
    return periods.previous_complete_period(today, schedule)
