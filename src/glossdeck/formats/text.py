"""A text ready to become a seed, whatever form its file came in."""

from __future__ import annotations

from dataclasses import dataclass, field

from glossdeck.limits import FIELD

FILE_NAME = "\x00file\x00"  # where a converter's note on a text's origin names the file it came from


@dataclass(frozen=True)
class Text:
    """A text ready to become a seed: its bytes, format, and where it came from if converted."""

    data: bytes
    raw: str
    format: str  # text or markdown
    origin: str = ""  # how it was converted, if it was
    kind: str = ""  # what it was converted from: "html", "pdf" or "epub" ("" when kept as it came)
    title: str = ""  # a title found in the file itself
    author: str = ""  # an author named in the file itself (a PDF's or an EPUB's metadata)
    paged: bool = False  # a form feed begins each page of the original (a PDF)
    page_labels: tuple[str, ...] = field(default=())  # the original's own page numbers, when not 1, 2, 3 …
    headings: tuple[str, ...] = field(default=())  # headings found by their type size (a PDF), to propose


def with_file_name(origin: str, name: str) -> str:
    """The origin note with the file's name in place of FILE_NAME, cut in the middle ("…") as far as needed for the
    note to stay within the limit of the `version` it becomes: a long file name must not make `source add` fail
    on a field the user never wrote."""
    # A name's control characters (a newline, a carriage return) would be refused in `version`: shown as "?".
    name = "".join(c if c.isprintable() else "?" for c in name)
    room = FIELD.most - (len(origin) - len(FILE_NAME))
    if len(name) > room:
        keep = max(room - 1, 16)
        name = name[:keep // 2] + "…" + name[len(name) - (keep - keep // 2):]
    return origin.replace(FILE_NAME, name)
