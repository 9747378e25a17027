"""formats/epub and `source add book.epub`: EPUBs from two tools (tests/fixtures/epubs) become Markdown, a heading per
chapter in the spine's order; a quote is found in its chapter; broken and hostile books are refused (issue 20)."""

import io
import re
import zipfile
from pathlib import Path

import pytest

from glossdeck import pipeline
from glossdeck.formats import epub
from tests.test_init import snapshot
from tests.test_sourcing import run

EPUBS = Path(__file__).resolve().parent / "fixtures" / "epubs"
PANDOC = EPUBS / "pandoc-node-contributing.epub"
DOCBOOK = EPUBS / "docbook-node-contributing.epub"


def top_headings(markdown: str) -> list[str]:
    return re.findall(r"^# (.+)$", markdown, re.MULTILINE)


@pytest.mark.parametrize("path, chapters", [
    (PANDOC, ["Pull requests", "Issues"]),
    (DOCBOOK, ["Chapter\u00a01\\.\u00a0Issues", "Discussing non-technical topics", "Submitting a bug report",
               "Triaging a bug report", "Chapter\u00a02\\.\u00a0Code of Conduct"]),
])
def test_chapters_in_spine_order_become_sections_each_a_heading(path, chapters):
    text = epub.read(path, path.read_bytes())
    assert (text.format, text.kind, text.title, text.author) == (
        "markdown", "epub", "Contributing to Node.js", "Node.js contributors")
    assert top_headings(text.raw) == chapters  # no title page, no table of contents: the book's own chapters
    # the contents lists are gone (a link in a sentence stays a link)
    assert not re.search(r"^\s*- \[[^]]*\]\(ch0[^)]*\)$", text.raw, re.MULTILINE)


def test_a_code_block_keeps_its_lines_as_written():
    text = epub.read(PANDOC, PANDOC.read_bytes()).raw
    assert "```\n### `request.method`\n<!-- YAML\nadded: REPLACEME\n-->" in text  # not taken for a heading


@pytest.mark.parametrize("path, quote, where", [
    (PANDOC, "you will need to have git installed locally", "§ Setting up your local environment, ¶ 1"),
    (DOCBOOK, "Discussion of non-technical topics (such as intellectual property and trademark) should be directed",
     "§ Discussing non-technical topics, ¶ 1"),
])
def test_a_quote_is_found_in_its_chapter_and_a_changed_word_is_not(blank, path, quote, where):
    result = run(blank, "source", "add", str(path), "--id", "guide", "--yes")  # title and author from the book
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(blank)[0].sources["guide"]
    assert (source.title, source.author, source.format) == ("Contributing to Node.js", "Node.js contributors",
                                                            "markdown")
    assert "from the EPUB " + path.name in source.version
    result = run(blank, "add", "--term", "the term", "--definition", "d.", "--gloss", "g.", "--cite", "guide", quote)
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(blank)
    assert glossary.terms[0].citations[0].location.describe() == where
    before = snapshot(blank)
    words = quote.split()
    words[len(words) // 2] = "zebra"
    result = run(blank, "add", "--term", "other term", "--definition", "d.", "--gloss", "g.", "--cite", "guide",
                 " ".join(words))
    assert result.exit_code == 1 and "quote not found in `guide`" in result.output
    assert snapshot(blank) == before


def _book(files: dict[str, bytes | str], sizes: dict[str, int] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        for name, data in files.items():
            book.writestr(name, data)
    data = out.getvalue()
    for name, size in (sizes or {}).items():  # a zip entry that claims to unpack to far more than it holds
        data = _claim(data, name, size)
    return data


def _claim(data: bytes, name: str, size: int) -> bytes:
    encoded = name.encode()
    at = data.rfind(b"PK\x01\x02" + b"", 0)  # the central directory entry of the last file
    while at >= 0 and data[at + 46 : at + 46 + len(encoded)] != encoded:
        at = data.rfind(b"PK\x01\x02", 0, at)
    return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]


CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
             '</container>')
OPF = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
       'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></metadata><manifest><item id="c" '
       'href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>')
CHAPTER = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Words of a chapter, enough of them.</p></body></html>'
BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;'
        '&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<package xmlns="http://www.idpf.org/2007/opf"><metadata><title>&lol3;</title></metadata></package>')


def test_an_entity_bomb_in_the_package_is_never_expanded(blank, tmp_path):
    book = tmp_path / "book.epub"
    opf = BOMB.replace("</metadata></package>", "</metadata>" + OPF.split("</metadata>")[1])
    book.write_bytes(_book({"META-INF/container.xml": CONTAINER, "content.opf": opf, "c.xhtml": CHAPTER}))
    result = run(blank, "source", "add", str(book), "--id", "book", "--author", "A", "--yes")
    assert result.exit_code == 1 and "missing --title" in result.output  # the title's entities were not read
    text = epub.read(book, book.read_bytes())
    assert text.title == "" and "lol" not in text.raw and "Words of a chapter" in text.raw


@pytest.mark.parametrize("case, message", [
    ("not a zip", "cannot read this EPUB"),
    ("no container", "cannot read this EPUB"),
    ("broken package XML", "cannot read this EPUB"),
    ("no text", "this EPUB has no text to quote"),
    ("zip bomb", "too large to be a chapter"),
    ("a chapter missing from the zip", "which is not in the book (no file c.xhtml in it): a chapter is missing"),
    ("a chapter's href out of the book", "which is not in the book (no file ../../../etc/hostname in it)"),
    ("a spine entry the manifest lacks", "this EPUB's spine reads `nope`, which its package document"),
])
def test_broken_and_hostile_books_are_refused_cleanly(blank, tmp_path, case, message):
    files: dict[str, bytes | str] = {"META-INF/container.xml": CONTAINER, "content.opf": OPF, "c.xhtml": CHAPTER}
    sizes = None
    if case == "no container":
        del files["META-INF/container.xml"]
    elif case == "broken package XML":
        files["content.opf"] = OPF[:-20]
    elif case == "no text":
        files["c.xhtml"] = '<html xmlns="http://www.w3.org/1999/xhtml"><body><img src="x.png"/></body></html>'
    elif case == "zip bomb":
        sizes = {"c.xhtml": 3_000_000_000}
    elif case == "a chapter missing from the zip":
        del files["c.xhtml"]
    elif case == "a chapter's href out of the book":
        files["content.opf"] = OPF.replace('href="c.xhtml"', 'href="../../../etc/hostname"')
    elif case == "a spine entry the manifest lacks":
        files["content.opf"] = OPF.replace('<itemref idref="c"/>', '<itemref idref="c"/><itemref idref="nope"/>')
    book = tmp_path / "book.epub"
    book.write_bytes(b"PK\x03\x04 but nothing else" if case == "not a zip" else _book(files, sizes))
    before = snapshot(blank)
    result = run(blank, "source", "add", str(book), "--id", "book", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output and "nothing written" in result.output
    assert snapshot(blank) == before
