"""Raw located records → model objects; collects every problem, with did-you-mean hints."""

from __future__ import annotations

import datetime
import difflib
import math
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from glossdeck import cardgrid, glosses, limits, markup
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import Located, LocatedList
from glossdeck.model import ID_PATTERN as ID_PATTERN  # the one id rule, for code that still reads it here
from glossdeck.model import ISO_DATE_FORM, LEVELS, iso_date_parts, is_id, refused_char
from glossdeck.model import Citation, Settings, Source, Term, Unquotable, View, name_key, name_problem

MIN_QUOTE_WORDS = 4
MAX_GLOSS_WORDS = 25  # a gloss is one sentence a student can recite


@dataclass(frozen=True)
class Field:
    """What one key of a record may hold."""

    kind: str  # text, name, optional-text, bool, count, text-list, name-list, citations, views, date
    required: bool = False


SETTINGS_FIELDS = {
    "title": Field("name", True),
    "subtitle": Field("name"),
    "language": Field("text"),
    "deck_name": Field("name"),
    "output_base": Field("text"),
    "author": Field("name"),
    "id": Field("text"),
    "paper": Field("text"),
    "cards_paper": Field("text"),
    "card_size": Field("text"),
    "card_flip": Field("text"),
    "card_back_offset": Field("text"),
    "card_layout": Field("text"),
    "view_cards": Field("bool"),
    "cloze_cards": Field("bool"),
    "note_type_id": Field("count"),
    "site_url": Field("optional-text"),
}
SETTINGS_FIELDS.update({"release": Field("text"), "download_url": Field("text")})  # shown in the deck
SETTINGS_FIELDS.update({"source_noun": Field("name"), "source_noun_plural": Field("name")})  # shown everywhere
_NOUN = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")
CHOICES = {"paper": ("a5", "half-letter"), "cards_paper": ("a4", "letter"), "card_flip": ("long", "short"),
           "card_layout": ("duplex", "fold")}
SOURCE_FIELDS = {
    "file": Field("text", True),
    "sha256": Field("text", True),
    "title": Field("name", True),
    "subtitle": Field("name"),
    "author": Field("name", True),
    "author_confirmed": Field("bool"),
    "date": Field("date"),
    "venue": Field("text"),
    "url": Field("optional-text"),
    "version": Field("text"),
    "format": Field("text"),
    "pages": Field("bool"),
    "page_labels": Field("text-list"),
    "speakers": Field("name-list"),
    "headings": Field("text-list"),
    "unquotable": Field("unquotable"),
    "draft": Field("bool"),
}
TERM_FIELDS = {
    "term": Field("name", True),
    "aliases": Field("name-list"),
    "definition": Field("text", True),
    "gloss": Field("text"),
    "level": Field("text"),
    "tags": Field("name-list"),
    "related": Field("text-list"),
    "citations": Field("citations"),
    "views": Field("views"),
    "renamed_from": Field("text-list"),
    "named_in_sources": Field("bool"),
}
CITATION_FIELDS = {
    "source": Field("text", True),
    "quote": Field("text", True),
    "speaker": Field("name"),
    "occurrence": Field("count"),
    "prefix": Field("text"),
    "note": Field("text"),
}
VIEW_FIELDS = {
    "holder": Field("name", True),
    "summary": Field("text", True),
    "citations": Field("citations", True),
}
UNQUOTABLE_FIELDS = {"pattern": Field("text", True), "why": Field("text", True)}

_KIND_NAMES = {
    "text": "text",
    "name": "text",
    "name-list": "a list of text",
    "optional-text": "text or null",
    "bool": "true or false",
    "count": "a whole number from 1 up",
    "text-list": "a list of text",
    "date": "a date or text",
    "citations": "a list of citations",
    "views": "a list of views",
    "unquotable": "a list of {pattern, why}",
}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "empty (null)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text" if isinstance(value, str) else type(value).__name__


class Checker:
    """Checks one record against a field table and reports problems against its file."""

    def __init__(self, problems: Problems, path: Path) -> None:
        self.problems = problems
        self.path = path

    def record(self, data: Any, fields: dict[str, Field], what: str, line: int | None = None) -> dict[str, Any] | None:
        if not isinstance(data, Located):
            self.problems.error(self.path, line, f"{what} must be a mapping of fields, not {_type_name(data)}",
                                "write it as `key: value` lines")
            return None
        clean: dict[str, Any] = {}
        for key in data:
            if key not in fields:
                guess = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"did you mean `{guess[0]}`?" if guess else "known fields: " + ", ".join(fields)
                self.problems.error(self.path, data.line_of(key), f"unknown field `{key}` in {what}", hint)
        for key, spec in fields.items():
            if key not in data or data[key] is None and spec.kind != "optional-text":
                if spec.required:
                    self.problems.error(self.path, data.line_of(key) if key in data else data.line,
                                        f"{what} has no `{key}`", f"add `{key}:`")
                continue
            value = self.value(data, key, spec, what)
            if value is not _BAD:
                clean[key] = value
        return clean

    def value(self, data: Located, key: str, spec: Field, what: str) -> Any:
        if spec.kind in ("name", "name-list"):
            return self.names(data, key, spec, what)
        value = data[key]
        line = data.line_of(key)
        if spec.kind == "text" or (spec.kind == "optional-text" and value is not None):
            if isinstance(value, str):
                if not value.strip() and spec.required:
                    self.problems.error(self.path, line, f"`{key}` in {what} is empty", f"write the {key}")
                    return _BAD
                return value.strip() if self.plain(value, f"`{key}` in {what}", line) else _BAD
            if isinstance(value, (bool, int, float, datetime.date)):
                self._scalar_not_text(key, what, line, value, data.raw.get(key, str(value)))
                return _BAD
            return self._wrong(key, what, line, value, spec)
        if spec.kind == "optional-text":
            return None
        if spec.kind == "bool":
            return value if isinstance(value, bool) else self._wrong(key, what, line, value, spec)
        if spec.kind == "count":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return value
            return self._wrong(key, what, line, value, spec)
        if spec.kind == "date":
            if isinstance(value, datetime.date):
                return value.isoformat()
            if not isinstance(value, str):
                return self._wrong(key, what, line, value, spec)
            text = value.strip()
            if not self.plain(text, f"`{key}` in {what}", line):
                return _BAD
            if ISO_DATE_FORM.fullmatch(text) and iso_date_parts(text) is None:
                self.problems.error(self.path, line, f"`{key}: {text}` in {what} is written as a date, but there is "
                                    "no such date", "write a real date, YYYY-MM-DD or YYYY-MM (e.g. 2023-03-21), or "
                                    "words such as `after September 2023`")
                return _BAD
            return text
        if spec.kind == "text-list":
            return self.text_list(value, key, what, line, spec)
        if spec.kind in ("citations", "views", "unquotable"):
            if not isinstance(value, LocatedList):
                return self._wrong(key, what, line, value, spec)
            return value
        raise AssertionError(spec.kind)

    def names(self, data: Located, key: str, spec: Field, what: str) -> Any:
        """A name field (or list of names): text, checked by the one rule for names."""
        plain = Field("text" if spec.kind == "name" else "text-list", spec.required)
        value = self.value(data, key, plain, what)
        if value is _BAD:
            return _BAD
        names = (value,) if spec.kind == "name" else value
        lines = list(getattr(data[key], "item_lines", None) or [data.line_of(key)] * len(names))
        for name, line in zip(names, lines):
            problem = name_problem(name)
            if problem:
                self.problems.error(self.path, line, f"`{key}` in {what} {problem[0]}", problem[1])
                return _BAD
        return value

    def text_list(self, value: Any, key: str, what: str, line: int, spec: Field) -> Any:
        if isinstance(value, str):
            return (value.strip(),)  # a single name is a list of one
        if not isinstance(value, LocatedList):
            return self._wrong(key, what, line, value, spec)
        items = []
        for item, item_line in zip(value, value.item_lines):
            if isinstance(item, str) and item.strip():
                if self.plain(item, f"an item of `{key}` in {what}", item_line):
                    items.append(item.strip())
            elif isinstance(item, bool):
                self.problems.error(self.path, item_line, f"an item of `{key}` in {what} is the boolean "
                                    f"{str(item).lower()}",
                                    "YAML reads a bare yes/no/on/off/true/false as a boolean; put it in quotes")
            else:
                self.problems.error(self.path, item_line, f"an item of `{key}` in {what} is {_type_name(item)}, "
                                    "not text", "write each item as text (quote it if needed)")
        return tuple(items)

    def plain(self, text: str, what: str, line: int | None) -> bool:
        """Whether text is free of control characters, which a terminal or viewer would act on (ESC, BEL…)."""
        refused = refused_char(text)
        if refused is not None:
            self.problems.error(self.path, line, f"{what} contains {refused}",
                                "remove it: YAML escapes such as \\e or \\x1b write invisible characters")
        return refused is None

    def _scalar_not_text(self, key: str, what: str, line: int, value: Any, raw: str) -> None:
        if isinstance(value, bool):
            self.problems.error(self.path, line,
                                f"`{key}` in {what} is the boolean {str(value).lower()} (YAML reads a bare "
                                f"`{raw}` as a boolean), not text", f'put it in quotes: {key}: "{raw}"')
        else:
            self.problems.error(self.path, line, f"`{key}` in {what} is {_type_name(value)}, not text",
                                f'put it in quotes: {key}: "{raw}"')

    def _wrong(self, key: str, what: str, line: int, value: Any, spec: Field) -> Any:
        self.problems.error(self.path, line, f"`{key}` in {what} must be {_KIND_NAMES[spec.kind]}, "
                            f"not {_type_name(value)}", _shape_hint(spec.kind, key))
        return _BAD


_BAD = object()


def _shape_hint(kind: str, key: str) -> str:
    return {
        "text-list": f"write `{key}: [first, second]` or one `- item` per line",
        "text": f"write `{key}: some text` (use a `>-` block for long text)",
        "count": f"write `{key}: 2` for the second occurrence",
        "citations": "write a list: `- source: …` then `quote: …` under it",
        "views": "write a list: `- holder: …`, `summary: …`, `citations: …`",
    }.get(kind, "")


SUPPORTED_LANGUAGES = ("en", "en-GB", "en-US")  # the booklet's labels are English; pyphen hyphenates these
CARD_SIDE_MM = (20.0, 300.0)
MAX_BACK_OFFSET_MM = 20.0
OUTPUT_BASE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # room left for "-booklet-print.pdf" in a name
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# The other one-line settings are names, and the one rule for names already refuses a break in them.
_ONE_LINE = ("id",)


def validate_settings(data: Any, path: Path, problems: Problems) -> Settings:
    if data is None:
        problems.error(path, None, "settings file is empty", "give at least `title:`")
        return Settings()
    clean = Checker(problems, path).record(data, SETTINGS_FIELDS, "glossary settings")
    limits.check_settings(data, path, problems)
    if not clean:
        return Settings()

    def refuse(key: str, message: str, hint: str) -> None:
        problems.error(path, data.line_of(key), message, hint)
        del clean[key]

    for key in _ONE_LINE:
        if key in clean and any(unicodedata.category(c) == "Cc" for c in clean[key]):
            refuse(key, f"`{key}` holds a line break or another control character", "write it on one line")
    for key in ("deck_name", "id", "output_base", "language"):
        if clean.get(key) == "":
            refuse(key, f"`{key}` is empty", f"write the {key}, or remove the line for the default")
    if "output_base" in clean and not OUTPUT_BASE.fullmatch(clean["output_base"]):
        refuse("output_base", f"output_base {clean['output_base']!r} is not a plain file name",
               "use up to 100 letters, digits, dots, hyphens and underscores, starting with a letter or digit")
    if "language" in clean and clean["language"] not in SUPPORTED_LANGUAGES:
        refuse("language", f"language `{clean['language']}` is not supported",
               "the booklet's labels are English; write one of: " + ", ".join(SUPPORTED_LANGUAGES))
    for key, allowed in CHOICES.items():
        if key in clean and clean[key] not in allowed:
            refuse(key, f"`{key}: {clean[key]}` is not one of: {', '.join(allowed)}", f"write `{key}: {allowed[0]}`")
    pairs = {}
    for key, parse, example in (("card_size", card_size, "60x85 (width x height in mm)"),
                                ("card_back_offset", back_offset, "0.5,-1 (mm right, mm up)")):
        if key in clean:
            try:
                pairs[key] = parse(clean[key])
            except ValueError as error:
                refuse(key, f"`{key}: {clean[key]}`: {error}", f"write e.g. {key}: {example}")
    title = clean.get("title", "Glossary")
    base = clean.get("output_base", "glossary")
    settings = Settings(
        title=title,
        subtitle=clean.get("subtitle", ""),
        language=clean.get("language", "en"),
        deck_name=clean.get("deck_name", title),
        output_base=base,
        author=clean.get("author", ""),
        id=clean.get("id", base),
        paper=clean.get("paper", "a5"),
        cards_paper=clean.get("cards_paper", "a4"),
        card_size_mm=pairs.get("card_size", (60.0, 85.0)),
        card_flip=clean.get("card_flip", "long"),
        card_back_offset_mm=pairs.get("card_back_offset", (0.0, 0.0)),
        card_layout=clean.get("card_layout", "duplex"),
        view_cards=clean.get("view_cards", False),
        cloze_cards=clean.get("cloze_cards", False),
        **_release(clean, data, path, problems),
        note_type_id=clean.get("note_type_id", 0),
        site_url=_site_url(clean.get("site_url"), data.line_of("site_url"), path, problems),
        source_noun=_noun(clean, "source_noun", "source", data, path, problems),
        source_noun_plural=_noun(clean, "source_noun_plural", "", data, path, problems),
    )
    for problem in card_fit_problems(settings):
        problems.error(path, data.line_of("card_size") if "card_size" in data else data.line, problem.message,
                       problem.hint)
    return settings


def _noun(clean: dict[str, Any], key: str, default: str, data: Located, path: Path, problems: Problems) -> str:
    """The word for a source, as it stands in sentences ("In the essays", "See it in the paper"): letters only."""
    value = " ".join(str(clean.get(key, default)).split())
    if (value or key == "source_noun") and (not _NOUN.fullmatch(value) or len(value) > 40):
        problems.error(path, data.line_of(key), f"`{key}: {value}` is not a noun to put in a sentence",
                       f"write a word or two in lower case, e.g. `{key}: " +
                       ("essay`" if key == "source_noun" else "theses`"))
        return default
    return value


def _site_url(value: str | None, line: int | None, path: Path, problems: Problems) -> str | None:
    """The published site's address, always ending in "/" so that pages join onto it; None if unset."""
    if value is None:
        return None
    value = value.strip()
    wrong = markup.address_problem(value, term_links=False)  # the one rule for every address that reaches an output
    if wrong is not None:
        problems.error(path, line, f"site_url: {wrong[0]}", wrong[1])
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.query or parts.fragment or parts.username is not None:
        problems.error(path, line, f"`site_url: {value}` is not the address of a web folder",
                       "write the full address where the site is published, e.g. https://example.org/glossary/")
        return None
    return parts.geturl() if parts.path.endswith("/") else parts.geturl() + "/"


def parse_pair(text: str, separator: str) -> tuple[float, float] | None:
    """"60x85" or "0.5,-1" as two finite numbers (ASCII digits, no exponent), or None if it is not that."""
    parts = "".join(text.lower().split()).split(separator)
    if len(parts) != 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        return None
    first, second = float(parts[0]), float(parts[1])
    if not (math.isfinite(first) and math.isfinite(second)):  # a long enough run of digits overflows to inf
        return None
    return first, second


def card_size(text: str) -> tuple[float, float]:
    """A card size in mm, from glossary.yaml or --card-size; ValueError says what is wrong."""
    pair = parse_pair(text.replace("×", "x"), "x")
    if pair is None:
        raise ValueError("not two numbers joined by `x` (width x height in mm)")
    low, high = CARD_SIDE_MM
    if not all(low <= side <= high for side in pair):
        raise ValueError(f"each side of a card must be from {low:g} to {high:g} mm")
    return pair




def _release(clean: dict[str, Any], data: Located, path: Path, problems: Problems) -> dict[str, str]:
    """The deck description's release name and download address; the address goes by the one address rule."""
    url = clean.get("download_url", "")
    wrong = markup.address_problem(url, term_links=False) if url else None
    if wrong is not None:
        message, hint = wrong
        problems.error(path, data.line_of("download_url"), f"download_url: {message}", hint)
        url = ""
    return {"release": clean.get("release", ""), "download_url": url}


def back_offset(text: str) -> tuple[float, float]:
    """How far to move each card's back (mm right, mm up), from glossary.yaml or --back-offset."""
    pair = parse_pair(text, ",")
    if pair is None:
        raise ValueError("not two numbers joined by `,` (mm right, mm up)")
    if not all(abs(value) <= MAX_BACK_OFFSET_MM for value in pair):
        raise ValueError(f"a back offset is at most {MAX_BACK_OFFSET_MM:g} mm each way; printers misalign by "
                         "a millimetre or two")
    return pair


def card_fit_problems(settings: Settings) -> list[Problem]:
    """Whether the cards fit on their paper: the rule the cards renderer lays them out by."""
    try:
        cardgrid.grid_for(cardgrid.options_from(settings))
    except GlossdeckError as error:
        return error.problems
    return []


def is_seed_name(name: str) -> bool:
    """Whether `name` names a file directly in seeds/: no folder, no `..`, nothing a path could climb out with."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0") and ":" not in name[:2]


def validate_sources(data: Any, path: Path, problems: Problems) -> dict[str, Source]:
    if data is None or data == {}:
        return {}  # a new glossary: no sources yet (`glossdeck source add` adds them)
    if not isinstance(data, Located):
        problems.error(path, getattr(data, "line", None), "sources file must map source ids to their details",
                       "write `my-source:` then `file:`, `sha256:`, `title:`, `author:` indented below it")
        return {}
    check = Checker(problems, path)
    sources = {}
    for source_id, entry in data.items():
        line = data.line_of(source_id)
        if not is_id(source_id):
            problems.error(path, line, f"source id {source_id!r} is not lowercase words joined by hyphens",
                           "ids are stable and short, e.g. `origin-of-species`")
        clean = check.record(entry, SOURCE_FIELDS, f"source `{source_id}`", line)
        limits.check_source(entry, source_id, path, problems)
        if clean is None or not {"file", "sha256", "title", "author"} <= clean.keys():
            continue
        if clean.get("format", "text") not in ("text", "markdown"):
            problems.error(path, entry.line_of("format"), "format must be `text` or `markdown`")
        if clean.get("pages") and clean.get("format", "text") != "text":
            problems.error(path, entry.line_of("pages"), "`pages: true` is for a plain-text seed whose form feeds "
                           "begin the original's pages (as `source add` writes a PDF's text)",
                           "remove `pages:`, or set `format: text`")
        if clean.get("page_labels") and not clean.get("pages"):
            problems.error(path, entry.line_of("page_labels"), "`page_labels` needs `pages: true`",
                           "add `pages: true`, or remove `page_labels:`")
        if clean.get("url") is not None:
            check_address(clean["url"], path, entry.line_of("url"), problems, "`url`", term_links=False)
        if not is_seed_name(clean["file"]):
            # Commands replace and delete a source's file (source update, source remove): a path that leads out
            # of seeds/ would let one line of sources.yaml make them overwrite or delete any file.
            problems.error(path, entry.line_of("file"), f"`file: {clean['file']}` is not the name of a file in seeds/",
                           "give the file's name alone (no folder, no `..`): the file itself goes in seeds/")
            continue
        sources[source_id] = Source(
            id=source_id,
            file=clean["file"],
            sha256=clean["sha256"].lower(),
            title=clean["title"],
            author=clean["author"],
            author_confirmed=clean.get("author_confirmed", True),
            subtitle=clean.get("subtitle", ""),
            date=clean.get("date", ""),
            venue=clean.get("venue", ""),
            url=clean.get("url"),
            version=clean.get("version", ""),
            format=clean.get("format", "text"),
            pages=clean.get("pages", False),
            page_labels=tuple(clean.get("page_labels", ())),
            speakers=clean.get("speakers", ()),
            headings=clean.get("headings", ()),
            draft=clean.get("draft", False),
            unquotable=_unquotables(check, clean.get("unquotable", []), source_id),
            path=path,
            line=line,
        )
    return sources


def _unquotables(check: Checker, items: list[Any], source_id: str) -> tuple[Unquotable, ...]:
    rules = []
    for item in items:
        clean = check.record(item, UNQUOTABLE_FIELDS, f"an `unquotable` rule of `{source_id}`")
        if clean and len(clean) == 2:
            try:
                re.compile(clean["pattern"])
            except re.error as exc:
                check.problems.error(check.path, item.line_of("pattern"), f"invalid pattern: {exc}")
                continue
            rules.append(Unquotable(clean["pattern"], clean["why"]))
    return tuple(rules)


# A term's fields that are inline Markdown (a view's `summary` is the other): every output reads them with
# markup.parse, so each is checked with check_markup, its links with address_problem and against the term ids.
MARKDOWN_FIELDS = ("gloss", "definition")


def validate_term(data: Any, path: Path, sources: dict[str, Source], problems: Problems) -> Term | None:
    term_id = path.stem
    if not is_id(term_id):
        problems.error(path, None, f"file name {path.name!r} is not a valid term id",
                       "name term files in lowercase words joined by hyphens, e.g. `sharp-left-turn.yaml`")
        return None
    if data is None:
        problems.error(path, None, "term file is empty", "a term needs at least `term:` and `definition:`")
        return None
    check = Checker(problems, path)
    clean = check.record(data, TERM_FIELDS, f"term `{term_id}`")
    if clean is None:
        return None
    limits.check_term(data, path, problems)
    # A term missing required fields is still returned (its problems are recorded),
    # so that the cross-file checks can report everything else in the same run.
    for key in MARKDOWN_FIELDS:  # every field read as Markdown: one rule for what it may link to
        if key in clean:  # a gloss is one sentence, shown as typed even where it opens like a list or heading
            check_markup(clean[key], path, data.line_of(key), problems, f"the {key}", blocks=key != "gloss")
    citations = _citations(check, clean.get("citations", []), sources, f"term `{term_id}`")
    views = []
    for item in clean.get("views", []):
        view = check.record(item, VIEW_FIELDS, f"a view of `{term_id}`")
        if view and {"holder", "summary", "citations"} <= view.keys():
            view_citations = _citations(check, view["citations"], sources, f"a view of `{term_id}`")
            if not view["citations"]:
                problems.error(path, item.line, "a view needs at least one citation",
                               "back each side with its own verified quote")
            check_markup(view["summary"], path, item.line_of("summary"), problems, "the summary")
            views.append(View(view["holder"], view["summary"], view_citations, item.line, item.line_of("summary")))
    if not citations and not views:
        problems.warn(path, data.line, f"term `{term_id}` has no citation",
                      "add a verbatim quote from a source under `citations:`")
    gloss = " ".join(clean.get("gloss", "").split())
    _check_gloss(gloss, (clean.get("term", term_id), *clean.get("aliases", ())), path, data, problems)
    level = clean.get("level", "standard")
    if level not in LEVELS:
        problems.error(path, data.line_of("level"), f"`level: {level}` is not one of: {', '.join(LEVELS)}",
                       "core terms are learned first, extra ones last; most terms are `standard`")
        level = "standard"
    return Term(
        id=term_id,
        term=clean.get("term", term_id),
        definition=clean.get("definition", ""),
        gloss=gloss,
        level=level,
        aliases=clean.get("aliases", ()),
        tags=clean.get("tags", ()),
        related=clean.get("related", ()),
        citations=citations,
        views=tuple(views),
        renamed_from=clean.get("renamed_from", ()),
        named_in_sources=clean.get("named_in_sources", True),
        path=path,
        lines=dict(data.key_lines),
    )


def _check_gloss(gloss: str, names: tuple[str, ...], path: Path, data: Located, problems: Problems) -> None:
    """Warn where a gloss is missing, too long, or gives away the term it is the question for."""
    line = data.line_of("gloss") or data.line
    if not gloss:
        problems.warn(path, line, "term has no `gloss`",
                      f"add `gloss:`, one sentence of at most {MAX_GLOSS_WORDS} words that a student can recite; "
                      "it leads the card's answer and is the question of the definition → term card")
        return
    words = len(gloss.split())
    if words > MAX_GLOSS_WORDS:
        problems.warn(path, line, f"gloss is {words} words long; at most {MAX_GLOSS_WORDS}",
                      "keep the one idea to memorise; the rest belongs in `definition`")
    plain = markup.to_plain(gloss).casefold()
    for name in names:
        if _contains_word(plain, name.casefold()):
            problems.warn(path, line, f"gloss names the term itself (`{name}`)",
                          "the definition → term card asks with the gloss: say what it is without naming it")
            break


def _contains_word(text: str, words: str) -> bool:
    r"""Whether `words` occur in `text` as whole words (as the regex (?<!\w)words(?!\w) finds them, without
    compiling a pattern per term: thousands of names overflow re's cache, and compiling dominated `check`)."""
    start = text.find(words)
    while start >= 0:
        end = start + len(words)
        if (start == 0 or not _word_char(text[start - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        start = text.find(words, start + 1)
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _citations(check: Checker, items: list[Any], sources: dict[str, Source], what: str) -> tuple[Citation, ...]:
    result = []
    for item in items:
        clean = check.record(item, CITATION_FIELDS, f"a citation of {what}", getattr(items, "line", None))
        if not clean or not {"source", "quote"} <= clean.keys():
            continue
        line = item.line
        source = sources.get(clean["source"])
        if source is None:
            guess = difflib.get_close_matches(clean["source"], list(sources), n=1, cutoff=0.5)
            hint = f"did you mean `{guess[0]}`?" if guess else "known sources: " + ", ".join(sources)
            check.problems.error(check.path, item.line_of("source"), f"unknown source `{clean['source']}`", hint)
            continue
        speaker = clean.get("speaker")
        if source.speakers and speaker is None:
            check.problems.error(check.path, line, f"a citation of the dialogue `{source.id}` needs `speaker:`",
                                 "the speakers argue opposite sides; name one of: " + ", ".join(source.speakers))
        elif source.speakers and speaker not in source.speakers:
            check.problems.error(check.path, item.line_of("speaker"), f"`{speaker}` is not a speaker of `{source.id}`",
                                 "name one of: " + ", ".join(source.speakers))
        words = len(re.findall(r"\w+", clean["quote"]))
        if words < MIN_QUOTE_WORDS:
            check.problems.error(check.path, item.line_of("quote"),
                                 f"quote is too short ({words} word{'s' if words != 1 else ''}; at least "
                                 f"{MIN_QUOTE_WORDS})", "quote the whole phrase or sentence that makes the point")
            continue
        result.append(Citation(
            source=source.id,
            quote=" ".join(clean["quote"].split()),
            speaker=speaker,
            occurrence=clean.get("occurrence"),
            prefix=clean.get("prefix"),
            note=clean.get("note", ""),
            path=check.path,
            line=line,
        ))
    return tuple(result)


TermLink = tuple[str, "int | None", str]  # a link's address, its line and the field it is in


def term_links(term: Term) -> tuple[TermLink, ...]:
    """Every link in the term's Markdown fields and its views' summaries, in order."""
    texts = [(getattr(term, key), term.line_of(key), key) for key in MARKDOWN_FIELDS] + \
        [(v.summary, v.summary_line or v.line, "summary") for v in term.views]
    return tuple((href, line, what) for text, line, what in texts for href in markup.links(text))


def check_terms_together(terms: list[Term], problems: Problems,
                         links: Sequence[tuple[TermLink, ...]] | None = None) -> None:
    """Cross-file checks: unique names and aliases, related ids and definition links that exist. `links` holds
    each term's term_links when they are known already."""
    owners: dict[str, tuple[Term, str]] = {}
    ids = {t.id for t in terms}
    renamed: dict[str, Term] = {}
    for term in terms:
        seen_here: set[str] = set()
        for name in (term.term, *term.aliases):
            key = name_key(name)
            if key in seen_here:
                problems.error(term.path, term.line_of("aliases"),
                               f"alias `{name}` is the same name as another of `{term.id}`, once case, spaces "
                               "and hyphens are ignored", "remove it: look-ups already ignore those differences")
                continue
            seen_here.add(key)
            if key in owners and owners[key][0].id != term.id:
                other, other_name = owners[key]
                for mine, theirs, my_name, their_name in ((term, other, name, other_name),
                                                          (other, term, other_name, name)):
                    problems.error(mine.path, mine.line_of("term" if my_name == mine.term else "aliases"),
                                   f"name `{my_name}` is already used by term `{theirs.id}` (as `{their_name}`)",
                                   "each term and alias must be unique, ignoring case and spacing; "
                                   "merge the entries or drop the alias")
            else:
                owners[key] = (term, name)
        for old in term.renamed_from:
            if not is_id(old):  # an old id keys the term's notes in notes.lock, beside `@model`
                problems.error(term.path, term.line_of("renamed_from"), f"`renamed_from: {old}` is not a term id",
                               "an old id is the term's old file name without .yaml: lowercase words joined by "
                               "hyphens")
            elif old in ids:
                problems.error(term.path, term.line_of("renamed_from"),
                               f"`renamed_from: {old}` names a term that still exists",
                               "a renamed term's old id must no longer be a file")
            elif old in renamed:
                problems.error(term.path, term.line_of("renamed_from"),
                               f"`{old}` is claimed by `renamed_from` of both `{renamed[old].id}` "
                               f"and `{term.id}`", "only one term can inherit an old id")
            renamed[old] = term
    for term, found in zip(terms, links if links is not None else map(term_links, terms)):
        for target in term.related:
            if target == term.id:
                problems.error(term.path, term.line_of("related"), f"term `{term.id}` lists itself in `related`",
                               "remove it")
            elif target not in ids:
                problems.error(term.path, term.line_of("related"), f"related term `{target}` does not exist",
                               _did_you_mean(target, ids))
        for href, line, what in found:  # their form is checked with the term itself (check_markup)
            if markup.address_problem(href) is None and href.startswith("#") and href[1:] not in ids:
                problems.error(term.path, line, f"link to unknown term `{href[1:]}` (in the {what})",
                               _did_you_mean(href[1:], ids))
    _check_glosses_apart(terms, problems)


def _check_glosses_apart(terms: list[Term], problems: Problems) -> None:
    """Warn where two glosses are so alike that the meaning → term card could be answered with either term."""
    for like in glosses.too_alike([term.gloss for term in terms]):
        term, other = terms[like.second], terms[like.first]
        alike = "has the same content words as" if like.score >= 1 else "is too like"
        problems.warn(term.path, term.line_of("gloss") or term.line_of("term"),
                      f"gloss {alike} the gloss of `{other.id}` (similarity {like.score:.2f}, limit "
                      f"{glosses.LIMIT:.2f}; shared words: {', '.join(like.shared)})",
                      f"a gloss asks for one term on the meaning → term card: say what sets `{term.id}` apart "
                      f"from `{other.id}` ({other.path})")


def check_markup(text: str, path: Path, line: int, problems: Problems, what: str, blocks: bool = True) -> None:
    """Report what the inline Markdown subset would not show as written, and every link address it may not use."""
    for message, hint in markup.problems(text, blocks):
        problems.error(path, line, f"{message} (in {what})", hint)
    for address in markup.links(text):
        check_address(address, path, line, problems, f"a link in {what}")


def check_address(address: str, path: Path, line: int, problems: Problems, where: str,
                  term_links: bool = True) -> None:
    """The one check for every address that can reach an output as a link."""
    found = markup.address_problem(address, term_links)
    if found is not None:
        message, hint = found
        problems.error(path, line, f"{message} ({where})", hint)


def _did_you_mean(name: str, ids: set[str]) -> str:
    guess = difflib.get_close_matches(name, sorted(ids), n=3, cutoff=0.6)
    if guess:
        return "did you mean " + " or ".join(f"`{g}`" for g in guess) + "?"
    return "use the id of an existing term (its file name without .yaml)"
