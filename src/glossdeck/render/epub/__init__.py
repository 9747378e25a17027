"""The reader's edition: the essays as chapters of an EPUB 3, every cited passage anchored, a glossary at the end."""

from __future__ import annotations

import functools
import re
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from glossdeck import markup, mentions
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.render import fonts
from glossdeck.render.addresses import passage_anchor, seed_of
from glossdeck.render.archive import Entry, zip_bytes
from glossdeck.render.epub import xhtml
from glossdeck.render.site import essay
from glossdeck.seeds import Seed

MIMETYPE = b"application/epub+zip"
BOOK = "OEBPS"  # the folder of the publication's files inside the zip
GLOSSARY = "glossary.xhtml"
TITLE_PAGE = "title.xhtml"
STYLESHEET = "css/epub.css"
FONT_FILES = {face: f"fonts/{file}" for face, file in fonts.FACES.items()}
FONT_LICENCE = "fonts/OFL.txt"
# A name for the book that no other glossary shares and a new release keeps: from the glossary's own id.
IDENTIFIER_NAMESPACE = uuid.UUID("5d0c64c4-3f5e-4d39-9a4e-2f1a5c8b7e10")


def chapter_file(source_id: str) -> str:
    return f"essay-{source_id}.xhtml"


def item_id(path: str) -> str:
    """A file's id in the package's manifest, from its path (an XML id: a letter first)."""
    return "i-" + re.sub(r"[^A-Za-z0-9]+", "-", path)


def term_anchor(term_id: str) -> str:
    """A term's id in the glossary: ids must start with a letter in XML, and a term's may start with a digit."""
    return f"t-{term_id}"


def note_anchor(term_id: str) -> str:
    """The id of a term's note (its gloss) at the end of a chapter: one per term and chapter."""
    return f"note-{term_id}"


def term_href(term_id: str) -> str:
    return f"{GLOSSARY}#{term_anchor(term_id)}"


def passage_href(citation: Citation) -> str:
    """A quote's passage in its chapter: the same anchor as on the site's source page."""
    assert citation.location is not None, "citations are resolved before rendering"
    return f"{chapter_file(citation.source)}#{passage_anchor(citation.location)}"


@dataclass(frozen=True)
class Chapter:
    """One essay as a chapter: its file, its body as XHTML, its sections as (anchor, heading), the terms its notes
    gloss (in the order first noted) and the anchor of each term's first noted mention."""

    source: Source
    file: str
    body: Markup
    sections: list[tuple[str, str]]
    one_line: bool
    notes: list[Term]
    first_mentions: dict[str, str]


def _environment(term_ids: frozenset[str], source_noun: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("glossdeck.render.epub", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.globals.update(inline=functools.partial(_inline, term_ids=term_ids), term_href=term_href,
                       term_anchor=term_anchor, passage_href=passage_href, item_id=item_id, note_anchor=note_anchor,
                       source_noun=source_noun)
    return env


def _inline(text: str, term_ids: frozenset[str]) -> Markup:
    """Inline Markdown as XHTML: a link to a term leads to its glossary entry (to a term the glossary has; validation
    refuses any other, and the rule holds here too), a link to a web page stays a link, anything else is words."""
    out = []
    for span in markup.parse(text):
        piece = Markup.escape(xhtml.NOT_XML.sub(" ", span.text))
        if span.code:
            piece = Markup("<code>{}</code>").format(piece)
        if span.italic:
            piece = Markup("<em>{}</em>").format(piece)
        if span.bold:
            piece = Markup("<strong>{}</strong>").format(piece)
        if span.term_id is not None and span.term_id in term_ids:
            piece = Markup('<a class="term" href="{}">{}</a>').format(term_href(span.term_id), piece)
        elif (target := markup.href(span.href)) is not None:
            piece = Markup('<a href="{}">{}</a>').format(Markup(target), piece)
        out.append(piece)
    return Markup("").join(out)


def _passages(glossary: Glossary, source: Source) -> list[essay.Passage]:
    """The source's cited passages, each once, with the terms citing it, as the site marks them."""
    return essay.cited_passages(glossary, source, term_href)


def _noted_mentions(finder: mentions.Finder, seed: Seed, passages: list[essay.Passage]) -> list[mentions.Mention]:
    """The mentions that become notes: each term's first in each section, never inside a quote's highlight, the
    author's notes to self, a heading, code or the essay's own links."""
    excluded = [(piece.start, piece.end) for passage in passages for piece in passage.pieces]
    excluded += [(start, end) for start, end, _ in seed.unquotable_spans]
    return mentions.in_seed(finder, seed).first_per_section(excluded)


def _chapter(glossary: Glossary, source: Source, finder: mentions.Finder) -> Chapter:
    seed = seed_of(glossary, source)
    passages = _passages(glossary, source)
    # The essay renderer links each noted mention as the site does (where it lies within one run of text);
    # xhtml.from_html turns each such link into a reference to the term's note.
    body, sections = essay.render(seed, passages, _noted_mentions(finder, seed, passages))
    converted = xhtml.from_html(str(body), note_anchor)
    first: dict[str, str] = {}
    for anchor, term_id in converted.noted:
        first.setdefault(term_id, anchor)
    return Chapter(source, chapter_file(source.id), Markup(converted.text),
                   [(anchor, xhtml.NOT_XML.sub(" ", heading)) for anchor, heading in sections],
                   source.format == "text" and seed.counts_sentences,
                   [glossary.term(term_id) for term_id in first], first)


def _quotes(glossary: Glossary, term: Term) -> list[tuple[Citation, Source]]:
    return [(c, glossary.sources[c.source]) for c in term.citations]


def book_files(glossary: Glossary, timestamp: int) -> dict[str, bytes]:
    """Every file of the publication (inside OEBPS/), by its path there."""
    env = _environment(frozenset(term.id for term in glossary.terms), glossary.settings.source_noun)
    settings = glossary.settings
    finder = mentions.Finder(glossary.terms)
    chapters = [_chapter(glossary, source, finder) for source in glossary.sources.values()]
    moment = time.gmtime(timestamp)
    common: dict[str, Any] = {
        "settings": settings, "glossary": glossary, "chapters": chapters, "stylesheet": STYLESHEET,
        "identifier": f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, settings.id)}",
        "modified": time.strftime("%Y-%m-%dT%H:%M:%SZ", moment), "date": time.strftime("%Y-%m-%d", moment),
        "fonts": FONT_FILES, "font_licence": FONT_LICENCE, "glossary_file": GLOSSARY, "title_page": TITLE_PAGE,
    }

    def named_in(term: Term) -> list[tuple[Chapter, str]]:
        """Each chapter whose notes gloss the term, with the anchor of its first noted mention there."""
        return [(c, c.first_mentions[term.id]) for c in chapters if term.id in c.first_mentions]

    common["named_in"] = named_in
    files: dict[str, str | bytes] = {
        TITLE_PAGE: env.get_template("title.xhtml").render(**common),
        GLOSSARY: env.get_template("glossary.xhtml").render(
            **common, entries=[(t, _quotes(glossary, t), [(v, [(c, glossary.sources[c.source]) for c in v.citations])
                                                         for v in t.views]) for t in glossary.terms]),
        "nav.xhtml": env.get_template("nav.xhtml").render(**common),
        "toc.ncx": env.get_template("toc.ncx").render(**common),
        STYLESHEET: (resources.files("glossdeck.render.epub") / "static" / "epub.css").read_bytes(),
    }
    for chapter in chapters:
        files[chapter.file] = env.get_template("chapter.xhtml").render(**common, chapter=chapter)
    for face, path in FONT_FILES.items():
        files[path] = (fonts.FONT_DIR / fonts.FACES[face]).read_bytes()
    files[FONT_LICENCE] = (fonts.FONT_DIR / "OFL.txt").read_bytes()
    manifest = [(path, _media_type(path)) for path in sorted(files)]
    files["content.opf"] = env.get_template("content.opf").render(**common, manifest=manifest)
    return {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in sorted(files.items())}


def _media_type(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1]
    return {"xhtml": "application/xhtml+xml", "css": "text/css", "ncx": "application/x-dtbncx+xml",
            "ttf": "font/ttf", "txt": "text/plain"}[suffix]


CONTAINER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             b'<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             b"</rootfiles>\n</container>\n")


def render(glossary: Glossary, timestamp: int) -> bytes:
    """The EPUB: `mimetype` first and stored (as the OCF demands), then every other file in a fixed order."""
    entries = [Entry("mimetype", MIMETYPE, compress=False), Entry("META-INF/container.xml", CONTAINER)]
    entries += [Entry(f"{BOOK}/{path}", data) for path, data in book_files(glossary, timestamp).items()]
    return zip_bytes(entries, timestamp)
