"""The static HTML site: an index with search, a page per term and per source essay, all relative links."""

from __future__ import annotations

import functools
import http
import http.server
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jinja2

from glossdeck import markup
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Citation, Glossary, Source, Term, sort_key
from glossdeck.render.addresses import (
    passage_anchor,
    passage_url,
    pieces,
    seed_of,
    source_page,
    term_page,
    text_fragment,
)
from glossdeck.render.site import essay, structured

ASSETS = ("site.css", "site.js", "minisearch.js", "minisearch.LICENSE.txt", "fonts/OFL.txt",
          "fonts/CharisSIL-Regular.woff2", "fonts/CharisSIL-Italic.woff2", "fonts/CharisSIL-Bold.woff2",
          "fonts/CharisSIL-BoldItalic.woff2")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"(])")


def folder_name(glossary: Glossary) -> str:
    return f"{glossary.settings.output_base}-site"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("glossdeck.render.site", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["inline"] = _inline_groups
    return env


@dataclass(frozen=True)
class Group:
    """Consecutive spans of inline markup under one link (or none)."""

    spans: tuple[markup.Span, ...]
    term: str | None
    href: str | None


def _inline_groups(text: str) -> list[Group]:
    groups: list[Group] = []
    for span in markup.parse(text):
        if groups and groups[-1].href == span.href and span.href is not None:
            last = groups[-1]
            groups[-1] = Group(last.spans + (span,), last.term, last.href)
        else:
            groups.append(Group((span,), span.term_id, span.href))
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


def initial(name: str) -> str:
    first = sort_key(name)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


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
        original = None
        if source.url:
            original = source.url.split("#")[0] + text_fragment(seed_of(glossary, source), citation)
        quotes.append(Quote(citation, source, f"../{source_page(source.id)}#{passage_anchor(citation.location)}",
                            original))
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


def _index_entries(glossary: Glossary) -> list[tuple[str, list[dict[str, Any]]]]:
    """Terms and other names in dictionary order, grouped by initial letter."""
    entries: list[dict[str, Any]] = [{"name": t.term, "term": t, "alias": False} for t in glossary.terms]
    entries += [{"name": a, "term": t, "alias": True} for t in glossary.terms for a in t.aliases]
    entries.sort(key=lambda e: (sort_key(e["name"]), e["alias"]))
    letters: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        letters.setdefault(initial(entry["name"]), []).append(entry)
    return sorted(letters.items(), key=lambda item: (item[0] == "#", item[0]))


def _passages(glossary: Glossary, source: Source) -> list[essay.Passage]:
    """The source's cited passages, each once, with the terms citing it in glossary order."""
    seed = seed_of(glossary, source)
    found: dict[str, essay.Passage] = {}
    for term in glossary.terms:
        for citation in term.all_citations:
            if citation.source != source.id or citation.location is None:
                continue
            anchor = passage_anchor(citation.location)
            passage = found.setdefault(anchor, essay.Passage(anchor, pieces(seed, citation)))
            citer = (f"../{term_page(term.id)}", term.term)
            if citer not in passage.citers:
                passage.citers.append(citer)
    return sorted(found.values(), key=lambda p: (p.pieces[0].start, p.pieces[-1].end))


def _search_data(glossary: Glossary) -> str:
    """The terms as a script (not JSON to fetch: browsers refuse fetch() on pages opened from disk)."""
    docs = [{"id": t.id, "term": t.term, "aliases": " · ".join(t.aliases), "gloss": gloss(t),
             "definition": markup.to_plain(t.definition), "url": term_page(t.id)} for t in glossary.terms]
    payload = json.dumps(docs, ensure_ascii=False, sort_keys=True, indent=0).replace("</", "<\\/")
    return f"window.GLOSSDECK_TERMS = {payload};\n"


def render(glossary: Glossary) -> dict[str, bytes]:
    """Every file of the site, by its path inside the site's folder."""
    env = _environment()
    settings = glossary.settings
    linking = _linking_terms(glossary)
    related_from = {t.id: [u for u in glossary.terms if t.id in u.related] for t in glossary.terms}
    cited_sources = [s for s in glossary.sources.values()
                     if any(c.source == s.id for t in glossary.terms for c in t.all_citations)]
    common = {"settings": settings, "glossary": glossary, "gloss": gloss, "sources": list(glossary.sources.values()),
              "cited_sources": cited_sources}
    files: dict[str, str | bytes] = {}

    def page(path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        canonical = settings.site_url + path if settings.site_url else None
        files[path] = env.get_template(template).render(root=root, path=path, canonical=canonical,
                                                        **common, **context)

    page("index.html", "index.html", letters=_index_entries(glossary),
         alphabet=[chr(c) for c in range(ord("A"), ord("Z") + 1)])
    for term in glossary.terms:
        page(term_page(term.id), "term.html", term=term, quotes=_quotes(glossary, term.citations),
             views=[(v, _quotes(glossary, v.citations)) for v in term.views],
             related=[glossary.term(r) for r in term.related], linking=linking[term.id],
             related_from=related_from[term.id], structured=structured.defined_term(glossary, term))
    aliases = _alias_pages(glossary)
    for name, term in aliases.items():
        page(term_page(name), "alias.html", term=term, alias=name)
    for source in glossary.sources.values():
        seed = seed_of(glossary, source)
        body, sections = essay.render(seed, _passages(glossary, source))
        citing = [t for t in glossary.terms if any(c.source == source.id for c in t.all_citations)]
        page(source_page(source.id), "source.html", source=source, body=body, sections=sections, citing=citing,
             one_line=source.format == "text" and seed.counts_sentences, per_paragraph=essay.SENTENCES_PER_PARAGRAPH)
    files["assets/terms.js"] = _search_data(glossary)
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
