"""The static HTML site: an index with search, a page per term and per source essay, all relative links."""

from __future__ import annotations

import functools
import http
import http.server
import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jinja2

from glossdeck import markup, mentions
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.render.addresses import (
    original_url, page_of, passage_anchor, passage_page, passage_url, seed_of, source_page, source_pages, term_page,
)
from glossdeck.render.site import letters, search, sources, structured, uses
from glossdeck.render.site.previews import with_previews

ASSETS = ("site.css", "site.js", "minisearch.js", "minisearch.LICENSE.txt", "fonts/OFL.txt",
          "fonts/CharisSIL-Regular.woff2", "fonts/CharisSIL-Italic.woff2", "fonts/CharisSIL-Bold.woff2",
          "fonts/CharisSIL-BoldItalic.woff2")
LIST_SHOWN = 100  # terms a list on a page names at most ("and 12 more"): a page's weight stays bounded
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"(])")


def folder_name(glossary: Glossary) -> str:
    return f"{glossary.settings.output_base}-site"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("glossdeck.render.site", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["shown"] = LIST_SHOWN
    env.globals["gloss"] = gloss
    return env


@dataclass(frozen=True)
class Group:
    """Consecutive spans of inline markup under one link (or none)."""

    spans: tuple[markup.Span, ...]
    term: str | None
    href: str | None


def _inline_groups(text: str, term_ids: frozenset[str]) -> list[Group]:
    """A Markdown field's spans grouped by link; a link stays one only to an existing term or by the one
    address rule (markup.address_problem), else its words are shown as text."""
    groups: list[Group] = []
    for span in markup.parse(text):
        address = span.href
        if groups and address is not None and groups[-1].spans[-1].href == address:
            last = groups[-1]
            groups[-1] = Group(last.spans + (span,), last.term, last.href)
            continue
        term = span.term_id if span.term_id in term_ids else None
        live = address if address and markup.address_problem(address, term_links=False) is None else None
        groups.append(Group((span,), term, None if term else live))
    return groups


def gloss(term: Term) -> str:
    """The term's gloss as plain text; where it has none, the first sentence of its definition."""
    if term.gloss:
        return markup.to_plain(term.gloss)
    return _SENTENCE_END.split(markup.to_plain(term.definition), maxsplit=1)[0]


def slug(name: str) -> str:
    """A readable file name for a name: lower case, accents dropped, other characters as hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


@dataclass(frozen=True)
class Quote:
    """A citation as a term page shows it."""

    citation: Citation
    source: Source
    in_context: str  # relative link to the passage on its source page
    original: str | None  # the original online at the passage, if it has an address


def _quotes(glossary: Glossary, citations: tuple[Citation, ...]) -> list[Quote]:
    quotes = []
    for citation in citations:
        assert citation.location is not None
        source = glossary.sources[citation.source]
        in_context = f"../{passage_page(glossary, citation)}#{passage_anchor(citation.location)}"
        quotes.append(Quote(citation, source, in_context, original_url(glossary, citation)))
    return quotes


def _linking_terms(glossary: Glossary) -> dict[str, list[Term]]:
    """For each term, the terms whose definition or views link to it."""
    linking: dict[str, list[Term]] = {t.id: [] for t in glossary.terms}
    for term in glossary.terms:
        texts = [term.gloss, term.definition, *(v.summary for v in term.views)]
        targets = {s.term_id for text in texts for s in markup.parse(text) if s.term_id}
        for target in sorted(targets):
            if target in linking and target != term.id:
                linking[target].append(term)
    return linking


def _alias_pages(glossary: Glossary) -> dict[str, Term]:
    """A redirecting page per alias whose file name no term (nor an earlier alias) has taken."""
    taken = {t.id for t in glossary.terms}
    pages: dict[str, Term] = {}
    for term in glossary.terms:
        for alias in term.aliases:
            name = slug(alias)
            if name and name not in taken:
                taken.add(name)
                pages[name] = term
    return pages


def _search_documents(glossary: Glossary, found: mentions.Mentions) -> list[dict[str, str]]:
    return [search.document(t, gloss(t), found.spellings(t.id), term_page(t.id)) for t in glossary.terms]


def render(glossary: Glossary) -> dict[str, bytes]:
    """Every file of the site, by its path inside the site's folder."""
    env = _environment()
    env.globals["inline"] = functools.partial(_inline_groups, term_ids=frozenset(t.id for t in glossary.terms))
    env.globals["glossary"] = glossary  # the macros' too (an imported template does not see the page's context)
    settings = glossary.settings
    linking = _linking_terms(glossary)
    related_from: dict[str, list[Term]] = {t.id: [] for t in glossary.terms}
    for term in glossary.terms:
        for other in dict.fromkeys(term.related):
            if other in related_from:
                related_from[other].append(term)
    seeds = {source_id: seed_of(glossary, source) for source_id, source in glossary.sources.items()}
    found = mentions.find_all(glossary.terms, seeds)
    cited_sources = [s for s in glossary.sources.values()
                     if any(c.source == s.id for t in glossary.terms for c in t.all_citations)]
    common = {"settings": settings, "glossary": glossary, "gloss": gloss, "sources": list(glossary.sources.values()),
              "cited_sources": cited_sources}
    files: dict[str, str | bytes] = {}

    def page(path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        canonical = settings.site_url + path if settings.site_url else None
        html = env.get_template(template).render(root=root, path=path, canonical=canonical, **common, **context)
        files[path] = with_previews(html, describe)

    def describe(term_id: str) -> tuple[str, str]:
        term = glossary.term(term_id)
        return term.term, gloss(term)

    placed: set[tuple[str, str]] = set()
    for source in glossary.sources.values():
        placed.update(sources.write_pages(glossary, source, found, page))

    def page_at(source_id: str, offset: int) -> str:
        return source_page(source_id, page_of(source_pages(glossary, glossary.sources[source_id]), offset))

    used = uses.uses_by_term(glossary, found, placed, page_at)

    entries = letters.entries(glossary)
    alphabet = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    inline, hrefs, letter_pages = letters.layout(entries)
    for here in letter_pages:
        page(here.path, "letter.html", letter=here.letter, entries=here.entries, number=here.number,
             count=here.count, previous=here.previous, next=here.next, letters=entries, alphabet=alphabet,
             hrefs={k: f"../{v}" for k, v in hrefs.items()})
    page("index.html", "index.html", letters=entries, alphabet=alphabet, inline=inline, hrefs=hrefs)
    for term in glossary.terms:
        page(term_page(term.id), "term.html", term=term, quotes=_quotes(glossary, term.citations),
             views=[(v, _quotes(glossary, v.citations)) for v in term.views],
             related=[glossary.term(r) for r in term.related], linking=linking[term.id],
             related_from=related_from[term.id], structured=structured.defined_term(glossary, term),
             uses=used.get(term.id, ([], 0)))
    aliases = _alias_pages(glossary)
    for name, term in aliases.items():
        page(term_page(name), "alias.html", term=term, alias=name)
    page("search.html", "search.html")
    for name, script in search.files(_search_documents(glossary, found), settings.language).items():
        files[f"assets/search/{name}"] = script
    if settings.site_url:
        forwarding = {term_page(name) for name in aliases}  # pages that only forward are not for indexing
        pages = sorted(p for p in files if p.endswith(".html") and p not in forwarding)
        files["sitemap.xml"] = env.get_template("sitemap.xml").render(urls=[settings.site_url + p for p in pages])
        files["robots.txt"] = f"Sitemap: {settings.site_url}sitemap.xml\n"
    static = resources.files("glossdeck.render.site") / "static"
    for asset in ASSETS:
        files[f"assets/{asset}"] = (static / asset).read_bytes()
    return {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in sorted(files.items())}


def serve(folder: Path, port: int, ready: Callable[[str], None]) -> None:
    """Serve the site's folder on 127.0.0.1 until interrupted."""
    if not (folder / "index.html").is_file():
        raise GlossdeckError([Problem(folder, None, "no web site has been built here",
                                      "build it first with `glossdeck build html`")])
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as error:
        raise GlossdeckError([Problem(None, None, f"cannot serve on port {port}: {error.strerror}",
                                      "choose another with --port, e.g. --port 8001 (0 picks a free one)")]) from None
    with server:
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise here
        pass

    def send_head(self) -> Any:
        """The file asked for; a path no file can have is a bad request, never a crash.

        The standard handler decodes %-escapes and hands the path to open(), which raises ValueError for a NUL byte
        (`%00`) or a lone surrogate (`%ed%a0%80`) before any header is sent; other bad paths (`%ff`, `..`, an
        overlong name) already end in its own 404.
        """
        try:
            return super().send_head()
        except ValueError:
            self.send_error(http.HTTPStatus.BAD_REQUEST, "This address holds a character no file name can have")
            return None


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for a request that failed, instead of socketserver's traceback; none for a reader who left."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        print(f"glossdeck serve: a request from {client_address[0]} failed: {type(error).__name__}: {error}",
              file=sys.stderr)


__all__ = ["folder_name", "passage_url", "render", "serve"]
