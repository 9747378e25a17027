"""Nothing live, from any field or any source: one address rule for every link a glossary or a source can make."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import Browser
from glossdeck import pipeline
from glossdeck.cli import main
from glossdeck.render import site
from tests.conftest import make_project
from tests.test_inert import errors, term_yaml, view_yaml

# Every way of writing a link that must not stay one, in Markdown: schemes in any case, hidden by entities,
# white space or brackets, autolinks, reference definitions, and links to terms that do not exist.
BAD_LINKS = [
    ("[x](javascript:alert(1))", "`javascript:` address"),
    ("[x](JaVaScRiPt:alert(1))", "`JaVaScRiPt:` address"),
    ("[x](mailto:someone@example.org)", "`mailto:` address"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "`data:` address"),
    ("[x](vbscript:msgbox(1))", "`vbscript:` address"),
    ("[x](file:///etc/passwd)", "`file:` address"),
    ("[x](/elsewhere/page.html)", "not a full web address"),
    ("[x](//evil.example/x)", "not a full web address"),
    ("[x](&#x6A;avascript:alert(1))", "`javascript:` address"),
    ("[x](<javascript:alert(1)>)", "`javascript:` address"),
    ("[x](java&#x09;script:alert(1))", "contains a tab"),
    ("[x][1]\n\n[1]: javascript:alert(1)", "reference-style link"),
    ("<javascript:alert(1)>", "is not a link"),
    ("<someone@example.org>", "is not a link"),
    ("[x](#no-such-term)", "link to unknown term `no-such-term`"),
    ("[x](#Not_A_Term)", "is not a link to a term"),
]
FIELDS = ["gloss", "definition", "summary"]


def term_with(field: str, link: str) -> str:
    text = f"Said {link} plainly." if "\n" not in link else link.replace("[x][1]", "Said [x][1] plainly.")
    if field == "gloss":
        return term_yaml("A definition.", gloss=text)
    if field == "definition":
        return term_yaml(text)
    return term_yaml("A definition.") + view_yaml(text)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("link, message", BAD_LINKS, ids=[link for link, _ in BAD_LINKS])
def test_check_reports_a_bad_link_in_every_markdown_field_at_its_line(tmp_path, field, link, message):
    root = make_project(tmp_path / "p", terms={"bad": term_with(field, link)})
    found = errors(root)
    lines = (root / "glossary" / "terms" / "bad.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.lstrip().startswith(f"{field}:"))
    assert found, link
    assert all(p.startswith(f"glossary/terms/bad.yaml:{line}: error: ") and "\n    hint: " in p for p in found), found
    assert any(message in p for p in found), found


def test_check_fails_on_a_script_link_in_a_gloss_from_the_command_line(tmp_path):
    root = make_project(tmp_path / "p", terms={"bad": term_with("gloss", "[x](javascript:alert(1))")})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.yaml:3: error: address `javascript:alert(1)` is a `javascript:` address, not a web page " \
           "(a link in the gloss)" in result.output
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_good_links_in_every_field_pass(tmp_path):
    text = "See [the page](https://example.org/a_(b)) and [a term](#mesa-optimizer)."
    root = make_project(tmp_path / "p", terms={"good": term_yaml(text, gloss=text) + view_yaml(text)})
    pipeline.check(root)


class _Links(HTMLParser):
    """Every element that could act when clicked, and every address a page holds."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "href" in values and tag in ("a", "area"):
            self.hrefs.append(str(values["href"]))
        self.actions += [f"{tag} {name}" for name in values if name.startswith("on")]
        if tag in ("script", "iframe", "img", "object", "embed", "form", "svg", "base", "meta") and \
                values.get("src", "").startswith(("javascript", "data")):
            self.actions.append(tag)


def links_of(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def only_safe(hrefs: list[str]) -> list[str]:
    """The addresses that are neither a web page, a file of the site, nor a place in a page of it."""
    return [h for h in hrefs if not (h.startswith(("https://", "http://", "#")) or re.fullmatch(r"[\w./-]+\.html"
                                                                                              r"(#[\w.-]+)?", h))]


def unchecked_site(tmp_path: Path) -> Path:
    """The fixture glossary with every bad link in every Markdown field, rendered without `check`: the site's
    renderer holds the rule by itself."""
    glossary, _ = pipeline.check(make_project(tmp_path / "p"))
    links = " ".join(link.replace("[x]", f"[bad {n}]") for n, (link, _) in enumerate(BAD_LINKS) if "\n" not in link)
    text = f"Watch {links} and [a good page](https://example.org/page) end."
    terms = tuple(dataclasses.replace(t, gloss=text, definition=text,
                                      views=tuple(dataclasses.replace(v, summary=text) for v in t.views))
                  for t in glossary.terms)
    folder = tmp_path / "site"
    for name, data in site.render(dataclasses.replace(glossary, terms=terms)).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_the_site_makes_no_live_link_from_any_field_even_unchecked(tmp_path):
    folder = unchecked_site(tmp_path)
    page = folder / "terms" / "corrigibility.html"
    found = links_of(page)
    assert only_safe(found.hrefs) == [] and found.actions == []
    assert "https://example.org/page" in found.hrefs
    shown = page.read_text(encoding="utf-8")
    for section in ('<p class="gloss-lead">', '<p class="definition">', '<section class="view"'):
        start = shown.index(section)
        assert "Watch bad 0 bad 1 bad 2" in shown[start : shown.index("</p>", start)]  # the words stay, as text
    assert "terms/no-such-term.html" not in shown


# --- sources ---------------------------------------------------------------------------------------------------

HOSTILE_MARKDOWN = """# Hostile essay

The essay links [a script](javascript:alert(1)), [upper](JaVaScRiPt:alert(2)), [mail](mailto:someone@example.org),
[data](data:text/html;base64,PHNjcmlwdD4=), [vb](vbscript:msgbox(4)), [file](file:///etc/passwd),
[relative](/elsewhere), [protocol-relative](//evil.example/x), [fragment](#top), [entity](&#x6A;avascript:alert(5)),
[tab](java&#x09;script:alert(6)), [bracketed](<javascript:alert(7)>), [reference][js], <javascript:alert(8)>,
<someone@example.org>, <a href="javascript:alert(9)">inline tag</a>, <img src=x onerror=alert(10)>,
<svg onload=alert(11)></svg>, <b onclick="alert(12)">dressed</b> and [a fine link](https://example.org/page).

<div onclick="alert(13)">an html block</div>

<script>alert(14)</script>

[js]: javascript:alert(15)
"""
HOSTILE_PAGE = """<!doctype html><html><head><title>A hostile page</title></head><body><article>
<h1>A hostile page</h1>
<p>Its words read [x](mailto:someone@example.org) and [y](javascript:alert(1)) as text, then
<a href="mailto:someone@example.org">a mail link</a>, <a href="javascript:alert(2)">a script link</a>,
<a href="/relative/page">a relative link</a>, <a href="#note">a note</a> and
<a href="https://example.org/page">a fine link</a>, in a paragraph long enough to quote.</p>
</article></body></html>
"""


def add_source(root: Path, source_id: str, name: str, text: str, fmt: str) -> None:
    (root / "seeds" / name).write_text(text, encoding="utf-8", newline="")
    entry = (f"\n{source_id}:\n  file: {name}\n  sha256: {hashlib.sha256(text.encode()).hexdigest()}\n"
             f"  title: {json.dumps(source_id)}\n  author: Nobody\n  format: {fmt}\n")
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + entry, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("hostile")
    root = make_project(tmp_path / "p")
    add_source(root, "hostile-md", "hostile.md", HOSTILE_MARKDOWN, "markdown")
    add_source(root, "hostile-text", "hostile.txt", HOSTILE_MARKDOWN, "text")
    page = tmp_path / "page.html"
    page.write_text(HOSTILE_PAGE, encoding="utf-8")
    added = CliRunner().invoke(main, ["source", "add", str(page), "--project", str(root), "--id", "hostile-page",
                                      "--author", "Nobody", "--yes"])
    assert added.exit_code == 0, added.output
    return pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]


@pytest.mark.parametrize("source_id", ["hostile-md", "hostile-text", "hostile-page"])
def test_a_source_makes_no_live_link_in_any_format(hostile_site, source_id):
    page = hostile_site / "sources" / f"{source_id}.html"
    found = links_of(page)
    assert only_safe(found.hrefs) == [] and found.actions == [], (found.hrefs, found.actions)
    html_text = page.read_text(encoding="utf-8")
    essay = html_text[html_text.index('<div class="essay">'):]
    if source_id == "hostile-text":
        assert "<a " not in essay.split("</div>")[0]  # a plain text has no links at all
    else:
        assert "https://example.org/page" in found.hrefs  # a web page's link stays one
    for words in DEAD[source_id]:
        assert f'<span class="dead-link">{words}</span>' in essay, words


DEAD = {  # the words of every link that must be shown as text
    "hostile-md": ["a script", "upper", "mail", "data", "vb", "file", "relative", "protocol-relative", "fragment",
                   "entity", "tab", "bracketed", "reference", "javascript:alert(8)", "someone@example.org"],
    "hostile-text": [],
    # its visible text "[x](mailto:…)" is read as those very characters (escaped by the conversion), not as a link
    "hostile-page": ["a mail link", "a script link", "a relative link", "a note"],
}


WORDS_CLICKED = {
    "corrigibility.html": [f"bad {n}" for n, (link, _) in enumerate(BAD_LINKS) if "[x]" in link and "\n" not in link]
    + ["javascript:alert(1)", "someone@example.org"],
    "hostile-text.html": ["[a script](javascript:alert(1))", '<a href="javascript:alert(9)">inline tag</a>'],
    "hostile-page.html": ["[x](mailto:someone@example.org)", "[y](javascript:alert(1))"],
}
# The centre of the first place the words are shown, in the main text.
_WORDS_BOX = """words => {
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + words.length);
    range.startContainer.parentElement.scrollIntoView({block: 'center'});
    const box = range.getClientRects()[0];
    return {x: box.left + box.width / 2, y: box.top + box.height / 2};
  }
  return null;
}"""


def test_clicking_every_link_and_dead_link_runs_nothing_in_chromium(hostile_site, tmp_path):
    """Chromium clicks everything that looks like a link on the hostile pages and the unchecked term page:
    no dialog opens, no script runs, and no address but a file of the site or a web page is followed."""
    pages = [hostile_site / "sources" / f"{s}.html" for s in ("hostile-md", "hostile-text", "hostile-page")]
    pages.append(unchecked_site(tmp_path) / "terms" / "corrigibility.html")
    control = tmp_path / "control.html"  # a page with one live script link: the probe must catch it
    control.write_text('<!doctype html><main><p class="essay"><a href="javascript:alert(1)">run</a></p></main>')
    chrome = Browser()
    try:
        probe = chrome.page()
        caught: list[str] = []
        probe.on("dialog", lambda dialog: (caught.append(dialog.message), dialog.dismiss()))
        probe.goto(control.as_uri())
        probe.locator(".essay a").click()
        probe.wait_for_timeout(200)
        assert caught == ["1"]
        probe.close()
        for path in pages:
            page = chrome.page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(path.as_uri())
            targets = page.locator(".essay .dead-link, .essay a, .definition a, .definition .dead-link, "
                                   ".gloss-lead a, .views a")
            clicked = 0
            for index in range(targets.count()):
                target = targets.nth(index)
                href = target.get_attribute("href") or ""
                if href.startswith("http"):
                    continue  # a web page: leaving the site is refused by the test browser, and proves nothing
                target.click()
                clicked += 1
                assert page.url.startswith("file://"), (path.name, page.url)
                if page.url.split("#")[0] != path.as_uri():
                    page.go_back()
            for words in WORDS_CLICKED.get(path.name, ()):  # links shown as plain words: click the words
                box = page.evaluate(_WORDS_BOX, words)
                assert box is not None, words
                page.mouse.click(box["x"], box["y"])
                clicked += 1
                assert page.url.split("#")[0] == path.as_uri(), (path.name, words, page.url)
            page.wait_for_timeout(200)  # a dialog opens after the click returns, as in the control page
            assert page.evaluate("typeof alert") == "function"  # the page is still ours and its scripts run
            assert dialogs == [], (path.name, dialogs)
            assert clicked >= (2 if "hostile-text" in path.name else 6), path.name
            page.close()
    finally:
        chrome.close()


def test_hypothesis_annotations_read_as_markdown_link_only_the_terms_page(tmp_path):
    """An annotation's text is Markdown to the Hypothesis client: the plain text of a gloss (whose escapes may
    spell link syntax) goes in escaped, so that read back as Markdown it links nowhere but the term's page."""
    from markdown_it import MarkdownIt

    from glossdeck import markup
    from glossdeck.exports import hypothesis

    glossary, _ = pipeline.check(make_project(tmp_path / "p"))
    sneaky = ("\\[x\\](javascript:alert(1)) \\<a href=\"javascript:alert(2)\"\\>y\\</a\\> mail a@b.org or "
              "\\[z\\]\\(mailto:a@b.org\\) \\*not emphasis\\* &amp; `code`")
    assert "[x](javascript:alert(1))" in markup.to_plain(sneaky)
    settings = dataclasses.replace(glossary.settings, site_url="https://example.org/g/", title="A [t](mailto:x@y)")
    terms = tuple(dataclasses.replace(t, gloss=sneaky, term=t.term + " <i>") for t in glossary.terms)
    data = json.loads(hypothesis.to_text(dataclasses.replace(glossary, settings=settings, terms=terms)))
    assert data["annotations"]
    for annotation in data["annotations"]:
        rendered = MarkdownIt("commonmark", {"linkify": False}).render(annotation["text"])
        found = links_of_html(rendered)
        assert len(found.hrefs) == 1 and found.actions == [], found.hrefs
        assert found.hrefs[0].startswith("https://example.org/g/terms/")
        assert "[x](javascript:alert(1))" in rendered and "<i>" not in rendered


def links_of_html(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    return parser
