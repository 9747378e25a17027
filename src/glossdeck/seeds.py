"""The source texts: checksums, a normalized view mapped back to raw offsets, headings and speakers."""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from glossdeck.errors import Problem
from glossdeck.model import Source, invisible

# Presentation that a reader never sees, per source format. Quotes are written as
# a reader sees them, so these are dropped from both the seed and the quote.
_HTML_MARKUP = re.compile(r"<!--\s*-->|</?abbr>")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK_TAIL = re.compile(r"(?<=[^\\])\](\[[^\]\n]*\]|\([^)\n]*\))")
_MD_LINK_OPEN = re.compile(r"(?<!!)\[(?=[^\]\n]*\](?:\[|\())")
_MD_EMPHASIS = re.compile(r"\*+|(?<![A-Za-z0-9])_+(?=\S)|(?<=\S)_+(?![A-Za-z0-9])")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ", "′": "'"})
# A turn opens a line: "**Doomer**:", or a joint one, "**Simplicia** and **Doomer**:".
_SPEAKER_TURN = re.compile(r"^\*\*[^*\n]+\*\*(?:(?:,| and|, and) \*\*[^*\n]+\*\*)*:", re.MULTILINE)
_SPEAKER_NAME = re.compile(r"\*\*([^*\n]+)\*\*")
# A word as a reader sees one: letters, digits and combining marks, joined by apostrophes and
# hyphens ("don't", "non-trivial"), and digits by . , : / ("1,500", "3.5"). A quote never cuts one.
_JOINERS = "'-\u2010\u2011"
_DIGIT_JOINERS = ".,:/"
# A plain-text dialogue's turn: `Name:` at the start of a line (only the source's listed speakers count).
_PLAIN_TURN = re.compile(r"^([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):", re.MULTILINE)
_MD_HEADING = re.compile(r"^#{1,6}\s*(.+?)\s*#*\s*$", re.MULTILINE)


def normalize_text(text: str, markdown: bool) -> str:
    """The folded text alone, as normalize() gives it; fast for text without markup."""
    if not markdown or not any(ch in text for ch in "<*_[]!"):
        return " ".join(text.translate(_FOLD).split())
    return normalize(text, markdown)[0]


def normalize(text: str, markdown: bool) -> tuple[str, list[int]]:
    """Fold presentation differences; return the folded text and each char's raw offset."""
    dropped = bytearray(len(text))
    patterns = [_HTML_MARKUP, _MD_IMAGE, _MD_LINK_TAIL, _MD_LINK_OPEN, _MD_EMPHASIS] if markdown else []
    for pattern in patterns:
        for match in pattern.finditer(text):
            dropped[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    folded = text.translate(_FOLD)
    out: list[str] = []
    offsets: list[int] = []
    in_space = True  # also strips leading whitespace
    for index, char in enumerate(folded):
        if dropped[index]:
            continue
        if char.isspace():
            if not in_space:
                out.append(" ")
                offsets.append(index)
                in_space = True
            continue
        out.append(char)
        offsets.append(index)
        in_space = False
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


@dataclass
class Seed:
    """One source text, with a normalized view for matching quotes against it."""

    source: Source
    raw: str

    @cached_property
    def _normalized(self) -> tuple[str, list[int]]:
        return normalize(self.raw, self.source.format == "markdown")

    @property
    def text(self) -> str:
        return self._normalized[0]

    @property
    def offsets(self) -> list[int]:
        return self._normalized[1]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text back to raw offsets."""
        return self.offsets[start], self.offsets[end - 1] + 1

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.raw)]

    def line_and_column(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    @cached_property
    def headings(self) -> list[tuple[int, str]]:
        """(raw offset, heading text) in reading order; a heading that only repeats the title counts as none."""
        if self.source.format == "markdown":
            title = normalize_text(self.source.title, markdown=True)
            found = [(m.start(), _strip_markup(m.group(1))) for m in _MD_HEADING.finditer(self.raw)]
            return [(at, text) if text != title else (at, "") for at, text in found]
        found = []
        for heading in self.source.headings:
            at = self.raw.find(heading)
            if at >= 0:
                # shown without markup or the stray " :" / " ." that flattening left behind
                found.append((at, heading.lstrip("#").strip().rstrip(" :.").strip()))
        return sorted(found)

    def missing_headings(self) -> list[str]:
        return [h for h in self.source.headings if h not in self.raw]

    def heading_at(self, offset: int) -> str | None:
        starts = [at for at, _ in self.headings]
        index = bisect.bisect_right(starts, offset) - 1
        return (self.headings[index][1] or None) if index >= 0 else None

    def section_starts_within(self, start: int, end: int) -> list[tuple[int, str]]:
        """Headings that begin inside the raw span (start, end): a quote there runs across sections."""
        return [(at, text) for at, text in self.headings if start < at < end]

    @cached_property
    def _turns(self) -> list[tuple[int, tuple[str, ...]]]:
        if self.source.format != "markdown":
            return [(at, (self.raw[at:until - 1].strip(),)) for at, until in self.speaker_labels]
        return [(at, tuple(n.strip() for n in _SPEAKER_NAME.findall(self.raw[at:until])))
                for at, until in self.speaker_labels]

    @cached_property
    def speaker_labels(self) -> list[tuple[int, int]]:
        """Raw [start, end) of each turn's speaker label ("**Doomer**:", or "Doomer:" in plain text), which is
        no one's words."""
        if self.source.format != "markdown":
            return [m.span() for m in _PLAIN_TURN.finditer(self.raw) if m.group(1) in self.source.speakers]
        return [m.span() for m in _SPEAKER_TURN.finditer(self.raw)]

    def speaker_label_within(self, start: int, end: int) -> str | None:
        """The speaker label ("Doomer:") that the raw span [start, end) takes in, if any."""
        for at, until in self.speaker_labels:
            if at < end and start < until:
                return normalize_text(self.raw[at:until], markdown=True)
        return None

    def speakers_at(self, offset: int) -> tuple[str, ...]:
        """In a dialogue, who is speaking at this raw offset (two at once in a joint turn; none before the first)."""
        starts = [at for at, _ in self._turns]
        index = bisect.bisect_right(starts, offset) - 1
        return self._turns[index][1] if index >= 0 else ()

    def speaker_at(self, offset: int) -> str | None:
        """The one speaker to name for a quote at this raw offset (the first of a joint turn)."""
        speakers = self.speakers_at(offset)
        return speakers[0] if speakers else None

    def turns_within(self, start: int, end: int) -> list[tuple[int, tuple[str, ...]]]:
        """Turns that begin inside the raw span (start, end): a quote there changes speaker."""
        return [(at, who) for at, who in self._turns if start < at < end]

    def cuts_word(self, offset: int) -> bool:
        """Whether a quote starting or ending at this normalized offset would cut a word in two."""
        return cuts_word(self.text, offset)

    def whole_words(self, start: int, end: int) -> tuple[int, int]:
        """The normalized span widened to whole words at both ends."""
        while self.cuts_word(start):
            start -= 1
        while self.cuts_word(end):
            end += 1
        return start, end

    @cached_property
    def hidden(self) -> list[int]:
        """Normalized offsets of the invisible and combining characters a reader would not type."""
        return [i for i, ch in enumerate(self.text)
                if not ch.isascii() and (invisible(ch) or unicodedata.combining(ch))]

    @cached_property
    def unspaced(self) -> tuple[str, list[int]]:
        """The normalized text without its spaces, and each char's index in the normalized text."""
        kept = [i for i, ch in enumerate(self.text) if ch != " "]
        return "".join(self.text[i] for i in kept), kept

    @cached_property
    def casefolded(self) -> tuple[str, list[int]]:
        """The normalized text case-folded, and each folded char's index in the normalized text.

        Folding can lengthen a char (ß → ss, İ → i̇, ﬁ → fi), so matches are mapped back through this.
        """
        out: list[str] = []
        back: list[int] = []
        for index, char in enumerate(self.text):
            folded = char.casefold()
            out.append(folded)
            back.extend([index] * len(folded))
        return "".join(out), back

    @cached_property
    def _section_starts(self) -> list[tuple[int, int, str]]:
        """(heading offset, offset where its text begins, heading) for every section, in order."""
        sections = []
        for at, heading in self.headings:
            if self.source.format == "markdown":
                line_end = self.raw.find("\n", at)
                end = len(self.raw) if line_end < 0 else line_end
            else:
                end = at + len(next(h for h in self.source.headings if self.raw.find(h) == at))
            sections.append((at, _skip_space(self.raw, end), heading))
        return sections

    @cached_property
    def counts_sentences(self) -> bool:
        """A text run together on one line has no paragraphs a reader could count: count sentences."""
        return "\n" not in self.raw.strip()

    @cached_property
    def _unit_starts(self) -> list[int]:
        """Raw offsets where each paragraph (or, in a one-line text, each sentence) begins."""
        pattern = _SENTENCE_START if self.counts_sentences else (
            _MD_PARAGRAPH_START if self.source.format == "markdown" else _PARAGRAPH_START)
        starts = [m.end() for m in pattern.finditer(self.raw)]
        if self.source.format == "markdown":  # an image alone is no paragraph to a reader
            starts = [at for at in starts if not _MD_IMAGE_LINE.match(self.raw, at)]
        return starts

    @cached_property
    def _body_start(self) -> int:
        """Where the essay's text begins: after any front matter, and after a title or subtitle line."""
        at = _skip_space(self.raw, _front_matter_end(self.raw))
        lead = [t for t in (self.source.title, self.source.subtitle) if t]
        while any(self.raw.startswith(t, at) for t in lead):
            later = bisect.bisect_right(self._unit_starts, at)
            if later == len(self._unit_starts) or self.counts_sentences:
                break
            at = self._unit_starts[later]
        return at

    def place(self, offset: int) -> tuple[str | None, int]:
        """The section at a raw offset and the number of its paragraph (or sentence) there, from 1."""
        starts = [at for at, _, _ in self._section_starts]
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0:
            _, begin, heading = self._section_starts[index]
        else:
            begin, heading = self._body_start, ""
        begin = min(begin, offset)
        first = bisect.bisect_right(self._unit_starts, begin)
        number = 1 + bisect.bisect_right(self._unit_starts, offset) - first
        return heading or None, number

    @cached_property
    def unquotable_spans(self) -> list[tuple[int, int, str]]:
        spans = []
        for rule in self.source.unquotable:
            for m in re.finditer(rule.pattern, self.raw, re.DOTALL):
                spans.append((m.start(), m.end(), rule.why))
        return spans


def speaker_turns(raw: str) -> list[tuple[int, str]]:
    """(raw offset, name) of every line that opens like a dialogue's turn (`**Name**:` or `Name:`), in order;
    `source add` proposes the names that take turns as the dialogue's speakers."""
    marked = [(m.start(), name.strip()) for m in _SPEAKER_TURN.finditer(raw)
              for name in _SPEAKER_NAME.findall(m.group(0))[:1]]
    return sorted(marked + [(m.start(), m.group(1).strip()) for m in _PLAIN_TURN.finditer(raw)])


_PARAGRAPH_START = re.compile(r"\n[ \t]*\n\s*(?=\S)")
_MD_PARAGRAPH_START = re.compile(r"\n[ \t]*\n\s*(?=\S)|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t]+\S)")
_MD_IMAGE_LINE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)[ \t]*(?:\n|$)")
_SENTENCE_START = re.compile(r"(?<=[.?!])[\"')\]]*[ \t]+(?=[\"'(\[]?[A-Z0-9])")


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _front_matter_end(text: str) -> int:
    """Where a Markdown file's YAML front matter (between --- lines) ends; 0 if it has none."""
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 3)
    return 0 if end < 0 else end + 5

def cuts_word(text: str, offset: int) -> bool:
    """Whether a span of the text starting or ending at this offset would cut a word in two: the one word
    boundary rule of quotes, and of the names that cloze cards find in them."""
    if not 0 < offset < len(text):
        return False
    before, after = text[offset - 1], text[offset]
    if _in_word(before) and _in_word(after):
        return True
    # a joiner belongs to the word when a word char stands on each side of it
    if offset >= 2 and _in_word(after) and _joins(text[offset - 2], before, after):
        return True
    return offset + 1 < len(text) and _in_word(before) and _joins(before, after, text[offset + 1])


def _in_word(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc", "Me")


def _joins(left: str, joiner: str, right: str) -> bool:
    """Whether the joiner between these two chars makes one word of them ("don't", "1,000")."""
    if not (_in_word(left) and _in_word(right)):
        return False
    return joiner in _JOINERS or (joiner in _DIGIT_JOINERS and left.isdecimal() and right.isdecimal())


def _strip_markup(text: str) -> str:
    return normalize_text(text, markdown=True)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_seeds(seed_dir: Path, sources: dict[str, Source]) -> tuple[dict[str, Seed], list[Problem]]:
    """Read every source's seed file, refusing any whose bytes no longer match its checksum."""
    seeds: dict[str, Seed] = {}
    problems: list[Problem] = []
    for source in sources.values():
        path = seed_dir / source.file
        if not path.is_file():
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    f"seed file {path} of source `{source.id}` is missing",
                    "copy the essay, byte for byte, into seeds/ (or fix `file:`)",
                )
            )
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != source.sha256:
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    f"seed {path} of source `{source.id}` has changed: its SHA-256 is {digest}, "
                    f"sources.yaml expects {source.sha256}",
                    "quotes are checked against the exact text; restore the original "
                    "(e.g. `git checkout -- seeds/`) or, for a deliberately new version, update `sha256:`",
                )
            )
            continue
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(path, None, "seed is not valid UTF-8", "store the essay as UTF-8"))
            continue
        seed = Seed(source, raw)
        for heading in seed.missing_headings():
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    f"heading {heading!r} of source `{source.id}` is not in {path.name}",
                    "copy the heading line exactly as the essay has it",
                )
            )
        seeds[source.id] = seed
    return seeds, problems
