"""formats/webpage: real pages from ten publishing tools (tests/fixtures/pages) keep their text and lose their
chrome; a quote typed as a reader sees it is found in them, and a one-word change is not (issue 20)."""

import re
import time
from pathlib import Path

import pytest

from glossdeck import dialogue, pipeline
from glossdeck.formats import webpage
from glossdeck.model import Source
from glossdeck.seeds import Seed
from tests.test_init import snapshot
from tests.test_sourcing import run

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
# page: (words of its text, as a reader reads them; what is not its text: menus, sidebars, footers, tables of
# contents, "edit" links, navigation bars; headings it must keep; code blocks it must keep as code)
CASES = {
    "sphinx-python-policy": (
        ["Debian has previously supported two Python stacks, one for Python 3 and one for Python 2.",
         "the binary packages python, python-minimal, python-dev, python-dbg and python-doc are removed",
         "X-Python3-Version: >= A.B, << X.Y"],
        ["Table of Contents", "Quick search", "Show Source", "Created using Sphinx", "Permalink", "Navigation"],
        ["2.1. Removal of the unversioned packages", "3.6. Module Path"], 3),
    "sphinx-python-sorting": (
        ["Python lists have a built-in list.sort() method that modifies the list in-place.",
         "sorted([5, 2, 3, 1, 4])"],
        ["Navigation", "Theme", "Report a Bug", "Show Source", "Copyright", "Previous topic", "Next topic",
         "Quick search", "Python Software Foundation"],
        ["Sorting HOW TO", "Sorting Basics", "Key Functions"], 14),
    "mkdocs-writing-your-docs": (
        ["Your documentation source should be written as regular Markdown files",
         "Note that fenced code blocks can not be indented."],
        ["Edit on GitHub", "Getting Started", "Choosing Your Theme", "Search", "Documentation built with MkDocs",
         "Copyright", "Keyboard Shortcuts", "Previous", "Next"],
        ["Writing your docs", "File layout", "Writing with Markdown"], 20),
    "texinfo-overview": (
        ["Texinfo is a documentation system that uses a single source file to produce both online information "
         "and printed output."],
        ["Next:", "Previous:", "Up:", "[Contents]", "Texinfo Copying Conditions"],
        ["1 Overview of Texinfo"], 0),
    "docbook-valgrind-intro": (
        ["Valgrind is an instrumentation framework for building dynamic analysis tools."],
        ["Prev", "Next", "Home", "Valgrind User Manual"],
        ["1.1. An Overview of Valgrind", "1.2. How to navigate this manual"], 0),
    "hand-libxslt-intro": (
        ["This document describes libxslt, the XSLT C library developed for the GNOME project."],
        ["Main Menu", "Related links", "API Indexes", "Search", "Mail archive", "Daniel Veillard"],
        ["Introduction"], 0),
    "hand-amaya-exslt": (
        ["Libexslt is the C library developed for libxslt (a part of the Gnome project)."],
        [],
        ["Introduction", "Documentation", "Reporting bugs and getting help"], 1),
    "ikiwiki-news-version-3.0": (
        ["Ikiwiki has reached version 3.0 and entered a new phase in its development cycle."],
        ["Last edited", "ikiwiki/ news/", "Sun Feb 2 20:23:50 2020"],
        [], 0),
    "mkdocs-material-node-pull-requests": (
        ["Do not send a patch to Node.js. We cannot accept such patches."],
        ["This website uses cookies", "Privacy policy", "Edit this page", "Table of contents", "Node.js contributing"],
        ["Pull requests", "Dependencies", "Step 1: Fork"], 10),
    "pandoc-node-pull-requests": (
        ["Once you have git and are sure you have all of the necessary dependencies, it's time to create a fork."],
        ["Table of contents"],
        ["Pull requests", "Setting up your local environment", "Step 1: Fork", "Appendix: subsystems"], 10),
}


def reader(markdown: str, title: str = "") -> Seed:
    return Seed(Source(id="page", file="page.md", sha256="", title=title, author="", format="markdown"), markdown)


@pytest.fixture(scope="module")
def converted() -> dict[str, tuple[str, str]]:
    return {name: webpage.to_markdown((PAGES / f"{name}.html").read_bytes()) for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
def test_a_real_page_keeps_its_text_and_loses_its_chrome(converted, name):
    markdown, title = converted[name]
    seen = reader(markdown)
    kept, dropped, headings, code_blocks = CASES[name]
    for words in kept:  # as a reader reads them: the reader's view of the Markdown, spaces and quotes folded
        assert " ".join(words.replace("'", "’").split()) in seen.text.replace("'", "’"), words
    for chrome in dropped:
        assert chrome not in seen.text, chrome
    shown = [heading for _, heading in reader(markdown, "no such title").headings]
    for heading in headings:
        assert heading in shown
    for mark in ("¶", "\uf0c1", "🔗", "[](#"):  # permalinks, with their glyphs or empty
        assert mark not in markdown
    fences = len(re.findall(r"^[ \t]*```[ \t]*$", markdown, re.MULTILINE)) // 2
    assert fences >= code_blocks if code_blocks else fences == 0
    assert dialogue.propose_speakers(markdown, markdown=True) == ()  # "X-Python3-Version:" is no speaker


def test_code_blocks_stay_code_and_their_lines_are_no_turns(converted):
    markdown, _ = converted["sphinx-python-policy"]
    fence = markdown.index("X-Python3-Version: >= X.Y")
    assert markdown.rfind("```", 0, fence) > markdown.rfind("\n\n", 0, markdown.rfind("```", 0, fence))
    assert dialogue.turns(markdown, markdown=True) == []


def test_the_pages_title_is_its_own_without_the_sites_name(converted):
    assert converted["sphinx-python-sorting"][1] == "Sorting HOW TO"
    assert converted["mkdocs-writing-your-docs"][1] == "Writing Your Docs"
    assert converted["ikiwiki-news-version-3.0"][1] == "ikiwiki version 3.0"


def test_source_add_of_a_sphinx_page_takes_quotes_as_a_reader_sees_them(blank):
    page = PAGES / "sphinx-python-policy.html"
    result = run(blank, "source", "add", str(page), "--id", "policy", "--author", "Debian Python team", "--yes")
    assert result.exit_code == 0, result.output
    assert "Speakers" not in result.output
    # the page has the package names in code spans; a reader sees no backticks, and neither does the quote
    quote = "the binary packages python, python-minimal, python-dev, python-dbg and python-doc are removed"
    result = run(blank, "add", "--term", "unversioned packages", "--definition", "d.", "--gloss", "g.", "--cite",
                 "policy", quote)
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(blank)
    location = glossary.terms[0].citations[0].location
    assert location.describe() == "§ 2.1. Removal of the unversioned packages, ¶ 1"  # no "¶" mark, no link syntax
    before = snapshot(blank)
    changed = quote.replace("removed", "deleted")
    result = run(blank, "add", "--term", "unversioned packages two", "--definition", "d.", "--gloss", "g.",
                 "--cite", "policy", changed)
    assert result.exit_code == 1 and "quote not found in `policy`" in result.output
    assert snapshot(blank) == before


@pytest.mark.parametrize("depth, tag", [(400, "div"), (400, "span"), (3000, "div"), (3000, "b"), (20000, "div")])
def test_a_page_nested_deeper_than_any_real_one_keeps_its_text(blank, tmp_path, depth, tag):
    page = tmp_path / "deep.html"
    words = "<p>Words nested very deep in a page that nobody would write by hand, but a tool might.</p>" * 3
    page.write_text(f"<html><head><title>Deep</title></head><body><article>{f'<{tag}>' * depth}{words}"
                    f"{f'</{tag}>' * depth}</article></body></html>")
    result = run(blank, "source", "add", str(page), "--id", "deep", "--author", "A", "--yes")
    assert result.exit_code == 0, result.output
    assert "Words nested very deep in a page" in (blank / "seeds" / "deep.md").read_text()


@pytest.mark.parametrize("case", ["unclosed tags", "unclosed comment", "NUL bytes", "plaintext", "attributes",
                                  "entities", "many siblings"])
def test_other_pathological_pages_are_read_or_refused_cleanly(blank, tmp_path, case):
    body = {
        "unclosed tags": "<div>" * 5000 + "<p>Words of the page that someone wrote down here, unclosed." * 20,
        "unclosed comment": "<p>Text before the comment, with quotable words in it.</p><!-- never closed <p>x</p>",
        "NUL bytes": "<p>Text with a \x00 NUL byte inside of it, and quotable words.</p>",
        "plaintext": "<p>Intro words are here for you to quote.</p><plaintext><p>not a tag</p>",
        "attributes": "<p " + " ".join(f"a{i}='x'" for i in range(20000)) + ">Words of a paragraph, attributes.</p>",
        "entities": "<p>&amp;&lt;&gt;&#0;&#xD800;&#x110000;&bogus; and then words to quote at the end.</p>",
        "many siblings": "<p>A short paragraph of words.</p>" * 20000,
    }[case]
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>Odd</title></head><body><article>{body}</article></body></html>")
    start = time.process_time()
    result = run(blank, "source", "add", str(page), "--id", "odd", "--author", "A", "--yes")
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == 0, result.output
    assert time.process_time() - start < 60  # a guard against a hang, not a speed figure (bench/ has those)


@pytest.mark.parametrize("accented", ["Jose\u0301 and Zoe\u0308 met at the re\u0301sume\u0301 workshop",  # decomposed
                                      "Jos\u00e9 and Zo\u00eb met at the r\u00e9sum\u00e9 workshop",  # composed
                                      "Jos\u00e9 and Zoe\u0308 met at the re\u0301sum\u00e9 workshop"])  # both
def test_a_paragraph_is_kept_however_its_accents_are_encoded(blank, tmp_path, accented):
    """trafilatura composes accents (NFC): a paragraph whose accents the page decomposes is still its own text."""
    page = tmp_path / "accents.html"
    page.write_text("<html><head><meta charset='utf-8'><title>Accents</title></head><body><article><h1>Accents</h1>"
                    "<p>The first paragraph is plain text and has nothing special in it at all.</p>"
                    f"<p>The second paragraph says that {accented} last spring.</p>"
                    "<p>The third paragraph is plain again and closes the page with a short remark.</p>"
                    "</article></body></html>", encoding="utf-8")
    result = run(blank, "source", "add", str(page), "--id", "accents", "--author", "A", "--yes")
    assert result.exit_code == 0, result.output
    seed = (blank / "seeds" / "accents.md").read_text(encoding="utf-8")
    assert f"The second paragraph says that {accented} last spring." in seed  # kept, as the page encodes it
    assert "The first paragraph" in seed and "The third paragraph" in seed
