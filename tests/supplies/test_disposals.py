"""Sharps disposals: the page, the API, the audit entry, and who may record them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from supplies.models import SharpsDisposal
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/sharps-disposals/"


def form_data(site, **changes) -> dict:
    data = {
        "location": site.pk,
        "disposed_on": site.program.today().isoformat(),
        "containers": 2,
        "weight_pounds": "1.5",
        "vendor": "Safe Waste Co.",
        "manifest_number": "M-1",
    }
    return {**data, **changes}


def test_a_manager_records_a_disposal_on_the_page_with_syringes_estimated(
    client, manager_a, site_a, program_a
):
    program_a.syringes_per_pound = 200
    program_a.save(update_fields=["syringes_per_pound"])
    client.force_login(manager_a)

    response = client.post(reverse("supplies:disposal_new"), form_data(site_a), follow=True)

    disposal = SharpsDisposal.objects.get()
    assert (disposal.containers, disposal.weight_pounds, disposal.syringes_estimated) == (
        2,
        Decimal("1.50"),
        300,
    )
    assert "300 syringes" in response.text
    entry = AuditEntry.objects.get(action="supplies.disposal.recorded")
    assert entry.actor == manager_a


def test_a_disposal_without_weight_or_count_shows_why_and_saves_nothing(client, manager_a, site_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:disposal_new"), form_data(site_a, weight_pounds="", containers=1)
    )

    assert response.status_code == 200
    assert "estimated" in response.text
    assert not SharpsDisposal.objects.exists()


def test_a_disposal_in_the_future_is_refused(client, manager_a, site_a):
    client.force_login(manager_a)
    tomorrow = site_a.program.today() + timedelta(days=1)

    response = client.post(
        reverse("supplies:disposal_new"), form_data(site_a, disposed_on=tomorrow.isoformat())
    )

    assert response.status_code == 200
    assert not SharpsDisposal.objects.exists()


def test_outreach_staff_cannot_open_the_disposal_page(client, outreach_a):
    client.force_login(outreach_a)
    assert client.get(reverse("supplies:disposal_new")).status_code in (302, 403, 404)


def test_the_api_records_and_lists_disposals_of_the_program_only(manager_a, outreach_b, site_a):
    created = api_client(manager_a).post(URL, form_data(site_a), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["syringes_estimated"] == 300

    assert api_client(manager_a).get(URL).json()["count"] == 1
    assert api_client(outreach_b).get(URL).json()["count"] == 0
    pk = created.json()["id"]
    assert api_client(outreach_b).get(f"{URL}{pk}/").status_code == 404


def test_the_api_refuses_a_duplicate_manifest_with_a_message(manager_a, site_a):
    client = api_client(manager_a)
    assert client.post(URL, form_data(site_a), format="json").status_code == 201

    again = client.post(URL, form_data(site_a), format="json")

    assert again.status_code == 400
    assert "recorded already" in str(again.json())


def test_outreach_staff_cannot_record_a_disposal_through_the_api(outreach_a, site_a):
    response = api_client(outreach_a).post(URL, form_data(site_a), format="json")
    assert response.status_code == 403
    assert not SharpsDisposal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"syringes_counted": 2**31, "weight_pounds": None}, "syringes_counted"),
        ({"containers": 2**31}, "containers"),
        ({"weight_pounds": "999999.99"}, "weight_pounds"),  # 200 a pound: 200 million syringes
    ],
)
def test_numbers_no_entry_can_hold_are_a_400_on_their_field(manager_a, site_a, changes, field):
    response = api_client(manager_a).post(URL, form_data(site_a, **changes), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not SharpsDisposal.objects.exists()


def test_a_weight_too_heavy_for_one_entry_is_a_form_error(client, manager_a, site_a):
    client.force_login(manager_a)

    response = client.post(
        reverse("supplies:disposal_new"), form_data(site_a, weight_pounds="999999.99")
    )

    assert response.status_code == 200
    assert "check the weight" in response.text
    assert not SharpsDisposal.objects.exists()
