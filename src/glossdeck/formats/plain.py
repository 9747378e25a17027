"""Plain text and Markdown: UTF-8 kept byte for byte; a byte-order mark or UTF-16/UTF-32 turned into plain UTF-8."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats import Text

MARKDOWN_SUFFIXES = {".md", ".markdown"}
# A byte-order mark declares its encoding: such a text is decoded and written as UTF-8 (longest marks first,
# since UTF-32 LE begins like UTF-16 LE).
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (little-endian)"),
          (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (big-endian)"),
          (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
          (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
          (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"))
# Without a mark, UTF-16 and UTF-32 show themselves by where their NUL bytes fall (an ASCII letter's high bytes are
# zero): (name, iconv's name, the positions of every four bytes that are NUL in such text).
_NUL_PATTERNS = (("UTF-32 (little-endian)", "UTF-32LE", (1, 2, 3)), ("UTF-32 (big-endian)", "UTF-32BE", (0, 1, 2)),
                 ("UTF-16 (little-endian)", "UTF-16LE", (1, 3)), ("UTF-16 (big-endian)", "UTF-16BE", (0, 2)))
_LOOKS_MARKDOWN = re.compile(r"^#{1,6} \S|\*\*[^*\n]+\*\*", re.MULTILINE)


def read(path: Path, data: bytes) -> Text:
    raw, origin = decode(path, data)
    if not raw.strip():
        raise GlossdeckError([Problem(path, None, "is empty", "add the file that holds the text")])
    suffix = path.suffix.lower()
    markdown = suffix in MARKDOWN_SUFFIXES or (suffix != ".txt" and _LOOKS_MARKDOWN.search(raw) is not None)
    title = next((m.group(1).strip() for m in re.finditer(r"^# (.+)$", raw, re.MULTILINE)), "") if markdown else ""
    seed = data if not origin else raw.encode("utf-8")
    return Text(seed, raw, "markdown" if markdown else "text", origin=origin, title=title)


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text, and how it was converted ("" when its bytes are kept); GlossdeckError if it is no text."""
    for mark, codec, name in _MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise GlossdeckError([Problem(path, None, f"begins with the byte-order mark of {name}, but is not "
                                              f"valid {name} (at byte {exc.start})",
                                              "save it again as UTF-8 in your editor, then add that")]) from None
            if "\x00" in text:
                break
            if codec == "utf-8-sig":
                return text, "The byte-order mark at its start dropped (no character of the text)."
            return text, f"Converted to UTF-8 from {name}; the byte-order mark dropped."
    if b"\x00" in data:
        sample = data[:4096]
        for name, iconv, zeros in _NUL_PATTERNS:
            if _nul_pattern(sample, zeros):
                raise GlossdeckError([Problem(path, None, f"looks like {name} text without a byte-order mark",
                                              f"convert it to UTF-8: `iconv -f {iconv} -t UTF-8 {path.name} > "
                                              f"{path.stem}-utf8{path.suffix}`, then add that")])
        raise GlossdeckError([Problem(path, None, "is not a text file (it holds NUL bytes)",
                                      "give the text as UTF-8 text, Markdown, a saved web page (.html), a PDF or an "
                                      "EPUB")])
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossdeckError([Problem(path, line, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                      "save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8 IN > OUT`), then add that")
                              ]) from None


def _nul_pattern(sample: bytes, zeros: tuple[int, ...]) -> bool:
    """Whether most bytes at these positions (of every four) are NUL, and few of the others."""
    counts = [0, 0, 0, 0]
    usable = sample[: len(sample) // 4 * 4]
    for index, byte in enumerate(usable):
        counts[index % 4] += byte == 0
    quarter = max(len(usable) // 4, 1)
    return all(counts[i] >= 0.6 * quarter for i in zeros) and \
        all(counts[i] <= 0.1 * quarter for i in range(4) if i not in zeros)
