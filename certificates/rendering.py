"""Drawing certificates as A4 PDFs with reportlab.

Every piece of text is set in the one font of ``certificates.fonts`` (Latin
included), which is embedded; none of reportlab's standard 14 fonts is used.
Titles and bodies shrink to fit their box, and CJK text wraps between any two
characters, so long names and course titles never run off the page. The QR
code is a bitmap pointing at the certificate's public verification page.
"""

import io
from xml.sax.saxutils import escape

import qrcode
from django.core.files.storage import default_storage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from .constants import Orientation
from .fonts import certificate_font

TITLE_SIZES = (34, 30, 26, 22, 18, 16, 14)
BODY_SIZES = (20, 18, 16, 15, 14, 13, 12, 11, 10)
# Used only when real values are longer than the template was checked with.
EMERGENCY_BODY_SIZES = (9, 8, 7, 6, 5)
MARGIN = 22 * mm
FOOTER_HEIGHT = 52 * mm
QR_SIZE = 30 * mm
BORDER_COLOUR = colors.HexColor("#9c1f1f")


class LayoutError(Exception):
    """The text cannot fit its box even in the smallest type."""


def _page_size(orientation):
    return landscape(A4) if orientation == Orientation.LANDSCAPE else A4


def _style(name, size, *, align=TA_CENTER, leading=1.5):
    return ParagraphStyle(
        name, fontName=certificate_font().name, fontSize=size, leading=size * leading, alignment=align,
        wordWrap="CJK",
    )


def _paragraph_markup(text):
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _fit(text, sizes, width, height, *, align):
    """The first (largest) size at which ``text`` fits in width × height."""
    for size in sizes:
        paragraph = Paragraph(_paragraph_markup(text), _style("fit", size, align=align))
        _w, needed = paragraph.wrap(width, height)
        if needed <= height:
            return paragraph, needed
    raise LayoutError(text[:40])


def _boxes(orientation):
    width, height = _page_size(orientation)
    inner_width = width - 2 * MARGIN
    title_height = 28 * mm
    body_height = height - 2 * MARGIN - title_height - FOOTER_HEIGHT - 8 * mm
    return width, height, inner_width, title_height, body_height


def _layout(snapshot, *, emergency=False):
    width, height, inner_width, title_height, body_height = _boxes(snapshot["orientation"])
    title, title_used = _fit(snapshot["title"], TITLE_SIZES, inner_width, title_height, align=TA_CENTER)
    sizes = BODY_SIZES + (EMERGENCY_BODY_SIZES if emergency else ())
    body, body_used = _fit(snapshot["body"], sizes, inner_width - 20 * mm, body_height, align=TA_LEFT)
    return title, title_used, body, body_used


def layout_check(snapshot):
    """Raise LayoutError if the snapshot's text does not fit in normal type."""
    _layout(snapshot)


def _image(name):
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            return ImageReader(io.BytesIO(handle.read()))
    except (OSError, ValueError):
        # An image deleted from storage must not stop a certificate.
        return None


def qr_image(url):
    # A fixed mask pattern: choosing the "best" of the eight took more than
    # half of the time of rendering a whole certificate, and any mask is a
    # valid code that phone scanners and zbar read.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4, mask_pattern=0)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _draw_frame(c, width, height, snapshot):
    background = _image(snapshot.get("background"))
    if background is not None:
        c.drawImage(background, 0, 0, width=width, height=height, preserveAspectRatio=False, mask="auto")
    c.setStrokeColor(BORDER_COLOUR)
    c.setLineWidth(3)
    c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    c.setLineWidth(0.8)
    c.rect(13 * mm, 13 * mm, width - 26 * mm, height - 26 * mm)


def _draw_footer(c, width, snapshot, *, serial, check_code, verify_url):
    font = certificate_font().name
    c.drawImage(ImageReader(qr_image(verify_url)), MARGIN, MARGIN, width=QR_SIZE, height=QR_SIZE)
    c.setFillColor(colors.black)
    c.setFont(font, 9)
    c.drawString(MARGIN + QR_SIZE + 4 * mm, MARGIN + 18 * mm, f"证书编号 Serial: {serial}")
    c.drawString(MARGIN + QR_SIZE + 4 * mm, MARGIN + 12 * mm, f"校验码 Check code: {check_code}")
    c.drawString(MARGIN + QR_SIZE + 4 * mm, MARGIN + 6 * mm, "扫码或凭编号与校验码查验 Scan to verify")
    # Signatories from the right edge leftwards, the seal over the first.
    right = width - MARGIN
    column = 62 * mm
    seal = _image(snapshot.get("seal"))
    for index, (name, title) in enumerate(snapshot.get("signatories", [])):
        x = right - column * (index + 1)
        c.setFont(font, 11)
        c.drawCentredString(x + column / 2, MARGIN + 22 * mm, title or "")
        c.setFont(font, 13)
        c.drawCentredString(x + column / 2, MARGIN + 14 * mm, name or "")
    c.setFont(font, 12)
    c.drawRightString(right, MARGIN + 4 * mm, f"{snapshot.get('issuer', '')}  {snapshot.get('issued_on', '')}")
    if seal is not None:
        size = 36 * mm
        c.drawImage(seal, right - size - 6 * mm, MARGIN, width=size, height=size, mask="auto",
                    preserveAspectRatio=True)


def _new_canvas(buffer, page_size, snapshot, serial):
    # The canvas's initial font would otherwise be Helvetica, written into
    # every page unembedded even if no text ever uses it.
    c = pdf_canvas.Canvas(
        buffer, pagesize=page_size, pageCompression=1, initialFontName=certificate_font().name, initialFontSize=12
    )
    c.setTitle(snapshot.get("title", ""))
    c.setAuthor(snapshot.get("issuer", ""))
    c.setSubject(serial)
    return c


def render_certificate_pdf(snapshot, *, serial, check_code, verify_url):
    """The PDF of one certificate, as bytes."""
    if snapshot.get("transcript"):
        return render_transcript_pdf(snapshot, serial=serial, check_code=check_code, verify_url=verify_url)
    width, height, inner_width, title_height, body_height = _boxes(snapshot["orientation"])
    buffer = io.BytesIO()
    c = _new_canvas(buffer, (width, height), snapshot, serial)
    _draw_frame(c, width, height, snapshot)
    try:
        title, title_used, body, body_used = _layout(snapshot)
    except LayoutError:
        title, title_used, body, body_used = _layout(snapshot, emergency=True)
    top = height - MARGIN
    title.drawOn(c, MARGIN, top - title_height + (title_height - title_used) / 2)
    body_top = top - title_height - 8 * mm
    body.drawOn(c, MARGIN + 10 * mm, body_top - body_used - max(0, (body_height - body_used) / 3))
    _draw_footer(c, width, snapshot, serial=serial, check_code=check_code, verify_url=verify_url)
    c.showPage()
    c.save()
    return buffer.getvalue()


# --- The yearly hours transcript (学时证明) ----------------------------------

def _transcript_table(rows, widths, font):
    cell = _style("cell", 9, align=TA_LEFT, leading=1.3)
    data = [[Paragraph(_paragraph_markup(str(value)), cell) for value in row] for row in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _rows_that_fit(header, rows, widths, font, available):
    """The table of as many of ``rows`` as fit in ``available`` points, and
    how many that is (at least one, so that pagination always progresses)."""
    count = len(rows)
    while True:
        table = _transcript_table([header, *rows[:count]], widths, font)
        _w, used = table.wrap(sum(widths), available)
        if used <= available or count <= 1:
            return table, used, count
        # Cut proportionally, then by one: few re-measurements per page.
        count = max(1, min(count - 1, int(count * available / used)))


def render_transcript_pdf(snapshot, *, serial, check_code, verify_url):
    """The transcript: a certificate's head and footer, the totals by
    category, then every credit of the year, over as many pages as needed."""
    font = certificate_font().name
    width, height = A4
    inner_width = width - 2 * MARGIN
    transcript = snapshot["transcript"]
    header = ["日期", "培训", "类别", "学时"]
    widths = [24 * mm, inner_width - 24 * mm - 34 * mm - 18 * mm, 34 * mm, 18 * mm]
    rows = list(transcript["rows"])
    buffer = io.BytesIO()
    c = _new_canvas(buffer, (width, height), snapshot, serial)
    number = 0
    while number == 0 or rows:
        number += 1
        _draw_frame(c, width, height, snapshot)
        top = height - MARGIN
        if number == 1:
            title, used = _fit(snapshot["title"], TITLE_SIZES, inner_width, 20 * mm, align=TA_CENTER)
            title.drawOn(c, MARGIN, top - used)
            top -= used + 4 * mm
            body, used = _fit(snapshot["body"], BODY_SIZES + EMERGENCY_BODY_SIZES, inner_width, 40 * mm,
                              align=TA_LEFT)
            body.drawOn(c, MARGIN, top - used)
            top -= used + 4 * mm
            totals = [["类别", "学时"], *transcript["totals"], ["合计", transcript["total"]]]
            table = _transcript_table(totals, [inner_width - 30 * mm, 30 * mm], font)
            _w, used = table.wrap(inner_width, top - MARGIN)
            table.drawOn(c, MARGIN, top - used)
            top -= used + 6 * mm
        if rows:
            table, used, count = _rows_that_fit(header, rows, widths, font, top - MARGIN - QR_SIZE - 6 * mm)
            table.drawOn(c, MARGIN, top - used)
            rows = rows[count:]
        c.setFont(font, 8)
        c.drawRightString(width - MARGIN, 15 * mm, f"{serial} · {number}")
        _draw_footer(c, width, snapshot, serial=serial, check_code=check_code, verify_url=verify_url)
        c.showPage()
    c.save()
    return buffer.getvalue()


def render_template_sample(template):
    """A template filled in with sample values: Wagtail's preview."""
    from .templating import SAMPLE_VALUES, template_snapshot

    snapshot = template_snapshot(template, SAMPLE_VALUES)
    return render_certificate_pdf(
        snapshot, serial=SAMPLE_VALUES["serial"], check_code="ABC234", verify_url="https://example.cn/preview"
    )
