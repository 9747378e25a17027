"""reading: a source as a reader sees it, every character mapped back to the raw text, one view for every use."""

from __future__ import annotations

import html
import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from glossdeck import citations
from glossdeck.model import Citation, Source
from glossdeck.reading import read, read_markdown
from glossdeck.render import addresses as links
from glossdeck.render.site import essay
from glossdeck.seeds import Seed, fold
from tests.conftest import FIXTURES, REPO

WRITTEN_ELSEWHERE = sorted((FIXTURES / "markdown").glob("*.m*d*"))
SHIPPED_MARKDOWN = [REPO / "seeds" / "003_511bd9a78e7fd698.txt", REPO / "seeds" / "004_bce81a884f985e50.txt"]


def seed_of(raw: str, markdown: bool = True) -> Seed:
    return Seed(Source("s", "s.md", "0", "A title", "Someone", format="markdown" if markdown else "text",
                       url="https://example.org/essay"), raw)


def cite(seed: Seed, quote: str) -> Citation:
    """The quote resolved as `check` resolves it (its first match)."""
    match = citations.find_all(seed, quote)[0]
    return Citation("s", seed.read_quote(quote), location=citations.locate(seed, match))


class _Marked(HTMLParser):
    """The text inside the <mark>s of one passage, and the text a browser shows of a page (images as nothing)."""

    def __init__(self, anchor: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.anchor, self.depth, self.marked, self.shown = anchor, 0, [], []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mark" and self.anchor in str(dict(attrs).get("data-q", "")).split():
            self.depth += 1
        if tag in ("span",) and dict(attrs).get("class") in ("cited-by", "image-note"):
            self.skip += 1
        elif self.skip and tag == "span":
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self.depth:
            self.depth -= 1
        if tag == "span" and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.shown.append(data)
        if self.depth:
            self.marked.append(data)


def marked_text(seed: Seed, citation: Citation) -> str:
    """What the essay page highlights for a quote: the text of its passage's <mark>s."""
    anchor = links.passage_anchor(citation.location)
    body, _ = essay.render(seed, [essay.Passage(anchor, links.pieces(seed, citation))])
    parser = _Marked(anchor)
    parser.feed(str(body))
    return " ".join("".join(parser.marked).split())


def browser_text(markdown_source: str) -> str:
    """The text a browser shows of a Markdown text rendered by CommonMark: tags gone, images as nothing."""
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown_source)
    rendered = re.sub(r"<img[^>]*>|<!--.*?-->", " ", rendered, flags=re.DOTALL)
    parser = _Marked()
    parser.feed(re.sub(r"</?(?:p|h[1-6]|li|ul|ol|pre|blockquote|hr|br)\b[^>]*>", " ", rendered))
    return " ".join("".join(parser.shown).split())


def reads_as(piece: str, char: str) -> bool:
    """Whether this raw text is what a reader sees as the char: itself, an escape of it, or an entity for it."""
    return piece == char or piece == "\\" + char or (piece.startswith("&") and html.unescape(piece) == char)


# --- one view, mapped back ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WRITTEN_ELSEWHERE + SHIPPED_MARKDOWN, ids=lambda p: p.name)
def test_every_character_of_the_view_is_read_from_its_raw_span(path: Path):
    raw = path.read_text(encoding="utf-8")
    view = read_markdown(raw)
    assert len(view.text) == len(view.starts) == len(view.ends) and len(view.text) > 500
    wrong = [(i, ch, raw[view.starts[i]:view.ends[i]]) for i, ch in enumerate(view.text)
             if ch != " " and not reads_as(raw[view.starts[i]:view.ends[i]], ch)]
    assert wrong == []
    assert list(view.starts) == sorted(view.starts)  # reading order is the text's order


@pytest.mark.parametrize("path", WRITTEN_ELSEWHERE, ids=lambda p: p.name)
def test_the_view_is_the_text_a_browser_shows(path: Path):
    """Markdown written elsewhere: the reader's view is exactly the text of its CommonMark rendering."""
    raw = path.read_text(encoding="utf-8")
    body = raw[re.match(r"(---\n.*?\n---\n)?", raw, re.DOTALL).end():]  # a site generator never shows front matter
    assert read_markdown(raw).text == browser_text(body)


def test_the_view_keeps_code_headings_and_links_apart():
    raw = "# A *heading*\n\nSee [the `code` link](https://example.org \"a title\") and `x = 1`.\n\n    indented\n"
    view = read_markdown(raw)
    assert view.text == "A heading See the code link and x = 1. indented"
    regions = [(r.kind, view.text[r.start:r.end], raw[r.raw_start:r.raw_end]) for r in view.regions]
    assert regions == [
        ("heading", "A heading", "# A *heading*"),
        ("link", "the code link", '[the `code` link](https://example.org "a title")'),
        ("code", "code", "`code`"),
        ("code", "x = 1", "`x = 1`"),
        ("code", "indented", "    indented"),
    ]


def test_a_plain_text_keeps_every_character_but_folds_white_space():
    view = read("  A *b*\t[c](d)\n\n  e\u00a0f  ", markdown=False)
    assert view.text == "A *b* [c](d) e f"
    assert view.raw_span(0, len(view.text)) == (2, 21)


# --- a quote counts only where a reader sees the same words ------------------------------------------------------


def case(raw: str, accepted: list[str], refused: list[str]) -> tuple[str, list[str], list[str]]:
    return raw, accepted, refused


PUNCTUATION = [case(f"the sign \\{p} here, shown as typed", [f"the sign {p} here", f"the sign \\{p} here"],
                    ["the sign here, shown"]) for p in string.punctuation]
CODE_SPANS = [
    case("Call the `__init__` method first.", ["the __init__ method first", "the `__init__` method first"],
         ["the init method first", "the `init` method first"]),
    case("Here ``a`b`` is code.", ["Here a`b is code", "Here ``a`b`` is code"], ["Here ab is code"]),
    case("Pass `*args*` along.", ["Pass *args* along", "Pass `*args*` along"], ["Pass args along"]),
    case("A ` padded ` span.", ["A padded span", "A ` padded ` span"], ["A `padded span"]),
    case("A `two\nline` span here.", ["A two line span here"], ["A twoline span here"]),
]
EMPHASIS = [
    case("A ***very** important* thing.", ["A very important thing", "A ***very** important* thing"],
         ["A *very important thing"]),
    case("It is _outer *inner* outer_ here.", ["is outer inner outer here", "is outer *inner* outer here"],
         ["is outer *inner outer here"]),
    case("The **bold _and_ italic** bit.", ["The bold and italic bit", "The bold _and_ italic bit"],
         ["The bold _and italic bit"]),
    case("a 5\\*4 grid of cells", ["a 5*4 grid of cells", "a 5\\*4 grid of cells"], ["a 54 grid of cells"]),
    case("Use snake_case_names freely.", ["Use snake_case_names freely"], ["Use snakecasenames freely"]),
    case("Its __init__ runs.", ["Its init runs", "Its __init__ runs"], ["Its init_ runs"]),  # strong, per CommonMark
]
LINKS = [
    case("See <https://example.org/a_b> for more.", ["See https://example.org/a_b for more"], ["See for more"]),
    case("Mail <someone@example.org> today.", ["Mail someone@example.org today"], ["Mail today"]),
    case("At https://example.org/x_y_z we read.", ["At https://example.org/x_y_z we read"], ["At we read"]),
    case('Read [the post](https://example.org "Title in double quotes") now.', ["Read the post now"],
         ["Title in double quotes", "the post https://example.org now"]),
    case("Read [the post](https://example.org 'Title in single quotes') now.", ["Read the post now"],
         ["Title in single quotes"]),
    case("Read [the post](https://example.org (Title in brackets)) now.", ["Read the post now"],
         ["Title in brackets"]),
    case("Read [the post][ref] now.\n\n[ref]: https://example.org \"Reference title here\"\n",
         ["Read the post now", "Read [the post][ref] now"], ["Reference title here", "ref: https://example.org"]),
    case("Read [the post] now.\n\n[the post]: https://example.org\n", ["Read the post now"], ["the post: https"]),
    case("A chart ![the alt text of a chart](c.png \"and its title\") follows here.", ["A chart follows here"],
         ["the alt text of a chart", "and its title"]),
]
ENTITIES = [
    case("Tom &amp; Jerry met.", ["Tom & Jerry met", "Tom &amp; Jerry met"], ["Tom Jerry met", "Tom amp Jerry met"]),
    case("Wait &mdash; no.", ["Wait — no"], ["Wait mdash no", "Wait - no"]),
    case("&#169; 2024 &#x41;cme Inc.", ["© 2024 Acme Inc"], ["2024 cme Inc"]),
    case("Not &bogus; an entity.", ["Not &bogus; an entity"], ["Not an entity"]),
    case("A&nbsp;space here.", ["A space here"], ["Aspace here"]),
]
BREAKS = [
    case("first line  \nsecond line", ["first line second line"], ["first linesecond line"]),
    case("first line\\\nsecond line", ["first line second line"], ["first line\\ second line"]),
    case("first line\nsecond line", ["first line second line"], []),
]
HTML = [
    case("An A<!---->I model.", ["An AI model"], ["An A I model"]),
    case("Big <abbr>LLM</abbr>s today.", ["Big LLMs today", "Big <abbr>LLM</abbr>s today"], ["Big LLM s today"]),
    case("Some <b>bold</b> text.", ["Some bold text"], []),
    case("Run <script>alert(1)</script> now.", ["Run <script>alert(1)</script> now"], ["Run alert(1) now"]),
]
ALL_CASES = PUNCTUATION + CODE_SPANS + EMPHASIS + LINKS + ENTITIES + BREAKS + HTML


@pytest.mark.parametrize("raw, accepted, refused", ALL_CASES, ids=[c[0][:30] for c in ALL_CASES])
def test_a_quote_counts_only_where_a_reader_sees_its_words(raw, accepted, refused):
    seed = seed_of(raw)
    for quote in accepted:
        assert citations.find_all(seed, quote), f"{quote!r} refused in {seed.visible!r}"
    for quote in refused:
        assert not citations.find_all(seed, quote), f"{quote!r} accepted in {seed.visible!r}"


@pytest.mark.parametrize("raw, accepted, refused", ALL_CASES, ids=[c[0][:30] for c in ALL_CASES])
def test_highlight_and_text_fragment_select_what_was_checked(raw, accepted, refused):
    """The essay page marks exactly the words check matched, and the text fragment names those words."""
    seed = seed_of(raw)
    for quote in accepted:
        citation = cite(seed, quote)
        assert "`" not in citation.quote or "`" in seed.visible  # shown as read, never with its markup
        assert fold(marked_text(seed, citation)) == fold(citation.quote), raw
        fragment = links.text_fragment(seed, citation)
        words = [unquote(part) for part in fragment[len("#:~:text="):].split(",")]
        assert fold(" ".join(words)).replace(" ", "") in fold(seed.visible).replace(" ", "")


def test_a_quote_typed_with_markup_is_shown_as_read_everywhere(tmp_path):
    from glossdeck import pipeline
    from tests.conftest import make_project

    root = make_project(tmp_path / "p")
    term = root / "glossary" / "terms" / "corrigibility.yaml"
    text = term.read_text(encoding="utf-8")
    typed = "we don't even know how to make AI \"corrigible\"—willing to let us **correct** it"
    assert "we don't even know how to make AI" in text
    written = re.sub(r"quote: we don't even know how to make AI[^\n]*", lambda _: "quote: " + json.dumps(typed), text)
    term.write_text(written, encoding="utf-8")
    glossary, _ = pipeline.check(root)
    quotes = [c.quote for c in glossary.term("corrigibility").all_citations]
    assert "we don't even know how to make AI \"corrigible\"—willing to let us correct it" in quotes
    assert not any("**" in q for q in quotes)
