"""A source as a reader sees it: the visible text of a seed, each character mapped back to the raw text."""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence, overload

from markdown_it import MarkdownIt
from markdown_it.rules_inline import autolink, backtick, image, link
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

# Inline HTML that only dresses words (the reader sees the words, never the tag), and comments. Any other tag,
# a <script> or an <img>, is shown as the text it is: it is not the essay's prose, and nothing of it may run.
DRESSING_TAGS = frozenset("abbr b bdi bdo cite code del dfn em i ins kbd mark q s samp small span strong sub sup "
                          "time u var wbr".split())
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FRONT_MATTER = re.compile(r"---[ \t]*\n(?:.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
KINDS = ("code", "heading", "link")
References = tuple[tuple[str, str, str], ...]  # (label, address, title)


@dataclass(frozen=True)
class Region:
    """A stretch of the reader's text that is code, a heading or a link: view [start, end), raw [raw_start, raw_end)."""

    kind: str
    start: int
    end: int
    raw_start: int
    raw_end: int


@dataclass(frozen=True)
class Reading:
    """What a reader sees of a text, and where each character of it stands in the raw text.

    `text` holds the characters as the reader sees them (escapes resolved, entities decoded, markup gone),
    every run of white space as one space, none at either end. Character i comes from raw[starts[i]:ends[i]]:
    one character for most, the whole `\\*` or `&amp;` for an escape or an entity.
    """

    text: str
    starts: Sequence[int]  # arrays of machine integers: a long essay's map costs 16 bytes a character
    ends: Sequence[int]
    regions: tuple[Region, ...] = ()
    references: References = ()  # a Markdown text's link reference definitions, for reading quotes typed with them

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw [start, end) that the view's [start, end) was read from (end > start)."""
        return self.starts[start], self.ends[end - 1]

    def view_offset(self, raw_offset: int) -> int:
        """The first character of the view read from at or after a raw offset."""
        return bisect.bisect_left(self.starts, raw_offset)

    def within(self, kind: str) -> list[Region]:
        return [r for r in self.regions if r.kind == kind]


class _Builder:
    """Collects visible characters with their raw spans, folding each run of white space into one space."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.length = 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.space: tuple[int, int] | None = None  # a run of white space not yet written (only between words)
        self.regions: list[Region] = []

    def add(self, text: str, starts: Sequence[int], ends: Sequence[int]) -> None:
        """Characters read from these raw spans (one each), a run at a time."""
        for run in _RUNS.finditer(text):
            first, stop = run.span()
            if text[first].isspace():
                if self.length and self.space is None:
                    self.space = (starts[first], ends[first])
                continue
            if self.space is not None:
                self.chunks.append(" ")
                self.starts.append(self.space[0])
                self.ends.append(self.space[1])
                self.length += 1
                self.space = None
            self.chunks.append(run.group())
            self.starts.extend(starts[first:stop])
            self.ends.extend(ends[first:stop])
            self.length += stop - first

    def gap(self, at: int) -> None:
        """A break between blocks: white space to a reader."""
        self.add(" ", (at,), (at,))

    def mark(self) -> int:
        """Where the next visible character will stand."""
        return self.length + (self.space is not None)

    def region(self, kind: str, start: int, raw_start: int, raw_end: int) -> None:
        if self.length > start:
            self.regions.append(Region(kind, start, self.length, raw_start, raw_end))

    def reading(self, references: References = ()) -> Reading:
        regions = tuple(sorted(self.regions, key=lambda r: (r.start, -r.end)))
        return Reading("".join(self.chunks), array("q", self.starts), array("q", self.ends), regions, references)


_RUNS = re.compile(r"\s+|\S+")


def read(raw: str, markdown: bool) -> Reading:
    """The reader's view of a whole seed."""
    return read_markdown(raw) if markdown else read_plain(raw)


def read_plain(raw: str) -> Reading:
    """A plain text as a reader sees it: every character but white space, each run of that one space."""
    words = [m.span() for m in re.finditer(r"\S+", raw)]
    starts = array("q")
    for start, end in words:
        starts.extend(range(start, end + 1))  # the word, then the one space its white space reads as
    if words:
        starts.pop()
    return Reading(" ".join(raw[start:end] for start, end in words), starts, _NextOffsets(starts))


class _NextOffsets(Sequence[int]):
    """Where each character ends when every one is read from one raw character: its start plus one."""

    def __init__(self, starts: Sequence[int]) -> None:
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [start + 1 for start in self.starts[index]]
        return self.starts[index] + 1


# --- Markdown --------------------------------------------------------------------------------------------------


class _AsWritten(MarkdownIt):
    """CommonMark that keeps every address and autolink text exactly as written: nothing is rewritten behind
    the reader's back, and addresses are judged by markup.address_problem, never silently dropped."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


def _recording(rule: Callable[[StateInline, bool], bool], kind: str) -> Callable[[StateInline, bool], bool]:
    """The inline rule, noting on the token it makes where in the inline text its whole syntax starts and ends
    (markdown-it gives only line numbers)."""

    def recorded(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            made = next((t for t in state.tokens[count:] if t.type == kind), None)
            if made is not None:
                made.meta = {**(made.meta or {}), "extent": (start, state.pos)}
        return True

    return recorded


def _parser() -> MarkdownIt:
    parser = _AsWritten("commonmark", {"html": True}).disable("text_join")  # escapes and entities kept apart
    for name, rule, kind in (("link", link, "link_open"), ("image", image, "image"),
                             ("autolink", autolink, "link_open"),
                             ("backticks", backtick, "code_inline")):
        parser.inline.ruler.at(name, _recording(rule, kind))
    return parser


_PARSER = _parser()


def markdown_tokens(raw: str) -> list[Token]:
    """The CommonMark parse of a Markdown seed that its reading is made from (front matter left out).

    Every token whose text a reader sees carries `meta["raw"]`, two lists: for each character of its content, the raw
    [start, end) it was read from. The site renders these same tokens, so that it shows what was checked.
    """
    tokens, _ = _parsed(raw)
    return [t.copy(children=[c.copy() for c in t.children] if t.children else t.children) for t in tokens]


@lru_cache(maxsize=8)
def _parsed(raw: str) -> tuple[tuple[Token, ...], References]:
    body = front_matter_end(raw)
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(raw[body:], env)
    references = tuple(sorted((label, str(ref.get("href", "")), str(ref.get("title", "")))
                              for label, ref in env.get("references", {}).items()))
    lines = _Lines(raw, body)
    heading = False
    for token in tokens:
        if token.map:
            token.meta = {**(token.meta or {}), "block": lines.block(*token.map)}
        if token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline" and token.map:
            at = lines.align(token.content, token.map[0], rightmost=heading)
            _map_inline(token.children or [], token.content, at)
        elif token.type in ("code_block", "fence", "html_block") and token.map:
            first = token.map[0] + (token.type == "fence")
            at = lines.align(token.content, first, rightmost=False)
            token.meta = {**(token.meta or {}), "raw": (at, [a + 1 for a in at])}
    return tuple(tokens), references


def front_matter_end(raw: str) -> int:
    """Where a Markdown file's YAML front matter (between --- lines at its start) ends; 0 if it has none."""
    found = _FRONT_MATTER.match(raw)
    return found.end() if found else 0


class _Lines:
    """The raw text's lines, to find where a block's content (its lines with their indentation and container
    marks, `>` or `- `, taken off) stands in the raw text."""

    def __init__(self, raw: str, body: int) -> None:
        self.raw = raw
        # line endings as CommonMark has them (seeds come with LF only, textfile.decode; other callers may not)
        breaks = [m for m in re.finditer("\r\n|\r|\n", raw) if m.start() >= body]
        self.starts = [body] + [m.end() for m in breaks]
        self.ends = [m.start() for m in breaks] + [len(raw)]

    def line(self, number: int) -> tuple[int, str]:
        if number >= len(self.starts):
            return len(self.raw), ""
        start = self.starts[number]
        return start, self.raw[start : self.ends[number]]

    def block(self, first_line: int, end_line: int) -> tuple[int, int]:
        """The raw [start, end) of a block's lines, its last line break left out."""
        start, _ = self.line(first_line)
        last_start, last = self.line(max(first_line, end_line - 1))
        return start, last_start + len(last)

    def align(self, content: str, first_line: int, rightmost: bool) -> list[int]:
        """The raw offset of each character of a block's content (its line breaks included)."""
        offsets: list[int] = []
        pieces = content.split("\n")
        for index, piece in enumerate(pieces):
            start, line = self.line(first_line + index)
            found = _locate(piece, line, rightmost)
            if isinstance(found, range):  # the common case, one slice of the line
                offsets.extend(range(start + found.start, start + found.stop))
            else:
                offsets.extend(start + at for at in found)
            if index + 1 < len(pieces):
                offsets.append(start + len(line))
        return offsets


def _locate(piece: str, line: str, rightmost: bool) -> Iterable[int]:
    """Where each character of one line of a block's content stands in its raw line."""
    if not piece:
        return []
    if rightmost:  # a heading's text, before any closing #s
        at = line.rfind(piece)
    elif line.endswith(piece):
        at = len(line) - len(piece)
    else:  # the block's last line, its trailing white space trimmed
        at = len(line.rstrip()) - len(piece)
        if at < 0 or line[at : at + len(piece)] != piece:
            at = line.find(piece)
    if at >= 0:
        return range(at, at + len(piece))
    return _greedy(piece, line)  # a tab expanded to spaces: match what can be matched, in order


def _greedy(piece: str, line: str) -> list[int]:
    found, at = [], 0
    for char in piece:
        where = line.find(char, at)
        if where < 0 or char.isspace():
            where = min(at, max(len(line) - 1, 0))
        found.append(where)
        at = where + 1 if where >= at else at
    return found


def _map_inline(tokens: Sequence[Token], src: str, at: list[int]) -> None:
    """Give each inline token whose text a reader sees the raw span of each of its characters.

    Walks the inline text token by token: each token's syntax is skipped (`**`, `[`, `](address "title")`,
    backticks, a tag), its visible characters are found where they stand."""
    end_of = len(src)

    def raw(index: int) -> int:
        return at[index] if index < len(at) else (at[-1] + 1 if at else 0)

    def spans(first: int, count: int) -> tuple[list[int], list[int]]:
        starts = at[first : first + count] if first + count <= len(at) else [raw(first + i) for i in range(count)]
        return starts, [start + 1 for start in starts]

    cursor = 0
    closing: list[int] = []
    for token in tokens:
        kind = token.type
        meta = token.meta or {}
        if "extent" in meta:  # the whole syntax, `[text](address)` or `` `code` ``, in the raw text
            first, stop = meta["extent"]
            meta = {**meta, "span": (raw(first), raw(max(first, stop - 1)) + 1)}
            token.meta = meta
        if kind == "text":
            where = cursor if src.startswith(token.content, cursor) else src.find(token.content, cursor)
            where = cursor if where < 0 else where
            token.meta = {**meta, "raw": spans(where, len(token.content))}
            cursor = where + len(token.content)
        elif kind == "text_special":  # an escape (`\*`) or an entity (`&amp;`): one piece of the raw text
            where = src.find(token.markup, cursor)
            where = cursor if where < 0 else where
            stop = where + max(len(token.markup), 1)
            count = len(token.content)
            token.meta = {**meta, "raw": ([raw(where)] * count, [raw(stop - 1) + 1] * count)}
            cursor = stop
        elif kind == "code_inline":
            start, stop = meta.get("extent", (cursor, cursor + len(token.content)))
            inner = src[start + len(token.markup) : stop - len(token.markup)].replace("\n", " ")
            lead = 1 if inner != token.content and inner[1:-1] == token.content else 0
            token.meta = {**meta, "raw": spans(start + len(token.markup) + lead, len(token.content))}
            cursor = stop
        elif kind in ("softbreak", "hardbreak"):
            newline = src.find("\n", cursor)
            newline = cursor if newline < 0 else newline
            token.meta = {**meta, "raw": ([raw(newline)], [raw(newline) + 1])}
            cursor = newline + 1
            while cursor < end_of and src[cursor] in " \t":
                cursor += 1
        elif kind in ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"):
            where = src.find(token.markup, cursor)
            cursor = cursor if where < 0 else where + len(token.markup)
        elif kind == "link_open":
            start, stop = meta.get("extent", (cursor, cursor))
            cursor = start + 1  # after `[` or `<`
            closing.append(stop)
        elif kind == "link_close":
            cursor = closing.pop() if closing else cursor
        elif kind == "image":
            cursor = meta.get("extent", (cursor, cursor))[1]
        elif kind == "html_inline":
            where = src.find(token.content, cursor)
            where = cursor if where < 0 else where
            token.meta = {**meta, "raw": spans(where, len(token.content))}
            cursor = where + len(token.content)


def hidden_html(html: str) -> bool:
    """Whether a reader of the original sees nothing of this HTML: a comment, or a tag that only dresses words."""
    if _COMMENT.fullmatch(html.strip()):
        return True
    name = _TAG_NAME.match(html)
    return name is not None and name.group(1).lower() in DRESSING_TAGS and html.endswith(">")


def hidden_html_block(html: str) -> bool:
    """Whether an HTML block holds only comments."""
    return not _COMMENT.sub("", html).strip()


def read_markdown(raw: str) -> Reading:
    """A Markdown seed as a reader sees it, from its CommonMark parse."""
    tokens, references = _parsed(raw)
    return reading_of_tokens(tokens, references)


def reading_of_tokens(tokens: Sequence[Token], references: References = ()) -> Reading:
    built = _Builder()
    opened: list[tuple[int, Token]] = []
    for token in tokens:
        if token.type == "heading_open":
            opened.append((built.mark(), token))
        elif token.type == "heading_close" and opened:
            start, head = opened.pop()
            built.region("heading", start, *(head.meta or {}).get("block", (0, 0)))
        elif token.type == "inline":
            _read_inline(token.children or [], built)
        elif token.type in ("code_block", "fence"):
            start = built.mark()
            _read_text(token, built)
            built.region("code", start, *(token.meta or {}).get("block", _first_last(token)))
        elif token.type == "html_block" and not hidden_html_block(token.content):
            _read_text(token, built)
        if token.nesting == -1 or token.type in ("code_block", "fence", "html_block", "hr"):
            built.gap(built.ends[-1] if built.ends else 0)
    return built.reading(references)


def _first_last(token: Token) -> tuple[int, int]:
    starts, ends = (token.meta or {}).get("raw") or ([0], [0])
    return (starts[0], ends[-1]) if starts else (0, 0)


def _read_text(token: Token, built: _Builder) -> None:
    starts, ends = (token.meta or {}).get("raw") or ([], [])
    built.add(token.content[: len(starts)], starts, ends)


def _read_inline(tokens: Sequence[Token], built: _Builder) -> None:
    links: list[tuple[int, Token]] = []
    for token in tokens:
        kind = token.type
        if kind in ("text", "text_special"):
            _read_text(token, built)
        elif kind == "code_inline":
            start = built.mark()
            _read_text(token, built)
            built.region("code", start, *(token.meta or {}).get("span", _first_last(token)))
        elif kind in ("softbreak", "hardbreak"):
            starts, ends = (token.meta or {}).get("raw") or ([0], [0])
            built.add(" ", starts, ends)
        elif kind == "html_inline" and not hidden_html(token.content):
            _read_text(token, built)
        elif kind == "link_open":
            links.append((built.mark(), token))
        elif kind == "link_close" and links:
            start, opener = links.pop()
            built.region("link", start, *(opener.meta or {}).get("span", (0, 0)))


@lru_cache(maxsize=4096)
def read_inline(text: str, references: References = ()) -> str:
    """A line of Markdown (a quote, a title, a speaker's label) as a reader sees it, without mapping; `[text][ref]`
    read with the references of the text it comes from."""
    env = {"references": {label: {"href": href, "title": title} for label, href, title in references}}
    out: list[str] = []
    for token in _PARSER.parseInline(text, env)[0].children or []:
        if token.type in ("text", "text_special", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "html_inline" and not hidden_html(token.content):
            out.append(token.content)
    return " ".join("".join(out).split())


__all__ = ["Reading", "Region", "front_matter_end", "markdown_tokens", "read", "read_inline", "read_markdown",
           "read_plain", "reading_of_tokens"]

