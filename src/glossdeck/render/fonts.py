"""The TrueType fonts shipped inside the package, registered once with reportlab."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
SERIF = "CharisSIL"
FACES = {
    SERIF: "CharisSIL-Regular.ttf",
    f"{SERIF}-Italic": "CharisSIL-Italic.ttf",
    f"{SERIF}-Bold": "CharisSIL-Bold.ttf",
    f"{SERIF}-BoldItalic": "CharisSIL-BoldItalic.ttf",
}


@lru_cache(maxsize=None)
def register() -> str:
    """Register the serif family (regular, italic, bold, bold italic) and return its name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in FACES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping(SERIF, 0, 0, SERIF)
    addMapping(SERIF, 0, 1, f"{SERIF}-Italic")
    addMapping(SERIF, 1, 0, f"{SERIF}-Bold")
    addMapping(SERIF, 1, 1, f"{SERIF}-BoldItalic")
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=f"{SERIF}-Bold", italic=f"{SERIF}-Italic",
                                  boldItalic=f"{SERIF}-BoldItalic")
    return SERIF
