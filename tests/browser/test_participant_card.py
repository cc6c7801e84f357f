"""On the phone: enrol someone, print their card, and check it as an officer would."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from cards.models import ParticipantCard
from participants.models import Participant
from tests.browser.test_encounter_screen import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def qr_address(pdf: bytes) -> str:
    """The address the card's QR code holds (also a link on the code, for PDF viewers)."""
    first_page = PdfReader(io.BytesIO(pdf)).pages[0]
    (link,) = [annotation.get_object() for annotation in first_page["/Annots"]]
    return link["/A"]["/URI"]


def test_enrol_print_the_card_and_check_it_signed_out(page, browser, live_server, demo):
    sign_in(page)
    page.goto("/encounters/new/")
    page.get_by_text("Find by code questions").click()
    page.get_by_label("Mother's first name").fill("Rosa")
    page.get_by_label("Birth month").select_option("07")
    page.get_by_label("Birth year").fill("1988")
    page.get_by_label("Place of birth (town or country)").fill("Quito")
    page.get_by_label("Non-binary").check()
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Enrol with these answers").click()
    expect(page.locator("#selected-participant")).to_contain_text("New")
    newcomer = Participant.objects.get()

    # The card page opens beside the encounter screen, which keeps what was typed.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Print their card").click()
    card_page = popup.value
    expect(card_page.get_by_role("heading", name=newcomer.public_id)).to_be_visible()
    pdfs = []

    def keep_pdf(response):
        if response.headers.get("content-type") == "application/pdf":
            pdfs.append(response)

    page.context.on("response", keep_pdf)
    with card_page.expect_popup() as opened:
        card_page.get_by_role("button", name="Make and print card").click()
    pdf_tab = opened.value
    for _ in range(50):
        if pdfs:
            break
        pdf_tab.wait_for_timeout(200)
    assert pdfs, "the card PDF did not open"
    assert pdfs[0].ok
    assert pdfs[0].url.endswith("/card.pdf")
    # Chromium shows it in its PDF viewer; the same session fetches the bytes to read them.
    pdf = pdf_tab.context.request.get(pdfs[0].url).body()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert newcomer.public_id in text
    card = ParticipantCard.objects.get(participant=newcomer)
    address = qr_address(pdf)
    assert address == f"{live_server.url}/cards/{card.token}/"

    # An officer scans the code: no sign-in, no account.
    officer = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        officer_page = officer.new_page()
        officer_page.goto(address)
        result = officer_page.locator("[data-card-check]")
        expect(result).to_have_attribute("data-card-check", "valid")
        expect(result).to_contain_text("Valid participant card of Demo Harm Reduction Program")
        expect(result).to_contain_text("Tarjeta de participante válida")
        expect(officer_page.get_by_text(newcomer.public_id)).to_have_count(0)
    finally:
        officer.close()
