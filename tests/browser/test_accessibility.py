"""axe-core over every page of every role, on a phone and a laptop: no serious or critical
violation."""

from pathlib import Path

import pytest

from tests.browser.test_layout import LAPTOP, PASSWORDS, PHONE, demo, pages_of  # noqa: F401
from tests.two_factor import sign_in_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(violation => ["serious", "critical"].includes(violation.impact))
    .map(violation => `${violation.id}: ${violation.nodes.slice(0, 3)
      .map(node => node.target.join(" ")).join(", ")}`);
}"""


@pytest.mark.parametrize("role", ["outreach", "manager", "funder", "admin"])
def test_no_serious_accessibility_violation_on_any_page(browser, live_server, demo, role):  # noqa: F811
    # The test loads axe into the page; the app's policy rightly refuses such a script.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_in_browser(page, role, PASSWORDS[role])
    found = []
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        for path in pages_of(page, role):
            page.goto(path)
            page.add_script_tag(path=str(AXE))
            found += [(viewport["width"], path, item) for item in page.evaluate(SERIOUS)]
    context.close()
    assert found == []
