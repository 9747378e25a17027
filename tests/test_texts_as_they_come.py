"""Texts as they come: any line ending, a byte-order mark, another encoding, the site's own marker characters."""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from browser import Browser
from glossdeck import pipeline, textfile
from glossdeck.cli import main
from glossdeck.errors import GlossdeckError
from glossdeck.model import Citation
from glossdeck.render import addresses as links
from glossdeck.render.site import essay
from glossdeck.seeds import fold
from tests.conftest import make_project
from tests.test_reading import _Marked

PLAIN = """An essay title

First heading

The first paragraph says one thing and then another thing entirely.
It goes on for a second line here.

Second heading

The second paragraph holds the quoted words that we want to find here,
and it runs onto a following line with more words in it.
Yet another line of the second paragraph ends here, after the others.
"""
MARKDOWN = """# An essay title

## First heading

The first paragraph says *one thing* and then another thing entirely.
It goes on for a second line here.

## Second heading

The second paragraph holds the **quoted words** that we want to find here,
and it runs onto a following line with `more words` in it.
Yet another line of the second paragraph ends here, after the others.
"""
QUOTES = {  # quote → (heading, line in the LF text)
    "says one thing and then another thing entirely. It goes on": ("First heading", 5),
    "holds the quoted words that we want to find here, and it runs onto a following line": ("Second heading", 10),
    "Yet another line of the second paragraph ends here": ("Second heading", 12),
}


def _mixed(text: str) -> str:
    endings = itertools.cycle(["\r\n", "\n", "\r"])  # never a CR before an LF: that is one CRLF
    return "".join(part + next(endings) for part in text.split("\n")[:-1])


ENDINGS = {  # how a text's lines may end: every one a reader's line break
    "LF": lambda t: t,
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "CR": lambda t: t.replace("\n", "\r"),
    "mixed": _mixed,
    "BOM+CRLF": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
}
PLAIN_ONLY_ENDINGS = {  # in plain text only: CommonMark reads these as characters within a line
    "NEL": lambda t: t.replace("\n", "\x85"),
    "LS/PS": lambda t: t.replace("\n\n", "\u2029").replace("\n", "\u2028"),
}
VARIANTS = [(fmt, name) for fmt in ("text", "markdown") for name in ENDINGS] + \
    [("text", name) for name in PLAIN_ONLY_ENDINGS]


def project(tmp_path: Path, data: bytes, fmt: str, quotes=tuple(QUOTES), headings=True) -> Path:
    """The fixture project with one more source, these bytes, and a term quoting it."""
    root = make_project(tmp_path / "p")
    (root / "seeds" / "essay.txt").write_bytes(data)
    headings = "  headings: [First heading, Second heading]\n" if fmt == "text" and headings else ""
    entry = (f"\nessay:\n  file: essay.txt\n  sha256: {hashlib.sha256(data).hexdigest()}\n  title: An essay title\n"
             f"  author: Someone\n  url: https://example.org/essay\n  format: {fmt}\n{headings}")
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + entry, encoding="utf-8")
    cited = "".join(f"  - source: essay\n    quote: {json.dumps(q, ensure_ascii=False)}\n" for q in quotes)
    (root / "glossary" / "terms" / "essay-term.yaml").write_text(
        f"term: essay term\ngloss: An example for a test.\ndefinition: An example.\ncitations:\n{cited}",
        encoding="utf-8")
    return root


def variant(fmt: str, name: str) -> str:
    base = PLAIN if fmt == "text" else MARKDOWN
    return {**ENDINGS, **PLAIN_ONLY_ENDINGS}[name](base)


@pytest.mark.parametrize("fmt, name", VARIANTS)
def test_every_line_ending_places_quotes_headings_and_highlights_alike(tmp_path, fmt, name):
    root = project(tmp_path, variant(fmt, name).encode("utf-8"), fmt)
    glossary, _ = pipeline.check(root)
    seed = links.seed_of(glossary, glossary.sources["essay"])
    assert "\r" not in seed.raw and "\ufeff" not in seed.raw  # read one way, whoever reads it
    for citation in glossary.term("essay-term").citations:
        heading, line = QUOTES[citation.quote]
        assert (citation.location.heading, citation.location.line) == (heading, line), name
        assert fold(marked(seed, citation)) == fold(citation.quote)
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    page = (site / "sources" / "essay.html").read_text(encoding="utf-8")
    assert '<h2 id="s-first-heading">' in page and '<h2 id="s-second-heading">' in page


def marked(seed, citation: Citation) -> str:
    anchor = links.passage_anchor(citation.location)
    body, _ = essay.render(seed, [essay.Passage(anchor, links.pieces(seed, citation))])
    parser = _Marked(anchor)
    parser.feed(str(body))
    return "".join(parser.marked)


# Chromium paints what a text fragment selects with ::target-text; the passage's own <mark>s are made invisible,
# so that the pixels of each can be told apart.
_STANDIN = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><style>body {{ font: 20px/1.8 monospace; '
            'width: 40em; margin: 8px; }} mark {{ background: none; color: inherit; }} ::target-text {{ background: '
            'rgb(255, 0, 255); color: #000; }}</style></head><body>{}</body></html>')
_RECTS = """anchor => [...document.querySelectorAll('mark')].filter(m => m.dataset.q.split(' ').includes(anchor))
  .flatMap(m => [...m.getClientRects()]).map(r => [r.left, r.top, r.right, r.bottom])"""


def selection_mismatch(page, standin: Path, fragment: str, anchor: str) -> tuple[int, int]:
    """(pixels the fragment highlights outside the passage, pixels of the passage it leaves unhighlighted)."""
    page.goto("about:blank")  # a fragment is followed on a new navigation only
    page.goto(standin.as_uri() + fragment)
    page.wait_for_timeout(400)
    rects = page.evaluate(_RECTS, anchor)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    pixels = image.load()
    inside = {(x, y) for left, top, right, bottom in rects
              for x in range(max(0, int(left) - 1), min(image.width, int(right) + 2))
              for y in range(max(0, int(top) - 1), min(image.height, int(bottom) + 2))}
    core = {(x, y) for left, top, right, bottom in rects
            for x in range(int(left) + 2, min(image.width, int(right) - 2))
            for y in range(int(top) + 2, min(image.height, int(bottom) - 2))}
    lit = {(x, y) for x in range(image.width) for y in range(image.height)
           if pixels[x, y][0] > 200 and pixels[x, y][1] < 60 and pixels[x, y][2] > 200}
    # inside the passage, glyphs are drawn over the highlight: count what is neither lit nor ink
    unlit = [p for p in core - lit if sum(pixels[p]) > 3 * 150]
    return len(lit - inside), len(unlit)


def test_text_fragments_select_exactly_the_quoted_words_in_chromium(tmp_path):
    """For every line ending, Chromium follows each quote's text fragment on the essay as the site renders it,
    and highlights exactly the words of the quote: no more, no fewer."""
    chrome = Browser()
    page = chrome.page(width=1000, height=900)
    failures = []
    try:
        for fmt, name in VARIANTS:
            root = project(tmp_path / f"{fmt}-{name.replace('/', '-')}", variant(fmt, name).encode("utf-8"), fmt)
            glossary, _ = pipeline.check(root)
            seed = links.seed_of(glossary, glossary.sources["essay"])
            for citation in glossary.term("essay-term").citations:
                anchor = links.passage_anchor(citation.location)
                body, _ = essay.render(seed, [essay.Passage(anchor, links.pieces(seed, citation))])
                standin = root / f"{anchor}.html"
                standin.write_text(_STANDIN.format(body), encoding="utf-8")
                outside, unlit = selection_mismatch(page, standin, links.text_fragment(seed, citation), anchor)
                if outside > 20 or unlit > 20:
                    failures.append((fmt, name, citation.quote[:30], outside, unlit))
        # the probe can fail: a fragment one word off is seen
        wrong = "#:~:text=" + "holds the quoted words".replace(" ", "%20") + ",following%20line%20with"
        outside, unlit = selection_mismatch(page, standin, wrong, anchor)
        assert outside > 200 or unlit > 200
    finally:
        page.close()
        chrome.close()
    assert failures == []


# --- a byte-order mark and other encodings --------------------------------------------------------------------


def test_a_byte_order_mark_hides_no_heading(tmp_path):
    root = project(tmp_path, ("\ufeff" + MARKDOWN).encode("utf-8"), "markdown")
    glossary, _ = pipeline.check(root)
    seed = links.seed_of(glossary, glossary.sources["essay"])
    assert [text for _, text in seed.headings] == ["", "First heading", "Second heading"]  # the title's is none
    first = glossary.term("essay-term").citations[0]
    assert first.location.heading == "First heading" and first.location.paragraph == 1


ENCODED = [
    ("utf-16", "UTF-16 (little-endian)", "UTF-16"),  # Python writes a byte-order mark, little-endian here
    ("utf-16-be", "UTF-16 (big-endian)", "UTF-16BE"),
    ("utf-16-le", "UTF-16 (little-endian)", "UTF-16LE"),
    ("utf-32", "UTF-32 (little-endian)", "UTF-32"),
    ("utf-32-be", "UTF-32 (big-endian)", "UTF-32BE"),
    ("utf-32-le", "UTF-32 (little-endian)", "UTF-32LE"),
]


@pytest.mark.parametrize("codec, named, iconv", ENCODED)
@pytest.mark.parametrize("bom", [False, True])
def test_a_seed_in_another_encoding_is_named_with_how_to_convert_it(tmp_path, codec, named, iconv, bom):
    data = PLAIN.encode(codec)
    if bom and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        mark = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-16-le": codecs.BOM_UTF16_LE,
                "utf-32-be": codecs.BOM_UTF32_BE, "utf-32-le": codecs.BOM_UTF32_LE}[codec]
        data, iconv = mark + data, iconv[:6]
    root = project(tmp_path, data, "text")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"seeds/essay.txt: error: seed of source `essay` is {named} text; glossdeck reads seeds as UTF-8" \
        in result.output
    assert f"hint: convert it: `iconv -f {iconv} -t UTF-8 essay.txt > converted`" in result.output
    assert "NUL" not in result.output
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("data, message, line", [
    ("First line\nA café here\n".encode("latin-1"), "is not valid UTF-8 (byte 0xe9)", 2),
    (b"First line\nSecond\x00line\n", "holds a NUL byte, which no text has", 2),
    (b"First\n\xed\xa0\x80 a lone surrogate, as CESU-8 writes it\n", "is not valid UTF-8 (byte 0xed)", 2),
    (b"\xef\xbb\xbf\xff\xfeNot UTF-16 after all\n", "is not valid UTF-8 (byte 0xff)", 1),
])
def test_bytes_that_are_no_utf8_text_are_reported_at_their_line(tmp_path, data, message, line):
    with pytest.raises(textfile.TextError) as caught:
        textfile.decode(data, "essay.txt", markdown=False)
    assert (caught.value.message, caught.value.line) == (message, line)
    root = project(tmp_path, data, "text", quotes=())
    with pytest.raises(GlossdeckError) as failed:
        pipeline.check(root)
    assert any(str(p).startswith(f"{root / 'seeds' / 'essay.txt'}:{line}: error: seed of source `essay` {message}")
               for p in failed.value.problems)


def test_an_argument_that_is_no_utf8_text_is_refused_where_it_enters(tmp_path):
    root = make_project(tmp_path / "p")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    undecodable = b"Alignment is an unsolved \xff problem.".decode("utf-8", "surrogateescape")
    for args in (["find", undecodable], ["add", "--term", "x", "--gloss", "g.", "--definition", "d.", "--cite",
                                         "starter-pack", undecodable], ["show", undecodable]):
        result = CliRunner().invoke(main, ["--project", str(root), *args])
        assert result.exit_code == 1 and "internal error" not in result.output, result.output
        assert "is not UTF-8 text (it holds the byte 0xff)" in result.output
    for locale in ({}, {"LC_ALL": "C", "PYTHONUTF8": "0"}):  # as a shell passes bytes, under either locale
        done = subprocess.run([sys.executable, "-m", "glossdeck", "--project", str(root), "find",
                               b"Alignment is an unsolved \xff problem."], capture_output=True,
                              env={**os.environ, **locale})
        assert done.returncode == 1 and b"Traceback" not in done.stderr
        assert b"is not UTF-8 text (it holds the byte 0xff)" in done.stderr
        fine = subprocess.run([sys.executable, "-m", "glossdeck", "--project", str(root), "find",
                               b"Alignment is an unsolved problem"], capture_output=True,
                              env={**os.environ, **locale})
        assert fine.returncode == 0, fine.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


# --- the site's own marker characters, and other characters read as white space ------------------------------


MARKERS = "".join(chr(c) for c in range(0xE000, 0xE004)) + "".join(chr(0xF0000 + n) for n in range(4))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("characters", [
    "\ue000\U000f0000",  # the marks of the first renderer: a kind, then the event's number in plane 15
    "\ue001\U000f0001\ue000",
    MARKERS,
    "\ue0000\ue000",  # a mark of today's renderer: the first private-use character, a number, the character
    "".join(chr(c) for c in range(0xE000, 0xF900)),  # every private-use character of the BMP
])
def test_private_use_characters_in_a_seed_never_crash_or_move_a_passage(tmp_path, fmt, characters):
    text = (PLAIN if fmt == "text" else MARKDOWN).replace("holds the", f"holds{characters} the") \
        .replace("entirely.", f"entirely {characters}.")
    quotes = ("the quoted words that we want to find here", "and then another thing entirely",
              "It goes on for a second line here")
    root = project(tmp_path, text.encode("utf-8"), fmt, quotes=quotes)
    glossary, _ = pipeline.check(root)
    seed = links.seed_of(glossary, glossary.sources["essay"])
    for citation in glossary.term("essay-term").citations:
        assert fold(marked(seed, citation)) == fold(citation.quote)
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    page = (site / "sources" / "essay.html").read_text(encoding="utf-8")
    assert page.count("<mark ") >= 3 and characters in page  # shown as the text has them
    # a quote that holds them is found, then refused with a reason: no font can print them
    (root / "glossary" / "terms" / "essay-term.yaml").write_text(
        "term: essay term\ngloss: An example.\ndefinition: An example.\ncitations:\n  - source: essay\n"
        f"    quote: {json.dumps(f'holds{characters} the quoted words', ensure_ascii=False)}\n", encoding="utf-8")
    with pytest.raises(GlossdeckError) as refused:
        pipeline.check(root)
    found = [p.message for p in refused.value.problems if p.severity == "error"]
    assert len(found) == 1 and "that the PDF font cannot draw: U+E0" in found[0], found


@pytest.mark.parametrize("fmt, raw, quote", [
    ("text", "Words before\fthe page break run on here.", "before the page break run on"),
    ("text", "Words before\vthe tab run on here.", "before the tab run on"),
    ("text", "Words before\x1fthe separator run on here.", "before the separator run on"),
    ("markdown", "Words before\u2028the line separator run on here.", "before the line separator run on"),
    ("markdown", "Words before\x85the next line run on here.", "before the next line run on"),
    ("markdown", "Words before\u2029the paragraph separator run on.", "before the paragraph separator run"),
])
def test_other_white_space_reads_as_a_space_and_shows_as_one(tmp_path, fmt, raw, quote):
    root = project(tmp_path, ("Heading\n\n" + raw + "\n").encode("utf-8"), fmt, quotes=(quote,), headings=False)
    glossary, _ = pipeline.check(root)
    seed = links.seed_of(glossary, glossary.sources["essay"])
    citation = glossary.term("essay-term").citations[0]
    shown = marked(seed, citation)
    assert fold(shown) == fold(quote) and not any(ch in shown for ch in "\f\v\x1f\x85")
