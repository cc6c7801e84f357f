import pytest

from accounts.selectors import assigned_locations, locations_for, users_for

pytestmark = pytest.mark.django_db


def test_locations_for_hides_other_programs(outreach_a, site_a, site_b):
    assert list(locations_for(outreach_a)) == [site_a]


def test_locations_for_funder_is_empty(funder, site_a):
    assert not locations_for(funder).exists()


def test_assigned_locations_of_a_manager_are_all_active_program_locations(
    manager_a, site_a, van_a, site_b
):
    van_a.is_active = False
    van_a.save(update_fields=["is_active"])

    assert list(assigned_locations(manager_a)) == [site_a]


def test_users_for_outreach_is_empty(outreach_a, manager_a):
    assert not users_for(outreach_a).exists()


def test_users_for_manager_hides_other_programs(manager_a, outreach_a, outreach_b):
    assert set(users_for(manager_a)) == {manager_a, outreach_a}
