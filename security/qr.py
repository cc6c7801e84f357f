"""QR codes drawn on the server as SVG, so no secret ever goes to an outside service."""

import io
import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_code_svg(data: str, *, title: str) -> SafeString:
    """An inline <svg> of `data`: one path, no style attributes (the CSP forbids them)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    # Sized by the stylesheet, labelled for screen readers.
    svg = re.sub(r'\swidth="[^"]*"\sheight="[^"]*"', "", svg, count=1)
    svg = svg.replace("<svg ", '<svg class="qr-code" role="img" ', 1)
    svg = svg.replace(">", f"><title>{escape(title)}</title>", 1)
    return mark_safe(svg)  # noqa: S308 -- built here from qrcode's output, title escaped


def qr_code_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True is dark), with no border: for drawing on a PDF page."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()
