"""The TrueType fonts shipped inside the package: registered once with reportlab, and their coverage file made."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from glossdeck.limits import COVERAGE_FILE

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


def cmap_coverage() -> frozenset[int]:
    """The code points that all four faces map to a glyph, read from the font files' cmaps."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    faces = [set(TTFontFile(str(FONT_DIR / file)).charToGlyph) for file in FACES.values()]
    return frozenset(set.intersection(*faces))


def coverage_text(points: frozenset[int]) -> str:
    """COVERAGE_FILE's text: one hexadecimal range of code points a line."""
    ranges: list[list[int]] = []
    for point in sorted(points):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    lines = [f"{first:04X}-{last:04X}" if first != last else f"{first:04X}" for first, last in ranges]
    return ("# Code points that every Charis SIL face shipped here can draw; made by "
            "`python -m glossdeck.render.fonts`.\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    COVERAGE_FILE.write_text(coverage_text(cmap_coverage()), encoding="ascii")
