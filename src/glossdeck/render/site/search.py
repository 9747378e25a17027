"""The search page's index, built here in MiniSearch's own form and cut into parts the page loads as it needs them.

A page opened from disk may not fetch(), so every part is a script. The index is cut by the first letters of the
words it holds: a query loads only the parts for its words, so the time to a first result and the bytes loaded
stay small however large the glossary grows. What each term shows in the results (name, other names, gloss,
address) is kept apart, in parts of CHUNK terms each, loaded for the results shown.

The browser's MiniSearch (7.x) must read exactly what its own `add()` would have made, so this module tokenizes
and counts as MiniSearch does: split at runs of white space and punctuation (`[\\n\\r\\p{Z}\\p{P}]+`), count a
field's length as its distinct pieces, and index each piece lower-cased, but for pieces of one character and the
language's commonest words (site.js drops the same from queries, with the list given in the meta part).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable, Sequence

from glossdeck.model import Term

# The fields indexed, in MiniSearch's order; site.js passes the same list to MiniSearch.
FIELDS = ("term", "aliases", "joined", "spellings", "gloss")
SHOWN = ("term", "aliases", "gloss", "url")  # what a result shows, from the display parts
CHUNK = 100  # terms per display part
PART_BYTES = 48_000  # a part of the index larger than this is cut again by the next letter of its words,
PART_LETTERS = 3  # up to this many
# Words too common to find anything by (English glossaries only): each would weigh on every query that has it.
STOP_WORDS = {"en": ("a an and are as at be but by for from has have in into is it its of on or so such than that "
                     "the their them then there these this those to was were which who will with").split()}
_LOOSE = re.compile(r"[\s\-‐‑–_]+")


def joined(name: str) -> str:
    """A name as people type it without its spaces and hyphens ("mesaoptimizer", "orthogonalitythesis")."""
    return _LOOSE.sub("", name).lower()


def document(term: Term, gloss: str, spellings: Sequence[str], url: str) -> dict[str, str]:
    """One term as the search indexes and shows it."""
    names = [term.term, *term.aliases]
    forms = dict.fromkeys(joined(n) for n in [*names, *spellings])
    return {"id": term.id, "term": term.term, "aliases": " · ".join(term.aliases), "joined": " ".join(forms),
            "spellings": " · ".join(spellings), "gloss": gloss, "url": url}


def stop_words(language: str) -> tuple[str, ...]:
    return tuple(STOP_WORDS.get(language.split("-")[0].lower(), ()))


def _is_separator(char: str) -> bool:
    return char in "\n\r" or unicodedata.category(char)[0] in "ZP"


def _separators(texts: Iterable[str]) -> re.Pattern[str]:
    """JavaScript's /[\\n\\r\\p{Z}\\p{P}]+/u for the characters these texts hold (Python's re has no \\p{})."""
    present = set().union(*map(set, texts)) | {chr(c) for c in range(128)}
    chars = sorted(c for c in present if _is_separator(c))
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]+")


def _kept(token: str, stop: frozenset[str]) -> str:
    """A piece as MiniSearch's processTerm in site.js keeps it: lower case, at least two UTF-16 units, no stop word
    ("" for one dropped)."""
    term = token.lower()
    return term if len(term.encode("utf-16-le")) >= 4 and term not in stop else ""


def index(documents: Sequence[dict[str, str]], stop: Sequence[str] = ()) -> dict[str, object]:
    """What `MiniSearch.toJSON()` gives after `addAll(documents)` (ids are the documents' positions), with FIELDS
    indexed, nothing stored, and site.js's processTerm."""
    split = _separators(d[f] for d in documents for f in FIELDS).split
    dropped = frozenset(stop)
    postings: dict[str, dict[int, dict[int, int]]] = {}
    field_length: dict[str, list[int]] = {}
    average = [0.0] * len(FIELDS)
    for short_id, doc in enumerate(documents):
        lengths = []
        for field_id, name in enumerate(FIELDS):
            tokens = split(doc[name])
            length = len(set(tokens))  # MiniSearch counts the pieces before processTerm, empty ones too
            lengths.append(length)
            average[field_id] = (average[field_id] * short_id + length) / (short_id + 1)  # as MiniSearch does
            for token in tokens:
                term = _kept(token, dropped)
                if term:
                    by_field = postings.setdefault(term, {}).setdefault(field_id, {})
                    by_field[short_id] = by_field.get(short_id, 0) + 1
        field_length[str(short_id)] = lengths
    return {
        "documentCount": len(documents),
        "nextId": len(documents),
        "documentIds": {str(i): i for i in range(len(documents))},
        "fieldIds": {name: i for i, name in enumerate(FIELDS)},
        "fieldLength": field_length,
        "averageFieldLength": average,
        "storedFields": {},
        "dirtCount": 0,
        "index": [[term, {str(f): {str(d): n for d, n in docs.items()} for f, docs in fields.items()}]
                  for term, fields in sorted(postings.items())],
        "serializationVersion": 2,
    }


def _parts(entries: list[list[object]], prefix: str = "") -> dict[str, list[list[object]]]:
    """The index entries cut by their first letter; a part over PART_BYTES cut again by the next letter (up to
    PART_LETTERS), its words no longer than its key staying in it."""
    by_key: dict[str, list[list[object]]] = {}
    for entry in entries:
        term = str(entry[0])
        by_key.setdefault(term[: len(prefix) + 1], []).append(entry)
    cut: dict[str, list[list[object]]] = {}
    for key, here in by_key.items():
        longer = [e for e in here if len(str(e[0])) > len(key)]
        if len(key) < PART_LETTERS and longer and len(json.dumps(here, separators=(",", ":"))) > PART_BYTES:
            cut.update(_parts(longer, key))
            if len(longer) < len(here):
                cut[key] = [e for e in here if len(str(e[0])) <= len(key)]
        else:
            cut[key] = here
    return cut


def _part(entries: list[list[object]], lengths: dict[str, list[int]]) -> dict[str, object]:
    """One part of the index: its entries, and the field lengths of the documents they name (for scoring)."""
    docs = sorted({int(d) for _, fields in entries for field in fields.values() for d in field})  # type: ignore
    return {"index": entries, "docs": docs, "lengths": [lengths[str(d)] for d in docs]}


def part_name(key: str) -> str:
    """The file of an index part: its letters as code points, so that any letter makes a portable file name."""
    return "i-" + "-".join(f"{ord(c):x}" for c in key) + ".js"


def _script(key: str, data: object) -> str:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"GLOSSDECK_SEARCH_PART({json.dumps(key)}, {json.dumps(payload, ensure_ascii=False)});\n"


def files(documents: Sequence[dict[str, str]], language: str) -> dict[str, str]:
    """The search's scripts by path inside assets/search/: meta.js (read by the search page up front), the parts
    of the index, and the parts of what results show."""
    stop = stop_words(language)
    whole = index(documents, stop)
    entries: list[list[object]] = whole["index"]  # type: ignore[assignment]
    lengths: dict[str, list[int]] = whole["fieldLength"]  # type: ignore[assignment]
    parts = _parts(entries)
    meta = {"count": len(documents), "fields": list(FIELDS), "average": whole["averageFieldLength"],
            "stop": list(stop), "parts": sorted(parts), "chunk": CHUNK}
    out = {"meta.js": f"window.GLOSSDECK_SEARCH_META = {json.dumps(meta, ensure_ascii=False, sort_keys=True)};\n"}
    for key, here in parts.items():
        out[part_name(key)] = _script(key, _part(here, lengths))
    for start in range(0, len(documents), CHUNK):
        shown = [[d[name] for name in SHOWN] for d in documents[start : start + CHUNK]]
        out[f"d-{start // CHUNK}.js"] = _script(f"d{start // CHUNK}", shown)
    return out
