"""Drafted terms as they arrive (a YAML or JSON Lines file, a tool call): every field checked before any is judged."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import MAX_FILE_BYTES, LocatedList, parse_yaml
from glossdeck.model import LEVELS, refused_char

PROPOSAL_KEYS = ("term", "id", "gloss", "definition", "aliases", "level", "tags", "related", "citations")
QUOTE_KEYS = ("source", "quote", "speaker")
MAX_DRAFT_BYTES = 16 * 1024 * 1024  # a file of proposals: some thousands of terms
MAX_PROPOSAL_BYTES = MAX_FILE_BYTES  # one proposal, a line of JSON Lines: as much as a term's own file may hold
SHOWN_CHARS = 60  # of a key or value quoted in a message


@dataclass(frozen=True)
class ProposedQuote:
    source: str
    quote: str
    speaker: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A term as a model or a person drafted it: nothing in it is trusted yet."""

    term: str
    definition: str = ""
    gloss: str = ""
    aliases: tuple[str, ...] = ()
    level: str = "standard"
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    citations: tuple[ProposedQuote, ...] = ()
    id: str | None = None


def shown(text: str) -> str:
    """Untrusted text as a message may quote it: control characters escaped, long text cut."""
    visible = text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")
    return visible if len(visible) <= SHOWN_CHARS else visible[:SHOWN_CHARS] + "…"


class _Fields:
    """Where one proposal stands (file and line, or the name of a tool call's argument), to say where each
    problem is: a key's own line in YAML, the proposal's line in JSON Lines."""

    def __init__(self, problems: Problems, path: Path | None, line: int | None,
                 line_of: Callable[[str], int | None] | None, where: str) -> None:
        self.problems, self.path, self.line, self.where = problems, path, line, where
        self.line_of = line_of or (lambda key: None)

    def error(self, key: str | None, message: str, hint: str = "") -> None:
        line = (self.line_of(key) if key else None) or self.line
        prefix = "" if self.path is not None else f"{self.where}: "  # a file names the place; a tool call cannot
        self.problems.error(self.path, line, prefix + message, hint)

    def text(self, value: Any, key: str, what: str, required: bool = False, at: str | None = None) -> str:
        """A text field, its white space made single; any other type, or a character no text may hold, refused.
        `at` is the key whose line the problem is told at (a citation's field: its list's)."""
        line_key = at or key
        if value is None:
            if required:
                self.error(line_key, f"{what} is missing", f"give `{key}` as text")
            return ""
        if not isinstance(value, str):
            self.error(line_key, f"{what} must be text, not {_type_name(value)}",
                       f"write `{key}` as text (in quotes if it looks like a number, a date or true/false)")
            return ""
        refused = refused_char(value)
        if refused is not None:  # said without the text: it would act on the terminal that shows the message
            self.error(line_key, f"{what} contains {refused}", "remove it: no text in a glossary may hold one")
            return ""
        return " ".join(value.split())

    def texts(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.error(key, f"`{key}` must be a list of texts, not {_type_name(value)}",
                       f'write `{key}: ["first", "second"]`')
            return ()
        return tuple(t for t in (self.text(v, key, f"an item of `{key}`") for v in value) if t)

    def unknown(self, data: dict[str, Any], known: tuple[str, ...], what: str) -> None:
        for key in data:
            guess = difflib.get_close_matches(str(key), known, n=1)
            self.error(str(key), f"unknown field `{shown(str(key))}` in {what}",
                       f"did you mean `{guess[0]}`?" if guess else "known fields: " + ", ".join(known))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    names = {int: "a number", float: "a number", dict: "a mapping", list: "a list"}
    return names.get(type(value), type(value).__name__)


def proposal_from(data: Any, where: str = "proposal", path: Path | None = None, line: int | None = None,
                  line_of: Callable[[str], int | None] | None = None) -> Proposal:
    """A proposal from decoded JSON or YAML, every field checked for its type and its characters; a GlossdeckError
    naming each problem (at its file and line when it came from a file) otherwise."""
    problems = Problems()
    fields = _Fields(problems, path, line, line_of, where)
    if not isinstance(data, dict):
        fields.error(None, f"a proposal must be a mapping of fields, not {_type_name(data)}",
                     "give `term`, `gloss`, `definition` and `citations` (a list of {source, quote, speaker?})")
        raise GlossdeckError(problems.items)
    fields.unknown({k: v for k, v in data.items() if k not in PROPOSAL_KEYS}, PROPOSAL_KEYS, "a proposal")
    term = fields.text(data.get("term"), "term", "`term`", required=True)
    level = fields.text(data.get("level", "standard"), "level", "`level`") or "standard"
    if level not in LEVELS:
        fields.error("level", f"`level` must be one of {', '.join(LEVELS)}, not `{shown(level)}`",
                     "core terms are learned first, extra ones last; most terms are `standard`")
    quotes = data.get("citations", [])
    if not isinstance(quotes, list):
        fields.error("citations", "`citations` must be a list of {source, quote, speaker?}, not "
                     + _type_name(quotes), "write `citations: [{source: …, quote: …}]`")
        quotes = []
    proposal = Proposal(
        term=term, id=fields.text(data.get("id"), "id", "`id`") or None,
        definition=fields.text(data.get("definition", ""), "definition", "`definition`"),
        gloss=fields.text(data.get("gloss", ""), "gloss", "`gloss`"), level=level,
        aliases=fields.texts(data.get("aliases", []), "aliases"),
        tags=fields.texts(data.get("tags", []), "tags"),
        related=fields.texts(data.get("related", []), "related"),
        citations=tuple(_quote(fields, q, i) for i, q in enumerate(quotes, 1)),
    )
    problems.raise_if_errors()
    return proposal


def _quote(fields: _Fields, data: Any, number: int) -> ProposedQuote:
    what = f"citation {number}"
    if not isinstance(data, dict):
        fields.error("citations", f"{what} must be a mapping {{source, quote, speaker?}}, not {_type_name(data)}")
        return ProposedQuote("", "")
    fields.unknown({k: v for k, v in data.items() if k not in QUOTE_KEYS}, QUOTE_KEYS, what)
    return ProposedQuote(fields.text(data.get("source"), "source", f"{what}: `source`", True, at="citations"),
                         fields.text(data.get("quote"), "quote", f"{what}: `quote`", True, at="citations"),
                         fields.text(data.get("speaker"), "speaker", f"{what}: `speaker`", at="citations") or None)


# --- files of proposals -------------------------------------------------------------------------------------------


def read_proposals(path: Path) -> list[tuple[str, Proposal | GlossdeckError]]:
    """The drafted terms of a YAML file (one mapping or a list) or a JSON Lines file (.jsonl, one object a line),
    each with where it stands; one that cannot be read is its error, so that the others are still judged. A file that
    cannot be read at all, or holds no proposal, is a GlossdeckError."""
    data = path.read_bytes()
    if len(data) > MAX_DRAFT_BYTES:
        raise GlossdeckError([Problem(path, None, f"file is {len(data) // 1024 // 1024} MiB, larger than the "
                                      f"{MAX_DRAFT_BYTES // 1024 // 1024} MiB a file of proposals may be",
                                      "split it into several files")])
    found = _json_lines(data, path) if path.suffix.lower() in (".jsonl", ".ndjson") else _yaml(data, path)
    if not found:
        raise GlossdeckError([Problem(path, None, "holds no proposal",
                                      "write one proposal (`term`, `gloss`, `definition`, `citations`) as YAML, a "
                                      "list of them, or one JSON object a line in a .jsonl file")])
    return found


def _yaml(data: bytes, path: Path) -> list[tuple[str, Proposal | GlossdeckError]]:
    document, problems = parse_yaml(data, path, MAX_DRAFT_BYTES)
    if problems:
        raise GlossdeckError(problems)
    if document is None:
        return []
    items = document if isinstance(document, list) else [document]
    results: list[tuple[str, Proposal | GlossdeckError]] = []
    for index, item in enumerate(items, 1):
        line = getattr(item, "line", None) or (document.item_lines[index - 1] if isinstance(document, LocatedList)
                                               else None)
        where = f"{path}:{line}" if line else f"{path}: proposal {index}"
        try:
            results.append((where, proposal_from(_plain(item), where, path, line, _key_lines(item))))
        except GlossdeckError as error:
            results.append((where, error))
    return results


def _key_lines(item: Any) -> Callable[[str], int | None] | None:
    line_of = getattr(item, "line_of", None)
    return (lambda key: line_of(key) if key in item else None) if line_of is not None else None


def _plain(value: Any) -> Any:
    """YAML records (which remember their lines) as plain dicts, lists and texts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_lines(data: bytes, path: Path) -> list[tuple[str, Proposal | GlossdeckError]]:
    found: list[tuple[str, Proposal | GlossdeckError]] = []
    if data.startswith(b"\xef\xbb\xbf"):  # a byte order mark, as some editors on Windows save UTF-8
        data = data[3:]
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            found.append((where, proposal_from(_json_object(line, path, number), where, path, number)))
        except GlossdeckError as error:
            found.append((where, error))
    return found


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON value")


def _json_object(line: bytes, path: Path, number: int) -> Any:
    """One line of JSON Lines, decoded; what is not JSON (or is JSON only Python reads) is a problem at its line."""
    def problem(message: str, hint: str = "write one JSON object per line") -> GlossdeckError:
        return GlossdeckError([Problem(path, number, message, hint)])

    if len(line) > MAX_PROPOSAL_BYTES:
        raise problem(f"line is {len(line) // 1024} KiB, larger than the {MAX_PROPOSAL_BYTES // 1024} KiB a "
                      "proposal may be", "a proposal is one term: its definition, gloss and a few short quotes")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise problem(f"not valid UTF-8 (byte 0x{line[error.start]:02x})", "save the file as UTF-8 in your editor") \
            from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as error:
        raise problem(f"key `{shown(str(error))}` appears twice in this object",
                      "JSON readers keep only one of them; merge the two") from None
    except json.JSONDecodeError as error:
        raise problem(f"not JSON: {error.msg} (column {error.colno})") from None
    except ValueError as error:
        raise problem(f"not JSON: {error}") from None
    except RecursionError:
        raise problem("not JSON this reader can follow: nested too deeply",
                      "a proposal is a flat object with a list of citations") from None
