"""Frozen dataclasses for sources, citations, terms and the glossary; no I/O."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

TARGETS = ("deck", "booklet", "print", "cards", "html", "stardict", "epub")  # what `glossdeck build` can write
LEVELS = ("core", "standard", "extra")  # in the order new cards are learned
# Refused in every text, where it enters: every C0 and C1 control but tab and newline, and the bidi
# controls that make text read in another order than it is stored.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
                           # and what is not text at all, which XML 1.0 (TBX, the EPUB) cannot carry and UTF-8
                           # cannot encode: lone surrogates (a JSON "\\ud800", a YAML "\\uD800") and the Unicode
                           # noncharacters (U+FDD0-FDEF and the last two code points of every plane, U+FFFE, U+FFFF…)
                           "|[\ud800-\udfff\ufdd0-\ufdef]|[\ufffe\uffff]"
                           + "".join(f"|[{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}]"
                                     for plane in range(1, 17)))


_ASCII_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # CONTROL_CHARS within ASCII: searched 15× faster


def refused_char(text: str) -> str | None:
    """The first character of `text` that no text may hold (CONTROL_CHARS), described for a message; or None."""
    found = (_ASCII_CONTROL_CHARS if text.isascii() else CONTROL_CHARS).search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X}, half of a surrogate pair on its own, which is not text"
    if unicodedata.category(found.group()) == "Cn":
        return f"U+{code:04X}, a Unicode noncharacter, which is not text"
    return "the control character " + (f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}")


# The one rule for every id (a term's, a source's, a new glossary's, related, renamed_from, #term links):
# lowercase ASCII words joined by hyphens. Anchored with \A and \Z, never ^ and $: `$` also matches before a
# final newline, which let "term\n" through and into a file name.
ID_PATTERN = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def is_id(text: object) -> bool:
    """Whether `text` is an id by the one id rule."""
    return isinstance(text, str) and ID_PATTERN.match(text) is not None


# A date as sources.yaml writes one: a year, a year and month, or a full date (ISO 8601's calendar forms).
ISO_DATE_FORM = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def iso_date_parts(text: str) -> tuple[int, ...] | None:
    """(year[, month[, day]]) of a date written YYYY, YYYY-MM or YYYY-MM-DD that exists in the calendar, else None:
    the one reading of a source's date, for `check` and for the exports that give it as numbers."""
    found = ISO_DATE_FORM.fullmatch(text)
    if found is None:
        return None
    parts = tuple(int(part) for part in found.groups() if part is not None)
    try:
        datetime.date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return None
    return parts


@dataclass(frozen=True)
class Settings:
    """Glossary-wide settings from glossary.yaml."""

    title: str = "Glossary"
    subtitle: str = ""
    language: str = "en"
    deck_name: str = "Glossary"
    output_base: str = "glossary"
    author: str = ""
    id: str = "glossary"  # part of every Anki note's identity: never change it
    paper: str = "a5"  # the booklet's page: a5 (printed on A4) or half-letter (printed on Letter)
    cards_paper: str = "a4"
    card_size_mm: tuple[float, float] = (60.0, 85.0)
    card_flip: str = "long"
    card_back_offset_mm: tuple[float, float] = (0.0, 0.0)
    card_layout: str = "duplex"
    view_cards: bool = False  # a deck card for each contested view, for students of the disagreements themselves
    cloze_cards: bool = False  # a deck card for each quote that names its term, the name left out
    release: str = ""  # the release's name, shown in the deck's description ("" = its date)
    download_url: str = ""  # where students get the next release, shown in the deck's description
    note_type_id: int = 0  # 0: the glossary's own Anki note type, from `id`; else that note type's id
    # Where the HTML site is published (https://…/, ending in "/"): cards and the booklet link there when set.
    site_url: str | None = None
    # What the reading list's texts are called wherever a reader sees them ("essay", "paper", "chapter" …).
    source_noun: str = "source"
    source_noun_plural: str = ""  # "" = the noun's regular plural (plural_of)

    @property
    def sources_noun(self) -> str:
        """The plural of source_noun: as set, else its regular English plural."""
        return self.source_noun_plural or plural_of(self.source_noun)


def plural_of(noun: str) -> str:
    """A noun's regular English plural, on its last word: essay → essays, thesis → thesises (set
    source_noun_plural for an irregular one: theses), speech → speeches, study → studies."""
    head, _, last = noun.rpartition(" ")
    if last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


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
    pages: bool = False  # a form feed begins each page of the original (a PDF's text): locations name the page
    page_labels: tuple[str, ...] = ()  # the original's own page numbers, when they are not 1, 2, 3 …
    speakers: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    unquotable: tuple[Unquotable, ...] = ()
    draft: bool = False  # the seed is a draft: the page at `url` differs from it
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
    paragraph: int = 0  # the paragraph within its section, from 1 (in a text on one line: the sentence)
    unit: str = "paragraph"  # or "sentence", for a text with no paragraph breaks
    page: str = ""  # in a text with pages (a PDF's): the page as the original numbers it; paragraphs count from its top
    page_number: int = 0  # and its place in the file, from 1, which a link to the original opens (#page=N)

    def describe(self) -> str:
        """Where a reader finds the quote: its page or section, and paragraph; never an offset."""
        where = f"¶ {self.paragraph}" if self.unit == "paragraph" else f"sentence {self.paragraph}"
        if self.page:
            return f"p. {self.page}, {where}"
        return f"§ {self.heading}, {where}" if self.heading else where


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


ELISION = re.compile(r"\s+(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s+")


def elision_pieces(quote: str) -> tuple[str, ...]:
    """A quote split at its elisions (" … ", " ... ", or bracketed, " […] ")."""
    return tuple(p.strip() for p in ELISION.split(quote) if p.strip())


@dataclass(frozen=True)
class View:
    """One side of a contested term: who holds it, our summary, and its evidence."""

    holder: str
    summary: str
    citations: tuple[Citation, ...]
    line: int | None = None
    summary_line: int | None = None


@dataclass(frozen=True)
class Term:
    """One glossary entry; `id` is its file name without .yaml."""

    id: str
    term: str
    definition: str
    gloss: str = ""  # one sentence to memorise; the card's answer and the definition → term question
    level: str = "standard"  # core, standard or extra: core terms are learned first
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    views: tuple[View, ...] = ()
    renamed_from: tuple[str, ...] = ()
    named_in_sources: bool = True  # False: the essays discuss it without naming it, so `check` need not say so
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
        # Every id first: a name that is one term's id finds that term, whatever alias another term has.
        index = {name_key(t.id): t for t in reversed(self.terms)}
        for t in self.terms:
            for name in (t.term, *t.aliases):
                index.setdefault(name_key(name), t)
        return index

    def person(self, name: str) -> str:
        """A person's name as shown: marked unconfirmed where a source's authorship is."""
        for source in self.sources.values():
            if source.author == name and not source.author_confirmed:
                return source.author_display
        return name

    def lookup(self, name: str) -> Term | None:
        """Find a term by id, display form or alias, ignoring case, spaces and hyphens; an id match wins."""
        return self._by_id.get(name) or self._by_name.get(name_key(name))


@dataclass(frozen=True)
class TermChange:
    """One term added, changed or retired between two versions of a glossary, known by its first id."""

    id: str
    term: str
    gloss: str = ""
    fields: tuple[str, ...] = ()  # for a changed term: which of what a student sees changed
    renamed_from: str = ""

    @property
    def what(self) -> str:
        """What changed, in words: the fields, and the id a renamed term had."""
        return ", ".join([*self.fields, *([f"renamed from `{self.renamed_from}`"] if self.renamed_from else [])])


@dataclass(frozen=True)
class Changes:
    """The terms added, changed and retired since a revision: `glossdeck changes`, and a release's notes."""

    since: str  # the revision as given (or the default's commit)
    commit: str
    date: str
    added: tuple[TermChange, ...] = ()
    changed: tuple[TermChange, ...] = ()
    retired: tuple[TermChange, ...] = ()
    # The release compared with, as its own deck named it: its `release` setting, and the date of its newest
    # note (its deck's "Release of <date>"); empty where that version had no deck state.
    previous_release: str = ""
    previous_date: str = ""

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired)


# Characters a reader never sees: format characters (zero-width space, soft hyphen, joiners, BOM) and the
# other default-ignorable ones. They must not make two names differ, and no name may hold one.
_IGNORABLE = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", *map(chr, range(0xFE00, 0xFE10))}
_CONTROL_NAMES = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "CHARACTER TABULATION"}


def invisible(char: str) -> bool:
    """Whether the char is one a reader cannot see: it takes no space and has no glyph."""
    return unicodedata.category(char) in ("Cf", "Cn", "Co", "Cs") or char in _IGNORABLE or \
        0xE0100 <= ord(char) <= 0xE01EF


def describe_char(char: str) -> str:
    """A char as a message names it: its code point and Unicode name."""
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} {name}"


def name_problem(name: str) -> tuple[str, str] | None:
    """What makes the text unfit as a name (what is wrong, how to fix it), or None.

    The one rule for every human-facing name: term, aliases, tags, view holders, speakers, source titles
    and authors, and the glossary's own title. A name is one line of visible text.
    """
    if name.isascii() and name.isprintable():
        return None  # the common case, and no ASCII char is invisible
    for index, char in enumerate(name, 1):
        after = f" (after “{name[max(0, index - 21) : index - 1]}”)" if index > 1 else " (its first character)"
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return (f"contains a control character, {describe_char(char)}, at character {index}{after}",
                    "write the name on one line, without tabs or other control characters")
        if invisible(char):
            return (f"contains an invisible character, {describe_char(char)}, at character {index}{after}",
                    "delete it (retype the name): names are compared as a reader sees them")
    return None


# A typeset text gives ’ (or a modifier letter ʼ) where a keyboard gives ': to a reader, one apostrophe.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})


def name_key(name: str) -> str:
    """The form two names must not share: case, spacing, hyphenation, apostrophes and invisible characters
    ignored."""
    visible = name if name.isascii() else "".join(ch for ch in name if not invisible(ch))
    folded = unicodedata.normalize("NFKC", visible).casefold().translate(_APOSTROPHES)
    return re.sub(r"[\s\-_‐‑–]+", "", folded)


def sort_key(name: str) -> tuple[str, str]:
    """Dictionary order: letter by letter, ignoring case, spaces and punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if ch.isalnum())
    return (letters, name)
