"""What is printed stays on the paper: every character of every PDF, read back with pdfminer.six, lies at least
5 mm inside the page, for the shipped glossary and for a glossary of very long addresses and words
(tests/fixtures/long), in every paper the booklet, the print file and the cards come in."""

import re
import shutil

import pytest
from pypdf import PdfReader

import glossdeck
from glossdeck import markup, pipeline
from tests.conftest import FIXTURES, REPO, TIMESTAMP
from tests.pdf_reader import glyph_boxes

MM = 72 / 25.4
INSIDE = 5 * MM  # home printers print nothing closer to the edge, and a trimmer may cut that much
VARIANTS = {  # booklet paper (and so the print file's sheet), and the cards' paper and layout
    "a5-on-a4": {"paper": "a5", "cards_paper": "a4", "card_layout": "duplex"},
    "half-letter-on-letter": {"paper": "half-letter", "cards_paper": "letter", "card_layout": "fold"},
}
LONG_URL = ("https://archive.example.org/reports/2024/annual-technical-review-of-alignment-research-and-"
            "interpretability-methods/final_version~draft-3/index.html?section=appendix-b&lang=en&utm_source="
            "glossdeck_tests&utm_medium=printed_booklet#table-of-figures-and-everything-else")


def off_the_paper(path) -> list[str]:
    """Every character closer than 5 mm to an edge of its page (white space, which prints nothing, aside)."""
    found = []
    for number, (box, chars) in enumerate(glyph_boxes(path), start=1):
        left, bottom, right, top = box
        for text, (x0, y0, x1, y1) in chars:
            margin = min(x0 - left, right - x1, y0 - bottom, top - y1)
            if margin < INSIDE and not text.isspace():
                found.append(f"{path.name} p. {number}: {text!r} {margin / MM:.1f} mm from the edge")
    return found


@pytest.fixture(scope="module", params=["shipped", "long"])
def project(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param) / "project"
    if request.param == "shipped":
        for folder in ("glossary", "seeds"):
            shutil.copytree(REPO / folder, root / folder)
    else:
        shutil.copytree(FIXTURES / "long", root)
    return root


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_character_lies_inside_the_paper(project, variant, tmp_path):
    outputs = pipeline.build(project, out=tmp_path, targets=("booklet", "print", "cards"), timestamp=TIMESTAMP,
                             settings=VARIANTS[variant]).outputs
    problems = [line for name in ("booklet", "print", "cards") for line in off_the_paper(outputs[name])]
    assert problems == [], "\n".join(problems[:20])


def test_the_checker_sees_what_runs_off(tmp_path):
    """The same check on a page whose text runs off: it must be found (the check can fail)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "off.pdf"
    canvas = Canvas(str(path), pagesize=A5, invariant=1)
    canvas.drawString(A5[0] - 8, 300, "OFF")  # starts 2.8 mm from the right edge, and runs off it
    canvas.drawString(100, 3 * MM, "LOW")  # its baseline 3 mm above the bottom edge
    canvas.drawString(100, 300, "IN")
    canvas.save()
    found = off_the_paper(path)
    assert [line.split()[3] for line in found] == ["'O'", "'F'", "'F'", "'L'", "'O'", "'W'"], found


def test_a_long_address_breaks_after_its_punctuation_without_a_hyphen(tmp_path):
    """In the booklet's list of sources, the address breaks across lines only after / . - = ? & # _ ~, and
    reads back whole: no hyphen added, no character lost."""
    root = tmp_path / "long"
    shutil.copytree(FIXTURES / "long", root)
    outputs = pipeline.build(root, out=tmp_path / "out", targets=("booklet",), timestamp=TIMESTAMP).outputs
    text = "\n".join(page.extract_text() for page in PdfReader(outputs["booklet"]).pages)
    pattern = r"\n?".join(re.escape(char) for char in LONG_URL)  # the address, with a line break anywhere
    found = re.search(pattern, text)
    assert found is not None, "the address does not read back whole"
    lines = found.group().split("\n")
    assert len(lines) >= 3  # it is longer than two lines of the page
    assert all(line[-1] in markup.URL_BREAKS for line in lines[:-1]), lines


def test_pdf_escape_marks_break_opportunities():
    assert markup.pdf_escape("a <b> & c") == "a &lt;b&gt; &amp; c"  # short words: only escaped
    marked = markup.pdf_escape("see https://x.org/a-b?c=d&e=f now")
    assert marked.startswith("see <nobr>https://" + markup.PDF_BREAK + "x." + markup.PDF_BREAK + "org/")
    assert marked.replace(markup.PDF_BREAK, "") == "see <nobr>https://x.org/a-b?c=d&amp;e=f</nobr> now"
    word = "a" * markup.LONG_WORD
    assert markup.pdf_escape(word) == f"<nobr>{word}</nobr>"  # kept from hyphenating, so split if too long


def test_every_pdf_names_glossdeck_as_its_maker(built):
    for name in ("booklet", "print", "cards"):
        info = PdfReader(built[name]).metadata
        assert info is not None
        assert info["/Creator"] == f"glossdeck {glossdeck.__version__}", (name, info)
        assert info["/Producer"] in (f"glossdeck {glossdeck.__version__} (ReportLab)",
                                     f"glossdeck {glossdeck.__version__} (pypdf)"), (name, info)
