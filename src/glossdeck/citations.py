"""Glossary + seeds → resolved glossary: each quote's location, or a problem naming the nearest passage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rapidfuzz import fuzz

from glossdeck.errors import Problems
from glossdeck.model import Citation, Glossary, Location, Term, View, elision_pieces
from glossdeck.seeds import Seed, normalize_text

MAX_ELISION_GAP = 1500  # normalized characters allowed between the pieces of an elided quote
# The nearest-passage search costs about the square of the quote's length: it looks for the quote's opening
# only, which is longer than any quote `check` allows (limits.QUOTE), so a pasted page cannot take minutes.
NEAREST_NEEDLE = 600


@dataclass(frozen=True)
class Match:
    """A quote found in a seed: normalized [start, end) of the whole quote."""

    start: int
    end: int
    elided: bool = False


def find_all(seed: Seed, quote: str) -> list[Match]:
    """Every place the quote (possibly elided) occurs in the seed's normalized text."""
    markdown = seed.source.format == "markdown"
    pieces = [normalize_text(p, markdown) for p in elision_pieces(quote)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return []
    whole = normalize_text(quote, markdown)
    matches = _occurrences(seed.text, whole)
    if matches or len(pieces) == 1:
        return matches
    found = []
    for first in _occurrences(seed.text, pieces[0]):
        end = first.end
        for piece in pieces[1:]:
            at = seed.text.find(piece, end, end + MAX_ELISION_GAP + len(piece))
            if at < 0:
                break
            end = at + len(piece)
        else:
            found.append(Match(first.start, end, elided=True))
    return found


def _occurrences(text: str, needle: str) -> list[Match]:
    found = []
    at = text.find(needle)
    while at >= 0:
        found.append(Match(at, at + len(needle)))
        at = text.find(needle, at + 1)
    return found


def locate(seed: Seed, match: Match) -> Location:
    start, end = seed.raw_span(match.start, match.end)
    line, column = seed.line_and_column(start)
    return Location(start, end, line, column, seed.heading_at(start), seed.raw[start:end], match.elided)


def nearest_passage(seed: Seed, quote: str) -> tuple[str, float]:
    """The passage of the seed most like the quote, and how alike they are (0–100)."""
    needle = normalize_text(quote, seed.source.format == "markdown")[:NEAREST_NEEDLE]
    best = fuzz.partial_ratio_alignment(needle, seed.text, processor=str.casefold)
    if best is None:
        return "", 0.0
    start, end = best.dest_start, best.dest_end
    while 0 < start < len(seed.text) and seed.text[start].isalnum() and seed.text[start - 1].isalnum():
        start -= 1  # widen to whole words
    while 0 < end < len(seed.text) and seed.text[end - 1].isalnum() and seed.text[end].isalnum():
        end += 1
    return seed.text[start:end].lstrip(" .,;:!?)"), best.score


def resolve(glossary: Glossary, seeds: dict[str, Seed], problems: Problems) -> Glossary:
    """Find every citation in its seed; return the glossary with each citation's location filled in."""
    terms = tuple(_resolve_term(term, seeds, problems) for term in glossary.terms)
    return dataclasses.replace(glossary, terms=terms)


def _resolve_term(term: Term, seeds: dict[str, Seed], problems: Problems) -> Term:
    citations = tuple(_resolve(c, seeds, problems) for c in term.citations)
    views = tuple(
        View(v.holder, v.summary, tuple(_resolve(c, seeds, problems) for c in v.citations), v.line)
        for v in term.views
    )
    return dataclasses.replace(term, citations=citations, views=views)


def _resolve(citation: Citation, seeds: dict[str, Seed], problems: Problems) -> Citation:
    seed = seeds.get(citation.source)
    if seed is None:  # its seed failed to load, which is reported already
        return citation
    matches = find_all(seed, citation.quote)
    if citation.prefix:
        matches = _after_prefix(seed, matches, citation.prefix)
    where = (citation.path, citation.line)
    if not matches:
        _report_not_found(citation, seed, seeds, problems)
        return citation
    if citation.occurrence is not None:
        if citation.occurrence > len(matches):
            problems.error(*where, f"`occurrence: {citation.occurrence}` but the quote occurs only "
                           f"{len(matches)} time{'s' if len(matches) != 1 else ''} in `{seed.source.id}`",
                           "count occurrences from 1, in reading order")
            return citation
        match = matches[citation.occurrence - 1]
    elif len(matches) > 1:
        lines = ", ".join(_where(seed, m) for m in matches[:6])
        problems.error(*where, f"quote occurs {len(matches)} times in `{seed.source.id}` ({lines})",
                       "lengthen the quote until it is unique, or add `occurrence: N` (1 = first) "
                       "or `prefix:` with the words just before it")
        return citation
    else:
        match = matches[0]
    location = locate(seed, match)
    for start, end, why in seed.unquotable_spans:
        if start < location.end and location.start < end:
            problems.error(*where, f"quote falls in a passage of `{seed.source.id}` that must not be cited: {why}",
                           "quote the author's argument itself, not this passage")
            return citation
    if seed.source.speakers:
        spoken_by = seed.speaker_at(location.start)
        if citation.speaker and spoken_by and spoken_by != citation.speaker:
            problems.error(*where, f"quote is spoken by {spoken_by}, not {citation.speaker}",
                           f"set `speaker: {spoken_by}`, and check the point still stands for that speaker")
            return citation
    return dataclasses.replace(citation, location=location)


def _after_prefix(seed: Seed, matches: list[Match], prefix: str) -> list[Match]:
    wanted = normalize_text(prefix, seed.source.format == "markdown")
    return [m for m in matches if seed.text[: m.start].rstrip().endswith(wanted)]


def _where(seed: Seed, match: Match) -> str:
    start, _ = seed.raw_span(match.start, match.end)
    line, _ = seed.line_and_column(start)
    return f"line {line}" if seed.raw.count("\n") > 0 else f"char {start + 1}"


def _report_not_found(citation: Citation, seed: Seed, seeds: dict[str, Seed], problems: Problems) -> None:
    where = (citation.path, citation.line)
    for other in seeds.values():
        if other is not seed and find_all(other, citation.quote):
            problems.error(*where, f"quote not found in `{seed.source.id}`, but it is in `{other.source.id}`",
                           f"set `source: {other.source.id}`")
            return
    passage, score = nearest_passage(seed, citation.quote)
    shown = passage if len(passage) <= 240 else passage[:237] + "…"
    problems.error(*where, f"quote not found in `{seed.source.id}`; the nearest passage "
                   f"({score:.0f}% alike) is: “{shown}”",
                   "copy the words exactly as the essay has them (typos included); only line breaks, "
                   "curly/straight quotes and Markdown markup are forgiven")
