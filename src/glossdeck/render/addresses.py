"""Every address the outputs link to: site pages, passage anchors, text fragments into the originals."""

from __future__ import annotations

import bisect
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from pathlib import Path

from glossdeck.layout import SEEDS_DIR
from glossdeck.model import Citation, Glossary, Location, Settings, Source
from glossdeck.seeds import Seed, read_seed

EDGE_WORDS = 4  # words a text fragment's start and end take from the quote
# A source's page on the site weighs about PAGE_WEIGHT bytes at most (a longer source is cut at its headings),
# reckoned as CHAR_WEIGHT bytes a character of the source, PASSAGE_WEIGHT a cited passage (its highlight, anchor
# and "cited in") and CITER_WEIGHT each term named after it (at most CITERS_SHOWN are; the rest are counted).
PAGE_WEIGHT = 170_000
CHAR_WEIGHT = 1.6
PASSAGE_WEIGHT = 120
CITER_WEIGHT = 90
CITERS_SHOWN = 8
MAX_CONTEXT_WORDS = 8  # words of prefix tried before the start is left ambiguous


def passage_anchor(location: Location) -> str:
    """The id of a cited passage on its source page: the same passage always gets the same id."""
    return f"q{location.start}-{location.end}"


def source_page(source_id: str, page: int = 0) -> str:
    """A source's page on the site: its first, or (from 1) a later one of a source too long for one page."""
    return f"sources/{source_id}.html" if page == 0 else f"sources/{source_id}-{page + 1}.html"


def page_starts(seed: Seed, passages: Sequence[tuple[int, int]] = ()) -> tuple[int, ...]:
    """Raw offsets where each page of a source begins on the site: the first at 0, each later one at a heading,
    so that a page weighs about PAGE_WEIGHT bytes (a quote never crosses a heading, so never a page; nor is an
    author's note cut). A section heavier than that stays whole.

    A page's weight is reckoned from the seed and the glossary alone, so that every output links to the same
    page: CHAR_WEIGHT bytes a character, and each cited passage (raw start, number of terms citing it) its
    highlight and the terms named after it.
    """
    notes = seed.unquotable_spans
    cuts = [at for at, _ in seed.headings if not any(start < at < end for start, end, _ in notes)]
    cited = sorted(passages)
    weight_before = [0.0]
    for _, citers in cited:
        weight_before.append(weight_before[-1] + PASSAGE_WEIGHT + CITER_WEIGHT * min(citers, CITERS_SHOWN))

    def weight(start: int, end: int) -> float:
        first, last = bisect.bisect_left(cited, (start,)), bisect.bisect_left(cited, (end,))
        return CHAR_WEIGHT * (end - start) + weight_before[last] - weight_before[first]

    starts = [0]
    previous = 0
    for at in [*cuts, len(seed.raw)]:
        if weight(starts[-1], at) > PAGE_WEIGHT and previous > starts[-1]:
            starts.append(previous)
        previous = at
    return tuple(starts)


def page_of(starts: tuple[int, ...], offset: int) -> int:
    """The page (from 0) that holds a raw offset of the source."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def source_pages(glossary: Glossary, source: Source) -> tuple[int, ...]:
    """page_starts of a source with the glossary's passages of it, worked out once per glossary and source."""
    key = (id(glossary), source.id)
    if key not in _PAGES or _PAGES[key][0] is not glossary:
        if len(_PAGES) > 64:
            _PAGES.clear()
        citers: dict[tuple[int, int], set[str]] = {}
        for term in glossary.terms:
            for citation in term.all_citations:
                if citation.source == source.id and citation.location is not None:
                    citers.setdefault((citation.location.start, citation.location.end), set()).add(term.id)
        passages = sorted((start, len(terms)) for (start, _), terms in citers.items())
        _PAGES[key] = (glossary, page_starts(seed_of(glossary, source), passages))
    return _PAGES[key][1]


_PAGES: dict[tuple[int, str], tuple[Glossary, tuple[int, ...]]] = {}  # the glossary kept, so its id stays its own


def passage_page(glossary: Glossary, citation: Citation) -> str:
    """The page of the site that shows a cited passage."""
    assert citation.location is not None, "citations are resolved before rendering"
    source = glossary.sources[citation.source]
    return source_page(source.id, page_of(source_pages(glossary, source), citation.location.start))


def term_page(term_id: str) -> str:
    return f"terms/{term_id}.html"


@dataclass(frozen=True)
class Piece:
    """One visible stretch of a quote (an elided quote has several): raw [start, end) in the seed."""

    start: int
    end: int
    text: str  # as the reader of the essay sees it: markup dropped, spaces collapsed, characters unfolded


def pieces(seed: Seed, citation: Citation) -> list[Piece]:
    """The stretches of the seed that a resolved citation quotes, in order."""
    location = citation.location
    assert location is not None, "citations are resolved before rendering"
    offsets = seed.offsets
    begin, stop = bisect.bisect_left(offsets, location.start), bisect.bisect_left(offsets, location.end)
    texts = citation.pieces if location.elided else (citation.quote,)
    found, at = [], begin
    for text in texts:
        needle = seed.needle(text)
        where = seed.text.find(needle, at, stop)
        if where < 0:  # resolution matched the whole span; mark it whole rather than guess
            return [Piece(location.start, location.end, _visible(seed, begin, stop))]
        start, end = seed.raw_span(where, where + len(needle))
        found.append(Piece(start, end, _visible(seed, where, where + len(needle))))
        at = where + len(needle)
    return found


def _visible(seed: Seed, begin: int, stop: int) -> str:
    """The reader's view with the seed's own characters (curly quotes kept), as a browser shows them."""
    return seed.visible[begin:stop]


def visible_text(seed: Seed) -> str:
    """The whole seed as a reader of its page sees it: markup dropped, spaces collapsed, characters unfolded."""
    return seed.visible


def _folded(text: str) -> str:
    """Lower case for matching as browsers do, one character for one so that offsets still line up."""
    if text.isascii():  # most text: every ASCII letter folds to one letter
        return text.lower()
    return "".join(c.casefold() if len(c.casefold()) == 1 else c for c in text)


@lru_cache(maxsize=16)
def _folded_whole(text: str) -> str:
    """A whole source folded once: cached apart from the short pieces folded per quote, which would evict it."""
    return _folded(text)


def text_fragment(seed: Seed, citation: Citation) -> str:
    """`#:~:text=…` selecting the quote's passage (each piece of an elided one) in the original page."""
    whole = _folded_whole(seed.visible)
    offsets = seed.offsets
    directives = []
    for piece in pieces(seed, citation):
        at = bisect.bisect_left(offsets, piece.start)
        directives.append(_directive(whole, seed, at, piece.text))
    return "#:~:" + "&".join(directives)


def _directive(whole: str, seed: Seed, at: int, text: str) -> str:
    words = text.split()
    if len(words) <= 2 * EDGE_WORDS:
        start, end = " ".join(words), ""
    else:
        start, end = " ".join(words[:EDGE_WORDS]), " ".join(words[-EDGE_WORDS:])
        # the range ends at the first `end` after the start: lengthen it until that is the quote's own end
        count = EDGE_WORDS
        own_end = at + len(text) - len(end)
        while count < len(words) - EDGE_WORDS and whole.find(_folded(end), at + len(start)) != own_end:
            count += 1
            end = " ".join(words[-count:])
            own_end = at + len(text) - len(end)
    prefix = ""
    if whole.find(_folded(start)) != at:  # the start alone would first select an earlier passage
        before = _visible(seed, 0, at).split()
        for count in range(1, min(MAX_CONTEXT_WORDS, len(before)) + 1):
            prefix = " ".join(before[-count:])
            if whole.find(_folded(f"{prefix} {start}")) == at - len(prefix) - 1:
                break
    parts = ([_encode(prefix) + "-"] if prefix else []) + [_encode(start)] + ([_encode(end)] if end else [])
    return "text=" + ",".join(parts)


def _encode(text: str) -> str:
    # "-", "," and "&" are the directive's syntax: percent-encode them too
    return urllib.parse.quote(text, safe="").replace("-", "%2D")


@lru_cache(maxsize=32)
def _seed(path: Path, source: Source) -> Seed:
    return Seed(source, read_seed(path, source))


def seed_of(glossary: Glossary, source: Source) -> Seed:
    """The seed a source's quotes were verified against (already checked by the build)."""
    return _seed(glossary.root / SEEDS_DIR / source.file, source)


def site_passage_url(glossary: Glossary, citation: Citation) -> str | None:
    if glossary.settings.site_url is None or citation.location is None:
        return None
    return f"{glossary.settings.site_url}{passage_page(glossary, citation)}#{passage_anchor(citation.location)}"


def passage_url(glossary: Glossary, citation: Citation) -> str | None:
    """Where a quote's link leads: its passage on the site if published, else the original at the passage."""
    on_site = site_passage_url(glossary, citation)
    if on_site is not None:
        return on_site
    return original_url(glossary, citation)


def original_url(glossary: Glossary, citation: Citation) -> str | None:
    """The original at the quote: the page of a PDF (#page=N), else a text fragment selecting the words."""
    source = glossary.sources[citation.source]
    if source.url is None or citation.location is None:
        return None
    if citation.location.page_number:  # PDF viewers open a page; a text fragment means nothing to them
        return f"{source.url.split('#')[0]}#page={citation.location.page_number}"
    return source.url.split("#")[0] + text_fragment(seed_of(glossary, source), citation)


def term_url(settings: Settings, term_id: str) -> str | None:
    return None if settings.site_url is None else settings.site_url + term_page(term_id)


def source_address(glossary: Glossary, source: Source) -> str | None:
    """A source's page on the site if published, else the original's address; None if it has neither."""
    if glossary.settings.site_url is not None:
        return glossary.settings.site_url + source_page(source.id)
    return source.url
