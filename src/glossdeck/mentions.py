"""Where the sources use each term: every mention of a term's name or alias in a seed, by section."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

from glossdeck.model import Term
from glossdeck.seeds import Seed, fold

# A word is a run of letters and digits; what lies between two words is dropped from a name's key where it is
# space or a hyphen ("mesa-optimizer", "mesa optimizer" and "mesaoptimizer" are one name), kept otherwise
# ("p(doom)", "map/territory").
_WORD = re.compile(r"[^\W_]+")
_LOOSE = re.compile(r"[\s\-‐‑–]+")
_JOINERS = "'-\u2010\u2011"  # inside a word, as seeds.py reads words: "goal-directed" is one word, not "goal"
_HEAD = 3  # characters of each key kept in a set, to turn most words away at once
_LONGEST_GAP = 4  # characters between two words of one name (", " or " / " fit; a sentence break does not)
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")
CONTEXT = 70  # characters of context on each side of a mention, as `find` shows a hit


@dataclass(frozen=True)
class Mention:
    """One place a source uses a term: raw [start, end) in the seed, and where that is in the reader's view."""

    term_id: str
    start: int
    end: int
    view_start: int
    view_end: int
    section: int  # 0 before the first heading, n under the seed's n-th heading
    spelling: str  # the words as the reader sees them, e.g. "Mesa-Optimizers"


def _acronym(word: str) -> bool:
    """An acronym ("AI", "LLMs") named alone is found only in capitals: "ai" or "pm" in running text is not it."""
    return len(word) >= 2 and (word.isupper() or (len(word) >= 3 and word[-1] == "s" and word[:-1].isupper()))


def _fold(word: str) -> str:
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
    return word.casefold()


def _gap(text: str) -> str:
    """What the characters between two words add to a key: nothing for space and hyphens."""
    return _LOOSE.sub("", _fold(text))


def name_keys(name: str) -> list[str]:
    """The keys a name is found by: its own first, then its plurals. Case is folded, but in a one-word acronym."""
    text = fold(name)
    words = list(_WORD.finditer(text))
    if not words:
        return []
    last = words[-1].group()
    if len(words) == 1 and _acronym(last):
        return [last] if last.endswith("s") else [last, last + "s"]
    key = _fold(words[0].group()) + "".join(_gap(text[before.end() : word.start()]) + _fold(word.group())
                                            for before, word in zip(words, words[1:]))
    if not last.isalpha() or len(last) < 2:
        return [key]
    plurals = [key + "s"]
    if last.endswith(("s", "x", "z", "ch", "sh")):
        plurals = [key + "es"]
    elif len(last) > 2 and last[-1] == "y" and last[-2] not in "aeiou":
        plurals.append(key[:-1] + "ies")
    return [key, *plurals]


def _tail(name: str) -> str:
    """Punctuation that ends a name after its last word (the ")" of "p(doom)", the "++" of "C++"): part of the name,
    so the text must have it there too."""
    text = fold(name)
    words = list(_WORD.finditer(text))
    return text[words[-1].end() :].rstrip() if words else ""


def _lead(name: str) -> str:
    """Punctuation that starts a name before its first word (the "." of ".NET"): the text must have it there too."""
    text = fold(name)
    words = list(_WORD.finditer(text))
    return text[: words[0].start()].lstrip() if words else ""


class Finder:
    """Every name and alias of a glossary, sorted by key: one search finds the longest name at each word.

    Looking a run of words up costs a binary search per word over all the keys, so finding the names in a text
    is linear in the text and grows only with the logarithm of the number of names.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        owners: dict[str, str] = {}
        tails: dict[str, str] = {}
        leads: dict[str, str] = {}
        plural: list[tuple[str, str]] = []
        for term in terms:
            for name in (term.term, *term.aliases):
                keys = name_keys(name)
                if not keys:
                    continue
                if keys[0] not in owners:
                    owners[keys[0]] = term.id
                    tails[keys[0]] = _tail(name)
                    leads[keys[0]] = _lead(name)
                plural += [(key, term.id) for key in keys[1:]]
        for key, term_id in plural:  # a name as written wins over another name's plural
            owners.setdefault(key, term_id)
        self._owners = owners
        self._tails = tails
        self._leads = leads
        self._keys = sorted(k for k in owners if not _acronym(k))  # acronyms are looked up as they are written
        # Most words start no name: the first characters of every key turn them away without a search.
        self._heads = {key[:size] for key in self._keys for size in range(1, _HEAD + 1)}

    def __len__(self) -> int:
        return len(self._owners)

    def _is_prefix(self, text: str) -> bool:
        if text[:_HEAD] not in self._heads:
            return False
        at = bisect.bisect_left(self._keys, text)
        return at < len(self._keys) and self._keys[at].startswith(text)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, term id) of each name in the text, as whole words, leftmost and longest first."""
        spans = [m.span() for m in _WORD.finditer(text)]
        words = [text[a:b] for a, b in spans]
        folded = [w.lower() if w.isascii() else _fold(w) for w in words]
        owners, found, index = self._owners, [], 0
        while index < len(words):
            best, key = self._longest(text, spans, folded, index)
            word = words[index]
            if best <= index and _acronym(word) and word in owners:
                best, key = index, word  # "AI" as written; a longer name ("AI safety") still wins
            if key:
                start, end = spans[index][0], spans[best][1]
                tail, lead = self._tails.get(key, ""), self._leads.get(key, "")
                # A name's own punctuation is part of it: "C" in running text is not "C++", nor "NET" ".NET".
                ends_as_named = not tail or text[end : end + len(tail)].casefold() == tail
                starts_as_named = not lead or text[max(start - len(lead), 0) : start].casefold() == lead
                if ends_as_named and starts_as_named and _whole(text, start - len(lead), end + len(tail)):
                    start, end = start - len(lead), end + len(tail)
                    found.append((start, end, owners[key]))
                    index = best + 1
                    continue
            index += 1
        return found

    def _longest(self, text: str, spans: list[tuple[int, int]], folded: list[str], index: int) -> tuple[int, str]:
        """The last word and the key of the longest name (not an acronym) starting at word `index`."""
        best, best_key = index - 1, ""
        key, last = folded[index], index
        while self._is_prefix(key):
            if key in self._owners:
                best, best_key = last, key
            if last + 1 == len(spans):
                break
            between = text[spans[last][1] : spans[last + 1][0]]
            if len(between) > _LONGEST_GAP:
                break
            last += 1
            key += (between if between == " " else _gap(between)).strip() + folded[last]
        return best, best_key


def _whole(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is whole words: not the end of "goal-directed" nor the start of "AI-written".

    A possessive ("Goodhart's") still counts as the name.
    """
    if start >= 1 and text[start - 1] == "_" or end < len(text) and text[end] == "_":
        return False  # part of an identifier or an address ("security_mindset")
    if start >= 2 and text[start - 1] in _JOINERS and text[start - 2].isalnum():
        return False
    if end + 1 < len(text) and text[end] in _JOINERS and text[end + 1].isalnum():
        return text[end] == "'" and text[end + 1] == "s" and (end + 2 == len(text) or not text[end + 2].isalnum())
    return True


@dataclass(frozen=True)
class SourceMentions:
    """Every mention in one source, in reading order, and the raw spans where none may become a link."""

    seed: Seed
    mentions: tuple[Mention, ...]
    unlinkable: tuple[tuple[int, int], ...]  # raw [start, end) of headings, code and the essay's own links

    def in_section(self, section: int) -> list[Mention]:
        return [m for m in self.mentions if m.section == section]

    def first_per_section(self, excluded: Sequence[tuple[int, int]] = ()) -> list[Mention]:
        """The first mention of each term in each section that lies outside headings, code, the essay's own links
        and every excluded raw span (a quote's highlight), in reading order: the ones to link."""
        blocked = _Spans([*self.unlinkable, *excluded])
        seen: set[tuple[int, str]] = set()
        chosen = []
        for mention in self.mentions:
            key = (mention.section, mention.term_id)
            if key in seen or blocked.overlaps(mention.start, mention.end):
                continue
            seen.add(key)
            chosen.append(mention)
        return chosen

    def place(self, mention: Mention) -> str:
        """Where a reader finds the mention: its section and paragraph (or sentence), as quotes are placed."""
        heading, number = self.seed.place(mention.start)
        unit = "sentence" if self.seed.counts_sentences else "¶"
        where = f"{unit} {number}"
        return f"§ {heading}, {where}" if heading else where

    def context(self, mention: Mention, width: int = CONTEXT) -> tuple[str, str, str]:
        """The words before, the mention and the words after, as the reader sees them (as `find` shows a hit)."""
        text = self.seed.visible
        return (text[max(0, mention.view_start - width) : mention.view_start],
                text[mention.view_start : mention.view_end], text[mention.view_end : mention.view_end + width])


class _Spans:
    """Raw spans, merged and sorted, asked whether they overlap a span in logarithmic time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect.bisect_right(self._starts, start) - 1
        if at >= 0 and self._ends[at] > start:
            return True
        return at + 1 < len(self._starts) and self._starts[at + 1] < end


def unlinkable_spans(seed: Seed) -> list[tuple[int, int]]:
    """Raw [start, end) of what a mention must not be linked in: headings, code and the essay's own links."""
    spans = [(r.raw_start, r.raw_end) for r in seed.reading.regions]  # a Markdown seed's, as its reader sees them
    if seed.source.format != "markdown":
        for at, _ in seed.headings:
            heading = next(h for h in seed.source.headings if seed.raw.find(h) == at)
            spans.append((at, at + len(heading)))
    return spans


def in_seed(finder: Finder, seed: Seed) -> SourceMentions:
    """Every mention of the finder's names in the seed, as the reader sees its text."""
    unlinkable = unlinkable_spans(seed)
    starts = [at for at, _ in seed.headings]
    text = seed.text
    addresses = _Spans(m.span() for m in _ADDRESS.finditer(text))  # "…/posts/sharp-left-turn" is no use of it
    found = []
    for view_start, view_end, term_id in finder.find(text):
        if addresses.overlaps(view_start, view_end):
            continue
        start, end = seed.raw_span(view_start, view_end)
        section = bisect.bisect_right(starts, start)
        found.append(Mention(term_id, start, end, view_start, view_end, section, text[view_start:view_end]))
    return SourceMentions(seed, tuple(found), tuple(unlinkable))


@dataclass(frozen=True)
class Mentions:
    """Every source's mentions, and each term's, for a glossary."""

    sources: dict[str, SourceMentions]

    @cached_property
    def by_term(self) -> dict[str, list[tuple[str, Mention]]]:
        """For each mentioned term, (source id, mention) in source order, then reading order."""
        found: dict[str, list[tuple[str, Mention]]] = {}
        for source_id, here in self.sources.items():
            for mention in here.mentions:
                found.setdefault(mention.term_id, []).append((source_id, mention))
        return found

    def spellings(self, term_id: str) -> list[str]:
        """The distinct ways the sources write the term, in the order first met (case kept)."""
        seen: dict[str, None] = {}
        for _, mention in self.by_term.get(term_id, []):
            seen.setdefault(" ".join(mention.spelling.split()), None)
        return list(seen)


def find_all(terms: Sequence[Term], seeds: dict[str, Seed]) -> Mentions:
    """Every mention of every term in every seed."""
    finder = Finder(terms)
    return Mentions({source_id: in_seed(finder, seed) for source_id, seed in seeds.items()})


def unmentioned(terms: Sequence[Term], mentions: Mentions) -> list[Term]:
    """The terms no source mentions by any of their names."""
    return [t for t in terms if t.id not in mentions.by_term]
