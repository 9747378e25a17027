"""YAML files → raw records (dicts and lists) that remember the line of every key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from glossdeck.errors import Problem

MAX_FILE_BYTES = 256 * 1024


class Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its own line, each key's line and each raw scalar."""

    line: int
    key_lines: dict[str, int]
    raw: dict[str, str]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers its own line and each item's line."""

    line: int
    item_lines: list[int]


# libyaml when PyYAML was built with it (its wheels are): parsing is then ~15× faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# An anchor or alias starts a node: at the start of a line (after its indent, list dashes or `? `), after a
# key's colon and a space, after a flow bracket or comma, after a tag, or after `---`. Not inside a sentence:
# a definition's *emphasis* is not one. Files that might hold one are parsed event by event to be sure.
_ANCHOR_OR_ALIAS = re.compile(r"[&*][^\s,\[\]{}]")
_NODE_START = re.compile(r"(?:^[ \t]*(?:[-?][ \t]+)*|:[ \t]+|[\[{,][ \t]*|![^\s]*[ \t]+|^---[ \t]+)\Z",
                         re.MULTILINE)
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)


def _anchor_line(text: str) -> int | None:
    """The line of the first anchor or alias, if any: they hide text from reviewers."""
    if not any(_NODE_START.search(text, text.rfind("\n", 0, found.start()) + 1, found.start())
               for found in _ANCHOR_OR_ALIAS.finditer(text)):
        return None
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return int(event.start_mark.line) + 1
    return None


def load_yaml(path: Path, display: Path | None = None) -> tuple[Any, list[Problem]]:
    """Read one YAML file; return its located data (or None) and the problems found."""
    shown = display or path
    data, problems = read_file(path, shown)
    return (None, problems) if data is None else parse_yaml(data, shown)


def read_file(path: Path, shown: Path) -> tuple[bytes | None, list[Problem]]:
    """A glossary file's bytes, or None and why they could not be read."""
    try:
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [Problem(shown, None, "file not found")]
    except OSError as exc:
        return None, [Problem(shown, None, f"cannot read file: {exc.strerror}")]


def parse_yaml(data: bytes, shown: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[Any, list[Problem]]:
    """Parse a YAML file's bytes; `shown` is the path that problems name. A glossary file may hold MAX_FILE_BYTES;
    another kind of file (a file of drafted terms) says how much it may hold."""
    if len(data) > max_bytes:
        return None, [
            Problem(
                shown,
                None,
                f"file is {len(data) // 1024} KiB, larger than the {max_bytes // 1024} KiB limit",
                "a glossary file holds one term or the sources; split it or remove pasted text"
                if max_bytes == MAX_FILE_BYTES else "split it into several files",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                shown,
                line,
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8 in your editor",
            )
        ]
    tab_problems = _tab_indents(text, shown)
    if tab_problems:
        return None, tab_problems
    try:
        anchor_line = _anchor_line(text)
        if anchor_line is not None:
            return None, [
                Problem(
                    shown,
                    anchor_line,
                    "YAML anchors and aliases (&name, *name) are not allowed",
                    "write the text out in full, so that every entry reads on its own",
                )
            ]
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line: int | None = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            what += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        return None, [
            Problem(
                shown,
                mark_line,
                f"YAML syntax error: {what}",
                "check indentation and quoting near this line; "
                "text with a colon or a leading quote mark needs a `>-` block or quotes",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, f"YAML error: {exc}")]
    if node is None:
        return None, []
    problems: list[Problem] = []
    return _convert(node, shown, problems), problems


def _tab_indents(text: str, shown: Path) -> list[Problem]:
    if not _TAB_INDENT.search(text):  # one search; the lines are counted only when there is a tab to report
        return []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return [
                Problem(
                    shown,
                    number,
                    "line is indented with a tab",
                    "YAML indentation must use spaces; replace the tab with spaces",
                )
            ]
    return []


_constructor = yaml.SafeLoader("")
_STR_TAG = "tag:yaml.org,2002:str"


def _convert(node: yaml.Node, path: Path, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = Located()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        result.raw = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, problems)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                problems.append(Problem(path, line, f"key {key!r} is not text", "keys are field names such as `term:`"))
                continue
            if key in result:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"key `{key}` appears twice (first on line {result.key_lines[key]})",
                        "YAML keeps only one of them; merge the two",
                    )
                )
                continue
            result[key] = _convert(value_node, path, problems)
            result.key_lines[key] = line
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList()
        items.line = node.start_mark.line + 1
        items.item_lines = []
        for item in node.value:
            items.append(_convert(item, path, problems))
            items.item_lines.append(item.start_mark.line + 1)
        return items
    if node.tag == _STR_TAG:  # most scalars: no need for the constructor
        return node.value
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError) as error:
        # A date that is no date (2023-02-30), an unknown tag (!!python/object), a tag its value does not fit
        # (!!int x): the file's problem, at its line; the scalar stays the text it was written as.
        problems.append(_unreadable(node, path, error))
        return node.value


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _unreadable(node: yaml.Node, path: Path, error: Exception) -> Problem:
    """Why YAML cannot read a scalar as the type its form or tag gives it, and how to keep it as text."""
    line = node.start_mark.line + 1
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    written = " ".join(str(node.value).split())[:60]
    if node.tag == _TIMESTAMP_TAG:
        return Problem(path, line, f"`{written}` reads as a date or time, but is not one ({error})",
                       "correct it (YYYY-MM-DD), or put it in quotes to keep it as text")
    if isinstance(error, yaml.YAMLError):
        return Problem(path, line, f"the tag `{tag}` is not one glossdeck reads",
                       "remove the tag: every value is plain text, a number, true or false, a list or a mapping")
    return Problem(path, line, f"`{tag} {written}` cannot be read as `{tag}` ({error})",
                   f"remove the `{tag}` tag, or correct the value")
