import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.two_factor import sign_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pixels of a canvas that are not fully transparent, read back from the browser.
PAINTED_PIXELS = """(canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let alpha = 3; alpha < data.length; alpha += 4) {
    if (data[alpha] !== 0) painted += 1;
  }
  return { painted, total: data.length / 4 };
}"""
# Pixels of one series' colour (the first, #0d6efd): the data was drawn, not only the axes.
SERIES_PIXELS = """(canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let found = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - 13) < 40 && Math.abs(data[i + 1] - 110) < 40
        && data[i + 2] > 200 && data[i + 3] > 0) found += 1;
  }
  return found;
}"""


@pytest.fixture
def demo_program_with_a_year():
    call_command("seed_demo", participants=60, encounters=600, stdout=io.StringIO())


def test_the_dashboard_draws_its_charts(page, demo_program_with_a_year):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and errors.append(response.url))

    sign_in_in_browser(page, "manager", "manager-demo")
    page.get_by_role("link", name="Dashboard").first.click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(3)
    for index in range(3):
        canvas = canvases.nth(index)
        expect(canvas).to_have_attribute("data-drawn", "true")
        pixels = canvas.evaluate(PAINTED_PIXELS)
        assert pixels["total"] > 10_000, "the canvas has a real size"
        assert pixels["painted"] > pixels["total"] * 0.01, f"chart {index} is blank"
        assert canvas.evaluate(SERIES_PIXELS) > 50, f"chart {index} shows no data"
    assert errors == []


# How much taller than its summary ("What it counts") the toggle is: the definition's height.
DEFINITION_DRAWN = """(details) => details.getBoundingClientRect().height
  - details.querySelector("summary").getBoundingClientRect().height"""


def test_on_a_phone_each_definition_waits_behind_its_info_toggle(page, demo_program_with_a_year):
    sign_in_in_browser(page, "manager", "manager-demo")
    page.goto("/reports/dashboard/")

    toggles = page.locator("[data-measure] details.measure-definition")
    count = toggles.count()
    assert count >= 10
    assert not any(toggles.nth(index).evaluate("e => e.open") for index in range(count))
    first = toggles.first
    assert first.evaluate(DEFINITION_DRAWN) < 1

    first.locator("summary").click()

    assert first.evaluate(DEFINITION_DRAWN) > 10
