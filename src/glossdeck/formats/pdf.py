"""A PDF as plain text with its pages: what a reader reads on each page, one paragraph a line, a form feed before
each page after the first; running heads, page numbers and footnote marks left out, hyphens at line ends and
ligatures undone (pypdf reads the text and where each piece stands)."""

from __future__ import annotations

import collections
import functools
import hashlib
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats.text import FILE_NAME, Text, with_file_name

PAGE_BREAK = "\f"
MAX_HEADING_WORDS = 12
MIN_PROSE_WORDS = 6  # a heading is followed by a paragraph of at least this many words
HEADING_SCALE = 1.08  # a line this much larger than the body text is a heading
MARK_SCALE = 0.8  # a piece this much smaller than its line's text, and raised, is a footnote mark (or an exponent)
RUNNING_SHARE = 0.3  # a line at the top or bottom of this share of the pages (digits aside) is a running head
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_PAGE_NUMBER = re.compile(r"^[\W_]*(?:page\s+)?(?:\d+|[ivxlcdm]+)(?:\s+(?:of|/)\s+\d+)?[\W_]*$", re.IGNORECASE)
# pdfTeX's older fonts draw an accent as a character of its own before its letter ("M¨oller"): put them together.
_SPACING_ACCENTS = {"¨": "\u0308", "´": "\u0301", "ˆ": "\u0302", "˜": "\u0303", "¸": "\u0327", "ˇ": "\u030c",
                    "˘": "\u0306", "˙": "\u0307", "˚": "\u030a", "˝": "\u030b"}
_ACCENTED = re.compile("([" + "".join(_SPACING_ACCENTS) + "])([^\\W\\d_])")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|-B$|,B$", re.IGNORECASE)
_MARK = re.compile(r"^[\d*†‡§¶,\s]+$")
_LINE_END_HYPHENS = ("-", "\u2010", "\u00ad")
_SENTENCE_END = tuple(".?!:…\"”’)")


@dataclass
class Line:
    """One line of a page."""

    y: float
    x: float
    size: float
    text: str = ""
    sizes: list[float] = field(default_factory=list)
    bold: bool = False  # every letter in a bold face: a heading set at the text's own size
    noted: bool = False  # it began with a footnote's mark, taken out: a footnote of its own


def read(path: Path, data: bytes, language: str = "en") -> Text:
    pages, title, author, labels = _pages(path, data)
    if not any(line.text.strip() for page in pages for line in page):
        raise GlossdeckError([Problem(path, None, "this PDF has no text to quote: its pages are images (a scan?)",
                                      "make it searchable first (e.g. `ocrmypdf scan.pdf searchable.pdf`), then add "
                                      "that")])
    body = _body_size(pages)
    pages, printed = _without_running_lines(pages)
    if not any(label != str(n) for n, label in enumerate(labels, 1)) and printed:
        labels = _labels(len(pages), printed)
    words = _vocabulary(pages)
    texts, marked = [], []
    for page in pages:
        paragraphs = _paragraphs(page, body, words, language)
        marked += paragraphs
        texts.append([p.lstrip("\x00") for p in paragraphs])
    # a heading is what stands above a paragraph of prose: a chart's large labels are not
    headings = [h for h, after in zip(marked, marked[1:])
                if h.startswith("\x00") and not after.startswith("\x00") and len(after.split()) >= MIN_PROSE_WORDS]
    raw = _join_pages(texts, words, language)
    digest = hashlib.sha256(data).hexdigest()
    origin = with_file_name(f"Text of the PDF {FILE_NAME} (SHA-256 {digest}), {len(texts)} pages, read by "
                            f"pdfminer.six {package_version('pdfminer.six')}: a form feed begins each page; running "
                            "heads, page numbers and footnote marks left out; line-end hyphens and ligatures undone.",
                            path.name)
    shown_labels = tuple(labels) if labels != [str(n) for n in range(1, len(labels) + 1)] else ()
    found = tuple(dict.fromkeys(h.lstrip("\x00") for h in headings if h.lstrip("\x00") in raw))
    first = next((h for h in marked if h.startswith("\x00")), "\x00")[1:]
    title = title or first  # the file's own title, else the first large line
    return Text(raw.encode("utf-8"), raw, "text", origin=origin, kind="pdf", title=title, author=author,
                paged=True, page_labels=shown_labels, headings=found)


def _pages(path: Path, data: bytes) -> tuple[list[list[Line]], str, str, list[str]]:
    """Each page's lines (pdfminer.six lays them out), and the file's title, author and page labels (pypdf)."""
    import io
    import logging

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfexceptions import PDFException
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    quiet = [logging.getLogger(name) for name in ("pypdf", "pdfminer")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # their warnings about fonts are for developers; what matters is reported below
        logger.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise GlossdeckError([Problem(path, None, "this PDF is locked with a password",
                                          "save an unlocked copy (print it to PDF), then add that")])
        labels = list(reader.page_labels)
        info: Any = reader.metadata or {}
        pages = [_lines(layout) for layout in extract_pages(io.BytesIO(data), laparams=LAParams())]
    except (PdfReadError, PDFException, ValueError, KeyError, TypeError, AttributeError, RecursionError,
            NotImplementedError, AssertionError) as exc:
        raise GlossdeckError([Problem(path, None, f"cannot read this PDF: {exc}",
                                      "open it and save it again (\"Print to PDF\"), then add that")]) from None
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
    title = " ".join(str(info.get("/Title") or "").split())
    author = " ".join(str(info.get("/Author") or "").split())
    return pages, title, author, labels[: len(pages)]


def _lines(layout: Any) -> list[Line]:
    """The page's lines in reading order (columns apart), each with its baseline, its left edge and its text size;
    a small raised piece of digits or symbols (a footnote mark) left out, ligatures and accents made whole."""
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    lines: list[Line] = []
    boxes = [element for element in layout if isinstance(element, LTTextContainer)]
    for box in boxes:
        for item in box if not isinstance(box, LTTextLine) else [box]:
            if not isinstance(item, LTTextLine):
                continue
            chars = [c for c in item if isinstance(c, LTChar)]
            if not chars:
                continue
            size = statistics.median(c.size for c in chars)
            base = statistics.median(c.y0 for c in chars)
            pieces = [_kept(c, size, base) if isinstance(c, LTChar) else c.get_text() for c in item]
            noted = bool(pieces) and not pieces[0] and isinstance(item._objs[0], LTChar)
            text = "".join(pieces)
            text = _ACCENTED.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _SPACING_ACCENTS[m.group(1)]),
                                 text.translate(_LIGATURES))
            text = " ".join(text.split())
            if re.search(r"[\w(){}\[\]]", text):  # a line of bullets or leader dots alone says nothing
                bold = all(_BOLD.search(str(c.fontname)) for c in chars if c.get_text().isalpha())
                lines.append(Line(item.y0, item.x0, size, text, [size], bold, noted))
    body = statistics.median([line.size for line in lines]) if lines else 0
    # a mark on a line of its own (an affiliation's "1" before "Google Inc.") is no more prose than one inside a line
    return [line for line in lines if not (_MARK.match(line.text) and line.size < MARK_SCALE * body)]


def _kept(char: Any, size: float, base: float) -> str:
    """A character as the line reads it: a footnote mark (small, raised, a digit or a dagger) is not read."""
    text = str(char.get_text())
    if char.size < MARK_SCALE * size and char.y0 > base + 0.2 * size and _MARK.match(text):
        return ""
    return text


def _body_size(pages: list[list[Line]]) -> float:
    sizes = collections.Counter(round(line.size, 1) for page in pages for line in page for _ in line.text.split())
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.casefold())


def _without_running_lines(pages: list[list[Line]]) -> tuple[list[list[Line]], dict[int, int]]:
    """Each page without its page number, and without the heads and feet that stand apart at the same height on
    most pages or repeat their words; and the number printed on each page, where the pages print numbers that count
    up one by one (page index → its printed number)."""
    edges: collections.Counter[str] = collections.Counter()
    offsets: collections.Counter[int] = collections.Counter()
    heights: collections.Counter[int] = collections.Counter()
    for index, page in enumerate(pages):
        for line in _edge_lines(page):
            edges[_shape(line.text)] += 1
        offsets.update({int(n) - index for line in _edge_lines(page) for n in re.findall(r"\b\d{1,5}\b", line.text)})
        heights.update({round(line.y) for line in _set_apart(page)})
    often = max(3, 0.5 * len(pages))
    repeated = {shape for shape, count in edges.items() if count >= max(2, RUNNING_SHARE * len(pages))}
    running_heights = {height for height, count in heights.items() if count >= often}
    offset, votes = offsets.most_common(1)[0] if offsets else (0, 0)
    counting = votes >= often
    kept, printed = [], {}
    for index, page in enumerate(pages):
        folio = str(index + offset)
        running = set()
        apart = {id(line) for line in _set_apart(page)}
        for line in _edge_lines(page):
            numbered = counting and folio in re.findall(r"\b\d{1,5}\b", line.text)
            if numbered:
                printed[index] = index + offset
            at_running_height = id(line) in apart and round(line.y) in running_heights
            if _PAGE_NUMBER.match(line.text) or _shape(line.text) in repeated or numbered or at_running_height:
                running.add(id(line))
        kept.append([line for line in page if id(line) not in running])
    return kept, printed


def _set_apart(page: list[Line]) -> list[Line]:
    """The lines at the very top and bottom of a page that stand apart from the rest by more than a line's space
    (where a running head or foot stands); lines beside them at the same height go with them."""
    ordered = sorted(page, key=lambda line: -line.y)
    if len(ordered) < 3:
        return []
    gaps = [a.y - b.y for a, b in zip(ordered, ordered[1:]) if a.y - b.y > 0.5]
    spacing = statistics.median(gaps) if gaps else 0
    apart = []
    for edge, rest in ((ordered, ordered[1:]), (ordered[::-1], ordered[-2::-1])):
        beside = [line for line in edge if abs(line.y - edge[0].y) < 1]
        after = next((line for line in rest if abs(line.y - edge[0].y) >= 1), None)
        if after is not None and abs(after.y - edge[0].y) > 1.5 * spacing:
            apart += beside
    return apart


def _labels(count: int, printed: dict[int, int]) -> list[str]:
    """Page labels from the numbers the pages print: the body counts 1, 2, 3 …; pages before its first page
    (front matter) take roman numerals, as books number them."""
    offset = next(iter(printed.values())) - next(iter(printed))
    return [str(index + offset) if index + offset >= 1 else _roman(index + 1) for index in range(count)]


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out += letters
            number -= value
    return out


def _edge_lines(page: list[Line]) -> list[Line]:
    """The two highest and two lowest lines of a page."""
    ordered = sorted(page, key=lambda line: -line.y)
    return ordered[:2] + ordered[-2:] if len(ordered) > 4 else ordered


def _vocabulary(pages: list[list[Line]]) -> set[str]:
    """Every word the document writes whole on one line, hyphenated or not: how it spells a word split at a line end."""
    return {word.casefold() for page in pages for line in page for word in re.findall(r"[^\W\d_][\w\-]*", line.text)}


def _paragraphs(page: list[Line], body: float, words: set[str], language: str) -> list[str]:
    """The page's paragraphs, each on one line; a heading is marked with a leading NUL (taken off by the caller)."""
    if not page:
        return []
    gaps = [a.y - b.y for a, b in zip(page, page[1:]) if 0 < a.y - b.y < 3 * body]
    spacing = statistics.median(gaps) if gaps else body * 1.2
    left = min(line.x for line in page)
    lengths = [len(line.text) for line in page if abs(line.size - body) < 0.5]
    full = statistics.median(lengths) if lengths else 60
    paragraphs: list[list[str]] = []
    previous: Line | None = None
    for line in page:
        heading = _heading(line, body)
        after_heading = previous is not None and _heading(previous, body)
        if heading and after_heading and previous is not None and abs(previous.size - line.size) < 0.5 \
                and 0 < previous.y - line.y < 2 * line.size:
            new = False  # a heading set on two lines is one heading
        else:
            new = previous is None or heading or after_heading or \
                _starts_paragraph(previous, line, spacing, left, full, body)
        if new:
            paragraphs.append(["\x00" + line.text] if heading else [line.text])
        else:
            paragraphs[-1].append(line.text)
        previous = line
    return [_join_lines(lines, words, language) for lines in paragraphs]


def _heading(line: Line, body: float) -> bool:
    """A short line set larger than the text, or in bold at its size, that does not end a sentence."""
    short = len(line.text.split()) <= MAX_HEADING_WORDS
    if line.size > HEADING_SCALE * body:
        return short
    return line.bold and short and line.size > body - 0.5 and not line.text.endswith((".", ",", ";", ":"))


def _starts_paragraph(previous: Line, line: Line, spacing: float, left: float, full: float, body: float) -> bool:
    """Whether a line begins a paragraph: after a wider gap, indented, or after a short line that ended a sentence."""
    gap = previous.y - line.y
    if gap > 1.3 * spacing or gap < -spacing or line.noted:  # more space, a new column, or a footnote
        return True
    if line.x > left + 0.8 * body and line.x > previous.x + 0.8 * body:
        return True
    return len(previous.text) < 0.7 * full and previous.text.endswith(_SENTENCE_END)


def _join_lines(lines: list[str], words: set[str], language: str) -> str:
    """A paragraph's lines as one, each word split by a hyphen at a line end made whole again."""
    text = lines[0]
    for line in lines[1:]:
        text = _join(text, line, words, language)
    return text


def _join(before: str, after: str, words: set[str], language: str) -> str:
    if not before.endswith(_LINE_END_HYPHENS) or before[-2:-1].isspace():
        return f"{before} {after}"
    if not after[:1].islower():  # "February-" and "March 2007": a hyphen of the text itself
        return before + after
    head = re.search(r"([^\W\d_]+)[-\u2010\u00ad]$", before)
    tail = re.match(r"[^\W\d_]+", after)
    if head is None or tail is None or before.endswith("\u00ad"):
        return before[:-1] + after if before.endswith("\u00ad") else f"{before}{after}"
    if before[:head.start()][-1:] in ("-", "\u2010", "/", "_", "=", "."):
        return before + after  # "state-of-the-" and "art", "--gen-" and "suppressions": a word made with hyphens
    joined, hyphenated = head.group(1) + tail.group(0), f"{head.group(1)}-{tail.group(0)}"
    if joined.casefold() in words and hyphenated.casefold() not in words:
        keep = False
    elif hyphenated.casefold() in words and joined.casefold() not in words:
        keep = True
    else:  # the document does not say: a hyphen where the dictionary would break the word is the typesetter's
        keep = not _breaks_there(joined, len(head.group(1)), language)
    return (before if keep else before[:-1]) + after


def _breaks_there(word: str, at: int, language: str) -> bool:
    return at in _hyphenator(language).positions(word.casefold())


@functools.lru_cache(maxsize=4)
def _hyphenator(language: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=pyphen.language_fallback(language.replace("-", "_")) or "en_US")


def _join_pages(pages: list[list[str]], words: set[str], language: str) -> str:
    """The pages in one text: a paragraph that runs on to the next page stays one paragraph, with the form feed
    inside it (a form feed is white space to every reader of the text); a word split across the page break is made
    whole on the page where it begins."""
    out = ""
    for index, paragraphs in enumerate(pages):
        paragraphs = list(paragraphs)
        if index:
            last = out.rstrip("\n")
            runs_on = bool(last) and bool(paragraphs) and not last.endswith(_SENTENCE_END) \
                and paragraphs[0][:1].islower()
            if runs_on and last.endswith(_LINE_END_HYPHENS):
                word, _, rest = paragraphs[0].partition(" ")
                last, paragraphs[0] = _join(last, word, words, language), rest
            out = last + (PAGE_BREAK if runs_on else "\n\n" + PAGE_BREAK)
        out += "\n\n".join(paragraphs)
    return out.strip(" \n") + "\n"
