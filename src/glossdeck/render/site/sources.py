"""A source's pages on the site: its cited passages marked, its terms linked where first mentioned in each section,
and a long source cut into pages at its headings."""

from __future__ import annotations

from typing import Any, Callable

from glossdeck import mentions
from glossdeck.model import Glossary, Source
from glossdeck.render.addresses import seed_of, source_page, source_pages, term_page
from glossdeck.render.site import essay, uses


def passages(glossary: Glossary, source: Source) -> list[essay.Passage]:
    """The source's cited passages, each once, with the terms citing it in glossary order."""
    return essay.cited_passages(glossary, source, lambda term_id: f"../{term_page(term_id)}")


def write_pages(glossary: Glossary, source: Source, found: mentions.Mentions,
                page: Callable[..., Any]) -> set[tuple[str, str]]:
    """Render a source's pages through `page(path, template, **context)`; return the mentions they link, as
    (source id, anchor)."""
    seed = seed_of(glossary, source)
    cited = passages(glossary, source)
    linked = uses.to_link(found, source.id, cited, [(s, e) for s, e, _ in seed.unquotable_spans])
    bodies, sections = essay.render_pages(seed, cited, linked, source_pages(glossary, source))
    files = [source_page(source.id, number).split("/")[-1] for number in range(len(bodies))]
    contents = [(f"{files[number]}#{anchor}", heading) for anchor, heading, number in sections]
    citing = [t for t in glossary.terms if any(c.source == source.id for c in t.all_citations)]
    placed: set[tuple[str, str]] = set()
    for number, body in enumerate(bodies):
        placed.update((source.id, anchor) for anchor in uses.placed_anchors(body))
        page(source_page(source.id, number), "source.html", source=source, body=body, sections=contents,
             citing=citing if number == 0 else [], pages=files, number=number,
             one_line=source.format == "text" and seed.counts_sentences, per_paragraph=essay.SENTENCES_PER_PARAGRAPH)
    return placed
