"""Whether a text is a dialogue, and whose: turns that open paragraphs of running prose, by the same few names."""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

MIN_TURNS = 2  # a name opening fewer turns than this is no speaker (e.g. a stray "Note:")
MAX_SPEAKERS = 6  # a dialogue has a few voices; more names than this are labels (fields, menus, glossaries)
# From the first turn to the last, at least this share of the paragraphs open a turn (a speech may run on over
# several paragraphs; an essay's few "Note:" and "Warning:" paragraphs are far fewer).
MIN_SPOKEN_SHARE = 0.25
# "**Doomer**:" or a joint turn "**Simplicia** and **Doomer**:", then what is said (on the next line, if not here).
_BOLD_TURN = re.compile(r"\*\*([^*\n]+)\*\*(?:(?:,| and|, and) \*\*[^*\n]+\*\*)*:(?:[ \t]+(\S[^\n]*)|[ \t]*$)")
# "Socrates:" in plain text: one to three capitalised words without digits, then what is said.
_PLAIN_TURN = re.compile(r"([A-Z][^\W\d_]*(?:[.'’-][^\W\d_]+)*(?: [A-Z][^\W\d_]*(?:[.'’-][^\W\d_]+)*){0,2}):"
                         r"[ \t]+(\S[^\n]*)")
_WORD = re.compile(r"[^\W\d_]+")
_ANOTHER_FIELD = re.compile(r"(?:^|[\s,;])[A-Z][\w-]*:\s")  # "Next: …, Previous: …": a line of fields


@dataclass(frozen=True)
class Turn:
    """A paragraph of running prose that opens with a speaker's name."""

    name: str
    line: int  # from 1


def turns(raw: str, markdown: bool) -> list[Turn]:
    """The turns of a text, in order: never lines in code blocks, lists, tables, headings or indented blocks."""
    return _markdown_turns(raw) if markdown else _plain_turns(raw)


def propose_speakers(raw: str, markdown: bool) -> tuple[str, ...]:
    """The dialogue's speakers, in order of their first turn; none if the text is not a dialogue."""
    found = turns(raw, markdown)
    counts = collections.Counter(turn.name for turn in found)
    speakers = tuple(name for name in counts if counts[name] >= MIN_TURNS)
    if not 2 <= len(speakers) <= MAX_SPEAKERS or sum(counts[n] for n in speakers) < 0.8 * len(found):
        return ()
    voiced = [turn.name for turn in found if turn.name in speakers]
    if sum(1 for a, b in zip(voiced, voiced[1:]) if a != b) < 2:  # the speakers take turns
        return ()
    first, last = found[0].line, found[-1].line
    paragraphs = [line for line in _prose_paragraph_lines(raw, markdown) if first <= line <= last]
    if len(found) < MIN_SPOKEN_SHARE * len(paragraphs):
        return ()
    return speakers


def names_opening_turns(raw: str, markdown: bool) -> set[str]:
    """Every name that opens at least one turn: a speaker given by hand must be one of them."""
    return {turn.name for turn in turns(raw, markdown)}


def _said(rest: str) -> bool:
    """Whether what follows a name and a colon reads as something said ("Why not?"), not as a field's value
    ("python3-all", "2023-10-01") or a line of fields ("Writing a Texinfo File, Previous: …")."""
    return bool(_WORD.search(rest)) and not _ANOTHER_FIELD.search(rest) and not re.search(r"\d", rest.split()[0])


def _ends_a_sentence(paragraph: str) -> bool:
    """Whether a paragraph ends as speech does ("… stronger.", "Why not?", "so—"), not as a signature or a field
    ("int foo (void)", "python3-all") does."""
    end = paragraph.rstrip().rstrip("\"”’')]*_ \t")
    return end[-1:] in tuple(".?!…—–-:;")


def _plain_paragraphs(raw: str) -> list[tuple[int, str]]:
    """(line from 1, text) of each paragraph: lines after a blank line, the first not indented."""
    found: list[tuple[int, str]] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate([*raw.splitlines(), ""], 1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
            continue
        if lines and not lines[0][:1].isspace():
            found.append((start, "\n".join(lines)))
        lines = []
    return found


def _plain_turns(raw: str) -> list[Turn]:
    found = []
    for number, paragraph in _plain_paragraphs(raw):
        match = _PLAIN_TURN.match(paragraph)
        if match and _said(match.group(2)) and _ends_a_sentence(paragraph):
            found.append(Turn(match.group(1), number))
    return found


def _markdown_paragraphs(raw: str) -> list[tuple[int, str]]:
    """(line from 1, text) of each paragraph of running prose: not in a list, a code block or a heading."""
    tokens = MarkdownIt("commonmark").parse(raw)
    found = []
    in_list = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif token.type == "paragraph_open" and not in_list and token.map:
            found.append((token.map[0] + 1, tokens[index + 1].content))
    return found


def _markdown_turns(raw: str) -> list[Turn]:
    found = []
    for number, paragraph in _markdown_paragraphs(raw):
        match = _BOLD_TURN.match(paragraph)
        if match and (match.group(2) is None or _said(match.group(2))) and _ends_a_sentence(paragraph):
            found.append(Turn(match.group(1).strip(), number))
    return found


def _prose_paragraph_lines(raw: str, markdown: bool) -> list[int]:
    return [number for number, _ in (_markdown_paragraphs(raw) if markdown else _plain_paragraphs(raw))]
