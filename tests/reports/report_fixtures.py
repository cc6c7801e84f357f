"""Funder organisations and report definitions for the funder-report tests.

Program A has the three ready-made definitions. "State Health" (with `funder` as a member)
has the monthly program report published to it; "Foundation" (with `other_funder`) has
nothing; the quarterly report is published to nobody.
"""

import pytest

from accounts.models import User
from reports import services
from reports.models import FunderOrganisation, ReportDefinition
from tests.factories import UserFactory


@pytest.fixture(name="state_health")
def state_health_fixture(funder):
    organisation = FunderOrganisation.objects.create(name="State Health")
    organisation.members.add(funder)
    return organisation


@pytest.fixture(name="other_funder")
def other_funder_fixture():
    user = UserFactory(username="other_funder", role=User.Role.FUNDER, program=None)
    FunderOrganisation.objects.create(name="Foundation").members.add(user)
    return user


@pytest.fixture(name="definitions")
def definitions_fixture(program_a, manager_a, state_health) -> dict[str, ReportDefinition]:
    services.add_ready_definitions(program=program_a, by=manager_a)
    by_key = {d.ready_key: d for d in ReportDefinition.objects.filter(program=program_a)}
    by_key["monthly_program"].published_to.add(state_health)
    by_key["state_annual"].published_to.add(state_health)
    return by_key


@pytest.fixture(name="monthly")
def monthly_fixture(definitions) -> ReportDefinition:
    return definitions["monthly_program"]


@pytest.fixture(name="manager_b")
def manager_b_fixture(program_b):
    return UserFactory(username="manager_b", role=User.Role.MANAGER, program=program_b)
