"""The glossary as a StarDict dictionary (KOReader, GoldenDict, sdcv), zipped in a folder ready to copy."""

from __future__ import annotations

import html
import struct
import unicodedata
import zlib

from glossdeck import markup
from glossdeck.model import Citation, Glossary, Term
from glossdeck.render.archive import Entry, zip_bytes
from glossdeck.render.common import attribution, esc

# dictzip's chunk: what sdcv's reader (dictd's data.c) inflates a chunk into, 89% of 64 KiB less 12 bytes.
CHUNK = 58315
MAX_CHUNKS = (0xFFFF - 10) // 2  # the chunk table lives in the gzip header's extra field, at most 64 KiB long
MAX_WORD_BYTES = 255  # the spec: strlen(word) < 256
# KOReader reads a stylesheet named like the .ifo beside it (other readers ignore the file).
STYLESHEET = (".gloss { font-weight: bold; }\n"
              "blockquote { margin: 0.4em 0 0.4em 1em; }\n"
              ".cite, .aliases, .related { font-size: smaller; }\n"
              ".xref { font-style: italic; }\n")


def folder_name(glossary: Glossary) -> str:
    """The dictionary's folder (in the zip), and the name of each of its files."""
    return glossary.settings.output_base


def stardict_order(word: str) -> tuple[bytes, bytes]:
    """The order the spec demands (stardict_strcmp): g_ascii_strcasecmp on the UTF-8 bytes, then strcmp."""
    raw = word.encode("utf-8")
    return raw.lower(), raw  # bytes.lower() folds ASCII letters only, as g_ascii_strcasecmp does


def short_quote(term: Term) -> Citation | None:
    """The quote an entry shows: the term's shortest, as on a printed card (a view's, if it has only those)."""
    return min(term.citations or term.all_citations, key=lambda c: len(c.display), default=None)


def entry_html(glossary: Glossary, term: Term) -> str:
    """One entry: gloss, definition, other names, a short quote with its source, and related terms as links."""
    parts = []
    if term.gloss:
        parts.append(f'<p class="gloss">{markup.to_html(term.gloss)}</p>')
    parts.append(f'<p class="definition">{markup.to_html(term.definition)}</p>')
    if term.aliases:
        parts.append(f'<p class="aliases">Also: {esc(", ".join(term.aliases))}</p>')
    citation = short_quote(term)
    if citation is not None:
        source = glossary.sources[citation.source]
        parts.append(f"<blockquote>“{esc(citation.display)}”<br/>"
                     f'<span class="cite">— {attribution(source, citation)}</span></blockquote>')
    if term.related:
        # bword:// is how StarDict readers (KOReader, GoldenDict) link one entry to another
        links = ", ".join(f'<a href="bword://{html.escape(headword(glossary.term(r).term))}">'
                          f"{esc(glossary.term(r).term)}</a>" for r in term.related)
        parts.append(f'<p class="related">See also: {links}</p>')
    return "".join(parts)


def dictzip(data: bytes, chunk: int = CHUNK) -> bytes:
    """gzip with dictzip's random-access table (the "RA" extra field), which gunzip also reads.

    Each chunk is deflated up to a full flush, so that a reader can inflate any chunk alone; the extra
    field lists each chunk's compressed length (dictzip(1)).
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    pieces = [compressor.compress(data[start:start + chunk]) + compressor.flush(zlib.Z_FULL_FLUSH)
              for start in range(0, max(len(data), 1), chunk)]
    if len(pieces) > MAX_CHUNKS:
        raise ValueError(f"{len(data)} bytes is more than dictzip's table can index ({MAX_CHUNKS} chunks)")
    table = struct.pack(f"<HHH{len(pieces)}H", 1, chunk, len(pieces), *map(len, pieces))
    extra = b"RA" + struct.pack("<H", len(table)) + table
    # FLG = FEXTRA; MTIME 0 (none: the same bytes at any time); XFL 2 (best compression); OS 3 (Unix)
    header = b"\x1f\x8b\x08\x04" + struct.pack("<I", 0) + b"\x02\x03" + struct.pack("<H", len(extra)) + extra
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    # The stream's final (empty) block follows the last chunk, outside the table: a reader inflating the last
    # chunk then gets "more to come", as for every other chunk, where the end of the stream is an error to dictd.
    return header + b"".join(pieces) + compressor.flush(zlib.Z_FINISH) + trailer


def headword(name: str) -> str:
    """A name as the dictionary stores it: composed (NFC), the form a reader's selection or keyboard sends."""
    return unicodedata.normalize("NFC", name)


_APOSTROPHES = str.maketrans({"'": "\u2019", "\u2019": "'"})


def lookup_forms(name: str) -> list[str]:
    """The forms a reader may look a name up by: as written, and with its apostrophes the other way (a typeset
    book gives ’ where the glossary may write ', and a keyboard ' where it writes ’)."""
    written = headword(name)
    return list(dict.fromkeys([written, written.translate(_APOSTROPHES)]))


def files(glossary: Glossary) -> dict[str, bytes]:
    """The dictionary's files by name: .ifo, .idx, .dict.dz, .syn (the aliases) and a stylesheet."""
    base = folder_name(glossary)
    index, data = bytearray(), bytearray()
    headwords = sorted(glossary.terms, key=lambda t: stardict_order(headword(t.term)))
    position = {}
    for number, term in enumerate(headwords):
        entry = entry_html(glossary, term).encode("utf-8")
        index += _word(headword(term.term)) + struct.pack(">II", len(data), len(entry))
        data += entry
        position[term.id] = number
    # Every other name, and every name with its apostrophes the other way, unless that form is some name itself.
    names = {headword(name) for t in glossary.terms for name in (t.term, *t.aliases)}
    synonyms = sorted({(form, position[t.id]) for t in glossary.terms for name in (t.term, *t.aliases)
                       for form in lookup_forms(name)
                       if form != headword(t.term) and (form == headword(name) or form not in names)},
                      key=lambda pair: (stardict_order(pair[0]), pair[1]))
    syn = b"".join(_word(alias) + struct.pack(">I", number) for alias, number in synonyms)
    found = {f"{base}.ifo": _ifo(glossary, len(headwords), len(synonyms), len(index)),
             f"{base}.idx": bytes(index), f"{base}.dict.dz": dictzip(bytes(data)),
             f"{base}.css": STYLESHEET.encode("utf-8")}
    if synonyms:
        found[f"{base}.syn"] = syn
    return found


def _word(word: str) -> bytes:
    raw = word.encode("utf-8")
    # A name is at most 80 characters, each at most 3 bytes in UTF-8 among those the fonts draw (limits.py).
    assert len(raw) <= MAX_WORD_BYTES and b"\0" not in raw, word
    return raw + b"\0"


def _ifo(glossary: Glossary, words: int, synonyms: int, index_size: int) -> bytes:
    settings = glossary.settings
    titles = "; ".join(f"{s.author_display}, {s.title}" for s in glossary.sources.values())
    # The description is HTML to the readers that show it (its lines are joined with <br>): text is escaped.
    description = "<br>".join(esc(text) for text in (settings.subtitle, f"Quotes from: {titles}.",
                                                     "Made with glossdeck.") if text)
    lines = ["StarDict's dict ifo file", "version=2.4.2", f"bookname={settings.title}", f"wordcount={words}"]
    if synonyms:
        lines.append(f"synwordcount={synonyms}")
    lines += [f"idxfilesize={index_size}", "sametypesequence=h"]
    if settings.author:
        lines.append(f"author={settings.author}")
    if settings.site_url:
        lines.append(f"website={settings.site_url}")
    lines.append(f"description={description}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render(glossary: Glossary, timestamp: int) -> bytes:
    """The dictionary's folder, zipped: unzipped where a reader looks for dictionaries, it is installed."""
    base = folder_name(glossary)
    return zip_bytes([Entry(f"{base}/{name}", data, compress=not name.endswith(".dz"))
                      for name, data in sorted(files(glossary).items())], timestamp)
