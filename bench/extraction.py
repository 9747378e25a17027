"""How well `source add` keeps a web page's own text: each real page of tests/fixtures/pages, against its main text.

The main text of each page is taken from the page's own markup (Sphinx's `div.body`, MkDocs' `role=main`, the
content cell of a page laid out in tables …), less what is not prose (permalink marks, navigation bars). For each
way of extracting, per page:

    kept    share of the main text's words that the extraction keeps (recall)
    leaked  share of the extraction's words that are not in the main text (menus, sidebars, footers that got in)
    h       headings kept, of the main text's headings
    code    code blocks kept as code, of the main text's
    ¶       permalink marks left in (¶, #, 🔗, icon glyphs)

Ways compared: `before` (glossdeck 0.1: drop <nav>, <header>, <footer>, <aside>, then markdownify the <article>,
<main> or <body>), `trafilatura` alone (its own Markdown output), `readability` (readability-lxml, if installed, then
markdownify), and `glossdeck` (formats/webpage.py: trafilatura chooses the blocks, the page's structure is kept).
Prints a table; asserts nothing.

    .venv/bin/python bench/extraction.py
"""

from __future__ import annotations

import collections
import re
import time
from pathlib import Path
from typing import Callable

from bs4 import BeautifulSoup
from markdownify import markdownify

from glossdeck.formats import webpage

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
# page: (the main text's element, what inside it is not prose)
MAIN = {
    "docbook-valgrind-intro": ("body", [".navheader", ".navfooter", "div.toc"]),
    "hand-amaya-exslt": ("body", []),
    "hand-libxslt-intro": ("td[bgcolor='#fffacd']:has(> p)", []),
    "ikiwiki-news-version-3.0": ("#content", []),
    "mkdocs-writing-your-docs": ("div[role=main]", [".headerlink"]),
    "mkdocs-material-node-pull-requests": ("article.md-content__inner", [".headerlink", ".md-content__button"]),
    "pandoc-node-pull-requests": ("body", ["nav#TOC", "header"]),
    "sphinx-python-policy": ("div.body", [".headerlink", "nav.contents", "div.contents"]),
    "sphinx-python-sorting": ("div.body", [".headerlink"]),
    "texinfo-overview": ("body", [".nav-panel", "div.header", "hr", "div.menu", "table.menu"]),
}
_WORDS = re.compile(r"[^\W_]+")
_PERMALINK = re.compile("[¶🔗\uf0c1]|\\[\\]\\(#[^)]*\\)")  # a mark, or an empty link to an anchor


def before(data: bytes) -> str:
    page = BeautifulSoup(data, "html.parser")
    for tag in page.find_all(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
                              "svg", "button"]):
        tag.decompose()
    body = page.find("article") or page.find("main") or page.body or page
    return str(markdownify(str(body), heading_style="ATX", bullets="-", strip=["img"]))


def trafilatura_alone(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data, output_format="markdown", include_formatting=True, include_tables=True,
                               include_comments=False, favor_recall=True) or ""


def readability(data: bytes) -> str:
    from readability import Document  # readability-lxml: not a dependency, measured when installed

    return str(markdownify(Document(data.decode("utf-8", "replace")).summary(html_partial=True),
                           heading_style="ATX", bullets="-", strip=["img"]))


def glossdeck(data: bytes) -> str:
    return webpage.to_markdown(data)[0]


def main_text(data: bytes, selector: str, drop: list[str]) -> tuple[str, int, int]:
    """The main text's words, and how many headings and code blocks it has."""
    page = BeautifulSoup(data, "html.parser")
    for tag in page.find_all(["script", "style"]):
        tag.decompose()
    node = page.select_one(selector)
    assert node is not None, selector
    for each in drop:
        for tag in node.select(each):
            tag.decompose()
    return node.get_text(" "), len(node.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])), len(node.find_all("pre"))


def reader_words(markdown: str) -> collections.Counter[str]:
    """The words a reader of the Markdown sees: link targets and titles left out."""
    markdown = re.sub(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)", "]", markdown)
    markdown = re.sub(r"<https?:[^>]*>", "", markdown)
    return collections.Counter(w.casefold() for w in _WORDS.findall(markdown))


def main() -> None:
    ways: dict[str, Callable[[bytes], str]] = {"before": before, "trafilatura": trafilatura_alone,
                                               "readability": readability, "glossdeck": glossdeck}
    try:
        import readability as _  # noqa: F401
    except ImportError:
        del ways["readability"]
    header = f"{'page':26}" + "".join(f" | {name:^29}" for name in ways)
    print(header)
    print(f"{'':26}" + " | kept leaked    h   code  ¶ ms" * len(ways))
    totals: dict[str, list[float]] = {name: [] for name in ways}
    for page in sorted(PAGES.glob("*.html")):
        data = page.read_bytes()
        text, headings, code = main_text(data, *MAIN[page.stem])
        wanted = collections.Counter(w.casefold() for w in _WORDS.findall(text))
        row = f"{page.stem[:26]:26}"
        for name, way in ways.items():
            start = time.perf_counter()
            out = way(data)
            ms = (time.perf_counter() - start) * 1000
            got = reader_words(out)
            common = sum((got & wanted).values())
            kept = common / max(1, sum(wanted.values()))
            leaked = 1 - common / max(1, sum(got.values()))
            out_headings = len(re.findall(r"^#{1,6} ", out, re.MULTILINE))
            fences = len(re.findall(r"^```", out, re.MULTILINE)) // 2
            marks = len(_PERMALINK.findall(out))
            totals[name].append(kept - leaked)
            row += (f" | {kept:4.0%} {leaked:5.0%} {out_headings:2}/{headings:<2} {fences:2}/{code:<2} {marks:2}"
                    f" {ms:3.0f}")
        print(row)
    print("mean of kept − leaked: " + ", ".join(f"{name} {sum(v) / len(v):.2f}" for name, v in totals.items()))


if __name__ == "__main__":
    main()
