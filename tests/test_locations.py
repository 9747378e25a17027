"""Locations a reader can follow: section and paragraph (or sentence), never a character offset."""

import re
import sqlite3
import zipfile

import pytest

from glossdeck import pipeline
from glossdeck.model import Source
from glossdeck.seeds import Seed
from tests.conftest import REPO
from tests.pdf_reader import page_text


def seed(raw: str, fmt: str = "text", headings: tuple[str, ...] = (), title: str = "An essay") -> Seed:
    return Seed(Source("s", "s.txt", "0" * 64, title, "A. Author", format=fmt, headings=headings), raw)


def place(s: Seed, words: str) -> tuple[str | None, int]:
    return s.place(s.raw.index(words))


def test_paragraphs_count_from_their_heading_and_skip_the_title():
    s = seed("An essay (draft)\n\nFirst words.\n\nSecond para\nwrapped.\n\nA heading\n\nOne.\n\n\nTwo.\n",
             headings=("A heading",))
    assert place(s, "First words") == (None, 1)
    assert place(s, "wrapped") == (None, 2)
    assert place(s, "One.") == ("A heading", 1)
    assert place(s, "Two.") == ("A heading", 2)
    assert place(s, "A heading") == ("A heading", 1)


def test_markdown_skips_front_matter_images_and_counts_list_items():
    s = seed("---\ntitle: x\n---\n\nIntro here.\n\n## Part\n\nA para.\n\n![](pic.png)\n\n- item one\n- item two\n\n"
             "**Doomer**: a turn.\n", fmt="markdown")
    assert place(s, "Intro") == (None, 1)
    assert place(s, "A para") == ("Part", 1)
    assert place(s, "item one") == ("Part", 2)
    assert place(s, "item two") == ("Part", 3)
    assert place(s, "a turn") == ("Part", 4)


def test_a_text_on_one_line_counts_sentences_within_inline_sections():
    s = seed("Intro One. Two? Three! Next part He said \"yes.\" Then 4 more. (Aside.) End", headings=("Next part",))
    assert s.counts_sentences
    assert place(s, "One.") == (None, 1)
    assert place(s, "Three") == (None, 3)
    assert place(s, "He said") == ("Next part", 1)
    assert place(s, "Then 4") == ("Next part", 2)
    assert place(s, "(Aside") == ("Next part", 3)
    assert place(s, "End") == ("Next part", 4)


@pytest.fixture(scope="module")
def resolved():
    glossary, _ = pipeline.check(REPO)
    return glossary


def test_every_shipped_quote_has_a_readable_location(resolved):
    for term in resolved.terms:
        for citation in term.all_citations:
            shown = citation.location.describe()
            assert re.fullmatch(r"(§ .+, )?(¶|sentence) [1-9]\d*", shown), (term.id, shown)


def test_every_heading_like_line_of_a_text_essay_is_a_listed_section(resolved):
    """A short line standing alone between blank lines, with no closing punctuation, is a heading."""
    for source in resolved.sources.values():
        raw = (REPO / "seeds" / source.file).read_text(encoding="utf-8")
        if source.format != "text" or "\n" not in raw.strip():
            continue
        blocks = [b.strip() for b in re.split(r"\n\s*\n", raw) if b.strip()]
        candidates = [b for b in blocks if "\n" not in b and len(b) < 110 and not re.search(r"[.?!:;,”\"…)]$", b)
                      and not re.match(r"\d+\.|[-*] ", b) and "http" not in b and b != blocks[0]]
        listed = set(source.headings)
        assert [c for c in candidates if c not in listed and c != source.subtitle] == [], source.id


def test_no_rendered_text_gives_a_character_offset(shipped):
    cards = " ".join(page_text(shipped["cards"]))  # a card's back holds a quote only where there is room
    assert not re.search(r"\bchar(acter)?s? \d", cards)
    texts = [" ".join(page_text(shipped["booklet"]))]
    with zipfile.ZipFile(shipped["deck"]) as package:
        database = shipped["root"] / "collection.anki2"
        database.write_bytes(package.read("collection.anki2"))
    connection = sqlite3.connect(database)
    texts.append(" ".join(fields for (fields,) in connection.execute("select flds from notes")))
    connection.close()
    for text in texts:
        assert not re.search(r"\bchar(acter)?s? \d", text)
        assert "¶ " in text
