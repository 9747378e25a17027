"""render.impose: the print-ready booklet, sheet by sheet, as a printer and a folder of paper see it."""

import re

import pytest
from pypdf import PdfReader

from glossdeck.render.impose import INSTRUCTION_PAGES, booklet_order, padded
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
    assert len(sheets.pages) == INSTRUCTION_PAGES + len(sequence) // 2
    covers = {0, len(reading.pages) - 1}  # the front and back covers show no page number
    for number, (left, right) in enumerate(booklet_order(len(sequence))):
        side = sheets.pages[INSTRUCTION_PAGES + number]
        width = float(side.mediabox.width)
        assert (round(width), round(float(side.mediabox.height))) == (842, 595)  # A4 landscape
        folios = {"left": None, "right": None}
        for x, folio in _placed_folios(side):
            folios["left" if x < width / 2 else "right"] = folio
        expected = {"left": None if sequence[left] in (None, *covers) else sequence[left] + 1,
                    "right": None if sequence[right] in (None, *covers) else sequence[right] + 1}
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
    sides = len(sheets.pages) - INSTRUCTION_PAGES
    assert first.startswith("How to print this booklet")
    assert f"Print pages 3–{2 + sides} of this file on A4 paper: double-sided, flipping on the short edge" in first
    assert f"You get {sides // 2} sheets" in first
    # A sheet of its own: its back is blank but for a note, and no page of the booklet repeats any of it.
    assert " ".join(sheets.pages[1].extract_text().split()) == "(The back of the instructions: left blank.)"
    for side in sheets.pages[INSTRUCTION_PAGES:]:
        text = side.extract_text()
        assert "Print" not in text and "staple" not in text and "instructions" not in text


def test_the_covers_carry_no_page_number(built):
    """The title page and the back cover are the booklet's covers: every other page shows its number."""
    reading = PdfReader(built["booklet"])
    last = len(reading.pages) - 1
    for number, page in enumerate(reading.pages):
        folios = [text for y, text in _runs(page) if 25 < y < 32 and re.fullmatch(r"\d+", text)]
        assert folios == ([] if number in (0, last) else [str(number + 1)]), number + 1


def _runs(page) -> list[tuple[float, str]]:
    runs: list[tuple[float, str]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append((tm[5] * cm[3] + cm[5],
                                                                                 text.strip())))
    return runs


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
