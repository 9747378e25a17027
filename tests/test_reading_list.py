"""The shipped glossary takes a real web page, a PDF and an EPUB as sources, and every output shows their quotes
where a reader finds them and links to the original at that place (issue 20's "done when", the shipped path; the
other path, a glossary of one's own, is tests/test_wheel.py)."""

import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from glossdeck import pipeline
from tests.conftest import FIXTURES, REPO
from tests.test_sourcing import run

PDF_URL = "https://valgrind.org/docs/manual/valgrind_manual.pdf"
CITES = [("policy", "the binary packages python, python-minimal, python-dev, python-dbg and python-doc are removed",
          "§ 2.1. Removal of the unversioned packages, ¶ 1"),
         ("valgrind", "Valgrind simulates every single instruction your program executes", "p. 3, ¶ 12"),
         ("contributing", "Fork the project on GitHub and clone your fork locally", "§ Step 1: Fork, ¶ 1")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reading-list")
    for part in ("glossary", "seeds"):
        shutil.copytree(REPO / part, root / part)
    for args in ([str(FIXTURES / "pages" / "sphinx-python-policy.html"), "--id", "policy", "--author",
                  "Debian Python team", "--url", "https://www.debian.org/doc/packaging-manuals/python-policy/"],
                 [str(FIXTURES / "pdfs" / "fop-valgrind-core.pdf"), "--id", "valgrind", "--title",
                  "Valgrind User Manual", "--author", "Valgrind developers", "--url", PDF_URL],
                 [str(FIXTURES / "epubs" / "pandoc-node-contributing.epub"), "--id", "contributing"]):
        result = run(root, "source", "add", *args, "--yes")
        assert result.exit_code == 0, result.output
    cites = [arg for source, quote, _ in CITES for arg in ("--cite", source, quote)]
    result = run(root, "add", "--term", "reading list test", "--gloss", "A term quoting three kinds of text.",
                 "--definition", "A term whose quotes come from a web page, a PDF and an EPUB.", *cites)
    assert result.exit_code == 0, result.output
    pipeline.build(root)
    return root


def test_check_places_each_quote_as_a_reader_finds_it(built):
    glossary, _ = pipeline.check(built)
    term = next(t for t in glossary.terms if t.id == "reading-list-test")
    assert [c.location.describe() for c in term.citations] == [where for _, _, where in CITES]


def test_the_deck_shows_each_place_and_links_the_pdf_to_its_page(built):
    with zipfile.ZipFile(built / "build" / "alignment-glossary.apkg") as package:
        (built / "deck.sqlite").write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(built / "deck.sqlite") as connection:
        fields = [row[0] for row in connection.execute("select flds from notes") if "reading list test" in row[0]]
    assert len(fields) == 1
    quotes = fields[0]
    for _, _, where in CITES:
        assert where in quotes
    assert f'href="{PDF_URL}#page=1"' in quotes


def test_the_booklet_prints_each_place(built):
    text = " ".join(" ".join(page.extract_text() for page in
                             pypdf.PdfReader(built / "build" / "alignment-glossary-booklet.pdf").pages).split())
    unhyphenated = re.sub(r"(\w)- (\w)", r"\1\2", text)  # the booklet hyphenates its justified lines
    for _, _, where in CITES:
        assert where in unhyphenated
    assert "Valgrind User Manual" in text and "Contributing to Node.js" in text


def test_the_site_links_each_quote_to_its_passage_and_the_pdf_to_its_page(built):
    site = built / "build" / "alignment-glossary-site"
    page = BeautifulSoup((site / "terms" / "reading-list-test.html").read_text(encoding="utf-8"), "html.parser")
    originals = [a["href"] for a in page.select("a.original")]
    assert f"{PDF_URL}#page=1" in originals
    assert any(href.startswith("https://www.debian.org/doc/packaging-manuals/python-policy/#:~:text=")
               for href in originals)
    for link in page.select("a.in-context"):
        target, anchor = str(link["href"]).split("#")
        source_page = BeautifulSoup((site / "terms" / target).resolve().read_text(encoding="utf-8"), "html.parser")
        assert source_page.find(id=anchor) is not None, link["href"]
    valgrind = BeautifulSoup((site / "sources" / "valgrind.html").read_text(encoding="utf-8"), "html.parser")
    assert [mark.get_text() for mark in valgrind.select(".page-mark")] == ["p.\u00a03", "p.\u00a04", "p.\u00a05"]
    assert "In the essays" in page.get_text()  # the shipped glossary calls its sources essays
