"""reportlab alone, as a whole process: typeset the booklet's paragraphs from a JSON file and write the PDF.

The file (made by bench/run.py, untimed) holds what glossdeck's booklet sets: every paragraph's markup and
style, the page breaks, the page size and margins, and the font files. This process imports only reportlab
(and pyphen, through reportlab's hyphenation), so its time is what reportlab itself needs for the same text,
start-up included: the figure `glossdeck build booklet --force` is compared with.

    python bench/bare_booklet.py TEXT.json OUT.pdf
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate


class OnceBroken(Paragraph):
    """A paragraph whose lines are broken once per width, as glossdeck's booklet.Para does: without it
    reportlab stops with a LayoutError on some of these paragraphs (a split part re-broken a line longer)."""

    wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.wrapped is None or self.wrapped[0] != availWidth or not hasattr(self, "blPara"):
            self.wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self.wrapped[1]

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        while True:
            parts = super().split(availWidth, availHeight)
            if len(parts) != 2:
                return parts
            if self.blPara.kind == 1:
                parts[0].wrapped = (availWidth, (availWidth, parts[0].height))
            if parts[0].wrap(availWidth, availHeight)[1] <= availHeight + 1e-6:
                return parts
            availHeight -= self.style.leading
            self.wrapped = None
            self.wrap(availWidth, availHeight)


def style(name: str, properties: dict[str, Any]) -> ParagraphStyle:
    values = {key: HexColor(value["colour"]) if isinstance(value, dict) else value for key, value in properties.items()}
    return ParagraphStyle(name, **values)


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as file:
        text = json.load(file)
    family = text["family"]
    for name, path in text["fonts"].items():
        pdfmetrics.registerFont(TTFont(name, path))
    for bold, italic, face in ((0, 0, ""), (0, 1, "-Italic"), (1, 0, "-Bold"), (1, 1, "-BoldItalic")):
        addMapping(family, bold, italic, family + face)
    styles = {name: style(name, properties) for name, properties in text["styles"].items()}
    story = [PageBreak() if item is None else OnceBroken(item[0], styles[item[1]]) for item in text["story"]]
    buffer = io.BytesIO()
    left, right, top, bottom = text["margins"]
    SimpleDocTemplate(buffer, pagesize=tuple(text["page"]), leftMargin=left, rightMargin=right, topMargin=top,
                      bottomMargin=bottom, initialFontName=family, invariant=1).build(story)
    with open(target, "wb") as file:
        file.write(buffer.getvalue())


if __name__ == "__main__":
    main(*sys.argv[1:3])
