"""render.booklet: the reading booklet read back as a PDF viewer would."""

import re

from pypdf import PdfReader

from glossdeck import pipeline
from tests.conftest import TIMESTAMP, make_project
from tests.pdf_reader import fonts_by_page, link_targets, outline_titles, page_text


def test_every_font_on_every_page_is_embedded(built):
    reader = PdfReader(built["booklet"])
    pages = fonts_by_page(reader)
    assert all(pages), "a page without fonts"
    for number, fonts in enumerate(pages, start=1):
        for name, embedded in fonts.items():
            assert embedded, f"page {number}: font {name} is not embedded"
            assert "Helvetica" not in name and "Times" not in name


def test_terms_definitions_and_quotes_are_in_order(built):
    text = " ".join(" ".join(page_text(built["booklet"])).split())
    entries = ["corrigibility (corrigible AI) The property", "mesa-optimizer (inner optimizer) An optimizer",
               "orthogonality thesis (orthogonality) The claim", "sharp left turn (SLT) A feared moment"]
    assert [text.index(e) for e in entries] == sorted(text.index(e) for e in entries)
    assert "“A mesa-optimizer is what you get when the result of an optimization process" in text
    assert "— Ruud van Asseldonk, AI alignment starter pack" in text
    assert "Evolution can only optimize … not directly over our values or cognition." in text
    assert ("— Nate Soares, in Noosphere89 (unconfirmed), Arguments for optimism on AI Alignment, § The Sharp "
            "Left Turn probably won’t happen, because AI training is very different from evolution, ¶ 3") in text


def test_the_font_has_every_character_of_the_essays():
    from reportlab.pdfbase.pdfmetrics import getFont

    from glossdeck.render.fonts import FACES, register
    from tests.conftest import REPO

    register()
    characters = set("“”‘’—–…→·" + "".join(p.read_text(encoding="utf-8") for p in (REPO / "seeds").iterdir()))
    for face in FACES:
        cmap = getFont(face).face.charToGlyph
        missing = sorted(c for c in characters if c.isprintable() and not c.isspace() and ord(c) not in cmap)
        assert missing == [], face


def test_elided_quotes_show_a_spaced_ellipsis(tmp_path):
    root = make_project(tmp_path / "p", terms={"elided": (
        "term: elided\ndefinition: d\ncitations:\n  - source: starter-pack\n"
        "    quote: Alignment is an unsolved problem. ... on a range of inputs\n")})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("booklet",)).outputs
    text = " ".join(" ".join(page_text(outputs["booklet"])).split())
    assert "“Alignment is an unsolved problem. … on a range of inputs”" in text


def test_quote_glyphs_render(tmp_path):
    root = make_project(tmp_path / "p", terms={"glyphs": (
        "term: glyphs\ndefinition: d\ncitations:\n  - source: optimism\n    quote: >-\n"
        "      having sex because it feels good—but it’s not like they could be eating/fornicating\n")})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("booklet",)).outputs
    text = " ".join(page_text(outputs["booklet"]))
    assert "feels good—but it’s not like" in " ".join(text.split())


def squeeze(text: str) -> str:
    """Text without white space or hyphens, so that line breaks and hyphenation do not matter."""
    return "".join(text.split()).replace("-", "")


def test_links_and_outline_land_on_their_targets(built):
    reader = PdfReader(built["booklet"])
    links = link_targets(reader)
    assert links, "no internal links"
    pages = page_text(built["booklet"])
    for _, target, _ in links:
        assert 0 <= target < len(reader.pages)
    outline = outline_titles(reader)
    titles = [title for title, _ in outline]
    assert titles[:3] == ["How to use this booklet", "C", "corrigibility"]
    for title, page in outline:
        if len(title) > 1 and title not in ("How to use this booklet", "Sources", "Index of other names"):
            assert squeeze(title) in squeeze(pages[page])


def test_metadata(built):
    info = PdfReader(built["booklet"]).metadata
    assert info.title == "Test Glossary"
    assert info.subject == "A small glossary for glossdeck's tests"


def test_same_input_gives_same_bytes(tmp_path):
    a = pipeline.build(make_project(tmp_path / "a"), timestamp=TIMESTAMP, targets=("booklet",)).outputs
    b = pipeline.build(make_project(tmp_path / "b"), timestamp=TIMESTAMP + 99, targets=("booklet",)).outputs
    assert a["booklet"].read_bytes() == b["booklet"].read_bytes()


def test_split_paragraphs_always_fit_their_space():
    from glossdeck.render.booklet import Para, _styles
    from glossdeck.render.fonts import register

    style = _styles(register(), "en")["entry"]
    # An entry on which reportlab's own split used to come out a line too long.
    text = ("<b>MIRI</b> <i>(Machine Intelligence Research Institute, MIRI-sphere)</i> The Machine Intelligence "
            "Research Institute, a Berkeley nonprofit co-founded by Eliezer Yudkowsky that has long worked on the "
            "theory of AI alignment and is associated with the most pessimistic views in the field. The optimism "
            "essay uses “MIRI-sphere views” as shorthand for that pessimistic cluster, yet calls recent work on the "
            "shutdown problem possibly MIRI’s biggest success in fifteen years. Researchers linked to it, among "
            "them Nate Soares and Yudkowsky, introduced corrigibility as an open problem.")
    width = 334.488188976378
    for quarter_points in range(100, 400):
        height = quarter_points / 4
        para = Para(text, style)
        para.wrap(width, height)
        parts = para.split(width, height)
        if len(parts) == 2:
            assert parts[0].wrap(width, height)[1] <= height + 1e-6, height
            # Laid out again (as the frame does before drawing it), it must come out the same.
            assert parts[0].wrap(width, height)[1] <= height + 1e-6, height


def test_the_booklet_is_typeset_once_and_its_page_numbers_are_right(project, monkeypatch):
    from glossdeck.render import booklet as renderer

    passes = []
    typeset = renderer._typeset
    monkeypatch.setattr(renderer, "_typeset", lambda *args: passes.append(args[2]) or typeset(*args))
    outputs = pipeline.build(project, timestamp=TIMESTAMP, targets=("booklet",)).outputs
    assert passes == [1]
    reader = PdfReader(outputs["booklet"])
    outline = dict(outline_titles(reader))
    text = " ".join(" ".join(page_text(outputs["booklet"])).split()).replace("\u00a0", " ")
    checked = 0
    for term in pipeline.check(project)[0].terms:  # stubs, "see also" and "cited in", before and after
        for match in re.finditer(r"(?:See also|;|→|Cited in|,) " + re.escape(term.term) + r", p\. (\d+)", text):
            assert int(match.group(1)) == outline[term.term] + 1, term.term
            checked += 1
    assert checked > 8


def test_a_page_number_box_is_exactly_as_wide_as_the_number():
    """Numbers not yet known are set as blank boxes; with tabular figures nothing moves when they are drawn."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from glossdeck.render.booklet import Para, _blank, _styles
    from glossdeck.render.fonts import register

    font = register()
    for name in ("seealso", "stub", "index", "source", "toc", "tocpage"):
        style = _styles(font, "en")[name]
        assert len({stringWidth(d, style.fontName, style.fontSize) for d in "0123456789"}) == 1  # tabular
        for digits in (1, 2, 3, 4):
            number = "8" * digits
            width = stringWidth(number, style.fontName, style.fontSize)
            boxed, plain = Para(f"p.\u00a0{_blank(width, style.fontName, style.fontSize)};", style), \
                Para(f"p.\u00a0{number};", style)
            boxed.wrap(500, 100)
            plain.wrap(500, 100)
            assert abs(boxed.getActualLineWidths0()[0] - plain.getActualLineWidths0()[0]) < 1e-4, (name, digits)
            assert boxed.height == plain.height  # a smaller space in the box does not move the line
