"""Where flashcards sit on a sheet: the grid a card size leaves on its paper, with room for crop marks."""

from __future__ import annotations

from dataclasses import dataclass

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Settings

# Points, computed as reportlab computes them (reportlab.lib.units and pagesizes) so that the PDFs keep
# their bytes; spelled out here so that `check`, which asks whether cards fit, never loads reportlab.
INCH = 72.0
MM = INCH / 2.54 * 0.1
PAPERS = {"a4": (210 * MM, 297 * MM), "letter": (8.5 * INCH, 11 * INCH)}
PRINTER_MARGIN = 5 * MM  # home printers cannot print closer than this to the edge
MARK_GAP, MARK_LENGTH = 1.5 * MM, 4 * MM


@dataclass(frozen=True)
class CardOptions:
    """How the cards are laid out; see docs/printing.md, "Printing flashcards"."""

    paper: str = "a4"
    width_mm: float = 60
    height_mm: float = 85
    flip: str = "long"  # the edge the printer flips the sheet on: "long" or "short"
    back_offset_mm: tuple[float, float] = (0.0, 0.0)  # moves every back right and up
    layout: str = "duplex"  # "duplex" or "fold" (front and back side by side, for printers without duplex)


@dataclass(frozen=True)
class Grid:
    """Card positions on one sheet: a grid symmetric about the page centre."""

    page: tuple[float, float]
    card: tuple[float, float]
    columns: int
    rows: int

    @property
    def origin(self) -> tuple[float, float]:
        width, height = self.page
        return (width - self.columns * self.card[0]) / 2, (height - self.rows * self.card[1]) / 2

    def slot(self, column: int, row: int) -> tuple[float, float]:
        """Lower-left corner of the card at (column, row), row 0 at the top."""
        x0, y0 = self.origin
        return x0 + column * self.card[0], y0 + (self.rows - 1 - row) * self.card[1]


def options_from(settings: Settings) -> CardOptions:
    return CardOptions(paper=settings.cards_paper, width_mm=settings.card_size_mm[0],
                       height_mm=settings.card_size_mm[1], flip=settings.card_flip,
                       back_offset_mm=settings.card_back_offset_mm, layout=settings.card_layout)


def landscape(page: tuple[float, float]) -> tuple[float, float]:
    return max(page), min(page)


def grid_for(options: CardOptions) -> Grid:
    """As many cards as fit with their crop marks inside the printable area."""
    page = PAPERS[options.paper]
    if options.layout == "fold":
        page = landscape(page)
    card = (options.width_mm * MM, options.height_mm * MM)
    reserve = 2 * (PRINTER_MARGIN + MARK_GAP + MARK_LENGTH)
    usable_width = page[0] - reserve
    if options.layout == "fold":  # each half of the sheet holds the same number of cards
        usable_width = page[0] / 2 - (PRINTER_MARGIN + MARK_GAP + MARK_LENGTH) - MARK_GAP
    columns = int(usable_width // card[0])
    rows = int((page[1] - reserve) // card[1])
    if columns < 1 or rows < 1:
        raise GlossdeckError([Problem(None, None, f"a {options.width_mm:g}×{options.height_mm:g} mm card does not "
                                      f"fit on {options.paper.upper()} paper with room for crop marks",
                                      "choose a smaller card_size (e.g. 60x85) or the other layout")])
    if options.layout == "fold":
        return Grid(page, card, columns * 2, rows)
    return Grid(page, card, columns, rows)


def back_slot(grid: Grid, column: int, row: int, flip: str) -> tuple[int, int]:
    """Where a front's back goes on the reverse page so that the two line up after the flip."""
    if flip == "long":  # the sheet turns over left to right: columns swap
        return grid.columns - 1 - column, row
    return column, grid.rows - 1 - row  # turns over top to bottom: rows swap
