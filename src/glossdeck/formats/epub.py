"""An EPUB as Markdown: its chapters in the order its package document reads them (the spine), each under a heading
of its own; read with the standard library's zipfile and lxml, no e-book library (EbookLib is AGPL)."""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats import webpage
from glossdeck.formats.text import FILE_NAME, Text, with_file_name

MAX_ENTRY_BYTES = 50 * 1024 * 1024  # a chapter larger than this, unpacked, is no text but a zip bomb
_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
       "dc": "http://purl.org/dc/elements/1.1/", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
       "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def read(path: Path, data: bytes) -> Text:
    try:
        book = zipfile.ZipFile(BytesIO(data))
        opf_path = _rootfile(book)
        package = _xml(book, opf_path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise GlossdeckError([Problem(path, None, f"cannot read this EPUB: {exc}",
                                      "check that it opens in an e-book reader; save or export it again")]) from None
    title = _text(package.find(".//dc:title", _NS))
    author = ", ".join(_text(e) for e in package.findall(".//dc:creator", _NS) if _text(e))
    metadata = " ".join(_text(e) for e in package.findall(".//opf:metadata/*", _NS))
    chapters = _chapters(book, opf_path, package, path)
    names = _toc_titles(book, opf_path, package)
    parts = []
    for number, (href, html) in enumerate(chapters, 1):
        markdown, _ = webpage.to_markdown(html, main_text_only=False)
        if not re.search(r"\w", markdown) or _only_restates(markdown, metadata):
            continue  # a cover or a title page: no text of the book's own
        parts.append(_as_section(markdown, names.get(href) or f"Chapter {number}"))
    if not parts:
        raise GlossdeckError([Problem(path, None, "this EPUB has no text to quote",
                                      "check that its chapters hold text (not only images)")])
    raw = "\n\n".join(parts).strip() + "\n"
    digest = hashlib.sha256(data).hexdigest()
    origin = with_file_name(f"Converted to Markdown from the EPUB {FILE_NAME} (SHA-256 {digest}): its "
                            f"{len(parts)} chapters in the order of its spine, each under a heading, by markdownify.",
                            path.name)
    return Text(raw.encode("utf-8"), raw, "markdown", origin=origin, kind="epub", title=title, author=author)


def _xml(book: zipfile.ZipFile, name: str) -> Any:
    """A file of the book as XML, never loading anything from outside it (no entities, no network)."""
    from lxml import etree

    info = book.getinfo(name)
    if info.file_size > MAX_ENTRY_BYTES:
        raise ValueError(f"{name} is {info.file_size // 1_000_000} MB unpacked")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(book.read(name), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _rootfile(book: zipfile.ZipFile) -> str:
    container = _xml(book, "META-INF/container.xml")
    rootfile = container.find(".//c:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("META-INF/container.xml names no package document")
    return str(rootfile.get("full-path"))


def _chapters(book: zipfile.ZipFile, opf_path: str, package: Any, path: Path) -> list[tuple[str, bytes]]:
    """(href from the package, XHTML) of each document the spine reads, in order: not the table of contents
    (properties="nav") nor what the spine marks as read outside the flow (linear="no")."""
    items = {item.get("id"): item for item in package.findall(".//opf:manifest/opf:item", _NS)}
    folder = posixpath.dirname(opf_path)
    found = []
    for ref in package.findall(".//opf:spine/opf:itemref", _NS):
        item = items.get(ref.get("idref"))
        if item is None:  # a chapter would go missing without a word
            raise GlossdeckError([Problem(path, None, f"this EPUB's spine reads `{ref.get('idref')}`, which its "
                                          f"package document ({opf_path}) does not list: a chapter is missing",
                                          "save or convert the book again (e.g. with Calibre or pandoc)")])
        if ref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
            continue
        if item.get("media-type") not in ("application/xhtml+xml", "text/html"):
            continue
        href = str(item.get("href")).split("#")[0]
        name = posixpath.normpath(posixpath.join(folder, href))
        try:
            info = book.getinfo(name)
        except KeyError:
            raise GlossdeckError([Problem(path, None, f"this EPUB's spine reads {href}, which is not in the book "
                                          f"(no file {name} in it): a chapter is missing",
                                          "save or convert the book again (e.g. with Calibre or pandoc)")]) from None
        if info.file_size > MAX_ENTRY_BYTES:
            raise GlossdeckError([Problem(path, None, f"{name} in this EPUB is {info.file_size // 1_000_000} MB "
                                          "unpacked: too large to be a chapter", "check the file")])
        found.append((href, book.read(name)))
    return found


def _toc_titles(book: zipfile.ZipFile, opf_path: str, package: Any) -> dict[str, str]:
    """Each chapter's title in the book's own table of contents (EPUB 3 nav, else EPUB 2 NCX): href → title."""
    folder = posixpath.dirname(opf_path)
    titles: dict[str, str] = {}
    for item in package.findall(".//opf:manifest/opf:item", _NS):
        name = posixpath.normpath(posixpath.join(folder, str(item.get("href"))))
        try:
            if "nav" in (item.get("properties") or "").split():
                nav = _xml(book, name)
                for link in nav.iterfind(".//x:nav//x:a", _NS):
                    href = _relative(name, str(link.get("href") or ""), folder)
                    titles.setdefault(href, " ".join("".join(link.itertext()).split()))
            elif item.get("media-type") == "application/x-dtbncx+xml":
                ncx = _xml(book, name)
                for point in ncx.iterfind(".//ncx:navPoint", _NS):
                    content = point.find("ncx:content", _NS)
                    label = point.find("ncx:navLabel/ncx:text", _NS)
                    if content is not None and label is not None:
                        href = _relative(name, str(content.get("src") or ""), folder)
                        titles.setdefault(href, _text(label))
        except (KeyError, ValueError):
            continue  # a table of contents that cannot be read: the chapters' own headings serve
    return titles


def _relative(document: str, href: str, folder: str) -> str:
    """An href in a table of contents as the package document writes the same file's href."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(document), href.split("#")[0]))
    return posixpath.relpath(target, folder or ".")


def _text(element: Any) -> str:
    return "" if element is None else " ".join("".join(element.itertext()).split())


def _only_restates(markdown: str, *names: str) -> bool:
    """Whether a document's words are all in the book's title and author: a title page."""
    own = set(re.findall(r"\w+", " ".join(names).casefold()))
    return set(re.findall(r"\w+", markdown.casefold())) <= own


def _as_section(markdown: str, title: str) -> str:
    """The chapter under one top-level heading: its own first heading if it opens with one, else its title in the
    book's table of contents; every heading inside a level below it."""
    body = markdown.strip()
    opening = _HEADING.match(body)
    heading = webpage.escape_heading(title)
    if opening:
        body = body[opening.end() :].lstrip("\n")
        heading = opening.group(2).strip()  # already Markdown
    lines = body.splitlines()
    found = [(token.map[0], _HEADING.match(lines[token.map[0]])) for token in MarkdownIt("commonmark").parse(body)
             if token.type == "heading_open" and token.map and token.markup.startswith("#")]  # never a code block's
    headings = [(n, match) for n, match in found if match is not None]
    shift = 2 - min(len(match.group(1)) for _, match in headings) if headings else 0
    for n, match in headings:
        lines[n] = "#" * min(6, len(match.group(1)) + shift) + " " + match.group(2)
    body = "\n".join(lines)
    return f"# {heading}\n\n{body}" if body else f"# {heading}"
