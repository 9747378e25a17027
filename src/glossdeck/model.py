"""Frozen dataclasses for sources, citations, terms and the glossary; no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


TARGETS = ("deck", "booklet", "print", "cards")  # what `glossdeck build` can write


@dataclass(frozen=True)
class Settings:
    """Glossary-wide settings from glossary.yaml."""

    title: str = "Glossary"
    subtitle: str = ""
    language: str = "en"
    deck_name: str = "Glossary"
    output_base: str = "alignment-glossary"
    author: str = ""
    id: str = "alignment-glossary"  # part of every Anki note's identity: never change it
    paper: str = "a5"  # the booklet's page: a5 (printed on A4) or half-letter (printed on Letter)
    cards_paper: str = "a4"
    card_size_mm: tuple[float, float] = (60.0, 85.0)
    card_flip: str = "long"
    card_back_offset_mm: tuple[float, float] = (0.0, 0.0)
    card_layout: str = "duplex"


@dataclass(frozen=True)
class Unquotable:
    """A region of a source that must never be cited (e.g. an author's notes to self)."""

    pattern: str
    why: str


@dataclass(frozen=True)
class Source:
    """One source essay, as described in sources.yaml."""

    id: str
    file: str
    sha256: str
    title: str
    author: str
    author_confirmed: bool = True
    subtitle: str = ""
    date: str = ""
    venue: str = ""
    url: str | None = None
    version: str = ""
    format: str = "text"  # "text" or "markdown"
    speakers: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    unquotable: tuple[Unquotable, ...] = ()
    path: Path | None = None
    line: int | None = None

    @property
    def author_display(self) -> str:
        return self.author if self.author_confirmed else f"{self.author} (unconfirmed)"


@dataclass(frozen=True)
class Location:
    """Where a quote was found in its seed: raw character offsets, line and section."""

    start: int
    end: int
    line: int
    column: int
    heading: str | None
    excerpt: str  # the raw seed text that matched, markup and line breaks included
    elided: bool = False

    def describe(self) -> str:
        where = f"line {self.line}" if self.line > 1 else f"char {self.start + 1}"
        return f"{where}, § {self.heading}" if self.heading else where


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from a source; `location` is filled in by citation resolution."""

    source: str
    quote: str
    speaker: str | None = None
    occurrence: int | None = None
    prefix: str | None = None
    note: str = ""
    path: Path | None = None
    line: int | None = None
    location: Location | None = None

    @property
    def pieces(self) -> tuple[str, ...]:
        return elision_pieces(self.quote)

    @property
    def display(self) -> str:
        """The quote as printed: elisions always shown as a spaced ellipsis."""
        return " … ".join(self.pieces) if self.location and self.location.elided else self.quote


ELISION = re.compile(r"\s+(?:…|\.\.\.)\s+")


def elision_pieces(quote: str) -> tuple[str, ...]:
    """A quote split at its elisions (" … " or " ... ")."""
    return tuple(p.strip() for p in ELISION.split(quote) if p.strip())


@dataclass(frozen=True)
class View:
    """One side of a contested term: who holds it, our summary, and its evidence."""

    holder: str
    summary: str
    citations: tuple[Citation, ...]
    line: int | None = None


@dataclass(frozen=True)
class Term:
    """One glossary entry; `id` is its file name without .yaml."""

    id: str
    term: str
    definition: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    views: tuple[View, ...] = ()
    renamed_from: tuple[str, ...] = ()
    path: Path | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def sort_key(self) -> tuple[str, str]:
        return sort_key(self.term)

    @property
    def all_citations(self) -> tuple[Citation, ...]:
        return self.citations + tuple(c for v in self.views for c in v.citations)


@dataclass(frozen=True)
class Glossary:
    """The whole glossary: settings, sources by id, and terms in alphabetical order."""

    root: Path
    settings: Settings
    sources: dict[str, Source]
    terms: tuple[Term, ...]

    def term(self, term_id: str) -> Term:
        return self._by_id[term_id]

    # Built once per glossary (it is frozen), so that looking up every name costs linear time, not quadratic.
    @cached_property
    def _by_id(self) -> dict[str, Term]:
        return {t.id: t for t in self.terms}

    @cached_property
    def _by_name(self) -> dict[str, Term]:
        index: dict[str, Term] = {}
        for t in self.terms:
            for name in (t.id, t.term, *t.aliases):
                index.setdefault(name_key(name), t)
        return index

    def person(self, name: str) -> str:
        """A person's name as shown: marked unconfirmed where a source's authorship is."""
        for source in self.sources.values():
            if source.author == name and not source.author_confirmed:
                return source.author_display
        return name

    def lookup(self, name: str) -> Term | None:
        """Find a term by id, display form or alias, ignoring case, spaces and hyphens."""
        return self._by_name.get(name_key(name))


def name_key(name: str) -> str:
    """The form two names must not share: case, spacing and hyphenation ignored."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s\-_‐‑–]+", "", folded)


def sort_key(name: str) -> tuple[str, str]:
    """Dictionary order: letter by letter, ignoring case, spaces and punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if ch.isalnum())
    return (letters, name)
