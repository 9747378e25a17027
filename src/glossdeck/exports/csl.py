"""The sources as CSL-JSON, which Zotero and every citation processor read."""

from __future__ import annotations

import json
from typing import Any

from glossdeck.model import Glossary, Source, iso_date_parts

# Lower-case words before a family name that are part of it ("van Asseldonk", "de la Cruz").
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "ten", "ter", "dos"}
_SUFFIXES = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"}
_BLOGS = ("blog",)
_FORUMS = ("lesswrong", "forum", "alignment forum", "reddit")


def to_text(glossary: Glossary) -> str:
    items = [item(glossary, source) for source in glossary.sources.values()]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def item(glossary: Glossary, source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"id": source.id, "type": _type(source), "title": source.title}
    if source.subtitle:
        data["title"] = f"{source.title}: {source.subtitle.rstrip('.')}"
        data["title-short"] = source.title
    data["author"] = [name(source.author)]
    if source.venue:
        data["container-title"] = source.venue
    if source.date:
        data["issued"] = date(source.date)
    if source.url is not None:
        data["URL"] = source.url
    notes = [n for n in (source.version, "" if source.author_confirmed else "Author unconfirmed.") if n]
    if notes:
        data["note"] = " ".join(notes)
    data["language"] = glossary.settings.language
    return data


def name(text: str) -> dict[str, str]:
    """"Given Family" or "Family, Given", with a family name's lower-case particles kept apart and a "Jr." as a
    suffix; one word (a user name), or anything that does not read as a person's name, is literal."""
    head, comma, tail = (part.strip() for part in text.partition(","))
    if comma and head and tail and "," not in tail:
        if tail in _SUFFIXES:  # "Martin Luther King, Jr."
            return _with_suffix(name(head), tail, text)
        if _capitalised(head.split()) and _capitalised(tail.split()):  # "van Asseldonk, Ruud", as lists write it
            particles, family = _particles(head.split())
            return {"family": family, "given": tail, **particles}
        return {"literal": text}
    words = text.split()
    if len(words) > 2 and words[-1] in _SUFFIXES:  # "Martin Luther King Jr."
        return _with_suffix(name(" ".join(words[:-1])), words[-1], text)
    if comma or len(words) < 2 or not _capitalised(words):
        return {"literal": text}
    family_at = len(words) - 1
    while family_at > 1 and words[family_at - 1] in _PARTICLES:
        family_at -= 1
    result = {"family": words[-1], "given": " ".join(words[:family_at])}
    if family_at < len(words) - 1:
        result["non-dropping-particle"] = " ".join(words[family_at:-1])
    return result


def _capitalised(words: list[str]) -> bool:
    return bool(words) and all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _particles(words: list[str]) -> tuple[dict[str, str], str]:
    """A family name written alone ("van Asseldonk"): its leading particles apart, and the name."""
    at = 0
    while at < len(words) - 1 and words[at] in _PARTICLES:
        at += 1
    particles = {"non-dropping-particle": " ".join(words[:at])} if at else {}
    return particles, " ".join(words[at:])


def _with_suffix(parsed: dict[str, str], suffix: str, text: str) -> dict[str, str]:
    return {**parsed, "suffix": suffix} if "family" in parsed else {"literal": text}


def date(text: str) -> dict[str, Any]:
    """An ISO date (or year-month, or year) as date parts; anything else ("after September 2023") as written.
    Only a real date becomes parts: CSL reads a month 13 to 16 as a season, and a day 31 of June nowhere."""
    parts = iso_date_parts(text)
    return {"literal": text} if parts is None else {"date-parts": [list(parts)]}


def _type(source: Source) -> str:
    venue = source.venue.lower()
    if any(word in venue for word in _BLOGS):
        return "post-weblog"
    if any(word in venue for word in _FORUMS):
        return "post"
    return "webpage" if source.url else "document"
