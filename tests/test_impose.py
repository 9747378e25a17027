"""render.impose: the print-ready booklet, sheet by sheet, as a printer and a folder of paper see it."""

import re

import pytest
from pypdf import PdfReader

from glossdeck.render.impose import INSTRUCTION, booklet_order, padded
from tests.pdf_reader import fonts_by_page


def reading_order(sides: list[tuple[int, int]]) -> list[int]:
    """Fold the stacked sheets and read it: for each sheet from the outside in, its front's right half then
    its back's left half; then back from the middle out, the back's right half then the front's left half."""
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    first = [page for front, back in sheets for page in (front[1], back[0])]
    second = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return first + second


@pytest.mark.parametrize("pages", [4, 8, 12, 40, 92])
def test_folded_sheets_read_in_order(pages):
    assert reading_order(booklet_order(pages)) == list(range(pages))


def test_blanks_go_before_the_back_cover():
    assert padded(6) == [0, 1, 2, 3, 4, None, None, 5]
    assert padded(8) == list(range(8))
    assert len(padded(91)) == 92 and padded(91)[-1] == 90 and padded(91)[-2] is None


def test_print_file_sheets_carry_the_right_pages(built):
    reading = PdfReader(built["booklet"])
    sheets = PdfReader(built["print"])
    sequence = padded(len(reading.pages))
    assert len(sheets.pages) == len(sequence) // 2
    for number, (left, right) in enumerate(booklet_order(len(sequence))):
        side = sheets.pages[number]
        width = float(side.mediabox.width)
        assert (round(width), round(float(side.mediabox.height))) == (842, 595)  # A4 landscape
        folios = {"left": None, "right": None}
        for x, folio in _placed_folios(side):
            folios["left" if x < width / 2 else "right"] = folio
        expected = {"left": None if sequence[left] is None else sequence[left] + 1,
                    "right": None if sequence[right] is None else sequence[right] + 1}
        assert folios == expected, f"sheet side {number + 1}"


def _placed_folios(side) -> list[tuple[float, int]]:
    """(x where it is placed, printed page number) of each reading page that the sheet side draws as a form."""
    from pypdf.generic import ContentStream

    placed, offset = [], 0.0
    for operands, operator in ContentStream(side.get_contents(), side.pdf).operations:
        if operator == b"cm":
            offset = float(operands[4])
        elif operator == b"Do":
            runs = []
            form = side["/Resources"]["/XObject"][operands[0]].get_object()
            side.extract_xform_text(form, visitor_text=lambda text, cm, tm, font, size: runs.append(
                (tm[5] * cm[3] + cm[5], text.strip())))
            placed += [(offset, int(text)) for y, text in runs if 25 < y < 32 and re.fullmatch(r"\d+", text)]
    return placed


def test_viewer_preferences_and_instruction(built):
    sheets = PdfReader(built["print"])
    preferences = sheets.trailer["/Root"]["/ViewerPreferences"]
    assert preferences["/PrintScaling"] == "/None"
    assert preferences["/Duplex"] == "/DuplexFlipShortEdge"
    first = " ".join(sheets.pages[0].extract_text().split())
    assert INSTRUCTION in first
    assert "flipping on the short edge" in INSTRUCTION


def test_print_file_fonts_are_embedded(built):
    for fonts in fonts_by_page(PdfReader(built["print"])):
        assert fonts and all(fonts.values())


def test_print_file_is_reproducible(built):
    from glossdeck.render.impose import impose

    reading = built["booklet"].read_bytes()
    assert impose(reading) == impose(reading) == built["print"].read_bytes()


def test_half_letter_booklet_prints_on_letter(tmp_path):
    from glossdeck import pipeline
    from tests.conftest import TIMESTAMP, make_project

    root = make_project(tmp_path / "p")
    outputs = pipeline.build(root, targets=("booklet", "print"), timestamp=TIMESTAMP,
                             settings={"paper": "half-letter"}).outputs
    page = PdfReader(outputs["booklet"]).pages[0]
    sheet = PdfReader(outputs["print"]).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (396, 612)
    assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (792, 612)
