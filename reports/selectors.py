"""Reads about funder reports, scoped to what the requesting user may see."""

from django.db.models import QuerySet

from accounts.models import User
from reports import measures
from reports.models import (
    CommunityReportSetting,
    FunderOrganisation,
    Release,
    ReportDefinition,
    ReportRun,
)


def definitions_for(user: User) -> QuerySet[ReportDefinition]:
    """The report definitions of a manager's program; none for anyone else."""
    if not user.is_authenticated or not user.is_manager:
        return ReportDefinition.objects.none()
    return ReportDefinition.objects.filter(program_id=user.program_id)


def runs_for(user: User) -> QuerySet[ReportRun]:
    """Runs a user may see, without their files (deferred; a download reads one).

    A manager: every run of the program's definitions. A funder: only runs published (built
    and announced) of definitions published to one of their organisations.
    """
    runs = ReportRun.objects.defer(*ReportRun.FILE_FIELDS)
    if not user.is_authenticated:
        return runs.none()
    if user.is_manager:
        return runs.filter(definition__program_id=user.program_id)
    if user.is_funder:
        published_to_them = ReportDefinition.objects.filter(published_to__members=user)
        return runs.filter(
            definition__in=published_to_them,
            status=ReportRun.Status.SUCCEEDED,
            published_at__isnull=False,
        )
    return runs.none()


def run_list(user: User) -> QuerySet[ReportRun]:
    """Runs for the report list, newest first, with definition, program and requester."""
    return runs_for(user).select_related("definition__program", "requested_by")


def run_file(user: User, run_id: int, field: str) -> tuple[ReportRun, bytes] | None:
    """One file of a run the user may download, or None (not theirs, not built, no such run)."""
    run = (
        runs_for(user)
        .filter(pk=run_id, status=ReportRun.Status.SUCCEEDED)
        .select_related("definition__program")
        .first()
    )
    if run is None:
        return None
    data = ReportRun.objects.filter(pk=run_id).values_list(field, flat=True).first()
    if not data:
        return None
    return run, bytes(data)


def funder_organisations() -> QuerySet[FunderOrganisation]:
    return FunderOrganisation.objects.order_by("name")


def community_setting_for(user: User) -> CommunityReportSetting | None:
    if not user.is_authenticated or not user.is_manager:
        return None
    return CommunityReportSetting.objects.filter(program_id=user.program_id).first()


def public_community_setting(slug: str) -> CommunityReportSetting | None:
    """The community page setting behind a public address, only if it is turned on."""
    return (
        CommunityReportSetting.objects.filter(
            slug=slug, enabled=True, definition__isnull=False, definition__is_active=True
        )
        .select_related("program", "definition")
        .first()
    )


def withheld_in(run: ReportRun) -> list[str]:
    """The names of what the release check left out of a run's files (one query)."""
    keys = Release.objects.filter(run=run).values_list("withheld", flat=True).first() or []
    names = {**measures.MEASURES, **measures.BREAKDOWNS}
    return [str(names[key].label) for key in keys if key in names]
