"""What a printed card and booklet can hold: size limits and the font's characters, checked where records enter."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from glossdeck import markup
from glossdeck.errors import Problems
from glossdeck.load import Located, LocatedList
from glossdeck.model import CONTROL_CHARS

# The code points every shipped face has a glyph for, as ranges; read by `check` without loading reportlab.
# Made from the fonts by `python -m glossdeck.render.fonts`; tests/test_fonts.py keeps it true to them.
COVERAGE_FILE = Path(__file__).resolve().parent / "fonts" / "coverage.txt"


@dataclass(frozen=True)
class Limit:
    """The most a printed text may hold, why (what the page can hold), and how to get under it."""

    most: int
    unit: str  # "words" or "characters"
    reason: str
    fix: str

    def measure(self, text: str) -> int:
        return len(text.split()) if self.unit == "words" else len(text)


# Each number is what the default 60 × 85 mm card or an A5 booklet page holds; docs/limits.md's
# "Limits" section gives the measurements behind them.
NAME = Limit(80, "characters", "five lines of a card's front at full size",
             "keep the name short and put the longer form in the definition")
MAX_ALIASES = 12  # twelve of the longest aliases still fit a card's front under its headword
DEFINITION = Limit(150, "words", "what a card's back holds at its smallest type beside a short quote",
                   "keep the core sense here and move detail into `views` or a related term")
DEFINITION_CHARS = Limit(900, "characters", "what a card's back holds at its smallest type beside a short quote",
                         "shorten it, or break up very long words")
QUOTE = Limit(60, "words", "a third of a card's back at its smallest type",
              "quote the sentence that makes the point, or elide with ` … `")
MAX_VIEWS = 6  # with summaries at their limit, a term's views fill about two booklet pages
SUMMARY = Limit(120, "words", "six such views fill about two booklet pages", "summarise the position in fewer words")
FIELD = Limit(300, "characters", "a few lines of the booklet", "shorten it")

SCRIPTS_HINT = ("the booklet and cards are set in Charis SIL, which draws Latin (with Vietnamese and IPA), "
                "Cyrillic, the Greek letters of mathematics and common symbols, and has no glyph for this: it "
                "would print as an empty box; transliterate it into Latin letters or spell the symbol out")


@dataclass(frozen=True)
class Printed:
    """One text that reaches a PDF, where it stands in its file, and how it is set."""

    what: str  # e.g. "the definition of `x`"
    text: str
    line: int
    limits: tuple[Limit, ...] = (FIELD,)
    markdown: bool = False  # inline Markdown: its markup and link targets are not printed
    one_line: bool = False  # drawn as it is (running heads), not wrapped: white space is drawn too


def check_term(data: Any, path: Path, problems: Problems) -> None:
    """Size limits and undrawable characters in one term file's printed fields."""
    if not isinstance(data, Located):
        return
    term_id = path.stem
    for text in _term_texts(data, term_id):
        _check_glyphs(text, path, problems)
        _check_size(text, path, problems)
    aliases = data.get("aliases")
    if isinstance(aliases, LocatedList) and len(aliases) > MAX_ALIASES:
        problems.error(path, data.line_of("aliases"),
                       f"term `{term_id}` has {len(aliases)} aliases; a card's front holds at most {MAX_ALIASES} "
                       "under its headword", f"keep the names readers are likeliest to look up (at most {MAX_ALIASES})")
    views = data.get("views")
    if isinstance(views, LocatedList) and len(views) > MAX_VIEWS:
        problems.error(path, data.line_of("views"),
                       f"term `{term_id}` has {len(views)} views; the limit is {MAX_VIEWS}, about two booklet "
                       "pages", f"merge views that hold the same position (at most {MAX_VIEWS})")


def check_settings(data: Any, path: Path, problems: Problems) -> None:
    """The settings that are printed: the title page's title and subtitle."""
    if isinstance(data, Located):
        for key in ("title", "subtitle"):
            for text in _texts(data, key, f"`{key}` in the glossary settings"):
                _check_glyphs(text, path, problems)
                _check_size(text, path, problems)


def check_source(entry: Any, source_id: str, path: Path, problems: Problems) -> None:
    """A source's printed details: in attributions, the essays list and the booklet's Sources."""
    if not isinstance(entry, Located):
        return
    for key in ("title", "subtitle", "author", "venue", "date", "version", "url", "speakers", "headings"):
        for text in _texts(entry, key, f"`{key}` of source `{source_id}`"):
            _check_glyphs(text, path, problems)
            if key != "headings":  # the seed's own heading lines: as long as the essay has them
                _check_size(text, path, problems)


def _term_texts(data: Located, term_id: str) -> Iterator[Printed]:
    yield from _texts(data, "term", f"the name of term `{term_id}`", (NAME,), one_line=True)
    yield from _texts(data, "aliases", f"an alias of term `{term_id}`", (NAME,), one_line=True)
    yield from _texts(data, "definition", f"the definition of `{term_id}`", (DEFINITION, DEFINITION_CHARS),
                      markdown=True)
    yield from _citation_texts(data.get("citations"), f"a quote of `{term_id}`")
    views = data.get("views")
    for view in views if isinstance(views, LocatedList) else []:
        if isinstance(view, Located):
            yield from _texts(view, "holder", f"the holder of a view of `{term_id}`")
            yield from _texts(view, "summary", f"the summary of a view of `{term_id}`", (SUMMARY,), markdown=True)
            yield from _citation_texts(view.get("citations"), f"a quote in a view of `{term_id}`")


def _citation_texts(items: Any, what: str) -> Iterator[Printed]:
    for item in items if isinstance(items, LocatedList) else []:
        if isinstance(item, Located):
            yield from _texts(item, "quote", what, (QUOTE,))
            yield from _texts(item, "speaker", f"the speaker of {what}", (NAME,))
            yield from _texts(item, "note", f"the note on {what}")


def _texts(record: Located, key: str, what: str, limits: tuple[Limit, ...] = (FIELD,), markdown: bool = False,
           one_line: bool = False) -> Iterator[Printed]:
    """The text (or each text of a list) under `key`, with its line; other types were reported already."""
    value = record.get(key)
    items = [(value, record.line_of(key))] if isinstance(value, str) else \
        list(zip(value, value.item_lines)) if isinstance(value, LocatedList) else []
    for item, line in items:
        if isinstance(item, str):
            yield Printed(what, item.strip(), line, limits, markdown, one_line)


def _printed_text(text: Printed) -> str:
    """The characters that reach the page."""
    return markup.to_plain(text.text) if text.markdown else text.text


@lru_cache(maxsize=None)
def drawable() -> frozenset[int]:
    """The code points that all four faces can draw (any text may be set in any face), from COVERAGE_FILE."""
    points: set[int] = set()
    for line in COVERAGE_FILE.read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def _check_glyphs(text: Printed, path: Path, problems: Problems) -> None:
    covered = drawable()
    # Wrapped text breaks at any white space and never draws it; a name is drawn as it is, on one line.
    # Control characters are refused on their own, where every text enters (validate): not twice.
    missing = [ch for ch in dict.fromkeys(_printed_text(text))
               if ord(ch) not in covered and (text.one_line or not ch.isspace())
               and unicodedata.category(ch) != "Cc" and not CONTROL_CHARS.fullmatch(ch)]
    if not missing:
        return
    shown = ", ".join(describe(ch) for ch in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    count = "a character" if len(missing) == 1 else f"{len(missing)} characters"
    problems.error(path, text.line, f"{text.what} has {count} that the PDF font cannot draw: {shown}{more}",
                   SCRIPTS_HINT)


def describe(ch: str) -> str:
    """“中” U+4E2D CJK UNIFIED IDEOGRAPH-4E2D; invisible characters by code point and name alone."""
    code = f"U+{ord(ch):04X}"
    category = unicodedata.category(ch)
    name = unicodedata.name(ch, "") or {"Cc": "<control>", "Co": "<private use>", "Cs": "<surrogate>"}.get(
        category, "<unassigned>")
    visible = category[0] in "LNPS" and category != "Co"
    return f"“{ch}” {code} {name}" if visible else f"{code} {name}"


def _check_size(text: Printed, path: Path, problems: Problems) -> None:
    printed = _printed_text(text)
    for limit in text.limits:  # the first one exceeded is enough to say
        count = limit.measure(printed)
        if count > limit.most:
            problems.error(path, text.line, f"{text.what} is {count:,} {limit.unit} long; the limit is "
                           f"{limit.most:,} ({limit.reason})", f"{limit.fix} (at most {limit.most:,} {limit.unit})")
            return
