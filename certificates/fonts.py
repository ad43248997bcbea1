"""The font certificates are drawn with.

A TrueType CJK font from the operating system's font packages (Debian's
``fonts-wqy-microhei`` is the one ``make run`` and CI install), found through
fontconfig or named by ``CERTIFICATES_FONT_PATH``. It is embedded (subset) in
every PDF and used for Latin text too, so a certificate looks the same on any
reader and archives well. reportlab cannot embed CFF-outline fonts (Noto CJK,
Source Han), so only fonts with TrueType outlines qualify.

Without one, certificates fall back to reportlab's built-in CID font
``STSong-Light``, which is *not* embedded: readers substitute a local font.
``font_warning()`` says so, and the admin shows it. See
docs/decisions/0020-certificate-font.md.
"""

import functools
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

FONT_NAME = "AcademyCJK"
FALLBACK_FONT_NAME = "STSong-Light"
# Tried in this order before anything else fontconfig lists for Chinese.
PREFERRED_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)
TRUETYPE_SUFFIXES = (".ttf", ".ttc")

FONT_MISSING_WARNING = _(
    "No embeddable Chinese TrueType font was found, so certificate PDFs use a built-in font that is "
    "not embedded and may look different on other computers. Install one (as root: "
    "apt-get install fonts-wqy-microhei) or set CERTIFICATES_FONT_PATH to a .ttf or .ttc file, "
    "then restart the web server and the worker."
)
CONFIGURED_FONT_UNUSABLE = _("The font set in CERTIFICATES_FONT_PATH (%(path)s) cannot be embedded: %(reason)s")


@dataclass(frozen=True)
class CertificateFont:
    name: str
    path: str
    embedded: bool


def _fontconfig_candidates():
    if not shutil.which("fc-list"):
        return []
    try:
        output = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":", 1)[0].strip() for line in output.splitlines() if line.strip()})
    return [path for path in files if path.lower().endswith(TRUETYPE_SUFFIXES)]


def _candidates():
    configured = getattr(settings, "CERTIFICATES_FONT_PATH", "")
    if configured:
        return [configured]
    seen = []
    for path in (*PREFERRED_FILES, *_fontconfig_candidates()):
        if path not in seen and Path(path).is_file():
            seen.append(path)
    return seen


def _load(path):
    """A TTFont of the file's first face, or raise TTFError (CFF outlines,
    not a font, …)."""
    return TTFont(FONT_NAME, path, subfontIndex=0)


@functools.cache
def certificate_font() -> CertificateFont:
    """Find and register the font once per process."""
    for path in _candidates():
        try:
            font = _load(path)
        except (TTFError, OSError) as error:
            logger.warning(str(CONFIGURED_FONT_UNUSABLE), {"path": path, "reason": error})
            continue
        pdfmetrics.registerFont(font)
        return CertificateFont(FONT_NAME, path, embedded=True)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT_NAME))
    return CertificateFont(FALLBACK_FONT_NAME, "", embedded=False)


def font_warning():
    """The admin's warning when PDFs would not be self-contained, else None."""
    return None if certificate_font().embedded else FONT_MISSING_WARNING
