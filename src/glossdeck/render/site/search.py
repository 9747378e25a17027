"""The search page's index, built here in MiniSearch's own serialized form, so the browser only loads it.

The browser's MiniSearch (7.x, `MiniSearch.loadJSON`) must read exactly what its own `add()` would have made, so
this module tokenizes and counts as its defaults do: split at runs of white space and punctuation (Unicode
`[\\n\\r\\p{Z}\\p{P}]+`), lower-case each piece, and count a field's length as its distinct pieces.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable, Sequence

from glossdeck.model import Term

# The fields indexed, in MiniSearch's field order; site.js passes the same list to loadJSON.
FIELDS = ("term", "aliases", "joined", "spellings", "gloss", "definition")
STORED = ("term", "aliases", "gloss", "url")
_LOOSE = re.compile(r"[\s\-‐‑–_]+")


def _is_separator(char: str) -> bool:
    return char in "\n\r" or unicodedata.category(char)[0] in "ZP"


def _separators(texts: Iterable[str]) -> re.Pattern[str]:
    """JavaScript's /[\\n\\r\\p{Z}\\p{P}]+/u for the characters these texts hold (Python's re has no \\p{})."""
    present = set().union(*map(set, texts)) | {chr(c) for c in range(128)}
    chars = sorted(c for c in present if _is_separator(c))
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]+")


def joined(name: str) -> str:
    """A name as people type it without its spaces and hyphens ("mesaoptimizer", "orthogonalitythesis")."""
    return _LOOSE.sub("", name).lower()


def document(term: Term, gloss: str, definition: str, spellings: Sequence[str], url: str) -> dict[str, str]:
    """One term as the search indexes and shows it."""
    names = [term.term, *term.aliases]
    forms = dict.fromkeys(joined(n) for n in [*names, *spellings])
    return {"id": term.id, "term": term.term, "aliases": " · ".join(term.aliases), "joined": " ".join(forms),
            "spellings": " · ".join(spellings), "gloss": gloss, "definition": definition, "url": url}


def index(documents: Sequence[dict[str, str]]) -> dict[str, object]:
    """What `MiniSearch.toJSON()` gives after `addAll(documents)` with FIELDS indexed and STORED stored."""
    split = _separators(d[f] for d in documents for f in FIELDS).split
    postings: dict[str, dict[int, dict[int, int]]] = {}
    document_ids: dict[str, str] = {}
    field_length: dict[str, list[int]] = {}
    stored: dict[str, dict[str, str]] = {}
    average = [0.0] * len(FIELDS)
    for short_id, doc in enumerate(documents):
        document_ids[str(short_id)] = doc["id"]
        stored[str(short_id)] = {name: doc[name] for name in STORED}
        lengths = []
        for field_id, name in enumerate(FIELDS):
            tokens = split(doc[name])
            length = len(set(tokens))
            lengths.append(length)
            average[field_id] = (average[field_id] * short_id + length) / (short_id + 1)  # as MiniSearch does
            for token in tokens:
                term = token.lower()
                if term:
                    by_field = postings.setdefault(term, {}).setdefault(field_id, {})
                    by_field[short_id] = by_field.get(short_id, 0) + 1
        field_length[str(short_id)] = lengths
    return {
        "documentCount": len(documents),
        "nextId": len(documents),
        "documentIds": document_ids,
        "fieldIds": {name: i for i, name in enumerate(FIELDS)},
        "fieldLength": field_length,
        "averageFieldLength": average,
        "storedFields": stored,
        "dirtCount": 0,
        "index": [[term, {str(f): {str(d): n for d, n in docs.items()} for f, docs in fields.items()}]
                  for term, fields in sorted(postings.items())],
        "serializationVersion": 2,
    }


def script(documents: Sequence[dict[str, str]]) -> str:
    """The index as a script that hands MiniSearch its JSON (a script, since pages opened from disk may not
    fetch(); a string, since browsers parse JSON faster than the same data written as a JavaScript literal)."""
    payload = json.dumps(index(documents), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.GLOSSDECK_SEARCH = {json.dumps(payload, ensure_ascii=False)};\n"
