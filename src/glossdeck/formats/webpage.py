"""A saved web page as Markdown: trafilatura finds the page's own text, markdownify keeps its structure."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats.text import FILE_NAME, Text, with_file_name

MIN_WORDS = 5  # validate.MIN_QUOTE_WORDS: a page with fewer words has nothing to quote
# Deeper than this, an element is unwrapped (its text kept in its parent): real pages nest a few dozen levels,
# and the converter recurses once per level.
MAX_DEPTH = 60
# Never text: what runs, draws or asks for input.
_NOT_TEXT = ["script", "style", "noscript", "template", "iframe", "object", "embed", "canvas", "svg", "audio",
             "video", "button", "form", "input", "select", "textarea", "dialog", "link", "meta"]
# The page's landmarks that are never its text, by HTML's and ARIA's own meaning: navigation, search, sidebars, and
# the banner and footer of the page (a header or footer inside an article or a section is the article's own).
_LANDMARK_TAGS = ["nav", "aside"]
_LANDMARK_ROLES = {"navigation", "search", "complementary", "banner", "contentinfo"}
_SECTIONING = {"article", "aside", "main", "nav", "section"}
# Links that HTML's own link types mark as the way around a set of pages: a block made of them is a navigation bar.
_NAVIGATION_RELS = {"next", "prev", "previous", "up", "contents", "index", "first", "last", "start", "top"}
# What a data table's cell never holds: a table whose cells hold these lays the page out, and is read as its cells.
_LAYOUT_CONTENT = ["p", "ul", "ol", "dl", "pre", "blockquote", "table", "h1", "h2", "h3", "h4", "h5", "h6", "div"]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# The blocks a reader reads one by one; each is kept or dropped whole.
_BLOCKS = _HEADINGS | {"p", "pre", "li", "dt", "dd", "td", "th", "figcaption", "caption", "blockquote"}
# A short block must be found close after the previous one in trafilatura's text, or a menu's "Home" would be
# taken for the word "home" somewhere in the essay.
_NEAR = 40
_WORD = re.compile(r"\w")
# "Sorting HOW TO — Python 3.11.2 documentation", "Writing Your Docs - MkDocs": the page's title, then the site's
_SITE_SUFFIX = re.compile(r"\s+[—–|·-]\s+")


def read(path: Path, data: bytes) -> Text:
    markdown, title = to_markdown(data)
    if len(re.findall(r"\w+", markdown)) < MIN_WORDS:
        raise GlossdeckError([Problem(path, None, "this web page has no text to quote (after removing its menus, "
                                      "scripts and styles)", "save the page with its content (\"Web page, "
                                      "complete\"), or copy the text into a .md or .txt file")])
    digest = hashlib.sha256(data).hexdigest()
    origin = with_file_name(f"Converted to Markdown from the saved web page {FILE_NAME} (SHA-256 {digest}): its "
                            f"text found by trafilatura {package_version('trafilatura')}, its structure kept by "
                            f"markdownify {package_version('markdownify')}.", path.name)
    return Text(markdown.encode("utf-8"), markdown, "markdown", origin=origin, kind="html", title=title)


def to_markdown(data: bytes, main_text_only: bool = True) -> tuple[str, str]:
    """The page's main text as Markdown (all its text, for a book's chapter), and its title (its <title> without
    the site's name, else its first heading)."""
    page = BeautifulSoup(data, "html.parser")  # reads the page's own <meta charset>
    page_title = " ".join(page.title.get_text(" ").split()) if page.title else ""
    for tag in page.find_all(_NOT_TEXT):
        tag.decompose()
    page = _flatten(page, MAX_DEPTH)
    _drop_landmarks(page)
    _drop_permalinks(page)
    _unwrap_layout_tables(page)
    body = page.body or page
    if main_text_only:
        _keep_main_text(body)
    else:
        _drop_contents_lists(body)
    title = _SITE_SUFFIX.split(page_title, 1)[0].strip() or page_title
    if not title:
        heading = body.find("h1")
        title = " ".join(heading.get_text(" ").split()) if heading else ""
    markdown = _converter().convert_soup(body)
    lines = [line.rstrip() for line in markdown.splitlines()]  # markdownify leaves trailing spaces and blank runs
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n", title


def escape_heading(text: str) -> str:
    """Text to stand as a Markdown heading's words, none of them read as markup."""
    return re.sub(r"([\\`*_\[\]<>#&])", r"\\\1", " ".join(text.split()))


def _converter() -> Any:
    """markdownify, escaping what Markdown would read as markup, and a definition list as plain paragraphs (its
    `: definition` syntax is no CommonMark: a reader of the seed would see the colons)."""
    from markdownify import MarkdownConverter

    class Converter(MarkdownConverter):  # type: ignore[misc]  # markdownify ships no type hints
        def convert_dt(self, el: Tag, text: str, parent_tags: set[str]) -> str:
            return text if "_inline" in parent_tags else "\n\n" + " ".join(text.split()) + "\n\n"

        def convert_dd(self, el: Tag, text: str, parent_tags: set[str]) -> str:
            return text if "_inline" in parent_tags else "\n\n" + text.strip() + "\n\n"

    return Converter(heading_style="ATX", bullets="-", strip=["img"], escape_misc=True)


def _flatten(page: BeautifulSoup, limit: int) -> BeautifulSoup:
    """The page again, every element nested deeper than `limit` left out but its text kept, so that no later step
    recurses too deep; the page itself when it is not that deep (rebuilt in one pass: unwrapping each deep element
    in place would walk its whole subtree every time)."""
    stack: list[tuple[Tag, int]] = [(page, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            break
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tag))
    else:
        return page
    out: list[str] = []
    work: list[tuple[PageElement, int] | str] = [(page, 0)]
    while work:
        item = work.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        element, level = item
        if isinstance(element, NavigableString):
            if type(element) is NavigableString:  # not a comment, doctype or other markup
                out.append(html.escape(str(element), quote=False))
            continue
        if not isinstance(element, Tag):
            continue
        shown = 0 < level <= limit
        if shown:
            out.append(f"<{element.name}{_attributes(element)}>")
        if shown and not element.is_empty_element:
            work.append(f"</{element.name}>")
        work.extend((child, level + 1) for child in reversed(element.contents))
    return BeautifulSoup("".join(out), "html.parser")


def _attributes(node: Tag) -> str:
    values = ((name, " ".join(value) if isinstance(value, list) else str(value)) for name, value in node.attrs.items())
    return "".join(f' {name}="{html.escape(value)}"' for name, value in values)


def _drop_contents_lists(body: Tag) -> None:
    """In a book's chapter, drop the list items that only link to places in the book: its tables of contents."""
    for item in body.find_all("li"):
        if item.decomposed:
            continue
        links = item.find_all("a", href=True)
        inside = links and all(not re.match(r"[a-z][a-z0-9+.-]*:", str(a["href"]), re.IGNORECASE) for a in links)
        if inside and _all_links(item):
            item.decompose()
    for listing in body.find_all(["ul", "ol"]):
        if not listing.decomposed and not listing.get_text(strip=True):
            listing.decompose()


def _drop_landmarks(page: BeautifulSoup) -> None:
    """Drop navigation, search, sidebars, and the page's own banner and footer."""
    for tag in page.find_all(True):
        if tag.decomposed:
            continue
        role = str(tag.get("role") or "").lower()
        page_level = tag.name in ("header", "footer") and not any(p.name in _SECTIONING for p in tag.parents)
        if tag.name in _LANDMARK_TAGS or role in _LANDMARK_ROLES or page_level:
            tag.decompose()


def _unwrap_layout_tables(page: BeautifulSoup) -> None:
    """A table laid out for looks (its cells hold paragraphs, lists, headings or other tables) becomes its cells,
    read in order, as a browser's reader view does; a table of data stays a table."""
    for table in reversed(page.find_all("table")):  # inner tables first
        cells = table.find_all(["td", "th"])
        if any(cell.find(_LAYOUT_CONTENT) is not None for cell in cells):
            for part in table.find_all(["thead", "tbody", "tfoot", "tr", "caption"]):
                part.unwrap()
            for cell in table.find_all(["td", "th"]):
                cell.name = "div"
            table.name = "div"


def _drop_permalinks(page: BeautifulSoup) -> None:
    """Drop the marks that link a heading to itself (¶, #, 🔗, an icon font's glyph): they are not the text."""
    for link in page.find_all("a", href=True):
        if str(link["href"]).startswith("#") and not _WORD.search(link.get_text()):
            link.decompose()


def _keep_main_text(body: Tag) -> None:
    """Keep the blocks whose text trafilatura finds to be the page's own, with their headings; drop the rest."""
    import trafilatura

    found = trafilatura.extract(str(body), output_format="txt", include_tables=True, include_comments=False,
                                favor_recall=True) or ""
    main = _squash(found)
    if not main:  # too short for trafilatura to judge: the page as it is, without its landmarks
        return
    blocks = _blocks(body)
    headings = {_squash(block.get_text(" ")) for block in blocks if block.name in _HEADINGS}
    kept: set[int] = set()
    at = 0
    for block in blocks:
        text = _squash(block.get_text(" "))
        if block.name not in _HEADINGS and text in headings and _all_links(block):
            continue  # a link that repeats a heading of the page leads to it: a menu's or a contents list's entry
        where = main.find(text, at) if text else -1
        if where >= 0 and (len(text) >= _NEAR or where - at <= _NEAR):
            kept.add(id(block))
            at = where + len(text)
    for block in blocks:  # a list item that only links within the page is a table of contents' entry
        if (block.name == "li" and _links_within_page(block)) or _navigation_bar(block):
            kept.discard(id(block))
    for index, block in enumerate(blocks):  # trafilatura leaves out many headings: keep those of kept text
        if block.name in _HEADINGS and _heads_kept_text(blocks, index, kept):
            kept.add(id(block))
    _prune(body, kept, {id(parent) for block in blocks if id(block) in kept for parent in block.parents}, main)


def _heads_kept_text(blocks: list[Tag], index: int, kept: set[int]) -> bool:
    """Whether a kept block stands in the heading's section (up to the next heading of its level or higher)."""
    level = blocks[index].name
    for block in blocks[index + 1 :]:
        if block.name in _HEADINGS:
            if block.name <= level:  # "h2" <= "h3": a heading of the same or a higher level ends the section
                return False
        elif id(block) in kept:
            return True
    return False


def _navigation_bar(block: Tag) -> bool:
    """Whether at least half the block's text is links to the next, previous or parent page (Texinfo's "Next: …,
    Previous: …, Up: …")."""
    text = _squash(block.get_text(" "))
    links = block.find_all("a", rel=True)
    around = "".join(_squash(a.get_text(" ")) for a in links if _NAVIGATION_RELS & {r.lower() for r in a["rel"]})
    return bool(text) and len(around) >= 0.5 * len(text)


def _all_links(block: Tag) -> bool:
    text = _squash(block.get_text(" "))
    return bool(text) and text == "".join(_squash(a.get_text(" ")) for a in block.find_all("a", href=True))


def _links_within_page(block: Tag) -> bool:
    """Whether all the block's text is links to places on the same page."""
    text = _squash(block.get_text(" "))
    linked = "".join(_squash(a.get_text(" ")) for a in block.find_all("a", href=True) if str(a["href"]).startswith("#"))
    return bool(text) and text == linked


def _blocks(body: Tag) -> list[Tag]:
    """The innermost blocks, in reading order (a code block or a heading whole, whatever it holds): one walk."""
    found: list[Tag] = []
    holds_block: set[int] = set()  # elements with a block somewhere inside
    stack: list[tuple[Tag, bool]] = [(body, False)]
    order: list[Tag] = []
    while stack:  # pre-order, skipping what a heading or a code block holds
        node, inside = stack.pop()
        whole = node.name in ("pre", *_HEADINGS)
        if node is not body:
            order.append(node)
        if whole and node is not body:
            continue
        stack.extend((child, inside) for child in reversed(node.contents) if isinstance(child, Tag))
    for node in reversed(order):  # children before their parents
        if node.name in _BLOCKS or id(node) in holds_block:
            parent = node.parent
            if parent is not None:
                holds_block.add(id(parent))
    for node in order:
        if node.name in _BLOCKS and (node.name in ("pre", *_HEADINGS) or id(node) not in holds_block):
            found.append(node)
    return found


def _prune(node: Tag, kept: set[int], holders: set[int], main: str) -> None:
    """Remove what is neither a kept block nor holds one; loose text stays if trafilatura kept it."""
    stack = [node]
    while stack:
        current = stack.pop()
        for child in list(current.children):
            if isinstance(child, Tag):
                if id(child) in kept:
                    continue
                if id(child) in holders:
                    stack.append(child)
                else:
                    child.decompose()
            elif isinstance(child, NavigableString):
                text = _squash(str(child))
                if text and text not in main:
                    child.extract()


def _squash(text: str) -> str:
    """Only letters and digits, lower case: the same text however its spaces and punctuation were laid out, and
    however its accents were encoded (trafilatura composes them: a page's "e" and combining accent is its "é")."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFC", text)).casefold()
