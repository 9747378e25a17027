"""The shipped glossary's booklet read back page by page: guide words, references, links, typography."""

import re

import pytest
from pypdf import PdfReader

from glossdeck import pipeline
from tests.pdf_reader import link_targets, outline_titles, text_runs

HEAD_ZONE = 565  # running heads sit 10 mm below the top of an A5 page (595 pt)


@pytest.fixture(scope="module")
def booklet(shipped):
    glossary, _ = pipeline.check(shipped["root"])
    reader = PdfReader(shipped["booklet"])
    return glossary, reader, [text_runs(page) for page in reader.pages]


def headwords(runs):
    """Entry and cross-reference headwords: bold body-size runs that are not labels."""
    return [text for y, font, size, text in runs if y < HEAD_ZONE and font.endswith("-Bold")
            and size in (9.5, 8.6) and not text.endswith(":") and text not in ("See also", "Cited in")]


def running_head(runs):
    return [text for y, font, size, text in runs if y >= HEAD_ZONE and font.endswith("-Bold")]


def shows(guide: str, headword: str) -> bool:
    """A guide word is the headword, or its beginning cut with "…" when it is too long for the head."""
    return guide == headword or (guide.endswith("…") and headword.startswith(guide[:-1]))


def test_guide_words_are_the_first_and_last_headwords(booklet):
    glossary, reader, pages = booklet
    outline = dict(outline_titles(reader))
    first_az, sources = outline["A"], outline["Sources"]
    checked = 0
    previous = None
    for number in range(first_az, sources):
        words = headwords(pages[number])
        head = running_head(pages[number])
        expected = [words[0], words[-1]] if words else [previous, previous]  # or the entry it continues
        assert len(head) == 2 and all(map(shows, head, expected)), f"page {number + 1}: {head} {expected}"
        if words:
            previous = words[-1]
            checked += 1
    assert checked > 40


def test_printed_page_references_are_right(booklet):
    glossary, reader, _ = booklet
    outline = dict(outline_titles(reader))
    text = " ".join(" ".join(page_text_all(reader)).split()).replace("\u00a0", " ")
    checked = 0
    for term in glossary.terms:
        for match in re.finditer(r"(?:See also|;|→|Cited in|,) " + re.escape(term.term) + r", p\. (\d+)", text):
            assert int(match.group(1)) == outline[term.term] + 1, term.term
            checked += 1
    assert checked > 200


def page_text_all(reader):
    return [page.extract_text() or "" for page in reader.pages]


def test_every_link_lands_on_a_heading_of_its_target_page(booklet):
    _, reader, pages = booklet
    links = link_targets(reader)
    assert len(links) > 500
    for source_page, target_page, top in links:
        below = [(y, font) for y, font, _, _ in pages[target_page] if y < top + 1 and y < HEAD_ZONE]
        first_line = max(y for y, _ in below)
        first_font = next(font for y, font in below if y == first_line)
        assert first_font.endswith("-Bold"), (source_page + 1, target_page + 1, top)


def test_every_term_has_a_bookmark_on_its_entry_page(booklet):
    glossary, reader, pages = booklet
    outline = dict(outline_titles(reader))
    for term in glossary.terms:
        assert term.term in headwords(pages[outline[term.term]]), term.term


@pytest.mark.parametrize("width", range(60, 240, 3))
def test_a_compound_broken_at_its_hyphen_prints_one_hyphen(width):
    """pyphen offers "multi" + "-step"; reportlab would add its own hyphen to the first part."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from glossdeck.render.booklet import _hyphenation_language

    style = ParagraphStyle("body", fontName="Times-Roman", fontSize=9.5, leading=12.2,
                           hyphenationLang=_hyphenation_language("en"), embeddedHyphenation=1)
    paragraph = Paragraph("so that it can pursue multi-step tasks and recursive self-improvement in the world",
                          style)
    paragraph.wrap(width, 1000)
    lines = [" ".join(str(word) for word in line[1]) for line in paragraph.blPara.lines]
    text = "\n".join(lines)
    assert not any(line.startswith("-") for line in lines), text
    assert re.sub(r"[-\s]", "", text) == re.sub(r"[-\s]", "", paragraph.text)  # only line breaks added


def test_aliases_have_stubs_and_an_index(booklet):
    glossary, reader, _ = booklet
    text = " ".join(" ".join(page_text_all(reader)).split())
    igf = glossary.lookup("IGF")
    assert f"IGF → {igf.term}, p." in text
    outline = dict(outline_titles(reader))
    index = " ".join(page_text_all(reader)[outline["Index of other names"]:])
    assert "IGF → " in index


def test_hyphenation_is_active(booklet):
    _, reader, _ = booklet
    broken = 0
    for page in page_text_all(reader):
        broken += len(re.findall(r"[a-z]{2}-\n[a-z]{2}", page))
        assert not re.search(r"\w-\n-\w", page)  # a compound word broken at its hyphen keeps one hyphen
    assert broken > 50


def test_metadata_and_language(shipped):
    reader = PdfReader(shipped["booklet"])
    assert reader.metadata.title == "AI Alignment Glossary"
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize("output", ["booklet", "print", "cards"])
def test_every_font_on_every_page_is_embedded(shipped, output):
    from tests.pdf_reader import fonts_by_page

    for number, fonts in enumerate(fonts_by_page(PdfReader(shipped[output])), start=1):
        assert fonts, f"page {number} has no fonts"
        assert all(fonts.values()), f"page {number}: {fonts}"
        assert not any("Helvetica" in name or "Times" in name for name in fonts)


def test_contents_gives_the_page_of_each_part(booklet):
    _, reader, _ = booklet
    outline = dict(outline_titles(reader))
    contents = " ".join(reader.pages[outline["How to use this booklet"]].extract_text().split())
    letters = re.search(r"A–Z: (.*?) Sources (\d+) Index of other names (\d+)", contents)
    pairs = re.findall(r"(\S) (\d+)", letters.group(1))
    assert [letter for letter, _ in pairs] == [title for title, _ in outline_titles(reader) if len(title) == 1]
    for letter, page in pairs:
        assert int(page) == outline[letter] + 1, letter
    assert int(letters.group(2)) == outline["Sources"] + 1
    assert int(letters.group(3)) == outline["Index of other names"] + 1


def test_a_letter_never_ends_a_page(booklet):
    _, reader, pages = booklet
    letters = [(title, page) for title, page in outline_titles(reader) if len(title) == 1]
    assert len(letters) > 20
    for letter, page in letters:
        runs = [run for run in pages[page] if run[0] < HEAD_ZONE]
        heading = next(y for y, font, size, text in runs if text == letter and size == 20)
        below = [text for y, font, size, text in runs if y < heading and size in (9.5, 8.6) and font.endswith("-Bold")]
        assert below, f"letter {letter} ends page {page + 1}"


def test_page_numbers_do_not_depend_on_the_guess_of_the_page_count(shipped, monkeypatch):
    """Boxes too narrow for the page numbers (a guess of under ten pages) mean one more pass, same result."""
    from glossdeck.render import booklet as renderer

    glossary, _ = pipeline.check(shipped["root"])
    passes = []
    typeset = renderer._typeset
    monkeypatch.setattr(renderer, "_estimated_pages", lambda glossary: 5)
    monkeypatch.setattr(renderer, "_typeset", lambda *args: passes.append(args[2]) or typeset(*args))
    assert renderer.render(glossary, glossary.settings.paper) == shipped["booklet"].read_bytes()
    pages = len(PdfReader(shipped["booklet"]).pages)
    assert pages >= 10 and passes == [1, len(str(pages))]  # the second pass has boxes as wide as the real numbers
