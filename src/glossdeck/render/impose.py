"""Reading booklet PDF → print-ready PDF: pages imposed two per landscape sheet for saddle stitching."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject
from reportlab.lib.pagesizes import A4, landscape, letter
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from glossdeck.render.fonts import register

SHEETS = {"a5": landscape(A4), "half-letter": landscape(letter)}
INSTRUCTION = ("Print double-sided, flipping on the short edge, at actual size (100%, no scaling). "
               "Fold the printed stack in half and staple on the fold.")


def booklet_order(pages: int) -> list[tuple[int, int]]:
    """The (left, right) page indexes of each sheet side, front then back, for a saddle-stitched booklet.

    `pages` must be a multiple of four; sheet k carries pages n-1-2k | 2k on its front
    and 2k+1 | n-2-2k on its back (0-based), so the folded stack reads in order.
    """
    if pages % 4:
        raise ValueError("a saddle-stitched booklet needs a multiple of four pages")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 1 - 2 * sheet, 2 * sheet))
        sides.append((2 * sheet + 1, pages - 2 - 2 * sheet))
    return sides


def padded(pages: int) -> list[int | None]:
    """Reading page indexes padded with blanks (None) to a multiple of four, blanks before the back cover."""
    order: list[int | None] = list(range(pages))
    blanks = -pages % 4
    return order[:-1] + [None] * blanks + order[-1:]


def impose(reading_pdf: bytes, paper: str = "a5") -> bytes:
    """Two reading pages per landscape sheet side, in booklet order, with the printing instruction."""
    reader = PdfReader(io.BytesIO(reading_pdf))
    sheet_width, sheet_height = SHEETS[paper]
    page_width = float(reader.pages[0].mediabox.width)
    margin = (sheet_width - 2 * page_width) / 2  # centre the spread on the sheet
    sequence = padded(len(reader.pages))
    writer = PdfWriter()
    for number, (left, right) in enumerate(booklet_order(len(sequence))):
        side = writer.add_blank_page(sheet_width, sheet_height)
        for slot, index in enumerate((sequence[left], sequence[right])):
            if index is not None:
                offset = margin + slot * page_width
                side.merge_transformed_page(reader.pages[index], Transformation().translate(offset, 0))
        if number == 0:
            side.merge_page(_instruction_overlay(sheet_width, sheet_height))
        side.compress_content_streams()  # merging leaves the page's drawing uncompressed
    preferences = writer.create_viewer_preferences()
    preferences[NameObject("/PrintScaling")] = NameObject("/None")
    preferences[NameObject("/Duplex")] = NameObject("/DuplexFlipShortEdge")
    metadata = dict(reader.metadata or {})
    writer.add_metadata({key: metadata[key] for key in ("/Title", "/Author", "/Subject") if key in metadata})
    if "/Lang" in reader.root_object:
        writer.root_object[NameObject("/Lang")] = reader.root_object["/Lang"]
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _instruction_overlay(width: float, height: float) -> PageObject:
    """A transparent page with the one-line printing instruction at the foot of the first sheet."""
    font = register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=font)
    canvas.setFont(font, 7)
    canvas.setFillColor("#777777")
    canvas.drawCentredString(width / 2, 5.5 * mm, INSTRUCTION)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
