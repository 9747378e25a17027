"""Glossary + seeds → resolved glossary: each quote's location, or a problem naming the nearest passage."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from glossdeck.errors import Problems
from glossdeck.model import Citation, Glossary, Location, Term, describe_char, elision_pieces, invisible
from glossdeck.seeds import Seed, fold

MIN_PIECE_WORDS = 3  # each piece of an elided quote: a run of words that says something on its own
MAX_ELISION_GAP = 400  # normalized characters left out between two pieces: a few sentences at most
# The nearest-passage search costs about the square of the quote's length: it looks for the quote's opening
# only, which is longer than any quote `check` allows (limits.QUOTE), so a pasted page cannot take minutes.
NEAREST_NEEDLE = 600


@dataclass(frozen=True)
class Match:
    """A quote found in a seed: normalized [start, end) of the whole quote, and of each piece when elided."""

    start: int
    end: int
    elided: bool = False
    pieces: tuple[tuple[int, int], ...] = ()

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The normalized spans actually quoted (the elided gaps left out)."""
        return self.pieces or ((self.start, self.end),)


def find_all(seed: Seed, quote: str) -> list[Match]:
    """Every place the quote (possibly elided) occurs in what a reader of the seed sees, as whole words."""
    quote = seed.read_quote(quote)
    whole = fold(quote)
    if not whole:
        return []
    matches = _occurrences(seed, whole)
    pieces = [fold(p) for p in elision_pieces(quote)]
    if matches or len(pieces) < 2 or short_pieces(quote):
        return matches
    found = []
    for first in _occurrences(seed, pieces[0]):
        spans = [(first.start, first.end)]
        for piece in pieces[1:]:
            after = spans[-1][1]
            following = [m for m in _occurrences(seed, piece, after, after + MAX_ELISION_GAP + len(piece))
                         if _leaves_out_words(seed.text[after : m.start])]
            if not following:
                break
            spans.append((following[0].start, following[0].end))
        else:
            found.append(Match(spans[0][0], spans[-1][1], elided=True, pieces=tuple(spans)))
    return found


def _leaves_out_words(gap: str) -> bool:
    """An ellipsis stands for words left out: an elided gap must hold at least one."""
    return any(ch.isalnum() for ch in gap)


def short_pieces(quote: str) -> list[str]:
    """The pieces of an elided quote too short to stand on their own (none for an unelided quote)."""
    pieces = elision_pieces(quote)
    return [p for p in pieces if len(re.findall(r"\w+", p)) < MIN_PIECE_WORDS] if len(pieces) > 1 else []


def _occurrences(seed: Seed, needle: str, low: int = 0, high: int | None = None) -> list[Match]:
    """Where the needle occurs in seed.text[low:high], starting and ending on word boundaries."""
    text = seed.text
    found = []
    at = text.find(needle, low, high)
    while at >= 0:
        if not seed.cuts_word(at) and not seed.cuts_word(at + len(needle)):
            found.append(Match(at, at + len(needle)))
        at = text.find(needle, at + 1, high)
    return found


def locate(seed: Seed, match: Match) -> Location:
    start, end = seed.raw_span(match.start, match.end)
    line, column = seed.line_and_column(start)
    heading, paragraph = seed.place(start)
    number, label = seed.page_at(start) or (0, "")
    return Location(start, end, line, column, heading, seed.raw[start:end], match.elided, paragraph,
                    "sentence" if seed.counts_sentences else "paragraph", label, number)


def nearest_passage(seed: Seed, quote: str) -> tuple[str, float]:
    """The passage of the seed most like the quote, and how alike they are (0–100)."""
    needle = seed.needle(quote)[:NEAREST_NEEDLE]
    from rapidfuzz import fuzz  # only when a quote is not found: `check` of a sound glossary never loads it

    best = fuzz.partial_ratio_alignment(needle, seed.text, processor=str.casefold)
    if best is None:
        return "", 0.0
    start, end = _whole_word_edge(seed.text, best.dest_start), _whole_word_edge(seed.text, best.dest_end)
    return seed.text[start:end].lstrip(" .,;:!?)").rstrip(), best.score


def _whole_word_edge(text: str, at: int) -> int:
    """An edge of the nearest passage moved off the middle of a word: to the word's nearer end."""
    if not (0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()):
        return at
    begin, end = at, at
    while begin > 0 and text[begin - 1].isalnum():
        begin -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return begin if at - begin <= end - at else end


def resolve(glossary: Glossary, seeds: dict[str, Seed], problems: Problems) -> Glossary:
    """Find every citation in its seed; return the glossary with each citation's location filled in."""
    terms = tuple(resolve_term(term, seeds, problems) for term in glossary.terms)
    return dataclasses.replace(glossary, terms=terms)


def resolve_term(term: Term, seeds: dict[str, Seed], problems: Problems) -> Term:
    """The term with each of its quotes (and its views' quotes) located in its seed."""
    citations = tuple(_resolve(c, seeds, problems) for c in term.citations)
    views = tuple(dataclasses.replace(v, citations=tuple(_resolve(c, seeds, problems) for c in v.citations))
                  for v in term.views)
    return dataclasses.replace(term, citations=citations, views=views)


def resolve_citation(citation: Citation, seeds: dict[str, Seed], problems: Problems) -> Citation:
    """One citation with its location filled in, or as it was with its problems reported."""
    return _resolve(citation, seeds, problems)


def _resolve(citation: Citation, seeds: dict[str, Seed], problems: Problems) -> Citation:
    seed = seeds.get(citation.source)
    if seed is None:  # its seed failed to load, which is reported already
        return citation
    where = (citation.path, citation.line)
    matches = find_all(seed, citation.quote)
    if citation.prefix:
        after_prefix = _after_prefix(seed, matches, citation.prefix)
        if matches and not after_prefix:
            problems.error(*where, f"quote occurs in `{seed.source.id}`, but never right after the prefix "
                           f"“{citation.prefix}”", "`prefix:` must be the whole words just before the quote")
            return citation
        matches = after_prefix
    if not matches:
        _report_not_found(citation, seed, seeds, problems)
        return citation
    if citation.occurrence is not None:
        if citation.occurrence > len(matches):
            problems.error(*where, f"`occurrence: {citation.occurrence}` but the quote occurs only "
                           f"{len(matches)} time{'s' if len(matches) != 1 else ''} in `{seed.source.id}`",
                           "count occurrences from 1, in reading order (whole-word matches only)")
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
    refusal = refusal_at(seed, match, citation.speaker)
    if refusal:
        problems.error(*where, *refusal)
        return citation
    # shown as checked: a quote typed with Markdown (`code`, 5\\*4) is shown as its reader sees it
    return dataclasses.replace(citation, quote=seed.read_quote(citation.quote), location=locate(seed, match))


def refusal_at(seed: Seed, match: Match, speaker: str | None) -> tuple[str, str] | None:
    """Why the quote found at this match may not be cited (message, hint), or None if it may."""
    source = seed.source.id
    spans = [seed.raw_span(start, end) for start, end in match.spans]
    for start, end, why in seed.unquotable_spans:
        if any(s < end and start < e for s, e in spans):
            return (f"quote falls in a passage of `{source}` that must not be cited: {why}",
                    "quote the author's argument itself, not this passage")
    start, end = seed.raw_span(match.start, match.end)
    crossed = seed.section_starts_within(start, end)
    if crossed:
        at, heading = crossed[0]
        return (f"quote runs across the heading “{heading or seed.source.title}” ({_place(seed, at)}) of `{source}`",
                "a quote stays within one section: cite each section's words separately")
    if not seed.source.speakers:
        return None
    turns = seed.turns_within(start, end)
    if turns:
        at, next_speakers = turns[0]
        return (f"quote runs from {_names(seed.speakers_at(start))}'s turn into {_names(next_speakers)}'s "
                f"({_place(seed, at)})",
                "a quote holds one speaker's words: end it before the next turn, or cite each turn separately")
    label = seed.speaker_label_within(start, end)
    if label:
        return (f"quote takes in the speaker label “{label}”, which is no one's words",
                "start the quote after the label, with the speaker's first word")
    spoken_by = seed.speakers_at(start)
    if not spoken_by:
        return (f"quote stands before the first turn of `{source}`, where no speaker speaks",
                "quote a speaker's turn (it starts with **Name**:)")
    if speaker and speaker not in spoken_by:
        return (f"quote is spoken by {_names(spoken_by)}, not {speaker}",
                f"set `speaker: {spoken_by[0]}`, and check the point still stands for that speaker")
    return None


def _names(speakers: tuple[str, ...]) -> str:
    return " and ".join(speakers) if speakers else "no one"


def _after_prefix(seed: Seed, matches: list[Match], prefix: str) -> list[Match]:
    wanted = seed.needle(prefix)
    kept = []
    for match in matches:
        end = match.start
        while end > 0 and seed.text[end - 1] == " ":
            end -= 1
        if seed.text.endswith(wanted, 0, end) and not seed.cuts_word(end - len(wanted)):
            kept.append(match)
    return kept


def _where(seed: Seed, match: Match) -> str:
    return _place(seed, seed.raw_span(match.start, match.end)[0])


def _place(seed: Seed, offset: int) -> str:
    """A raw offset as messages give it: its line, or in a text of one line its character."""
    return f"line {seed.line_and_column(offset)[0]}" if "\n" in seed.raw.rstrip("\n") else f"char {offset + 1}"


def _report_not_found(citation: Citation, seed: Seed, seeds: dict[str, Seed], problems: Problems) -> None:
    where = (citation.path, citation.line)
    short = short_pieces(citation.quote)
    if short and not _cut_occurrences(seed, seed.needle(citation.quote)):
        words = len(re.findall(r"\w+", short[0]))
        problems.error(*where, f"piece “{short[0]}” of the elided quote is {words} word{'s' if words != 1 else ''}; "
                       f"each piece needs at least {MIN_PIECE_WORDS}",
                       "quote a longer run of words on each side of the “…”, or quote the passage whole")
        return
    found = _explain_miss(seed, citation.quote)
    if found:
        problems.error(*where, *found)
        return
    for other in seeds.values():
        if other is not seed and find_all(other, citation.quote):
            problems.error(*where, f"quote not found in `{seed.source.id}`, but it is in `{other.source.id}`",
                           f"set `source: {other.source.id}`")
            return
    passage, score = nearest_passage(seed, citation.quote)
    shown = passage if len(passage) <= 240 else passage[:237] + "…"
    problems.error(*where, f"quote not found in `{seed.source.id}`; the nearest passage "
                   f"({score:.0f}% alike) is: “{shown}”",
                   "copy the words exactly as the text has them (typos included); only line breaks, "
                   "curly/straight quotes and Markdown markup are forgiven")


def _explain_miss(seed: Seed, quote: str) -> tuple[str, str] | None:
    """Why a quote that looks right is not found (message, hint): an invisible difference, a cut word, an
    elision that strays too far; None when it is simply not there."""
    source = seed.source.id
    invisible_only = _invisible_difference(seed, quote)
    if invisible_only:
        return invisible_only
    pieces = [fold(p) for p in elision_pieces(seed.read_quote(quote))]
    for piece in pieces:
        cut = _cut_occurrences(seed, piece)
        if cut and not _occurrences(seed, piece):
            start, end = seed.whole_words(cut[0], cut[0] + len(piece))
            what = "the quote" if len(pieces) == 1 else f"piece “{piece}”"
            return (f"{what} is in `{source}` only as part of longer words: the text has "
                    f"“{seed.text[start:end]}” ({_where(seed, Match(start, end))})",
                    "start and end a quote on whole words; the whole word may say the opposite "
                    "(“possible” in “impossible”), so check the point still stands")
    spacing = _spacing_difference(seed, quote)
    if spacing:
        return spacing
    if len(pieces) > 1 and _occurrences(seed, " ".join(pieces)):
        return (f"the “…” of the elided quote leaves nothing out: its pieces stand side by side in `{source}`",
                "drop the “…” and quote the words as they stand")
    if len(pieces) > 1 and all(_occurrences(seed, p) for p in pieces):
        return (f"every piece of the elided quote is in `{source}`, but not in this order with at most "
                f"{MAX_ELISION_GAP} characters left out between pieces",
                "elide only within a short passage: pieces in reading order, a few sentences apart at most, "
                "in one section and one speaker's turn")
    return None


def _cut_occurrences(seed: Seed, needle: str) -> list[int]:
    """Where the needle occurs at all, whole words or not (the first few)."""
    found: list[int] = []
    at = seed.text.find(needle) if needle else -1
    while at >= 0 and len(found) < 6:
        found.append(at)
        at = seed.text.find(needle, at + 1)
    return found


def _invisible_difference(seed: Seed, quote: str) -> tuple[str, str] | None:
    """If the quote matches once invisible characters and Unicode normalization are set aside, say exactly how
    it differs (the character and its position) rather than show a nearest passage that looks the same."""
    source = seed.source.id
    visible = unicodedata.normalize("NFC", "".join(ch for ch in quote if not invisible(ch)))
    if visible != quote and find_all(seed, visible):
        for index, char in enumerate(quote, 1):
            if invisible(char):
                return (f"quote differs from `{source}` only by an invisible character: it has {describe_char(char)} "
                        f"at character {index}{_after(quote, index - 1)}, which the text does not have",
                        "delete that character (retype the words around it)")
        index, letter = _decomposed(quote)
        return (f"quote differs from `{source}` only by Unicode normalization: “{letter}” at character {index} is "
                f"decomposed (NFD: {' + '.join(map(describe_char, letter))}) where the text has the single "
                f"character {describe_char(unicodedata.normalize('NFC', letter))} (NFC)",
                "retype that letter, or convert the quote to NFC")
    needle = seed.needle(visible)
    for at in seed.hidden:  # the essay's own invisible and combining characters, if any
        window = seed.text[max(0, at - len(needle) - 2) : at + len(needle) + 2]
        plain = unicodedata.normalize("NFC", "".join(ch for ch in window if not invisible(ch)))
        if needle and needle in plain and needle not in window:
            char = seed.text[at]
            line, column = seed.line_and_column(seed.offsets[at])
            if not invisible(char):
                letter = seed.text[at - 1 : at + 1]
                return (f"quote differs from `{source}` only by Unicode normalization: the text writes “{letter}” "
                        f"(line {line}) decomposed (NFD: {' + '.join(map(describe_char, letter))}), the quote "
                        "as one character (NFC)",
                        "copy the quote from the text itself, so that its letters are encoded the same way")
            return (f"quote differs from `{source}` only by an invisible character: the text has "
                    f"{describe_char(char)} at line {line}, column {column}{_after(seed.text, at)}, which the quote "
                    "does not have", "copy the quote from the text itself, invisible character included")
    return None


def _decomposed(text: str) -> tuple[int, str]:
    """The first letter written as base + combining mark(s) that NFC would join: its 1-based index and chars."""
    for index in range(1, len(text)):
        if unicodedata.combining(text[index]):
            start = index - 1
            end = index
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            if unicodedata.normalize("NFC", text[start:end]) != text[start:end]:
                return start + 1, text[start:end]
    return 1, text[:1]


def _spacing_difference(seed: Seed, quote: str) -> tuple[str, str] | None:
    """If the quote matches once spaces are set aside (a no-break space pasted where the essay has none, or
    the essay's " ," spacing), say where the spacing differs."""
    needle = seed.needle(quote)
    squeezed = needle.replace(" ", "")
    text, back = seed.unspaced
    at = text.find(squeezed) if len(squeezed) > 1 else -1
    if at < 0:
        return None
    start, end = back[at], back[at + len(squeezed) - 1] + 1
    passage = seed.text[start:end]
    if passage == needle or seed.cuts_word(start) or seed.cuts_word(end):
        return None
    mine = theirs = 0
    while mine < len(needle) and needle[mine] == passage[theirs]:
        mine += 1
        theirs += 1
    source = seed.source.id
    if mine < len(needle) and needle[mine] == " ":
        return (f"quote differs from `{source}` only in spacing: it has a space at character {mine + 1}"
                f"{_after(needle, mine)} where the text has none (a no-break space counts as a space)",
                f"write it as the text does: “{passage}”")
    return (f"quote differs from `{source}` only in spacing: the text has a space{_after(passage, theirs)} "
            f"where the quote has none", f"write it as the text does: “{passage}”")


def _after(text: str, index: int) -> str:
    """Where a char stands, for messages: the words just before it."""
    return f" (after “{text[max(0, index - 20) : index]}”)" if index > 0 else " (at the very start)"
