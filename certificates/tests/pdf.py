"""Reading certificates back, for tests: text with pdfminer, fonts and the
QR code image from the PDF's own objects."""

import io
import shutil
import subprocess
import tempfile

from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from PIL import Image


def pdf_text(data):
    return extract_text(io.BytesIO(data))


def _pages(data):
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    return list(PDFPage.create_pages(document))


def pdf_fonts(data):
    """(base font name, subtype, has an embedded font file) for every font
    every page uses."""
    fonts = []
    for page in _pages(data):
        for _name, ref in (resolve1(page.resources.get("Font")) or {}).items():
            font = resolve1(ref)
            descriptor_holder = font
            if font.get("Subtype").name == "Type0":
                descriptor_holder = resolve1(resolve1(font["DescendantFonts"])[0])
            descriptor = resolve1(descriptor_holder.get("FontDescriptor")) or {}
            embedded = any(key in descriptor for key in ("FontFile", "FontFile2", "FontFile3"))
            fonts.append((resolve1(font.get("BaseFont")).name, font.get("Subtype").name, embedded))
    return fonts


def pdf_images(data):
    """Every image XObject of every page, as a PIL image."""
    images = []
    for page in _pages(data):
        for _name, ref in (resolve1(page.resources.get("XObject")) or {}).items():
            stream = resolve1(ref)
            if not isinstance(stream, PDFStream) or stream.get("Subtype").name != "Image":
                continue
            width, height = stream["Width"], stream["Height"]
            colour = resolve1(stream["ColorSpace"])
            mode = {"DeviceGray": "L", "DeviceRGB": "RGB"}[colour.name]
            images.append(Image.frombytes(mode, (width, height), stream.get_data()))
    return images


def zbar_decode(image):
    """What ``zbarimg`` (Debian's zbar-tools) reads in ``image``."""
    if not shutil.which("zbarimg"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        image.save(handle.name)
        result = subprocess.run(["zbarimg", "--quiet", "--raw", handle.name], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line]


def issued_pdf(certificate):
    """The bytes of ``certificate``'s PDF. Issuing draws it once the
    transaction commits, which a test's transaction never does, so this
    draws it the way a download would if it is not there yet."""
    from certificates.services import certificate_pdf_open

    with certificate_pdf_open(certificate=certificate) as handle:
        return handle.read()
