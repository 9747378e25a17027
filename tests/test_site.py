"""The web site: its files and links read back, its links from the deck and booklet, and a real Chromium on it."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import segno
from browser import REPO, Browser, axe_script
from click.testing import CliRunner
from conftest import FIXTURES, make_project
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from glossdeck import pipeline
from glossdeck.cli import main
from glossdeck.model import Citation, Location, Source
from glossdeck.render import addresses
from glossdeck.seeds import Seed

SCREENSHOTS = REPO / "build" / "site-screenshots"

from glossdeck.render.anki import FIELDS  # noqa: E402

VIEWS, QUOTES, SOURCES = (FIELDS.index(name) for name in ("Views", "Quotes", "Sources"))


class _Page(HTMLParser):
    """The ids a page defines and the addresses it refers to (href and src)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.marks: list[str] = []  # data-q of each <mark>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.refs.append((tag, name, str(values[name])))
        if tag == "mark":
            self.marks.append(str(values.get("data-q")))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(site: Path) -> dict[Path, _Page]:
    return {p: _parse(p) for p in sorted(site.rglob("*.html"))}


# --- the files -------------------------------------------------------------------------------------------------


def test_a_page_per_term_alias_and_source(shipped):
    from glossdeck.pipeline import check

    site = shipped["html"]
    glossary, _ = check(shipped["root"])
    assert site.name == "alignment-glossary-site"
    for term in glossary.terms:
        page = site / "terms" / f"{term.id}.html"
        text = page.read_text(encoding="utf-8")
        assert f"<h1>{term.term}</h1>" in text.replace("&#39;", "'")
    mesa = (site / "terms" / "mesa-optimiser.html").read_text(encoding="utf-8")  # an alias resolves to its term
    assert 'url=mesa-optimizer.html"' in mesa and 'href="mesa-optimizer.html"' in mesa
    for source in glossary.sources:
        assert (site / "sources" / f"{source}.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and 'id="search-input"' in index
    assert all(f'href="#letter-{c}"' in index for c in "ACDIMOS")


def test_same_glossary_same_bytes(tmp_path):
    root = make_project(tmp_path / "project")
    first = pipeline.build(root, out=tmp_path / "one", targets=("html",)).outputs["html"]
    second = pipeline.build(root, out=tmp_path / "two", targets=("html",)).outputs["html"]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len(files) > 10
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_internal_link_and_anchor_resolves(shipped):
    site = shipped["html"]
    pages = _pages(site)
    checked = 0
    for path, page in pages.items():
        for tag, attribute, value in page.refs:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https", "mailto"):
                assert tag == "a" or (tag == "link" and attribute == "href" and "canonical" in value), value
                continue
            assert not parts.scheme and not parts.netloc, f"{path}: {value}"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), f"{path.relative_to(site)} links to missing {value}"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in pages[target].ids, f"{path.relative_to(site)}: no #{parts.fragment}"
            checked += 1
    assert checked > 2000


def test_nothing_is_loaded_from_elsewhere(shipped):
    """Scripts, styles, fonts and images are the site's own files; only <a> links lead out."""
    site = shipped["html"]
    for path, page in _pages(site).items():
        for tag, attribute, value in page.refs:
            if tag != "a":
                assert not re.match(r"[a-z]+:|//", value) or "canonical" in value, f"{path}: {tag} {value}"
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert re.findall(r"url\(([^)]*)\)", css) and all(u.strip("\"'").startswith("fonts/")
                                                      for u in re.findall(r"url\(([^)]*)\)", css))
    for script in ("site.js", "terms.js"):  # the search index is a script: pages opened from disk may not fetch()
        assert not re.search(r"fetch\(|XMLHttpRequest|import\(", (site / "assets" / script).read_text("utf-8"))


def test_every_quote_links_to_its_marked_passage(shipped):
    site = shipped["html"]
    pages = _pages(site)
    seen = 0
    for path, page in pages.items():
        if path.parent.name != "terms":
            continue
        for tag, _, value in page.refs:
            if "../sources/" in value and "#q" in value:
                target, anchor = value.split("#")
                source = pages[(path.parent / target).resolve()]
                assert anchor in source.ids
                assert any(anchor in q.split() for q in source.marks), f"{value} is not highlighted"
                seen += 1
    assert seen > 300


def test_an_elided_quote_highlights_each_piece(shipped):
    glossary, _ = pipeline.check(shipped["root"])
    elided = [c for t in glossary.terms for c in t.all_citations if c.location and c.location.elided]
    assert elided
    for citation in elided:
        anchor = addresses.passage_anchor(citation.location)
        html = (shipped["html"] / "sources" / f"{citation.source}.html").read_text(encoding="utf-8")
        marks = [m for m in re.finditer(r'<mark class="passage" data-q="([^"]*)">([^<]*)</mark>', html)
                 if anchor in m.group(1).split()]
        marked = " ".join(" ".join(m.group(2) for m in marks).split())
        for piece in citation.pieces:
            assert piece.split()[0] in marked and piece.split()[-1] in marked
        whole = re.sub(r"<[^>]+>", "", html[marks[0].start() : marks[-1].end()])
        unmarked = whole
        for m in marks:
            unmarked = unmarked.replace(m.group(2), "", 1)
        assert re.sub(r"\(cited in[^)]*\)", "", unmarked).strip(), citation.quote  # the elided words stay plain


def test_the_authors_notes_are_shown_as_notes(shipped):
    html = (shipped["html"] / "sources" / "debate.html").read_text(encoding="utf-8")
    notes = re.findall(r'<span class="author-note">(.*?)</span>', html)
    assert any("TODO" in n for n in notes)
    assert "notes to self" in html
    assert not re.search(r"<mark[^>]*>[^<]*TODO", html)


def test_no_raw_html_from_sources_or_glossary(tmp_path):
    """Text from terms and settings is escaped wherever it lands on the site."""
    hostile = "<script>alert(1)</script>"
    original = (FIXTURES / "project" / "glossary" / "terms" / "sharp-left-turn.yaml").read_text(encoding="utf-8")
    term = (original.replace("aliases: [SLT]", 'aliases: ["<b>SLT</b>"]')
            .replace("tags: [takeoff, evolution analogy]", f'tags: ["{hostile}"]')
            .replace("with them.", f"with them {hostile} & [more](#corrigibility)."))
    root = make_project(tmp_path / "project", terms={"sharp-left-turn": term},
                        files={"glossary/glossary.yaml": f"title: 'A <i>title</i> {hostile}'\noutput_base: t\n"})
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<b>SLT" not in text and "<i>title" not in text, page
    page = (site / "terms" / "sharp-left-turn.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page and 'href="../terms/corrigibility.html"' in page
    assert (site / "terms" / "b-slt-b.html").is_file()  # the alias page gets a plain file name


def test_source_pages_say_the_original_may_differ(shipped):
    for name in ("debate", "starter-pack", "objections"):
        html = (shipped["html"] / "sources" / f"{name}.html").read_text(encoding="utf-8")
        assert "may differ from the copy quoted here" in html
    assert "no address online" in (shipped["html"] / "sources" / "optimism.html").read_text(encoding="utf-8")
    one_line = (shipped["html"] / "sources" / "objections.html").read_text(encoding="utf-8")
    assert "no paragraph breaks" in one_line and one_line.count("<p>") > 50  # set in paragraphs for reading
    assert "no paragraph breaks" not in (shipped["html"] / "sources" / "optimism.html").read_text(encoding="utf-8")


# --- text fragments --------------------------------------------------------------------------------------------


def _seed(raw: str, fmt: str = "text") -> Seed:
    return Seed(Source("s", "s.txt", "0", "A title", "Someone", format=fmt), raw)


def _cite(seed: Seed, quote: str, elided: bool = False, occurrence: int = 1) -> Citation:
    start = -1
    for _ in range(occurrence):
        start = seed.raw.index(quote if not elided else quote.split(" … ")[0], start + 1)
    end = seed.raw.index(quote.split(" … ")[-1], start) + len(quote.split(" … ")[-1])
    return Citation("s", quote, location=Location(start, end, 1, 1, None, seed.raw[start:end], elided))


def test_fragment_of_a_short_quote_is_the_quote():
    seed = _seed("One sentence here. Gradient descent, says she, is powerful.")
    assert addresses.text_fragment(seed, _cite(seed, "Gradient descent, says she")) == \
        "#:~:text=Gradient%20descent%2C%20says%20she"


def test_fragment_of_a_long_quote_is_its_start_and_end():
    seed = _seed("Intro. The quick brown fox jumps over the lazy dog and then runs far away. Done.")
    quote = "The quick brown fox jumps over the lazy dog and then runs far away."
    fragment = addresses.text_fragment(seed, _cite(seed, quote))
    assert fragment == "#:~:text=The%20quick%20brown%20fox,then%20runs%20far%20away."


def test_fragment_gets_a_prefix_where_its_start_comes_earlier():
    seed = _seed("We say AI is safe. Then, later on, we say AI is safe after all.")
    fragment = addresses.text_fragment(seed, _cite(seed, "we say AI is safe"))  # matching ignores case
    assert fragment == "#:~:text=on%2C-,we%20say%20AI%20is%20safe"


def test_fragment_lengthens_an_end_that_comes_too_early():
    text = "Start of it all: one two three four five six. Then again one two three four five six."
    seed = _seed(text)
    fragment = addresses.text_fragment(seed, _cite(seed, text))
    assert fragment.startswith("#:~:text=Start%20of%20it%20all%3A,")
    end = unquote(fragment.split(",")[-1])
    assert end.startswith("again one two")  # "three four five six." alone would end the range at the first one


def test_fragment_encodes_its_syntax_characters_and_keeps_curly_quotes():
    seed = _seed("It’s a half-baked, so-called plan & more.")
    fragment = addresses.text_fragment(seed, _cite(seed, "It’s a half-baked, so-called plan & more."))
    assert "%2D" in fragment and "%2C" in fragment and "%26" in fragment and "-" not in fragment.replace("%2D", "")
    assert unquote(fragment[len("#:~:text="):]) == "It’s a half-baked, so-called plan & more."


def test_fragment_of_an_elided_quote_has_a_directive_per_piece():
    seed = _seed("Alpha beta gamma. Filler words in between. Delta epsilon zeta.")
    fragment = addresses.text_fragment(seed, _cite(seed, "Alpha beta gamma. … Delta epsilon zeta.", elided=True))
    assert fragment == "#:~:text=Alpha%20beta%20gamma.&text=Delta%20epsilon%20zeta."


def test_fragment_of_markdown_drops_the_markup():
    seed = _seed("Some *emphasised* words and a [link](https://example.org) here.", fmt="markdown")
    cite = Citation("s", "Some emphasised words and a link here.",
                    location=Location(0, len(seed.raw), 1, 1, None, seed.raw))
    assert unquote(addresses.text_fragment(seed, cite)[9:]) == "Some emphasised words and a link here."


# --- site_url ----------------------------------------------------------------------------------------------------


def _with_settings(tmp_path: Path, line: str) -> Path:
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("value", ["42", "[https://example.org/]", "ftp://example.org/", "example.org/glossary",
                                   "https://", "https://example.org/?page=1", "https://example.org/#top",
                                   "'javascript:alert(1)'", "/glossary/", "'https://exa mple.org/'", "''"])
def test_a_bad_site_url_is_refused_where_it_is_written(tmp_path, value):
    root = _with_settings(tmp_path, f"site_url: {value}")
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1, result.output
    assert "glossary/glossary.yaml:" in result.output and "site_url" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value, stored", [("https://example.org/glossary", "https://example.org/glossary/"),
                                           ("https://example.org/glossary/", "https://example.org/glossary/"),
                                           ("http://localhost:8000", "http://localhost:8000/")])
def test_a_site_url_is_stored_as_a_folder(tmp_path, value, stored):
    glossary, _ = pipeline.check(_with_settings(tmp_path, f"site_url: {value}"))
    assert glossary.settings.site_url == stored


def test_a_failed_build_leaves_the_previous_site(tmp_path):
    root = make_project(tmp_path / "project")
    assert CliRunner().invoke(main, ["build", "html", "--project", str(root)]).exit_code == 0
    site = root / "build" / "test-glossary-site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_url: nowhere\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "html", "--project", str(root)])
    assert result.exit_code == 1 and "nothing written" in result.output
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    leftovers = [p.name for p in site.parent.iterdir() if p.name.startswith(".") and p.name != ".glossdeck-build.json"]
    assert leftovers == []  # no staged or old copy of the site left behind


# --- the deck and the booklet link in ----------------------------------------------------------------------------


def _deck_fields(apkg: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(apkg) as package:
        data = package.read("collection.anki2")
    folder = apkg.parent / "unpacked"
    folder.mkdir(exist_ok=True)
    (folder / "c.db").write_bytes(data)
    with sqlite3.connect(folder / "c.db") as db:
        rows = [r[0].split("\x1f") for r in db.execute("select flds from notes")]
    return {r[-1]: r for r in rows}


def test_deck_quotes_link_to_the_original_passage_without_a_site(tmp_path):
    root = make_project(tmp_path / "project")
    deck = pipeline.build(root, out=tmp_path / "out", targets=("deck",)).outputs["deck"]
    fields = _deck_fields(deck)
    assert re.search(r'<blockquote>“<a href="https://ruudvanasseldonk\.com/2024/ai-alignment-starter-pack'
                     r'#:~:text=[^"]+">', fields["mesa-optimizer"][QUOTES])
    quotes = fields["sharp-left-turn"][QUOTES]
    assert "<blockquote>“The alignment properties" in quotes  # optimism has no address: no link
    assert re.search(r'<blockquote>“<a href="https://www\.lesswrong\.com/posts/wAczufCpMdaamF9fy/[^"#]+'
                     r'#:~:text=Evolution%20can%20only%20optimize&amp;text=not%20directly%20over%20our[^"]*">', quotes)
    assert "On the web" not in fields["mesa-optimizer"][SOURCES]


def test_deck_quotes_and_terms_link_to_the_site_when_it_is_published(tmp_path):
    root = _with_settings(tmp_path, "site_url: https://example.org/glossary")
    deck = pipeline.build(root, out=tmp_path / "out", targets=("deck",)).outputs["deck"]
    fields = _deck_fields(deck)["mesa-optimizer"]
    hrefs = re.findall(r'<blockquote>“<a href="([^"]+)"', fields[VIEWS] + fields[QUOTES])
    passage = re.compile(r"https://example\.org/glossary/sources/[a-z-]+\.html#q\d+-\d+")
    assert hrefs and all(passage.fullmatch(h) for h in hrefs)
    assert '<a href="https://example.org/glossary/terms/mesa-optimizer.html">' in fields[SOURCES]


def _qr_images(pdf: Path) -> list[list[list[bool]]]:
    """Every QR code image in the PDF as a grid of dark modules (scale 4, as the booklet draws them)."""
    grids = []
    for page in PdfReader(pdf).pages:
        for image in page.images:
            picture = image.image.convert("L")
            width, height = picture.size
            if width != height:
                continue
            grids.append([[picture.getpixel((x, y)) < 128 for x in range(0, width, 4)] for y in range(0, height, 4)])
    return grids


def _matrix(url: str) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=2)]


def test_booklet_prints_a_qr_code_for_each_source_with_an_address(tmp_path):
    root = make_project(tmp_path / "project")
    booklet = pipeline.build(root, out=tmp_path / "out", targets=("booklet",)).outputs["booklet"]
    glossary, _ = pipeline.check(root)
    addresses = [s.url for s in glossary.sources.values() if s.url]
    assert len(addresses) < len(glossary.sources)  # one source has none, and gets no code
    assert sorted(map(str, _qr_images(booklet))) == sorted(str(_matrix(u)) for u in addresses)  # any page order


def test_booklet_qr_codes_lead_to_the_site_when_it_is_published(tmp_path):
    root = _with_settings(tmp_path, "site_url: https://example.org/g/")
    booklet = pipeline.build(root, out=tmp_path / "out", targets=("booklet",)).outputs["booklet"]
    glossary, _ = pipeline.check(root)
    expected = [_matrix(f"https://example.org/g/sources/{s}.html") for s in glossary.sources]
    assert sorted(map(str, _qr_images(booklet))) == sorted(map(str, expected))


# --- serve -------------------------------------------------------------------------------------------------------


def test_serve_without_a_built_site_says_how_to_build_it(project):
    result = CliRunner().invoke(main, ["serve", "--project", str(project)])
    assert result.exit_code == 1 and "glossdeck build html" in result.output and "Traceback" not in result.output


def test_serve_serves_the_site_and_reports_a_busy_port(project):
    assert CliRunner().invoke(main, ["build", "html", "--project", str(project)]).exit_code == 0
    server = subprocess.Popen([sys.executable, "-m", "glossdeck", "serve", "--port", "0", "--project", str(project)],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url + "index.html", timeout=10) as response:
            assert b'id="search-input"' in response.read()
        busy = CliRunner().invoke(main, ["serve", "--project", str(project), "--port", url.rsplit(":", 1)[1][:-1]])
        assert busy.exit_code == 1 and "cannot serve on port" in busy.output
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


# --- in a real browser -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chrome = Browser()
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def site(shipped) -> Path:
    return shipped["html"]


def _open(browser, site: Path, path: str, **options):
    page = browser.page(**options)
    page.goto((site / path).as_uri())
    return page


@pytest.mark.parametrize("query, term_id", [("inner optimizer", "mesa-optimizer"),  # an alias
                                            ("IGF", "inclusive-genetic-fitness"),
                                            ("orthogonalty thesis", "orthogonality-thesis"),  # misspelt
                                            ("corigibility", "corrigibility")])
def test_search_finds_terms_by_alias_and_despite_typos(browser, site, query, term_id):
    page = _open(browser, site, "index.html")
    page.fill("#search-input", query)
    first = page.locator("#search-results li a").first
    first.wait_for()
    assert first.get_attribute("href") == f"terms/{term_id}.html"
    if query == "inner optimizer":
        assert "also called inner optimizer" in page.locator("#search-results li").first.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "search-alias-1280-light.png"))
    page.close()


def test_clicking_a_quote_shows_its_passage_highlighted(browser, site):
    page = _open(browser, site, "terms/mesa-optimizer.html")
    link = page.locator('a.in-context[href*="optimism"]').first
    anchor = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_selector("mark.current")
    assert page.url.endswith(f"sources/optimism.html#{anchor}")
    current = page.locator("mark.current")
    assert current.count() >= 1
    assert page.evaluate("""() => { const r = document.querySelector('mark.current').getBoundingClientRect();
                                    return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert "misaligned mesa-optimizer" in current.first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "passage-highlighted-1280-light.png"))
    page.close()


def test_previews_open_on_focus_and_hover_and_close_on_escape(browser, site):
    page = _open(browser, site, "terms/mesa-optimizer.html")
    link = page.locator(".definition a.term").first
    link.focus()
    preview = page.locator("#term-preview")
    assert preview.is_visible() and "optimizer" in preview.inner_text()
    assert link.get_attribute("aria-describedby") == "term-preview"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "preview-on-focus-1280-light.png"))
    assert preview.locator("a").count() == 0  # nothing in a preview opens another
    page.keyboard.press("Escape")
    assert not preview.is_visible()
    assert page.evaluate("document.activeElement.dataset.term") == link.get_attribute("data-term")
    other = page.locator(".definition a.term").nth(1)
    other.hover()
    assert preview.is_visible() and page.evaluate("document.getElementById('term-preview').textContent").startswith(
        page.evaluate(f"window.GLOSSDECK_TERMS.find(t => t.id === '{other.get_attribute('data-term')}').term"))
    preview.hover()  # the pointer can move onto the preview without losing it
    page.wait_for_timeout(500)
    assert preview.is_visible()
    page.keyboard.press("Escape")
    assert not preview.is_visible()
    page.close()


def test_a_tap_shows_the_preview_and_a_second_tap_follows_the_link(browser, site):
    page = _open(browser, site, "terms/mesa-optimizer.html")
    link = page.locator(".definition a.term").first
    box = link.bounding_box()
    x, y = box["x"] + 3, box["y"] + box["height"] / 2
    tap = ("(p) => { const t = document.elementFromPoint(p[0], p[1]);"
           " t.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, pointerType: 'touch'}));"
           " t.click(); }")
    page.evaluate(tap, [x, y])
    assert page.locator("#term-preview").is_visible() and page.url.endswith("mesa-optimizer.html")
    page.evaluate(tap, [x, y])
    page.wait_for_url(re.compile(r"terms/optimizer\.html$"))
    page.close()


def test_no_request_leaves_the_site(browser, site):
    pages = ["index.html", "terms/mesa-optimizer.html", "terms/corrigibility.html", "sources/debate.html",
             "sources/starter-pack.html", "sources/objections.html", "sources/optimism.html"]
    for path in pages:
        page = _open(browser, site, path)
        page.wait_for_load_state("load")
        page.close()
    assert browser.outside == []
    probe = browser.page()  # the check itself sees a request that does leave
    probe.set_content('<img src="http://example.org/pixel.png">')
    probe.wait_for_timeout(200)
    assert browser.outside == ["http://example.org/pixel.png"]
    browser.outside.clear()
    probe.close()


AXE_PAGES = ["index.html", "terms/mesa-optimizer.html", "terms/agi.html", "terms/mesa-optimiser.html",
             "sources/debate.html", "sources/starter-pack.html", "sources/objections.html", "sources/optimism.html"]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_no_serious_accessibility_violations(browser, site, dark):
    serious = []
    for path in AXE_PAGES:
        page = _open(browser, site, path, dark=dark)
        if "mesa-optimiser" in path:
            page.wait_for_url(re.compile("mesa-optimizer"))
        page.add_script_tag(path=str(axe_script()))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        serious += [(path, v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                    for v in result["violations"] if v["impact"] in ("serious", "critical")]
        page.close()
    assert serious == []


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_screenshots_and_nothing_wider_than_the_screen(browser, site, width, dark):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path in ("index.html", "terms/mesa-optimizer.html", "sources/debate.html"):
        page = _open(browser, site, path, width=width, height=800, dark=dark)
        name = f"{path.replace('/', '-')[:-5]}-{width}-{'dark' if dark else 'light'}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=width == 1280)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways at {width}"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(23, 24, 27)") == dark
        page.close()


def test_print_stylesheet_hides_the_controls(browser, site):
    page = _open(browser, site, "index.html")
    page.emulate_media(media="print")
    assert not page.locator("#search").is_visible()
    assert page.locator("#terms").is_visible()
    pdf = page.pdf()
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 3
    page.close()


def test_a_published_site_has_canonical_addresses_and_a_sitemap(tmp_path):
    root = _with_settings(tmp_path, "site_url: https://example.org/g")
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    term = (site / "terms" / "mesa-optimizer.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/g/terms/mesa-optimizer.html">' in term
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/g/index.html</loc>" in sitemap
    assert "<loc>https://example.org/g/sources/debate.html</loc>" in sitemap
    assert "mesa-optimiser" not in sitemap  # an alias's page only forwards
    assert (site / "robots.txt").read_text() == "Sitemap: https://example.org/g/sitemap.xml\n"
    unpublished = pipeline.build(make_project(tmp_path / "other"), out=tmp_path / "plain", targets=("html",))
    assert not (unpublished.outputs["html"] / "sitemap.xml").exists()
    assert 'rel="canonical"' not in (unpublished.outputs["html"] / "index.html").read_text(encoding="utf-8")


def test_text_fragments_select_their_passage_in_chromium(browser, shipped, tmp_path):
    """Each original's fragment, followed by Chromium in a stand-in for the original made of our copy,
    scrolls to the quoted passage: checked for every elided or ambiguous quote and a sample of the rest."""
    from glossdeck.render.site import essay

    glossary, _ = pipeline.check(shipped["root"])
    chosen: list[tuple[Citation, str]] = []
    every = [c for t in glossary.terms for c in t.all_citations]
    for index, citation in enumerate(every):
        fragment = addresses.text_fragment(addresses.seed_of(glossary, glossary.sources[citation.source]), citation)
        if citation.location.elided or "-," in fragment or index % 12 == 0:
            chosen.append((citation, fragment))
    assert any(c.location.elided for c, _ in chosen) and any("-," in f for _, f in chosen)
    missed, tried = [], 0
    page = browser.page(width=1000, height=700)
    in_view = "id => { const r = document.getElementById(id).getBoundingClientRect(); return r.top >= 0 && " \
              "r.top <= window.innerHeight; }"
    for citation, fragment in chosen[:80]:
        seed = addresses.seed_of(glossary, glossary.sources[citation.source])
        anchor = addresses.passage_anchor(citation.location)
        body, _ = essay.render(seed, [essay.Passage(anchor, addresses.pieces(seed, citation))])
        standin = tmp_path / f"{citation.source}-{anchor}.html"
        standin.write_text(f'<!doctype html><html lang="en"><body style="font-size:20px">{body}</body></html>',
                           encoding="utf-8")
        page.goto(standin.as_uri())
        if page.evaluate(in_view, anchor):
            continue  # in view without the fragment too: it would prove nothing
        page.goto("about:blank")  # a fragment is followed on a new navigation, not within one page
        page.goto(standin.as_uri() + fragment)
        tried += 1
        try:
            page.wait_for_function(in_view, arg=anchor, timeout=3000)
        except PlaywrightTimeout:
            missed.append((citation.quote[:50], fragment))
    page.close()
    assert tried > 20 and missed == []


def test_hostile_source_text_is_shown_as_text(tmp_path):
    """A source's own HTML, scripts, remote images and odd links never reach the page as markup or requests."""
    import hashlib

    seed = ("# Evil essay\n\nSome <script>alert(1)</script> text and <img src=\"http://example.org/x.png\">.\n\n"
            "![a tracking pixel](http://example.org/pixel.png) then [a script](javascript:alert(1)), "
            "[a relative link](/elsewhere) and [a fine link](https://example.org/page).\n")
    entry = (f"\nevil:\n  file: evil.md\n  sha256: {hashlib.sha256(seed.encode()).hexdigest()}\n"
             "  title: Evil essay\n  author: Nobody\n  format: markdown\n")
    root = make_project(tmp_path / "project", files={"seeds/evil.md": seed})
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + entry, encoding="utf-8")
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    page = _parse(site / "sources" / "evil.html")
    html = (site / "sources" / "evil.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert [v for t, _, v in page.refs if t == "img"] == []
    assert "[image: a tracking pixel]" in html
    hrefs = [v for t, _, v in page.refs if t == "a"]
    assert "https://example.org/page" in hrefs
    assert not any(h.startswith(("javascript:", "/elsewhere")) for h in hrefs)
    assert "Evil essay</h2>" not in html  # the heading that repeats the title is the page's h1


def test_an_alias_never_takes_a_terms_address(tmp_path):
    original = (FIXTURES / "project" / "glossary" / "terms" / "corrigibility.yaml").read_text(encoding="utf-8")
    assert "aliases:" in original
    term = re.sub(r"aliases: \[([^\]]*)\]", r'aliases: [\1, "Mesa Optimizer!", "…"]', original)
    root = make_project(tmp_path / "project", terms={"corrigibility": term})
    glossary, _ = pipeline.check(root)
    assert "Mesa Optimizer!" in glossary.term("corrigibility").aliases
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    assert "<h1>mesa-optimizer</h1>" in (site / "terms" / "mesa-optimizer.html").read_text(encoding="utf-8")
    assert not (site / "terms" / ".html").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'Mesa Optimizer! <span class="see">see</span> <a class="term" href="terms/corrigibility.html"' in index
