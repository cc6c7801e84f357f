"""A Save that fails must show why, even when the field at fault is folded away; the kind
follows the location."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter
from tests.conftest import PROGRAM_ZONE
from tests.encounters.test_encounters import encounter_data

pytestmark = pytest.mark.django_db

NEW = reverse("encounters:new")


@pytest.fixture
def signed_in(client, outreach_a, catalogue_a):
    client.force_login(outreach_a)
    return client


DETAILS = re.compile(r"<details([^>]*)data-details>(.*?)</details>", flags=re.DOTALL)
SUMMARY = re.compile(r'<div [^>]*role="alert"[^>]*data-not-saved>(.*?)</div>', flags=re.DOTALL)


def details_section(response) -> tuple[bool, str, str | None]:
    """Whether "Reversals, others, time" is open, what it holds, and the summary if any."""
    page = response.content.decode()
    attributes, inside = DETAILS.search(page).groups()
    summary = SUMMARY.search(page)
    return " open" in attributes, inside, summary.group(1) if summary else None


def test_a_future_time_opens_its_section_and_says_not_saved(signed_in, site_a):
    future = timezone.localtime(timezone=PROGRAM_ZONE) + timedelta(days=3)

    response = signed_in.post(
        NEW, encounter_data(site_a, occurred_at=future.strftime("%Y-%m-%dT%H:%M"))
    )

    is_open, inside, summary = details_section(response)
    assert is_open
    assert "in the future" in inside
    assert re.search(r'<input[^>]*name="occurred_at"[^>]*aria-invalid="true"', inside)
    assert "Not saved: check the marked fields." in summary


def test_a_counter_error_in_the_section_opens_it(signed_in, site_a):
    response = signed_in.post(NEW, encounter_data(site_a, overdose_reversals_reported=99))

    is_open, inside, summary = details_section(response)
    assert is_open
    assert 'aria-invalid="true"' in inside
    assert summary is not None


def test_an_error_elsewhere_leaves_the_section_closed(signed_in, site_a):
    response = signed_in.post(NEW, encounter_data(site_a, participant=""))

    is_open, _inside, summary = details_section(response)
    assert not is_open
    assert summary is not None


def test_a_fresh_screen_has_no_summary_and_a_closed_section(signed_in):
    is_open, _inside, summary = details_section(signed_in.get(NEW))

    assert not is_open
    assert summary is None


def test_the_summary_is_in_spanish(signed_in, outreach_a, site_a):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])

    response = signed_in.post(NEW, encounter_data(site_a, overdose_reversals_reported=99))

    _is_open, _inside, summary = details_section(response)
    assert "No se guardó" in summary


def test_each_location_names_the_kind_it_implies(signed_in, outreach_a, van_a):
    outreach_a.locations.add(van_a)

    page = signed_in.get(NEW).content.decode()

    assert re.search(rf'value="{van_a.pk}"[^>]*data-encounter-kind="mobile_unit"', page)


def test_a_post_without_a_kind_takes_the_locations(signed_in, outreach_a, van_a):
    outreach_a.locations.add(van_a)
    data = encounter_data(van_a)
    del data["kind"]

    signed_in.post(NEW, data)

    assert Encounter.objects.get().kind == Encounter.Kind.MOBILE_UNIT
