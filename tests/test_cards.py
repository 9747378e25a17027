"""render.cards: printable flashcards read back; fronts and backs must meet through the paper."""

import re
import shutil

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from glossdeck import markup, pipeline
from glossdeck.cardgrid import PRINTER_MARGIN, CardOptions, grid_for
from glossdeck.render.cards import NUMBER_INSET
from glossdeck.render.fonts import register
from tests.conftest import TIMESTAMP, make_project

LONG_DEFINITION = "word " * 150  # the most `check` allows
SMALL_CARD = (45.0, 55.0)  # too small for it: the definition is cut


def build_cards(tmp_path, **settings):
    root = make_project(tmp_path / "p", terms={"wordy": (
        f"term: wordy\ndefinition: {LONG_DEFINITION}\ncitations:\n  - source: starter-pack\n"
        "    quote: Alignment is an unsolved problem.\n")})
    path = pipeline.build(root, targets=("cards",), timestamp=TIMESTAMP, settings=settings).outputs["cards"]
    return PdfReader(path)


def card_numbers(page):
    """Card number → (x, y) of the number, which sits NUMBER_INSET in from the card's lower-left corner."""
    found = {}

    def visit(text, cm, tm, font, size):
        if re.fullmatch(r"\d+", text.strip()) and size and abs(size * tm[3] - 6) < 0.01:
            found[int(text)] = (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return found


def centres(page, size):
    return {n: (x - NUMBER_INSET + size[0] / 2, y - NUMBER_INSET + size[1] / 2)
            for n, (x, y) in card_numbers(page).items()}


@pytest.mark.parametrize("flip, offset", [("long", (0, 0)), ("short", (0, 0)), ("long", (1.5, -0.8))])
def test_backs_sit_behind_their_fronts(tmp_path, flip, offset):
    reader = build_cards(tmp_path, card_flip=flip, card_back_offset_mm=offset)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    size = (60 * mm, 85 * mm)
    assert len(reader.pages) % 2 == 0
    for sheet in range(0, len(reader.pages), 2):
        fronts, backs = centres(reader.pages[sheet], size), centres(reader.pages[sheet + 1], size)
        assert fronts and fronts.keys() == backs.keys()
        for number, (x, y) in fronts.items():
            mirrored = (width - x, y) if flip == "long" else (x, height - y)
            expected = (mirrored[0] + offset[0] * mm, mirrored[1] + offset[1] * mm)
            assert backs[number] == pytest.approx(expected, abs=0.5), number


def test_grid_is_symmetric_about_the_page_centre(shipped):
    reader = PdfReader(shipped["cards"])
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    points = centres(reader.pages[0], (60 * mm, 85 * mm)).values()
    assert len(points) == 9
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert (min(xs) + max(xs)) / 2 == pytest.approx(width / 2, abs=0.5)
    assert (min(ys) + max(ys)) / 2 == pytest.approx(height / 2, abs=0.5)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_default_cards_fill_a_sheet_inside_the_printable_area(paper):
    grid = grid_for(CardOptions(paper=paper))
    assert grid.columns * grid.rows >= 8
    x0, y0 = grid.origin
    assert min(x0, y0) >= PRINTER_MARGIN + 5.5 * mm  # crop marks (1.5 mm gap + 4 mm) inside the printable area


def test_first_page_states_how_to_print(tmp_path):
    text = " ".join(build_cards(tmp_path).pages[0].extract_text().split())
    assert "Print double-sided, flipping on the long edge, at actual size (100%)" in text


@pytest.mark.parametrize("card", [(60.0, 85.0), SMALL_CARD])
def test_text_never_leaves_its_card(tmp_path, card):
    register()
    reader = build_cards(tmp_path, card_size_mm=card)
    size = (card[0] * mm, card[1] * mm)
    cut = 0
    for page in reader.pages:
        corners = [(x - NUMBER_INSET, y - NUMBER_INSET) for x, y in card_numbers(page).values()]
        runs = []

        def visit(text, cm, tm, font, font_size):
            if text.strip() and font is not None:
                runs.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.rstrip("\n"),
                             str(font["/BaseFont"]).split("+")[-1], font_size * tm[3]))

        page.extract_text(visitor_text=visit)
        for x, y, text, font, font_size in runs:
            if font_size < 7.5 and "Print" in text or "Fold" in text:
                continue  # the instruction in the margin
            inside = [c for c in corners if c[0] - 0.5 <= x <= c[0] + size[0] and c[1] - 0.5 <= y <= c[1] + size[1]]
            assert inside, (text, x, y)
            right = x + stringWidth(text.strip(), _registered(font), font_size)
            assert right <= inside[0][0] + size[0] + 0.5, text
        cut += sum(1 for run in runs if run[2].endswith("…"))
    assert (cut > 0) == (card == SMALL_CARD)  # a definition at the limit is cut only on a smaller card


def _registered(font: str) -> str:
    return {"CharisSIL": "CharisSIL", "CharisSIL-Bold": "CharisSIL-Bold", "CharisSIL-Italic": "CharisSIL-Italic",
            "CharisSIL-BoldItalic": "CharisSIL-BoldItalic"}[font]


def test_fold_layout_mirrors_backs_about_the_fold(tmp_path):
    reader = build_cards(tmp_path, card_layout="fold")
    page = reader.pages[0]
    width = float(page.mediabox.width)
    assert width > float(page.mediabox.height)  # landscape
    places: dict[int, list[tuple[float, float]]] = {}

    def visit(text, cm, tm, font, size):
        if re.fullmatch(r"\d+", text.strip()) and size and abs(size * tm[3] - 6) < 0.01:
            places.setdefault(int(text), []).append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    assert places
    card_width = 60 * mm
    for number, ((front_x, front_y), (back_x, back_y)) in places.items():
        front_centre = front_x - NUMBER_INSET + card_width / 2
        back_centre = back_x - NUMBER_INSET + card_width / 2
        assert back_centre == pytest.approx(width - front_centre, abs=0.5), number
        assert back_y == pytest.approx(front_y, abs=0.5)
    assert "Fold along the dashed centre line" in " ".join(page.extract_text().split())


def test_card_that_does_not_fit_is_a_clear_error(tmp_path):
    from glossdeck.errors import GlossdeckError

    with pytest.raises(GlossdeckError) as caught:
        build_cards(tmp_path, card_size_mm=(250.0, 85.0))
    assert caught.value.problems[0].message == "a 250×85 mm card does not fit on A4 paper with room for crop marks"


def test_no_doubled_hyphens(shipped):
    text = "\n".join(page.extract_text() for page in PdfReader(shipped["cards"]).pages)
    assert not re.search(r"\w-\n-\w", text)


@pytest.mark.parametrize("words", [10, 120, 400, 20_000])  # fits, fits smaller, is cut, far too long
def test_fitting_keeps_as_many_words_as_fit_and_no_more(words):
    """What `_fit` returns fits the card; when it cuts, one more word would not have fitted."""
    from reportlab.platypus import Paragraph

    from glossdeck.render.cards import MIN_FONT, _fit, _styles

    styles = _styles(register())
    text = " ".join(f"word{i % 97}" for i in range(words))
    width, height = 52 * mm, 74.5 * mm
    fitted = _fit([Paragraph(text, styles["back"])], width, height)
    [(paragraph, h)] = fitted
    assert h <= height and paragraph.wrap(width, height)[1] <= height
    assert paragraph.style.fontSize >= MIN_FONT
    kept = paragraph.getPlainText()
    if words <= 120:
        assert kept == text
        assert (paragraph.style.fontSize == 9) == (words == 10)  # the longer text is set smaller, not cut
    else:
        assert kept.endswith("…")
        count = len(kept.split())
        one_more = Paragraph(" ".join(text.split()[:count + 1]) + "…", paragraph.style)
        assert one_more.wrap(width, height)[1] > height


def test_backs_lead_with_the_gloss_at_9pt_or_more_and_the_definition_never_below_7pt(tmp_path):
    """Read back every back of the shipped cards: text sizes, and a cut definition ending on a sentence."""
    from tests.conftest import REPO

    root = tmp_path / "shipped"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    glossary, _ = pipeline.check(root)
    out = pipeline.build(root, out=tmp_path / "out", targets=("cards",), timestamp=TIMESTAMP).outputs["cards"]
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip() and not text.strip().isdigit():  # card numbers are small on purpose
            sizes[text.strip()] = min(sizes.get(text.strip(), 99.0), size * abs(tm[0]) * abs(cm[0] or 1))

    reader = PdfReader(out)
    for page in reader.pages[1::2]:  # the backs
        page.extract_text(visitor_text=visit)
    assert sizes and min(sizes.values()) >= 7.0 - 1e-6
    backs = " ".join(" ".join(p.extract_text().split()) for p in reader.pages[1::2])
    for term in glossary.terms:
        assert " ".join(markup.to_plain(term.gloss).split()) in backs, term.id
