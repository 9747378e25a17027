"""Reading booklet PDF → print-ready PDF: pages imposed two per landscape sheet for saddle stitching."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
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
    """Two reading pages per landscape sheet side, in booklet order, with the printing instruction.

    Each reading page is copied once, as a form that its sheet side draws in place: merging
    pages instead would make pypdf parse and rewrite every page's drawing, which costs more
    than typesetting the booklet.
    """
    reader = PdfReader(io.BytesIO(reading_pdf))
    sheet_width, sheet_height = SHEETS[paper]
    page_width = float(reader.pages[0].mediabox.width)
    margin = (sheet_width - 2 * page_width) / 2  # centre the spread on the sheet
    sequence = padded(len(reader.pages))
    writer = PdfWriter()
    forms = [_as_form(writer, page) for page in reader.pages]
    form_fonts = [form.get_object()["/Resources"].get("/Font", {}) for form in forms]  # type: ignore[index]
    for number, (left, right) in enumerate(booklet_order(len(sequence))):
        side = writer.add_blank_page(sheet_width, sheet_height)
        drawing, names, fonts = [], DictionaryObject(), DictionaryObject()
        for slot, index in enumerate((sequence[left], sequence[right])):
            if index is not None:
                name = NameObject(f"/Page{index + 1}")
                names[name] = forms[index]
                fonts.update(form_fonts[index])
                drawing.append(f"q 1 0 0 1 {margin + slot * page_width:.4f} 0 cm {name} Do Q")
        # The fonts are listed on the sheet too (they are drawn by its forms), as viewers expect.
        side[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): names, NameObject("/Font"): fonts})
        content = DecodedStreamObject()
        content.set_data("\n".join(drawing).encode("ascii"))
        side[NameObject("/Contents")] = writer._add_object(content.flate_encode())
        if number == 0:
            side.merge_page(_instruction_overlay(sheet_width, sheet_height))
            side.compress_content_streams()
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


def _as_form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """The page's drawing as a form XObject in `writer`, its stream copied as it is (still compressed)."""
    contents = page.raw_get("/Contents")
    if isinstance(contents, IndirectObject) and isinstance(contents.get_object(), StreamObject):
        form = contents.clone(writer)
    else:  # an array of streams: join them
        stream = DecodedStreamObject()
        joined = page.get_contents()
        stream.set_data(joined.get_data() if joined is not None else b"")
        form = writer._add_object(stream.flate_encode())
    drawing = form.get_object()
    assert isinstance(drawing, StreamObject)
    box = page.mediabox
    drawing.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right,
                                                                              box.top)]),
                    NameObject("/Resources"): page["/Resources"].clone(writer)})
    return form


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
