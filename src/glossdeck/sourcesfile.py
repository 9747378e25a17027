"""glossary/sources.yaml edited entry by entry with PyYAML's own emitter: the rest of the file, comments included,
stays as it was written, and every value written reads back as itself."""

from __future__ import annotations

from typing import Any

import yaml

from glossdeck.errors import GlossdeckError, Problem

# The order of an entry's keys, as the hand-written entries have them.
KEY_ORDER = ("file", "sha256", "title", "subtitle", "author", "author_confirmed", "date", "venue", "url", "version",
             "draft", "format", "pages", "page_labels", "speakers", "headings", "unquotable")
INDENT = 2
WIDTH = 100  # long values wrap, as YAML allows, rather than run on in one line

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe emitter, with a list indented under its key as the hand-written entries have it."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _emit(data: dict[str, Any]) -> list[str]:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH,
                     default_flow_style=False, indent=INDENT)
    return text.splitlines(keepends=True)


def ordered(fields: dict[str, Any]) -> dict[str, Any]:
    """An entry's fields in the usual order (any other key after them)."""
    known = {key: fields[key] for key in KEY_ORDER if key in fields}
    return known | {key: value for key, value in fields.items() if key not in known}


def entry_text(source_id: str, fields: dict[str, Any]) -> str:
    """A new entry as it would be written."""
    return "".join(_emit({source_id: ordered(fields)}))


def add_entry(text: str, source_id: str, fields: dict[str, Any]) -> str:
    """The file with a new entry at its end."""
    lead = text if not text or text.endswith("\n") else text + "\n"
    new = lead + entry_text(source_id, fields)
    _check(new, source_id, fields)
    return new


def set_fields(text: str, source_id: str, changes: dict[str, Any]) -> str:
    """The file with these keys of one entry set (a value of None removes the key), every other line as it was."""
    lines = text.splitlines(keepends=True)
    entry = _entry_node(text, source_id)
    spans = {key.value: _span(lines, key, value) for key, value in entry.value}
    after_last = max((end for _, end in spans.values()), default=entry.start_mark.line + 1)
    replaced: dict[int, tuple[int, list[str]]] = {}  # first line → (line after the last, new lines)
    added: list[str] = []
    for key, value in changes.items():
        emitted = [] if value is None else [" " * INDENT + line for line in _emit({key: value})]
        if key in spans:
            replaced[spans[key][0]] = (spans[key][1], emitted)
        else:
            added += emitted
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in replaced:
            end, emitted = replaced[index]
            out += emitted
            index = end
            continue
        if index == after_last:
            out += added
            added = []
        out.append(lines[index])
        index += 1
    if added:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out += added
    new = "".join(out)
    final = _fields_of(new, source_id)
    _check(new, source_id, {k: v for k, v in changes.items() if v is not None})
    for key, value in changes.items():
        if value is None and key in final:
            raise _internal(f"`{key}` of `{source_id}` is still there")
    return new


def remove_entry(text: str, source_id: str) -> str:
    """The file without one entry's lines (comments above it stay: they may speak of the next one)."""
    lines = text.splitlines(keepends=True)
    node = yaml.compose(text, Loader=_Loader)
    for key, value in node.value:
        if key.value == source_id:
            start, end = _span(lines, key, value)
            new = "".join(lines[:start] + lines[end:])
            remaining = yaml.load(new, Loader=_Loader) or {}
            if source_id in remaining:
                raise _internal(f"`{source_id}` is still there")
            return new
    raise _internal(f"no entry `{source_id}`")


def _entry_node(text: str, source_id: str) -> yaml.MappingNode:
    node = yaml.compose(text, Loader=_Loader)
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if key.value == source_id and isinstance(value, yaml.MappingNode):
            return value
    raise _internal(f"no entry `{source_id}`")


def _span(lines: list[str], key: yaml.Node, value: yaml.Node) -> tuple[int, int]:
    """[first, after last) line of a key and its value; blank and comment lines after the value are not its own."""
    first = key.start_mark.line
    # a value ends where the next token begins: on its own line when only indentation stands before that mark
    mark = value.end_mark
    end = mark.line + (1 if mark.line < len(lines) and lines[mark.line][: mark.column].strip() else 0)
    while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return first, max(end, first + 1)


def _fields_of(text: str, source_id: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_Loader) or {}
    entry = data.get(source_id) if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        raise _internal(f"no entry `{source_id}` after writing it")
    return entry


def _check(text: str, source_id: str, wanted: dict[str, Any]) -> None:
    """Every value written reads back as itself: an emitter, unlike joined strings, cannot get this wrong, but a
    file is only replaced once that is seen."""
    entry = _fields_of(text, source_id)
    for key, value in wanted.items():
        back = entry.get(key)
        if isinstance(value, tuple):
            value = list(value)
        if back != value:
            raise _internal(f"`{key}` of `{source_id}` would read back as {back!r}, not {value!r}")


def _internal(what: str) -> GlossdeckError:
    return GlossdeckError([Problem(None, None, f"glossary/sources.yaml could not be edited safely: {what}",
                                   "nothing was written; edit the entry by hand, and please report this")])
