"""The demo's funder and the reports published to it."""

from django.db import transaction

from accounts.models import Program, User
from reports.community import unused_community_slug
from reports.models import CommunityReportSetting, FunderOrganisation, ReportDefinition
from reports.services import add_ready_definitions

DEMO_FUNDER_ORGANISATION = "State Department of Health"


@transaction.atomic
def seed_demo_reports(*, program: Program, funders: list[User]) -> None:
    """The demo's funder organisation (with the demo funders), the three ready-made reports
    published to it, and the community page turned off. Safe to run again."""
    organisation, _created = FunderOrganisation.objects.get_or_create(name=DEMO_FUNDER_ORGANISATION)
    organisation.members.add(*funders)
    add_ready_definitions(program=program, by=None)
    for definition in ReportDefinition.objects.filter(program=program).exclude(ready_key=""):
        definition.published_to.add(organisation)
    CommunityReportSetting.objects.get_or_create(
        program=program, defaults={"slug": unused_community_slug(program), "enabled": False}
    )
