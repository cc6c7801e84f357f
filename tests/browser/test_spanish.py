"""In Spanish in the browser: what the scripts draw and write (chart titles, series, axes,
dates; the offline queue's messages) is Spanish too, not only what the server rendered."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation.trans_real import DjangoTranslation
from playwright.sync_api import expect

from accounts.models import Program, User
from demo.management.commands.seed_demo import DEMO_PROGRAM
from tests.browser.test_dashboard import demo_program_with_a_year  # noqa: F401
from tests.browser.test_offline import demo, go_offline, wait_until  # noqa: F401
from tests.spanish import english_among
from tests.two_factor import sign_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  return {
    name: canvas.dataset.chart,
    title: canvas.closest("figure").querySelector("figcaption").textContent.trim(),
    label: canvas.getAttribute("aria-label"),
    labels: chart.data.labels,
    series: chart.data.datasets.map((dataset) => dataset.label),
    legend: chart.legend.legendItems.map((item) => item.text),
    thousands: chart.scales.y.getLabelForValue(15000),
    tension: chart.data.datasets.map((dataset) => dataset.tension),
    locale: chart.options.locale,
  };
})"""


def spanish(text: str) -> str:
    """A page's words (django.po)."""
    with translation.override("es"):
        return gettext(text)


# The scripts' words (djangojs.po), as the JavaScript catalogue serves them. Called by other
# names so that makemessages does not copy these sentences into the pages' catalogue.
SCRIPTS_SPANISH = DjangoTranslation("es", domain="djangojs")
script_words = SCRIPTS_SPANISH.gettext
counted_script_words = SCRIPTS_SPANISH.ngettext
script_words_in_context = SCRIPTS_SPANISH.pgettext


def body_lines(page) -> list[str]:
    return page.inner_text("body").splitlines()


def test_dashboard_charts_and_dates_are_in_spanish(page, demo_program_with_a_year):  # noqa: F811
    sign_in_in_browser(page, "manager", "manager-demo")
    User.objects.filter(username="manager").update(language="es")
    page.goto("/reports/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(3)
    for index in range(3):
        expect(canvases.nth(index)).to_have_attribute("data-drawn", "true")

    charts = page.evaluate(CHARTS)

    assert [chart["title"] for chart in charts] == [
        spanish("By week"),
        spanish("By month"),
        spanish("Supplies by month"),
    ]
    assert spanish("Encounters") in charts[1]["series"]
    texts = [
        text
        for chart in charts
        for text in [chart["title"], chart["label"], *chart["series"], *chart["legend"]]
    ]
    assert english_among(texts) == []
    for chart in charts:
        assert chart["locale"] == "es"
        assert chart["legend"] == chart["series"]
        # Straight lines: a curve would suggest activity in empty weeks.
        assert set(chart["tension"]) == {0}
    # Weeks in Spanish order (day first) and none still to come.
    today = Program.objects.get(name=DEMO_PROGRAM).today()
    labels = charts[0]["labels"]
    assert labels[-1].endswith("(hasta hoy)")  # the week under way is marked as so far
    weeks = [datetime.strptime(label.split(" (")[0], "%d/%m/%Y").date() for label in labels]
    assert weeks == sorted(weeks)
    assert weeks[-1] <= today < weeks[-1] + timedelta(days=7)
    # Numbers on the axes and in the tooltips as Spanish writes them: 15.000, not 15,000.
    assert {chart["thousands"] for chart in charts} == {"15.000"}

    # Dates are typed in the Spanish order, whatever the browser's own (en-US here).
    page.locator("#id_period").select_option("custom")
    page.wait_for_load_state("load")
    start = page.locator("#id_start")
    assert start.get_attribute("type") == "text"
    assert start.get_attribute("placeholder") == "dd/mm/aaaa"
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    start.fill(first.strftime("%d/%m/%Y"))
    page.locator("#id_end").fill(today.strftime("%d/%m/%Y"))
    page.get_by_role("button", name=spanish("Show")).click()
    with translation.override("es"):
        shown = date_format(first)
    expect(page.locator("[data-period]")).to_contain_text(shown)
    assert page.locator("#id_start").input_value() == first.strftime("%d/%m/%Y")
    assert english_among(body_lines(page)) == []


def _sign_in_as_outreach_in_spanish(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("outreach")
    page.get_by_label("Password").fill("outreach-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    User.objects.filter(username="outreach").update(language="es")


def test_encounter_screen_scripts_write_spanish_with_and_without_signal(page, demo):  # noqa: F811
    _sign_in_as_outreach_in_spanish(page)
    page.goto("/encounters/new/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    expect(page.locator("html[data-offline-ready]")).to_have_count(1, timeout=20_000)
    assert page.evaluate("() => window.gettext('Sync now')") == "Sincronizar ahora"
    ready = script_words_in_context("offline status", "Ready to work without signal.")
    expect(page.locator("[data-offline-ready-note]")).to_have_text(ready)

    go_offline(page)
    # The page, its scripts and their Spanish words all come from the phone's cache.
    page.reload()
    expect(
        page.get_by_text(
            script_words(
                "No signal: encounters are saved on this phone and sync when the signal returns."
            )
        )
    ).to_be_visible()
    page.get_by_role("button", name=spanish("Anonymous"), exact=True).click()
    page.get_by_role("button", name=spanish("Save encounter")).click()
    expect(page.locator("#offline-saved")).to_contain_text(
        script_words("Saved on this phone. It will sync when the signal returns.")
    )
    waiting = counted_script_words("%(count)s waiting to sync", "%(count)s waiting to sync", 1) % {
        "count": 1
    }
    synced = counted_script_words(
        "%(count)s encounter synced.", "%(count)s encounters synced.", 1
    ) % {"count": 1}
    assert waiting != "1 waiting to sync"
    expect(page.get_by_text(waiting)).to_be_visible()
    assert english_among(body_lines(page)) == []

    page.context.set_offline(False)
    expect(page.get_by_text(synced)).to_be_visible()
    assert english_among(body_lines(page)) == []
