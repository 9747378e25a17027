"""Raw located records → model objects; collects every problem, with did-you-mean hints."""

from __future__ import annotations

import datetime
import difflib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossdeck import markup
from glossdeck.errors import Problems
from glossdeck.load import Located, LocatedList
from glossdeck.model import LEVELS, Citation, Settings, Source, Term, Unquotable, View, name_key

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_QUOTE_WORDS = 4
MAX_GLOSS_WORDS = 25  # a gloss is one sentence a student can recite


@dataclass(frozen=True)
class Field:
    """What one key of a record may hold."""

    kind: str  # text, optional-text, bool, count, text-list, citations, views, date
    required: bool = False


SETTINGS_FIELDS = {
    "title": Field("text", True),
    "subtitle": Field("text"),
    "language": Field("text"),
    "deck_name": Field("text"),
    "output_base": Field("text"),
    "author": Field("text"),
    "id": Field("text"),
    "paper": Field("text"),
    "cards_paper": Field("text"),
    "card_size": Field("text"),
    "card_flip": Field("text"),
    "card_back_offset": Field("text"),
    "card_layout": Field("text"),
    "site_url": Field("optional-text"),
}
CHOICES = {"paper": ("a5", "half-letter"), "cards_paper": ("a4", "letter"), "card_flip": ("long", "short"),
           "card_layout": ("duplex", "fold")}
SOURCE_FIELDS = {
    "file": Field("text", True),
    "sha256": Field("text", True),
    "title": Field("text", True),
    "subtitle": Field("text"),
    "author": Field("text", True),
    "author_confirmed": Field("bool"),
    "date": Field("date"),
    "venue": Field("text"),
    "url": Field("optional-text"),
    "version": Field("text"),
    "format": Field("text"),
    "speakers": Field("text-list"),
    "headings": Field("text-list"),
    "unquotable": Field("unquotable"),
}
TERM_FIELDS = {
    "term": Field("text", True),
    "aliases": Field("text-list"),
    "definition": Field("text", True),
    "gloss": Field("text"),
    "level": Field("text"),
    "tags": Field("text-list"),
    "related": Field("text-list"),
    "citations": Field("citations"),
    "views": Field("views"),
    "renamed_from": Field("text-list"),
}
CITATION_FIELDS = {
    "source": Field("text", True),
    "quote": Field("text", True),
    "speaker": Field("text"),
    "occurrence": Field("count"),
    "prefix": Field("text"),
    "note": Field("text"),
}
VIEW_FIELDS = {
    "holder": Field("text", True),
    "summary": Field("text", True),
    "citations": Field("citations", True),
}
UNQUOTABLE_FIELDS = {"pattern": Field("text", True), "why": Field("text", True)}

_KIND_NAMES = {
    "text": "text",
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
        value = data[key]
        line = data.line_of(key)
        if spec.kind == "text" or (spec.kind == "optional-text" and value is not None):
            if isinstance(value, str):
                if not value.strip() and spec.required:
                    self.problems.error(self.path, line, f"`{key}` in {what} is empty", f"write the {key}")
                    return _BAD
                return value.strip()
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
            if isinstance(value, (datetime.date, str)):
                return value.isoformat() if isinstance(value, datetime.date) else value.strip()
            return self._wrong(key, what, line, value, spec)
        if spec.kind == "text-list":
            return self.text_list(value, key, what, line, spec)
        if spec.kind in ("citations", "views", "unquotable"):
            if not isinstance(value, LocatedList):
                return self._wrong(key, what, line, value, spec)
            return value
        raise AssertionError(spec.kind)

    def text_list(self, value: Any, key: str, what: str, line: int, spec: Field) -> Any:
        if isinstance(value, str):
            return (value.strip(),)  # a single name is a list of one
        if not isinstance(value, LocatedList):
            return self._wrong(key, what, line, value, spec)
        items = []
        for item, item_line in zip(value, value.item_lines):
            if isinstance(item, str) and item.strip():
                items.append(item.strip())
            elif isinstance(item, bool):
                self.problems.error(self.path, item_line, f"an item of `{key}` in {what} is the boolean "
                                    f"{str(item).lower()}",
                                    "YAML reads a bare yes/no/on/off/true/false as a boolean; put it in quotes")
            else:
                self.problems.error(self.path, item_line, f"an item of `{key}` in {what} is {_type_name(item)}, "
                                    "not text", "write each item as text (quote it if needed)")
        return tuple(items)

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


def validate_settings(data: Any, path: Path, problems: Problems) -> Settings:
    if data is None:
        problems.error(path, None, "settings file is empty", "give at least `title:`")
        return Settings()
    clean = Checker(problems, path).record(data, SETTINGS_FIELDS, "glossary settings")
    if not clean:
        return Settings()
    title = clean.get("title", "Glossary")
    base = clean.get("output_base", "alignment-glossary")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", base):
        problems.error(path, data.line_of("output_base"), f"output_base {base!r} is not a plain file name",
                       "use letters, digits, dots, hyphens and underscores")
    for key, allowed in CHOICES.items():
        if key in clean and clean[key] not in allowed:
            problems.error(path, data.line_of(key), f"`{key}: {clean[key]}` is not one of: {', '.join(allowed)}",
                           f"write `{key}: {allowed[0]}`")
            del clean[key]
    size = _pair(clean, data, "card_size", "x", (60.0, 85.0), path, problems, "60x85 (width x height in mm)")
    offset = _pair(clean, data, "card_back_offset", ",", (0.0, 0.0), path, problems, "0.5,-1 (right, up in mm)")
    return Settings(
        title=title,
        subtitle=clean.get("subtitle", ""),
        language=clean.get("language", "en"),
        deck_name=clean.get("deck_name", title),
        output_base=base,
        author=clean.get("author", ""),
        id=clean.get("id", base),
        paper=clean.get("paper", "a5"),
        cards_paper=clean.get("cards_paper", "a4"),
        card_size_mm=size,
        card_flip=clean.get("card_flip", "long"),
        card_back_offset_mm=offset,
        card_layout=clean.get("card_layout", "duplex"),
        site_url=_site_url(clean.get("site_url"), data.line_of("site_url"), path, problems),
    )


def _site_url(value: str | None, line: int | None, path: Path, problems: Problems) -> str | None:
    """The published site's address, always ending in "/" so that pages join onto it; None if unset."""
    if value is None:
        return None
    value = value.strip()
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or " " in value:
        problems.error(path, line, f"`site_url: {value}` is not the address of a web folder",
                       "write the full address where the site is published, e.g. https://example.org/glossary/")
        return None
    return parts.geturl() if parts.path.endswith("/") else parts.geturl() + "/"


def parse_pair(text: str, separator: str) -> tuple[float, float] | None:
    """"60x85" or "0.5,-1" as two numbers, or None if it is not that."""
    parts = text.lower().replace(" ", "").split(separator)
    try:
        first, second = (float(p) for p in parts)
    except ValueError:
        return None
    return first, second


def _pair(clean: dict[str, Any], data: Located, key: str, separator: str, default: tuple[float, float],
          path: Path, problems: Problems, example: str) -> tuple[float, float]:
    if key not in clean:
        return default
    pair = parse_pair(clean[key], separator)
    if pair is None or (key == "card_size" and min(pair) <= 0):
        problems.error(path, data.line_of(key), f"`{key}: {clean[key]}` is not two numbers", f"write e.g. {example}")
        return default
    return pair


def validate_sources(data: Any, path: Path, problems: Problems) -> dict[str, Source]:
    if not isinstance(data, Located) or not data:
        problems.error(path, getattr(data, "line", None), "sources file must map source ids to their details",
                       "write `my-source:` then `file:`, `sha256:`, `title:`, `author:` indented below it")
        return {}
    check = Checker(problems, path)
    sources = {}
    for source_id, entry in data.items():
        line = data.line_of(source_id)
        if not ID_PATTERN.match(source_id):
            problems.error(path, line, f"source id {source_id!r} is not lowercase words joined by hyphens",
                           "ids are stable and short, e.g. `starter-pack`")
        clean = check.record(entry, SOURCE_FIELDS, f"source `{source_id}`", line)
        if clean is None or not {"file", "sha256", "title", "author"} <= clean.keys():
            continue
        if clean.get("format", "text") not in ("text", "markdown"):
            problems.error(path, entry.line_of("format"), "format must be `text` or `markdown`")
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
            speakers=clean.get("speakers", ()),
            headings=clean.get("headings", ()),
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


def validate_term(data: Any, path: Path, sources: dict[str, Source], problems: Problems) -> Term | None:
    term_id = path.stem
    if not ID_PATTERN.match(term_id):
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
    # A term missing required fields is still returned (its problems are recorded),
    # so that the cross-file checks can report everything else in the same run.
    citations = _citations(check, clean.get("citations", []), sources, f"term `{term_id}`")
    views = []
    for item in clean.get("views", []):
        view = check.record(item, VIEW_FIELDS, f"a view of `{term_id}`")
        if view and {"holder", "summary", "citations"} <= view.keys():
            view_citations = _citations(check, view["citations"], sources, f"a view of `{term_id}`")
            if not view["citations"]:
                problems.error(path, item.line, "a view needs at least one citation",
                               "back each side with its own verified quote")
            views.append(View(view["holder"], view["summary"], view_citations, item.line))
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
        if re.search(r"(?<!\w)" + re.escape(name.casefold()) + r"(?!\w)", plain):
            problems.warn(path, line, f"gloss names the term itself (`{name}`)",
                          "the definition → term card asks with the gloss: say what it is without naming it")
            break


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


def check_terms_together(terms: list[Term], problems: Problems) -> None:
    """Cross-file checks: unique names and aliases, related ids and definition links that exist."""
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
            if old in ids:
                problems.error(term.path, term.line_of("renamed_from"),
                               f"`renamed_from: {old}` names a term that still exists",
                               "a renamed term's old id must no longer be a file")
            elif old in renamed:
                problems.error(term.path, term.line_of("renamed_from"),
                               f"`{old}` is claimed by `renamed_from` of both `{renamed[old].id}` "
                               f"and `{term.id}`", "only one term can inherit an old id")
            renamed[old] = term
    for term in terms:
        for target in term.related:
            if target == term.id:
                problems.error(term.path, term.line_of("related"), f"term `{term.id}` lists itself in `related`",
                               "remove it")
            elif target not in ids:
                problems.error(term.path, term.line_of("related"), f"related term `{target}` does not exist",
                               _did_you_mean(target, ids))
        texts = [(term.definition, term.line_of("definition"))] + [(v.summary, v.line) for v in term.views]
        for text, line in texts:
            for href in markup.links(text):
                if href.startswith("#"):
                    if href[1:] not in ids:
                        problems.error(term.path, line, f"link to unknown term `{href[1:]}` in the text",
                                       _did_you_mean(href[1:], ids))
                elif not re.match(r"https?://", href):
                    problems.error(term.path, line, f"link target `{href}` is neither `#term-id` nor a web address",
                                   "link to another term with [text](#term-id)")


def _did_you_mean(name: str, ids: set[str]) -> str:
    guess = difflib.get_close_matches(name, sorted(ids), n=3, cutoff=0.6)
    if guess:
        return "did you mean " + " or ".join(f"`{g}`" for g in guess) + "?"
    return "use the id of an existing term (its file name without .yaml)"
