"""The sources as CSL-JSON, which Zotero and every citation processor read."""

from __future__ import annotations

import json
import re
from typing import Any

from glossdeck.model import Glossary, Source

# Lower-case words before a family name that are part of it ("van Asseldonk", "de la Cruz").
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "ten", "ter", "dos"}
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
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
    """"Given Family", with a family name's lower-case particles kept apart; one word (a user name) is literal."""
    words = text.split()
    if len(words) < 2 or not all(w[0].isupper() or w.lower() in _PARTICLES for w in words):
        return {"literal": text}
    family_at = len(words) - 1
    while family_at > 1 and words[family_at - 1] in _PARTICLES:
        family_at -= 1
    result = {"family": words[-1], "given": " ".join(words[:family_at])}
    if family_at < len(words) - 1:
        result["non-dropping-particle"] = " ".join(words[family_at:-1])
    return result


def date(text: str) -> dict[str, Any]:
    """An ISO date (or year-month, or year) as date parts; anything else ("after September 2023") as written."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return {"literal": text}
    return {"date-parts": [[int(part) for part in match.groups() if part is not None]]}


def _type(source: Source) -> str:
    venue = source.venue.lower()
    if any(word in venue for word in _BLOGS):
        return "post-weblog"
    if any(word in venue for word in _FORUMS):
        return "post"
    return "webpage" if source.url else "document"
