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

from glossdeck.render.common import CREATOR, producer
from glossdeck.render.fonts import register

SHEETS = {"a5": landscape(A4), "half-letter": landscape(letter)}
SHEET_NAMES = {"a5": "A4", "half-letter": "Letter"}
INSTRUCTION_PAGES = 2  # a sheet of its own, front and back, so that nothing of it is left on the booklet


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
    """A sheet of printing instructions, then two reading pages per landscape sheet side, in booklet order.

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
    # The instructions are a sheet of their own, put aside before folding: printed on the covers, they
    # would stay on the finished booklet. Its back is blank, so that double-sided printing pairs the
    # booklet's sides as they are meant to be.
    for page in _instruction_sheet(sheet_width, sheet_height, len(sequence), SHEET_NAMES[paper]).pages:
        writer.add_page(page)
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
    preferences = writer.create_viewer_preferences()
    preferences[NameObject("/PrintScaling")] = NameObject("/None")
    preferences[NameObject("/Duplex")] = NameObject("/DuplexFlipShortEdge")
    metadata = dict(reader.metadata or {})
    writer.add_metadata({**{key: metadata[key] for key in ("/Title", "/Author", "/Subject") if key in metadata},
                         "/Creator": CREATOR, "/Producer": producer("pypdf")})
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


def _instruction_sheet(width: float, height: float, pages: int, paper: str) -> PdfReader:
    """The first sheet of the print file: how to print, fold and staple (front), and a blank back."""
    font = register()
    sheets = pages // 4
    steps = [
        f"Print pages {INSTRUCTION_PAGES + 1}–{INSTRUCTION_PAGES + pages // 2} of this file on {paper} paper: "
        "double-sided, flipping on the short edge, at actual size (100%, no scaling or “fit to page”); the "
        "file asks the print dialogue for that. "
        "This sheet is not part of the booklet: print it too if you like, and set it aside.",
        f"You get {sheets} sheet{'s' if sheets != 1 else ''}. Stack them in the order they were printed, the "
        "sheet that carries the title outermost, and fold the stack in half along the short side, title "
        "outside: the pages then read in order.",
        "Staple twice on the fold.",
        "No double-sided printer? Print the odd pages, put the printed stack back into the tray "
        "(as your printer's manual says), then print the even pages.",
    ]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=font)
    canvas.setCreator(CREATOR)
    left, top, room = 25 * mm, height - 30 * mm, width - 50 * mm
    canvas.setFont(f"{font}-Bold", 16)
    canvas.drawString(left, top, "How to print this booklet")
    y = top - 12 * mm
    canvas.setFont(font, 10)
    for number, step in enumerate(steps, start=1):
        for line_number, line in enumerate(_lines(step, font, 10, room - 8 * mm)):
            if line_number == 0:
                canvas.drawString(left, y, f"{number}.")
            canvas.drawString(left + 8 * mm, y, line)
            y -= 13.5
        y -= 6
    canvas.showPage()
    canvas.setFont(font, 8)
    canvas.drawCentredString(width / 2, height / 2, "(The back of the instructions: left blank.)")
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """The text broken into lines no wider than `width` (at spaces; its words are short)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines
