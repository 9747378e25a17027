"""Files as `source add` reads them: a text ready to become a seed, whatever form the file came in."""

from __future__ import annotations

from pathlib import Path

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.formats.text import Text

__all__ = ["Text", "read_source"]
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def read_source(path: Path, language: str = "en") -> Text:
    """A file as a seed: text or Markdown kept as it is; a web page, a PDF or an EPUB turned into text."""
    data = _read_bytes(path)
    head = data[:2048].lstrip().lower()
    if path.suffix.lower() == ".pdf" or data.startswith(b"%PDF-"):
        from glossdeck.formats import pdf

        return pdf.read(path, data, language)
    if path.suffix.lower() == ".epub" or (data.startswith(b"PK\x03\x04") and b"application/epub+zip" in data[:100]):
        from glossdeck.formats import epub

        return epub.read(path, data)
    if path.suffix.lower() in HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        from glossdeck.formats import webpage

        return webpage.read(path, data)
    from glossdeck.formats import plain

    return plain.read(path, data)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise GlossdeckError([Problem(path, None, "file not found", "give the path of the text to add")]) from None
    except IsADirectoryError:
        raise GlossdeckError([Problem(path, None, "is a folder, not a file", "give the text's file")]) from None
    except OSError as exc:
        raise GlossdeckError([Problem(path, None, f"cannot read the file: {exc.strerror}")]) from None
