"""The quotes that make cloze cards: each quote of a term that names it, and where the names stand in it."""

from __future__ import annotations

from collections.abc import Sequence

from glossdeck.model import Citation, Term
from glossdeck.seeds import cuts_word

# "widgets" and "widget's" mention the name "widget": the ending is hidden with it
ENDINGS = ("'s", "es", "s")
_FOLDED = str.maketrans({"’": "'", "‘": "'", "\u2010": "-", "\u2011": "-"})


def name_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    """Where any of the names stands in the text as whole words, by the quotes' word-boundary rule.

    Case is ignored, a space and a hyphen between a name's words count alike, and a plural
    or possessive ending joins the name; where two names overlap, the longer one that starts first wins.
    """
    folded = _fold(text)
    spans = []
    for name in names:
        words = _fold(name).replace("-", " ").split()
        for needle in dict.fromkeys((" ".join(words), "-".join(words))):
            at = folded.find(needle)
            while at >= 0 and needle:
                end = _word_end(folded, at + len(needle))
                if end is not None and not cuts_word(folded, at):
                    spans.append((at, end))
                at = folded.find(needle, at + 1)
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end))
    return chosen


def _word_end(text: str, end: int) -> int | None:
    """Where the word ends if the name ends it, with an ending or without; None if the name stops mid-word."""
    if not cuts_word(text, end):
        return end
    for ending in ENDINGS:
        if text.startswith(ending, end) and not cuts_word(text, end + len(ending)):
            return end + len(ending)
    return None


def _fold(text: str) -> str:
    """Lower case, one character for one, so that offsets stay those of the text; whitespace as spaces."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters (İ) lower to two characters: keep those as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return "".join(" " if c.isspace() else c for c in lowered.translate(_FOLDED))


def cloze_quotes(term: Term) -> list[tuple[Citation, list[tuple[int, int]]]]:
    """The term's quotes (its views' too) that name it, once each, with where its names stand in them."""
    found = []
    seen = set()
    for citation in term.all_citations:
        if (citation.source, citation.quote) in seen:
            continue
        seen.add((citation.source, citation.quote))
        spans = name_spans(citation.display, (term.term, *term.aliases))
        if spans:
            found.append((citation, spans))
    return found
