"""Resolved glossary → printable flashcards: fronts and mirrored backs that line up when printed double-sided."""

from __future__ import annotations

import io
import re

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from glossdeck import markup
from glossdeck.cardgrid import (
    MARK_GAP,
    MARK_LENGTH,
    PRINTER_MARGIN,
    CardOptions,
    Grid,
    back_slot,
    grid_for,
    options_from,
)
from glossdeck.model import Citation, Glossary, Term
from glossdeck.render.common import attribution, esc
from glossdeck.render.fonts import register

PADDING = 4 * mm
MIN_FONT = 6.0
GAP = 4  # points between the paragraphs of a card's back
GLOSS_FONT = 10.0  # the gloss on a card's back: the sentence to recall, at a readable size
DEFINITION_SIZES = (8.5, 8.0, 7.5, 7.0)  # the definition below it, the largest that holds it whole
MIN_DEFINITION_FONT = DEFINITION_SIZES[-1]
SHRINK = 0.92  # each smaller size tried is this much of the one before
MARK_COLOUR = "#7f7f7f"
NUMBER_INSET = 2.5 * mm  # the card's number sits this far in from its lower-left corner, front and back


def render(glossary: Glossary, options: CardOptions | None = None) -> bytes:
    """The cards PDF, laid out as `options` say (default: as the glossary's settings say)."""
    options = options if options is not None else options_from(glossary.settings)
    font = register()
    grid = grid_for(options)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=grid.page, invariant=1, initialFontName=font, lang=glossary.settings.language)
    canvas.setTitle(f"{glossary.settings.title}: flashcards")
    canvas.setAuthor(glossary.settings.author or "glossdeck")
    canvas.setSubject(glossary.settings.subtitle)
    styles = _styles(font)
    terms = list(glossary.terms)
    if options.layout == "fold":
        _fold_pages(canvas, glossary, terms, grid, styles, options)
    else:
        _duplex_pages(canvas, glossary, terms, grid, styles, options)
    canvas.save()
    return buffer.getvalue()


def _duplex_pages(canvas: Canvas, glossary: Glossary, terms: list[Term], grid: Grid,
                  styles: dict[str, ParagraphStyle], options: CardOptions) -> None:
    per_sheet = grid.columns * grid.rows
    dx, dy = options.back_offset_mm[0] * mm, options.back_offset_mm[1] * mm
    for start in range(0, len(terms), per_sheet):
        batch = terms[start : start + per_sheet]
        slots = [(i % grid.columns, i // grid.columns) for i in range(len(batch))]
        _instruction(canvas, grid, font=styles["front"].fontName,
                     text=f"Fronts. Print double-sided, flipping on the {options.flip} edge, at actual size "
                          f"(100%). Backs are on the next page.")
        for number, term, (column, row) in zip(range(start + 1, start + 1 + len(batch)), batch, slots):
            _front(canvas, term, grid.slot(column, row), grid.card, styles, number)
        _crop_marks(canvas, grid, 0, 0)
        canvas.showPage()
        for number, term, (column, row) in zip(range(start + 1, start + 1 + len(batch)), batch, slots):
            x, y = grid.slot(*back_slot(grid, column, row, options.flip))
            _back(canvas, glossary, term, (x + dx, y + dy), grid.card, styles, number)
        _crop_marks(canvas, grid, dx, dy)
        canvas.showPage()


def _fold_pages(canvas: Canvas, glossary: Glossary, terms: list[Term], grid: Grid,
                styles: dict[str, ParagraphStyle], options: CardOptions) -> None:
    half = grid.columns // 2
    per_sheet = half * grid.rows
    for start in range(0, len(terms), per_sheet):
        batch = terms[start : start + per_sheet]
        _instruction(canvas, grid, font=styles["front"].fontName,
                     text="Fold along the dashed centre line, fronts outwards; glue, then cut along the crop marks.")
        for index, term in enumerate(batch):
            column, row = index % half, index // half
            _front(canvas, term, grid.slot(column, row), grid.card, styles, start + index + 1)
            # mirrored about the fold, so that each back lands behind its front
            _back(canvas, glossary, term, grid.slot(grid.columns - 1 - column, row), grid.card, styles,
                  start + index + 1)
        _crop_marks(canvas, grid, 0, 0)
        canvas.saveState()
        canvas.setStrokeColor(MARK_COLOUR)
        canvas.setDash(3, 3)
        canvas.setLineWidth(0.5)
        canvas.line(grid.page[0] / 2, PRINTER_MARGIN, grid.page[0] / 2, grid.page[1] - PRINTER_MARGIN)
        canvas.restoreState()
        canvas.showPage()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "front": ParagraphStyle("front", fontName=f"{font}-Bold", fontSize=16, leading=19, alignment=TA_CENTER),
        "aliases": ParagraphStyle("aliases", fontName=f"{font}-Italic", fontSize=9, leading=11,
                                  alignment=TA_CENTER, textColor="#555555"),
        # Ragged right and unhyphenated: a card's narrow measure justifies badly, and reportlab's
        # hyphenation can double the hyphen of a compound word broken at its hyphen ("self-/-reinforcing").
        "back": ParagraphStyle("back", fontName=font, fontSize=9, leading=11, alignment=TA_LEFT),
        "gloss": ParagraphStyle("gloss", fontName=f"{font}-Bold", fontSize=GLOSS_FONT, leading=GLOSS_FONT * 1.25,
                                alignment=TA_LEFT),
        "quote": ParagraphStyle("quote", fontName=font, fontSize=8, leading=9.8, alignment=TA_LEFT),
    }


def _number(canvas: Canvas, corner: tuple[float, float], number: int, font: str) -> None:
    """The card's number, to pair fronts with backs and keep a stack in order."""
    canvas.saveState()
    canvas.setFont(font, 6)
    canvas.setFillColor("#8a8a8a")
    canvas.drawString(corner[0] + NUMBER_INSET, corner[1] + NUMBER_INSET, str(number))
    canvas.restoreState()


def _front(canvas: Canvas, term: Term, corner: tuple[float, float], card: tuple[float, float],
           styles: dict[str, ParagraphStyle], number: int) -> None:
    x, y = corner
    _number(canvas, corner, number, styles["back"].fontName)
    inner = card[0] - 2 * PADDING
    parts = [Paragraph(esc(term.term), styles["front"])]
    if term.aliases:
        parts.append(Paragraph(esc(", ".join(term.aliases)), styles["aliases"]))
    fitted = _fit(parts, inner, card[1] - 2 * PADDING)
    height = sum(h for _, h in fitted)
    top = y + card[1] / 2 + height / 2
    for paragraph, h in fitted:
        paragraph.drawOn(canvas, x + PADDING, top - h)
        top -= h


def _back(canvas: Canvas, glossary: Glossary, term: Term, corner: tuple[float, float], card: tuple[float, float],
          styles: dict[str, ParagraphStyle], number: int) -> None:
    x, y = corner
    _number(canvas, corner, number, styles["back"].fontName)
    width, height = card[0] - 2 * PADDING, card[1] - 2 * PADDING - NUMBER_INSET
    top = y + card[1] - PADDING
    if term.gloss:
        # The gloss is what a student recalls: always whole and at a readable size; then as much of the
        # definition as fits, never below MIN_DEFINITION_FONT, cut at a sentence end.
        gloss = Paragraph(markup.to_pdf(term.gloss, links=False), styles["gloss"])
        placed = [(gloss, gloss.wrap(width, height)[1])]
        if placed[0][1] > height:  # a gloss far over its 25 words (check warns): cut like any text
            placed = _fit([gloss], width, height)
        else:
            placed += _definition_below(term, glossary, styles, width, height - placed[0][1] - GAP)
    else:
        parts = [Paragraph(markup.to_pdf(term.definition, links=False), styles["back"])]
        citation = _short_quote(term)
        if citation is not None:
            source = glossary.sources[citation.source]
            quoted = f"“{esc(citation.display)}” — {attribution(source, citation)}"
            parts.append(Paragraph(quoted, styles["quote"]))
        placed = _fit(parts, width, height, gap=GAP)
    for paragraph, h in placed:
        paragraph.drawOn(canvas, x + PADDING, top - h)
        top -= h + GAP


def _definition_below(term: Term, glossary: Glossary, styles: dict[str, ParagraphStyle], width: float,
                      room: float) -> list[tuple[Paragraph, float]]:
    """The definition at the largest size from 8.5 pt down to 7 pt that holds it whole (with the shortest quote
    if that fits too); else, at 7 pt, its opening sentences that fit, ended with "…"."""
    text = markup.to_pdf(term.definition, links=False)
    for size in DEFINITION_SIZES:
        style = ParagraphStyle("definition", parent=styles["back"], fontSize=size, leading=size * 1.22)
        paragraph = Paragraph(text, style)
        h = paragraph.wrap(width, room)[1]
        if h <= room:
            placed = [(paragraph, h)]
            citation = _short_quote(term)
            if citation is not None:
                source = glossary.sources[citation.source]
                quoted = f"“{esc(citation.display)}” — {attribution(source, citation)}"
                quote = Paragraph(quoted, styles["quote"])
                qh = quote.wrap(width, room)[1]
                if h + GAP + qh <= room:
                    placed.append((quote, qh))
            return placed
    style = ParagraphStyle("definition", parent=styles["back"], fontSize=MIN_DEFINITION_FONT,
                           leading=MIN_DEFINITION_FONT * 1.22)
    sentences = re.split(r"(?<=[.?!”])\s+(?=[A-Z“(])", markup.to_plain(term.definition))
    best: tuple[Paragraph, float] | None = None
    for count in range(1, len(sentences)):
        paragraph = Paragraph(esc(" ".join(sentences[:count])) + " …", style)
        h = paragraph.wrap(width, room)[1]
        if h > room:
            break
        best = (paragraph, h)
    if best is None:  # not even the first sentence: as many words as fit
        best = _most_words(markup.to_plain(term.definition).split(), style, width, room)
    return [best] if best is not None else []


def _short_quote(term: Term) -> Citation | None:
    """The term's shortest quote, which fits a card best."""
    return min(term.citations, key=lambda c: len(c.display), default=None)


def _fit(parts: list[Paragraph], width: float, height: float, gap: float = 0) -> list[tuple[Paragraph, float]]:
    """Shrink the text until it fits the card; if even the smallest size overflows, cut it with "…".

    There are few sizes (16 pt shrinks below MIN_FONT in 12 steps), and no size wraps more than a few
    cardfuls: reportlab's line breaking costs the square of a paragraph's length, so a paragraph that
    would overflow even at the smallest size is found by wrapping ever longer starts of it, and cut.
    """
    scales = [1.0]
    while min(p.style.fontSize for p in parts) * scales[-1] * SHRINK >= MIN_FONT:
        scales.append(scales[-1] * SHRINK)
    smallest = [_scaled(p, scales[-1]) for p in parts]
    overflowing = [_surely_overflows(p, width, height) for p in smallest]
    if any(overflowing):
        return _cut(smallest, width, height, gap, overflowing)
    for scale in scales:
        sized = [_scaled(p, scale) for p in parts]
        heights = [p.wrap(width, height)[1] for p in sized]
        if sum(heights) + gap * (len(sized) - 1) <= height:
            return list(zip(sized, heights))
    return _cut(sized, width, height, gap, overflowing)


def _scaled(paragraph: Paragraph, scale: float) -> Paragraph:
    style = ParagraphStyle(paragraph.style.name, parent=paragraph.style,
                           fontSize=paragraph.style.fontSize * scale, leading=paragraph.style.leading * scale)
    return Paragraph(paragraph.text, style)


def _surely_overflows(paragraph: Paragraph, width: float, height: float) -> bool:
    """Whether a start of the paragraph, as plain text, already fills twice the height (so, whatever its
    markup, the whole cannot fit); starts double in length, so this wraps at most a few cardfuls."""
    words = paragraph.getPlainText().split()
    count = 64
    while count < len(words):
        if Paragraph(esc(" ".join(words[:count])), paragraph.style).wrap(width, height)[1] > 2 * height:
            return True
        count *= 2
    return False


def _cut(parts: list[Paragraph], width: float, height: float, gap: float,
         overflowing: list[bool]) -> list[tuple[Paragraph, float]]:
    """Keep whole paragraphs while they fit, then as many words of the next as fit, ending in "…"."""
    kept: list[tuple[Paragraph, float]] = []
    room = height
    for paragraph, too_long in zip(parts, overflowing):
        h = room + 1 if too_long else paragraph.wrap(width, room)[1]
        if h <= room:
            kept.append((paragraph, h))
            room -= h + gap
            continue
        words = paragraph.getPlainText().split()
        best = _most_words(words, paragraph.style, width, room)
        if best is not None:
            kept.append(best)
        break
    return kept


def _most_words(words: list[str], style: ParagraphStyle, width: float, room: float) -> tuple[Paragraph, float] | None:
    """The longest start of `words`, ended with "…", that fits the room: found by doubling, then bisecting.

    A trial wraps only the words it keeps, and the count that fits is bounded by the card, so the
    search costs about as much as wrapping one cardful a few times, however long the text is.
    """
    def trial(count: int) -> tuple[Paragraph, float] | None:
        paragraph = Paragraph(esc(" ".join(words[:count])) + "…", style)
        h = paragraph.wrap(width, room)[1]
        return (paragraph, h) if h <= room else None

    fitted = trial(1) if words else None
    if fitted is None:
        return None
    fits = 1  # the most words known to fit; `fitted` is their paragraph
    too_many = len(words)  # the whole text does not fit (that is why it is being cut)
    while fits * 2 < too_many:
        attempt = trial(fits * 2)
        if attempt is None:
            too_many = fits * 2
            break
        fits, fitted = fits * 2, attempt
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        attempt = trial(middle)
        if attempt is None:
            too_many = middle
        else:
            fits, fitted = middle, attempt
    return fitted


def _instruction(canvas: Canvas, grid: Grid, font: str, text: str) -> None:
    """One line up the left margin, between the printable edge and the crop marks."""
    canvas.saveState()
    canvas.setFont(font.replace("-Bold", ""), 7)
    canvas.setFillColor("#777777")
    canvas.translate(PRINTER_MARGIN + 2.5 * mm, grid.page[1] / 2)
    canvas.rotate(90)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


def _crop_marks(canvas: Canvas, grid: Grid, dx: float, dy: float) -> None:
    """Short lines outside the grid, in line with every card edge, to cut along."""
    x0, y0 = grid.origin
    x0, y0 = x0 + dx, y0 + dy
    x1, y1 = x0 + grid.columns * grid.card[0], y0 + grid.rows * grid.card[1]
    canvas.saveState()
    canvas.setStrokeColor(MARK_COLOUR)
    canvas.setLineWidth(0.3)
    for column in range(grid.columns + 1):
        x = x0 + column * grid.card[0]
        canvas.line(x, y1 + MARK_GAP, x, y1 + MARK_GAP + MARK_LENGTH)
        canvas.line(x, y0 - MARK_GAP, x, y0 - MARK_GAP - MARK_LENGTH)
    for row in range(grid.rows + 1):
        y = y0 + row * grid.card[1]
        canvas.line(x0 - MARK_GAP, y, x0 - MARK_GAP - MARK_LENGTH, y)
        canvas.line(x1 + MARK_GAP, y, x1 + MARK_GAP + MARK_LENGTH, y)
    canvas.restoreState()
