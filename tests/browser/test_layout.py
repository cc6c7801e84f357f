"""The walk-through on a phone in a gloved hand and on a manager's laptop: what is tapped is what
was aimed at, targets take a thumb, and no page is wider than the screen."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from encounters.models import Encounter
from participants import services
from participants.models import Participant
from referrals.models import ReferralKind
from tests.factories import overdue_referral
from tests.two_factor import sign_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PASSWORDS = {
    "outreach": "outreach-demo",
    "manager": "manager-demo",
    "funder": "funder-demo",
    "admin": "admin-demo",
}
# Across the Save button: five columns from edge to edge and two rows.
GRID_X = (0.05, 0.3, 0.5, 0.7, 0.95)
GRID_Y = (0.25, 0.75)


@pytest.fixture
def demo():
    """The demo program and a participant the outreach worker enrolled."""
    call_command("seed_demo", stdout=io.StringIO())
    services.enroll_participant(
        by=User.objects.get(username="outreach"), code="SU0190DF", profile={"alias": "Sunny"}
    )


def pick_anonymous(page):
    page.get_by_role("button", name="Anonymous", exact=True).click()
    expect(page.locator("#selected-participant")).to_be_visible()
    # "More supplies" open: more counter rows that could slide under the Save bar.
    more = page.locator("details:has(> summary:text('More supplies'))")
    if more.count() and not more.evaluate("element => element.open"):
        more.locator("summary").click()


def scroll_to(page, fraction):
    page.evaluate(
        """fraction => window.scrollTo(0,
            (document.documentElement.scrollHeight - window.innerHeight) * fraction)""",
        fraction,
    )


HIT = """([x, y]) => {
    const save = [...document.querySelectorAll("button[type=submit]")]
      .find(button => button.textContent.trim() === "Save encounter");
    return save.contains(document.elementFromPoint(x, y));
}"""


def test_every_tap_across_save_saves_at_every_scroll_position(page, demo):
    sign_in_in_browser(page, "outreach", PASSWORDS["outreach"])
    page.goto("/encounters/new/")
    saved = Encounter.objects.count()
    for fraction in (0, 0.35, 0.7, 1):
        pick_anonymous(page)
        scroll_to(page, fraction)
        box = page.get_by_role("button", name="Save encounter").bounding_box()
        grid = [
            (box["x"] + box["width"] * x, box["y"] + box["height"] * y)
            for x in GRID_X
            for y in GRID_Y
        ]
        # Every point of the grid lands on Save, not on a counter drawn over it...
        missed = [point for point in grid if not page.evaluate(HIT, list(point))]
        assert missed == [], (fraction, missed)
        # ...and a real tap on its right end, where the plus buttons sat, saves.
        with page.expect_navigation():
            page.mouse.click(*grid[-1])
        expect(page.locator("#saved-confirmation")).to_be_visible()
        saved += 1
        assert Encounter.objects.count() == saved, fraction


TARGETS = """() => [...document.querySelectorAll(
    '.encounter-screen button, .encounter-screen summary, .encounter-screen select,'
    + ' .encounter-screen input:not([type=hidden]):not([type=radio]):not([type=checkbox]),'
    + ' .encounter-screen label.btn, .encounter-screen .form-check-label,'
    + ' .encounter-screen a.btn')]
  .filter(element => element.offsetParent !== null)
  .map(element => ({text: (element.innerText || element.name || element.id).trim(),
                    height: element.getBoundingClientRect().height}))
  .filter(target => target.height < 44)"""


def test_encounter_screen_targets_take_a_thumb(page, demo):
    sign_in_in_browser(page, "outreach", PASSWORDS["outreach"])
    page.goto("/encounters/new/")
    expect(page.get_by_role("heading", level=1, name="Log encounter")).to_be_visible()
    for summary in page.locator(".encounter-screen summary").all():
        if summary.is_visible():
            summary.click()
    assert page.evaluate(TARGETS) == []

    # The location select shows whole names on a phone.
    select = page.locator("#id_location")
    assert select.evaluate("element => element.scrollWidth <= element.clientWidth + 1")
    assert select.bounding_box()["width"] > 300

    pick_anonymous(page)
    assert page.evaluate(TARGETS) == []


def test_card_id_stays_on_one_line(page, demo):
    participant = Participant.objects.filter(anonymised_at__isnull=True).first()
    sign_in_in_browser(page, "outreach", PASSWORDS["outreach"])
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"/participants/{participant.public_id}/")
    heading = page.get_by_role("heading", level=1, name=participant.public_id)
    # One line: its height is one line's height, whatever the width.
    assert heading.evaluate(
        "element => element.getClientRects().length === 1"
        " && element.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(element)"
        ".lineHeight)"
    )


# Every card id written on the page (HR- and five characters): on how many lines it is drawn,
# and whether it may break at all (white-space: nowrap), at whatever width.
CARD_IDS_ON_LINES = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const match of node.textContent.matchAll(/HR-[A-Z0-9]{5}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      const nowrap = getComputedStyle(node.parentElement).whiteSpace === "nowrap";
      if (tops.size) found.push([match[0], tops.size, nowrap]);
    }
  }
  return found;
}"""


def test_no_card_id_breaks_at_its_hyphen_on_a_narrow_phone(page, demo):
    manager = User.objects.get(username="manager")
    participant = Participant.objects.filter(anonymised_at__isnull=True).first()
    overdue_referral(days=3, by=manager, participant=participant, kind=ReferralKind.HOUSING)
    sign_in_in_browser(page, "manager", PASSWORDS["manager"])
    page.set_viewport_size({"width": 320, "height": 700})
    checked = []
    for path in (
        f"/participants/{participant.public_id}/",
        f"/participants/{participant.public_id}/edit/",
        "/referrals/follow-ups/",
        "/reports/dashboard/",
    ):
        page.goto(path)
        ids = page.evaluate(CARD_IDS_ON_LINES)
        checked += ids
        assert [card_id for card_id, lines, nowrap in ids if lines > 1 or not nowrap] == [], path
    assert len(checked) == 4


def test_favicon_is_served(page, demo):
    response = page.request.get("/favicon.ico")
    assert response.ok
    assert response.headers["content-type"].startswith("image/")


def pages_of(page, role):
    """Every page in the role's menu, and a participant's page for program staff."""
    start = "/reports/" if role == "funder" else "/"
    page.goto(start)
    links = page.eval_on_selector_all(
        "#main-nav a.nav-link, #main-nav a.dropdown-item",
        "links => links.map(link => new URL(link.href).pathname)",
    )
    paths = list(dict.fromkeys([start, *links]))
    if role in ("outreach", "manager"):
        participant = Participant.objects.filter(anonymised_at__isnull=True).first()
        paths.append(f"/participants/{participant.public_id}/")
    if role == "manager":
        # Adding and changing a staff member, on a phone too.
        outreach = User.objects.get(username="outreach")
        paths += [reverse("accounts:user_new"), reverse("accounts:user_edit", args=[outreach.pk])]
    return paths


@pytest.mark.parametrize("role", ["outreach", "manager", "funder", "admin"])
def test_no_page_is_wider_than_a_phone_or_a_laptop(browser, live_server, demo, role):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_in_browser(page, role, PASSWORDS[role])
    paths = pages_of(page, role)
    assert len(paths) > 1
    too_wide = []
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide.append((viewport["width"], path, width))
        # On a laptop the whole menu is on screen: nothing falls off the right edge.
        page.goto(paths[0])
        if viewport is LAPTOP:
            overflow = page.eval_on_selector_all(
                "nav .nav-link",
                "links => links.filter(link => link.getBoundingClientRect().right"
                " > window.innerWidth).map(link => link.innerText)",
            )
            assert overflow == [], overflow
    context.close()
    assert too_wide == []


def test_one_enrolment_path_in_at_most_seven_taps_plus_the_answers(page, demo):
    sign_in_in_browser(page, "outreach", PASSWORDS["outreach"])
    page.goto("/encounters/new/")
    # No second way to enrol that leaves the encounter screen.
    expect(page.get_by_role("link", name="Enrol a new participant")).to_have_count(0)
    participants_before = Participant.objects.count()
    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    tap(page.get_by_text("Find by code questions, or enrol someone new"))
    # The answers: what the worker asks once.
    page.get_by_label("Mother's first name").fill("Rosa")
    page.get_by_label("Birth month").select_option("07")
    page.get_by_label("Birth year").fill("1988")
    page.get_by_label("Place of birth (town or country)").fill("Quito")
    page.get_by_label("Non-binary").check()
    tap(page.get_by_role("button", name="Find"))
    expect(page.get_by_text("No participant has these answers yet.")).to_be_visible()
    tap(page.get_by_role("button", name="Enrol with these answers"))
    expect(page.locator("#selected-participant")).to_contain_text("New")
    tap(page.get_by_role("button", name="Save encounter"))
    expect(page.locator("#saved-confirmation")).to_be_visible()

    assert taps <= 7
    assert Participant.objects.count() == participants_before + 1
    newcomer = Participant.objects.latest("pk")
    assert Encounter.objects.filter(participant=newcomer).count() == 1


LINKS_OFF_SCREEN = """() => {
  const region = document.querySelector("[data-runs]").closest(".table-responsive");
  const links = [...document.querySelectorAll(
    "[data-runs] a[href$='/csv/'], [data-runs] a[href$='/xlsx/'], [data-runs] a[href$='/pdf/']")];
  return {
    links: links.length,
    off: links.filter((link) => link.getBoundingClientRect().right > window.innerWidth)
      .map((link) => link.href),
    scrolls: region.scrollWidth > region.clientWidth,
  };
}"""


def test_the_funders_download_links_are_on_a_phones_screen(browser, live_server):
    call_command("seed_demo", year=True, participants=20, encounters=200, stdout=io.StringIO())
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_in_browser(page, "funder", PASSWORDS["funder"])
    page.goto("/reports/")

    found = page.evaluate(LINKS_OFF_SCREEN)

    context.close()
    assert found["links"] >= 3 * 6, "three files of each of the six published runs"
    assert found["off"] == []
    assert not found["scrolls"], "the table is not wider than the phone"
