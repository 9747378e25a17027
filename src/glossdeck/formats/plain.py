"""Plain text and Markdown: kept byte for byte and read as every command reads a seed (textfile.decode); UTF-16 and
UTF-32 that declare themselves with a byte-order mark are turned into UTF-8."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from glossdeck import textfile
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats.text import Text

MARKDOWN_SUFFIXES = {".md", ".markdown"}
# A byte-order mark declares its encoding beyond doubt, so such a text is decoded and written as UTF-8 (longest
# marks first: UTF-32 LE begins like UTF-16 LE). Without a mark, textfile.decode names the encoding it sees.
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (little-endian)"),
          (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (big-endian)"),
          (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
          (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"))
_LOOKS_MARKDOWN = re.compile(r"^#{1,6} \S|\*\*[^*\n]+\*\*", re.MULTILINE)


def read(path: Path, data: bytes) -> Text:
    origin = ""
    seed = data
    for mark, codec, name in _MARKS:
        if data.startswith(mark):
            try:
                seed = data.decode(codec).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise GlossdeckError([Problem(path, None, f"begins with the byte-order mark of {name}, but is not "
                                              f"valid {name}: {exc.reason} at byte {exc.start}",
                                              "save it again as UTF-8 in your editor, then add that")]) from None
            origin = f"Converted to UTF-8 from {name}; the byte-order mark dropped."
            break
    suffix = path.suffix.lower()
    # told by its name, else by a first look: the format decides how every later command reads it
    markdown = suffix in MARKDOWN_SUFFIXES or (suffix != ".txt" and _LOOKS_MARKDOWN.search(
        seed[:1_000_000].decode("utf-8", "replace")) is not None)
    try:
        raw = textfile.decode(seed, path.name, markdown)
    except textfile.TextError as error:
        # the same words as `check` says of a seed, but the next step here is to add the converted file
        hint = re.sub(r", put the converted file in its place.*", ", then add the converted file", error.hint)
        hint = hint.replace(", then update `sha256:`", ", then add that").replace(
            "give the text as UTF-8 text or Markdown", "give the text as UTF-8 text or Markdown, a saved web page "
            "(.html), a PDF or an EPUB")
        raise GlossdeckError([Problem(path, error.line, error.message, hint)]) from None
    if not raw.strip():
        raise GlossdeckError([Problem(path, None, "is empty", "add the file that holds the text")])
    title = next((m.group(1).strip() for m in re.finditer(r"^# (.+)$", raw, re.MULTILINE)), "") if markdown else ""
    return Text(seed, raw, "markdown" if markdown else "text", origin=origin, title=title)
