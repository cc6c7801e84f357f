"""The certificate PDF: one landscape page per attendee, drawn with reportlab."""

from io import BytesIO

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from training.models import Certificate

PAGE_WIDTH, PAGE_HEIGHT = landscape(letter)
MARGIN = 0.6 * inch
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
ACCENT = HexColor("#0d6efd")
MUTED = HexColor("#555555")
REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"


def certificate_pdf(
    certificate: Certificate, *, verify_url: str, card_check_url: str | None = None
) -> bytes:
    """The certificate as PDF bytes; `verify_url` is the absolute address of its public page.
    A law-enforcement training's certificate also tells the officer where participant cards
    are checked (`card_check_url`).

    Reads the attendee, session, program and trainer: pass a certificate fetched with
    `select_related("attendee__session__program", "attendee__session__trainer")`.
    """
    attendee = certificate.attendee
    session = attendee.session
    trainer = session.trainer
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    canvas.setTitle(_("Training certificate %(code)s") % {"code": certificate.code})
    canvas.setAuthor(session.program.name)

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(MARGIN / 2, MARGIN / 2, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)

    y = PAGE_HEIGHT - 1.4 * inch
    _centred(canvas, _("Certificate of training"), BOLD, 30, y, color=ACCENT)
    y -= 0.7 * inch
    _centred(canvas, _("This certifies that"), REGULAR, 14, y)
    y -= 0.75 * inch
    _centred(canvas, attendee.name, BOLD, 32, y)
    y -= 0.6 * inch
    _centred(canvas, _("completed the training"), REGULAR, 14, y)
    y -= 0.45 * inch
    _centred(canvas, session.get_kind_display(), BOLD, 18, y)
    y -= 0.4 * inch
    _centred(
        canvas,
        _("on %(date)s, given by %(program)s")
        % {"date": _long_date(session.held_on), "program": session.program.name},
        REGULAR,
        14,
        y,
    )
    y -= 0.3 * inch
    _centred(
        canvas,
        _("Trainer: %(trainer)s") % {"trainer": trainer.display_name},
        REGULAR,
        12,
        y,
        color=MUTED,
    )
    y -= 0.55 * inch
    _centred(
        canvas,
        _("Valid until %(date)s") % {"date": _long_date(certificate.valid_until)},
        BOLD,
        14,
        y,
    )

    if card_check_url and session.is_law_enforcement:
        y -= 0.45 * inch
        _centred(
            canvas,
            _("Check a harm reduction participant card at %(url)s") % {"url": card_check_url},
            REGULAR,
            12,
            y,
            color=ACCENT,
        )

    y = MARGIN + 0.55 * inch
    _centred(
        canvas,
        _("Verification code: %(code)s") % {"code": certificate.code},
        BOLD,
        12,
        y,
    )
    y -= 0.25 * inch
    _centred(
        canvas,
        _("Check this certificate at %(url)s") % {"url": verify_url},
        REGULAR,
        10,
        y,
        color=MUTED,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float, *, color=None) -> None:
    """Draw one centred line, shrinking the font so a long name still fits the page."""
    while size > 8 and stringWidth(text, font, size) > TEXT_WIDTH:
        size -= 1
    canvas.setFont(font, size)
    canvas.setFillColor(color or HexColor("#000000"))
    canvas.drawCentredString(PAGE_WIDTH / 2, y, text)


def _long_date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")
