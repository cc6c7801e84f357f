"""The card as PDF: wallet size (CR80, 3.375 x 2.125 inches), drawn with reportlab.

Four pages to print double-sided or cut out: the English front and back, then the Spanish
front and back. Front: the program's name and phone, the participant's public id, the issue
date, the QR code and the short code for the check page. Back: the program's legal text and
where to check the card. Nothing else about the person is read, so nothing else can be printed.
"""

from io import BytesIO

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from cards.models import CardSettings, ParticipantCard
from security.qr import qr_code_matrix

CARD_WIDTH, CARD_HEIGHT = 3.375 * inch, 2.125 * inch
MARGIN = 0.14 * inch
QR_SIZE = 1.0 * inch
ACCENT = HexColor("#0d6efd")
MUTED = HexColor("#444444")
BLACK = HexColor("#000000")
REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
LANGUAGES = ("en", "es")


def card_pdf(
    card: ParticipantCard, *, card_settings: CardSettings, verify_url: str, check_url: str
) -> bytes:
    """The card as PDF bytes. `verify_url` is the absolute address in the QR code;
    `check_url` the address of the page where the short code can be typed."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(CARD_WIDTH, CARD_HEIGHT))
    canvas.setTitle(f"{card.program.name} · {card.participant.public_id}")
    canvas.setAuthor(card.program.name)
    matrix = qr_code_matrix(verify_url)
    for language in LANGUAGES:
        with translation.override(language):
            _front(canvas, card, card_settings, matrix, verify_url)
            canvas.showPage()
            _back(canvas, card_settings.legal_text(language), card, check_url)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _front(canvas: Canvas, card: ParticipantCard, card_settings, matrix, verify_url) -> None:
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.5)
    canvas.rect(MARGIN / 2, MARGIN / 2, CARD_WIDTH - MARGIN, CARD_HEIGHT - MARGIN)
    text_width = CARD_WIDTH - QR_SIZE - 3 * MARGIN
    y = CARD_HEIGHT - MARGIN - 12
    y = _lines(canvas, card.program.name, BOLD, 10, MARGIN, y, text_width, color=ACCENT, most=2)
    if card_settings.phone:
        y = _lines(canvas, card_settings.phone, REGULAR, 8, MARGIN, y, text_width)
    y -= 6
    y = _lines(canvas, _("Harm reduction program participant"), BOLD, 7, MARGIN, y, text_width)
    y -= 4
    _fit(canvas, card.participant.public_id, BOLD, 16, MARGIN, y - 8, text_width)
    y -= 24
    issued = formats.date_format(card.issued_on, "DATE_FORMAT")
    _lines(canvas, _("Issued %(date)s") % {"date": issued}, REGULAR, 7, MARGIN, y, text_width)
    _lines(
        canvas,
        _("This card does not name the bearer."),
        REGULAR,
        6,
        MARGIN,
        MARGIN + 6,
        text_width,
        color=MUTED,
    )
    # The QR code, module by module, and the short code to type under it.
    left = CARD_WIDTH - MARGIN - QR_SIZE
    top = CARD_HEIGHT - MARGIN - 4
    module = QR_SIZE / len(matrix)
    canvas.setFillColor(BLACK)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                canvas.rect(
                    left + column * module,
                    top - (row + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )
    # Tapping the code in a PDF viewer opens the check page too.
    canvas.linkURL(verify_url, (left, top - QR_SIZE, left + QR_SIZE, top), relative=0)
    below = top - QR_SIZE - 10
    canvas.setFont(REGULAR, 6)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(left + QR_SIZE / 2, below, _("Check code"))
    canvas.setFont(BOLD, 8)
    canvas.setFillColor(BLACK)
    canvas.drawCentredString(left + QR_SIZE / 2, below - 10, card.display_code)


def _back(canvas: Canvas, legal_text: str, card: ParticipantCard, check_url: str) -> None:
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.5)
    canvas.rect(MARGIN / 2, MARGIN / 2, CARD_WIDTH - MARGIN, CARD_HEIGHT - MARGIN)
    width = CARD_WIDTH - 2 * MARGIN
    footer = _("Check this card: scan the code or go to %(url)s and type %(code)s.") % {
        "url": check_url,
        "code": card.display_code,
    }
    footer_lines = simpleSplit(footer, REGULAR, 6, width)
    footer_top = MARGIN + 4 + 7 * len(footer_lines)
    # The legal text takes the space left, in the largest size that fits.
    top = CARD_HEIGHT - MARGIN - 8
    room = top - footer_top - 6
    size = 8.0
    while size > 4.5:
        lines = simpleSplit(legal_text, REGULAR, size, width)
        if len(lines) * size * 1.15 <= room:
            break
        size -= 0.5
    lines = simpleSplit(legal_text, REGULAR, size, width)
    canvas.setFont(REGULAR, size)
    canvas.setFillColor(BLACK)
    y = top
    for line in lines:
        if y < footer_top:
            break
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.15
    canvas.setFont(REGULAR, 6)
    canvas.setFillColor(MUTED)
    y = footer_top - 7
    for line in footer_lines:
        canvas.drawString(MARGIN, y, line)
        y -= 7


def _lines(canvas, text, font, size, x, y, width, *, color=None, most=3) -> float:
    """Draw `text` wrapped to `width` (at most `most` lines); the y below the last line."""
    canvas.setFont(font, size)
    canvas.setFillColor(color or BLACK)
    for line in simpleSplit(text, font, size, width)[:most]:
        canvas.drawString(x, y, line)
        y -= size * 1.2
    return y


def _fit(canvas, text, font, size, x, y, width) -> None:
    """One line, the font shrunk until it fits."""
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 1
    canvas.setFont(font, size)
    canvas.setFillColor(BLACK)
    canvas.drawString(x, y, text)
