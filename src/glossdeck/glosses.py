"""How alike two glosses are: a TF-IDF cosine of their content words, so that each gloss points at one term."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from glossdeck import markup

# Two glosses at or above this are too alike for a meaning → term card. Measured on the shipped glossary
# before issue 19 (docs/glossary-format.md, "Glosses that point at one term"): of its 7,021 pairs of glosses,
# half shared no content word and 99% scored below 0.20, while the pairs a reader found confusable scored
# 0.265 to 0.354; the pairs just under 0.26 were not confusable (bench/glosses.py lists them).
LIMIT = 0.26

# Function words say nothing about which term a gloss describes.
_STOP_WORDS = frozenset("""
a an the of to in on for by with as at from into onto upon and or nor but so than then that this these those
it its itself is are was were be been being has have had having do does did can could may might must shall
should will would which who whom whose what when where why how not no any all each every some such one ones own
other others another very more most much many few less least far well just only also even still yet again ever
about over under their them they his her he she we our us you your i my me there here both either neither
whether while until up down out off once rather instead toward towards via per without within among between
through against beyond across along after before during since because if though although unless whereas
""".split())
# A light stemmer: enough to match "generalize" with "generalizes", "learn" with "learning"; longest first.
_SUFFIX = re.compile(r"(.{3,}?)(?:izations|isations|ization|isation|ations|ation|ings|ing|ers|er|ies|ied|es|ed|ly"
                     r"|s|e|y)")  # the shortest stem of at least 3 letters, so the longest suffix
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Likeness:
    """Two glosses found too alike: the indexes of their terms, the score and the words they share."""

    first: int
    second: int
    score: float
    shared: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def stem(word: str) -> str:
    match = _SUFFIX.fullmatch(word)
    return match.group(1) if match else word


def content_words(gloss: str) -> list[tuple[str, str]]:
    """Each content word of a gloss as (stem, word as written), in order."""
    words = []
    for word in _WORD.findall(markup.to_plain(gloss).casefold().replace("’", "'")):
        word = word.removesuffix("'s")
        if word not in _STOP_WORDS and not word.isdigit():
            words.append((stem(word), word))
    return words


def too_alike(glosses: list[str], limit: float = LIMIT) -> list[Likeness]:
    """Every pair of glosses whose cosine reaches `limit`, weighing each word by how rare it is among them.

    Identical glosses are reported against the first of their kind only, so that n copies give n - 1 pairs."""
    words = [content_words(gloss) for gloss in glosses]
    stems = [[s for s, _ in w] for w in words]
    distinct: dict[tuple[str, ...], int] = {}
    found = []
    for index, same in enumerate(tuple(sorted(s)) for s in stems):
        if not same:
            continue
        if same in distinct:
            found.append(Likeness(distinct[same], index, 1.0, _shared(words[index], set(same))))
        else:
            distinct[same] = index
    vectors = _weights([stems[i] for i in distinct.values()])
    firsts = list(distinct.values())
    for pair, score in _cosines(vectors).items():
        if score >= limit:
            first, second = firsts[pair // len(vectors)], firsts[pair % len(vectors)]
            found.append(Likeness(first, second, score, _shared(words[second], set(stems[first]))))
    return sorted(found, key=lambda like: (like.second, like.first))


def _weights(documents: list[list[str]]) -> list[dict[str, float]]:
    """Each document as a unit vector of (1 + log tf) × smoothed idf, the idf taken over these documents."""
    count = len(documents)
    frequency = Counter(word for document in documents for word in set(document))
    vectors = []
    for document in documents:
        vector = {word: (1 + math.log(n)) * (1 + math.log((1 + count) / (1 + frequency[word])))
                  for word, n in Counter(document).items()}
        norm = math.sqrt(sum(value * value for value in vector.values()))
        vectors.append({word: value / norm for word, value in vector.items()})
    return vectors


def _cosines(vectors: list[dict[str, float]]) -> dict[int, float]:
    """The cosine of every pair that shares a word, keyed `first * len(vectors) + second`; found through an
    index of words, so that pairs sharing nothing cost nothing."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, vector in enumerate(vectors):
        for word, value in vector.items():
            postings[word].append((number, value))
    size = len(vectors)
    sums: dict[int, float] = {}
    get = sums.get
    for entries in postings.values():
        for position, (first, value) in enumerate(entries):
            base = first * size
            for second, other in entries[position + 1:]:
                key = base + second
                sums[key] = get(key, 0.0) + value * other
    return sums


def _shared(words: Iterable[tuple[str, str]], stems: set[str]) -> tuple[str, ...]:
    """The words of one gloss, as written, whose stems the other gloss has too."""
    return tuple(dict.fromkeys(word for s, word in words if s in stems))
