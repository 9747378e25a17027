"""The source texts: read as they come, checksums, the reader's view for matching, headings and speakers."""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Sequence

from glossdeck import textfile
from glossdeck.errors import Problem
from glossdeck.model import Source, elision_pieces, invisible
from glossdeck.reading import Reading, front_matter_end, read, read_inline

# Characters a reader takes for the same: a quote typed with straight quotes or a plain space is found where
# the essay has curly ones or a no-break space. One character for one, so that offsets stay aligned.
# Without one of these characters, inline Markdown reads a line exactly as it is written.
_MARKDOWN_SIGNS = re.compile(r"[\\`*_\[<&]")
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


def fold(text: str) -> str:
    """Text as quotes are matched: every run of white space one space, curly quotes straight."""
    return " ".join(text.translate(_FOLD).split())


def read_as_markdown(text: str) -> str:
    """A line of Markdown (a title, a label) as a reader sees it, folded for matching."""
    return fold(read_inline(text))


@dataclass
class Seed:
    """One source text, with the view its reader has of it (reading.py), folded for matching quotes."""

    source: Source
    raw: str

    @cached_property
    def reading(self) -> Reading:
        """What a reader sees of the text, each character mapped back to the raw text: the one view that
        `check`, `find`, the site's highlights and anchors and the text fragments all use."""
        return read(self.raw, self.source.format == "markdown")

    @cached_property
    def text(self) -> str:
        """The reader's view folded for matching (curly quotes straight), offset for offset."""
        return self.reading.text.translate(_FOLD)

    @property
    def visible(self) -> str:
        """The reader's view with the essay's own characters (curly quotes kept), as a browser shows them."""
        return self.reading.text

    @property
    def offsets(self) -> Sequence[int]:
        """The raw offset where each character of the view begins."""
        return self.reading.starts

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the view back to raw offsets (a whole `\\*` or `&amp;` at either end)."""
        return self.reading.raw_span(start, end)

    def read_quote(self, quote: str) -> str:
        """A quote as it is checked and shown: as typed; or, for a Markdown source where the words as typed are
        not in the text, as Markdown reads them (`5\\*4` is "5*4", `` `__init__` `` is "__init__", `*so*` is
        "so"). Either way it is then found in what the reader sees, and nowhere else."""
        typed = " ".join(quote.split())
        if self.source.format != "markdown" or not _MARKDOWN_SIGNS.search(typed):
            return typed
        as_read = read_inline(typed, self.reading.references)
        if as_read == typed or all(fold(piece) in self.text for piece in elision_pieces(typed)):
            return typed
        return as_read

    def needle(self, quote: str) -> str:
        """The quote (or prefix, or phrase) as it is looked for in `text`."""
        return fold(self.read_quote(quote))

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
            title = read_as_markdown(self.source.title)
            found = [(region.raw_start, self.text[region.start : region.end])
                     for region in self.reading.within("heading")]
            return [(at, text) if text != title else (at, "") for at, text in found]
        # shown without markup or the stray " :" / " ." that flattening left behind
        return [(at, heading.lstrip("#").strip().rstrip(" :.").strip()) for at, _, heading in self.heading_spans]

    @cached_property
    def heading_spans(self) -> list[tuple[int, int, str]]:
        """A plain text's listed headings as raw [start, end) and the line as listed, in reading order.

        Each is found at its first occurrence after the heading before it (the list is in reading order), so
        finding them all reads the text once: a text of many megabytes with thousands of headings stays fast.
        A heading listed out of order is found at its first occurrence.
        """
        found: list[tuple[int, int, str]] = []
        after = 0
        for heading in self.source.headings:
            at = self.raw.find(heading, after)
            if at < 0:
                at = self.raw.find(heading, 0, after + len(heading))
            if at >= 0:
                found.append((at, at + len(heading), heading))
                after = max(after, at + len(heading))
        return sorted(found)

    def missing_headings(self) -> list[str]:
        found = {heading for _, _, heading in self.heading_spans}
        return [h for h in self.source.headings if h not in found]

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
                return read_as_markdown(self.raw[at:until])
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
        if self.source.format != "markdown":
            return [(at, _skip_space(self.raw, end), shown)
                    for (at, end, _), (_, shown) in zip(self.heading_spans, self.headings)]
        ends = {r.raw_start: r.raw_end for r in self.reading.within("heading")}  # one pass, however many headings
        for at, heading in self.headings:
            end = ends[at]
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
        at = _skip_space(self.raw, front_matter_end(self.raw))
        lead = [t for t in (self.source.title, self.source.subtitle) if t]
        while any(self.raw.startswith(t, at) for t in lead):
            later = bisect.bisect_right(self._unit_starts, at)
            if later == len(self._unit_starts) or self.counts_sentences:
                break
            at = self._unit_starts[later]
        return at

    @cached_property
    def page_starts(self) -> list[int]:
        """In a text with pages (`pages: true`), the raw offset where each page begins: after each form feed."""
        if not self.source.pages:
            return []
        return [0] + [m.end() for m in re.finditer("\f", self.raw)]

    def page_at(self, offset: int) -> tuple[int, str] | None:
        """The page at a raw offset: its place in the file from 1, and its number as the original prints it."""
        if not self.page_starts:
            return None
        number = bisect.bisect_right(self.page_starts, offset)
        labels = self.source.page_labels
        return number, labels[number - 1] if number <= len(labels) else str(number)

    def _paragraph_on_page(self, offset: int) -> int:
        """The paragraph's number on its page, counted from the top as a reader counts them: the end of a
        paragraph begun on the page before is the first; headings are not paragraphs."""
        top = self.page_starts[bisect.bisect_right(self.page_starts, offset) - 1]
        headings = {start for start, _, _ in self.heading_spans}
        low, high = bisect.bisect_right(self._unit_starts, top), bisect.bisect_right(self._unit_starts, offset)
        return max(1, sum(1 for at in [top, *self._unit_starts[low:high]] if at not in headings))

    def place(self, offset: int) -> tuple[str | None, int]:
        """The section at a raw offset and the number of its paragraph (or sentence) there, from 1; in a text with
        pages, the paragraph's number on its page."""
        starts = [at for at, _, _ in self._section_starts]
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0:
            _, begin, heading = self._section_starts[index]
        else:
            begin, heading = self._body_start, ""
        if self.page_starts:
            return heading or None, self._paragraph_on_page(offset)
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


def read_seed(path: Path, source: Source) -> str:
    """A seed's text as every command reads it (textfile.decode); its checksum was checked when it was loaded."""
    return textfile.decode(path.read_bytes(), path.name, source.format == "markdown")


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
                    "copy the text, byte for byte, into seeds/ (or fix `file:`)",
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
            raw = textfile.decode(data, path.name, source.format == "markdown")
        except textfile.TextError as error:
            problems.append(Problem(path, error.line, f"seed of source `{source.id}` {error.message}", error.hint))
            continue
        seed = Seed(source, raw)
        for heading in seed.missing_headings():
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    f"heading {heading!r} of source `{source.id}` is not in {path.name}",
                    "copy the heading line exactly as the text has it",
                )
            )
        seeds[source.id] = seed
    return seeds, problems
