import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MANAGER_PAGES = ["accounts:users", "accounts:locations"]


@pytest.mark.parametrize("page", ["home", *MANAGER_PAGES, "reports:list"])
def test_anonymous_visitor_is_sent_to_sign_in(client, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_outreach_cannot_open_manager_pages(client, outreach_a, page):
    client.force_login(outreach_a)

    response = client.get(reverse(page))

    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_outreach_cannot_open_reports(client, outreach_a):
    client.force_login(outreach_a)

    assert client.get(reverse("reports:list")).status_code == 403


@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_manager_opens_manager_pages(client, manager_a, page):
    client.force_login(manager_a)

    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_funder_cannot_open_program_pages(client, funder, page):
    client.force_login(funder)

    assert client.get(reverse(page)).status_code == 403


def test_funder_home_is_the_reports_page(client, funder):
    client.force_login(funder)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("reports:list")
    assert response.status_code == 200


def test_navigation_shows_only_the_pages_of_the_role(client, outreach_a, funder):
    client.force_login(outreach_a)
    outreach_page = client.get(reverse("home")).text
    client.force_login(funder)
    funder_page = client.get(reverse("reports:list")).text

    assert reverse("accounts:users") not in outreach_page
    assert reverse("reports:list") not in outreach_page
    assert reverse("accounts:users") not in funder_page
    assert reverse("reports:list") in funder_page


def test_manager_sees_only_the_users_of_their_program(client, manager_a, outreach_a, outreach_b):
    client.force_login(manager_a)

    page = client.get(reverse("accounts:users")).text

    assert "outreach_a" in page
    assert "outreach_b" not in page


def test_manager_sees_only_the_locations_of_their_program(client, manager_a, site_a, site_b):
    client.force_login(manager_a)

    page = client.get(reverse("accounts:locations")).text

    assert site_a.name in page
    assert site_b.name not in page


def test_outreach_home_lists_only_their_assigned_locations(client, outreach_a, site_a, van_a):
    client.force_login(outreach_a)

    page = client.get(reverse("home")).text

    assert site_a.name in page
    assert van_a.name not in page


def test_unknown_page_says_so_in_plain_words(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
