"""The A–Z list of every term and other name: on the front page, or for a large glossary a page per letter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from glossdeck.model import Glossary, sort_key

INDEX_ENTRIES = 500  # names the front page lists itself; a larger glossary gets a page per letter
PAGE_ENTRIES = 300  # names on one letter's page; a letter with more gets several, headed by guide words
Entry = dict[str, Any]


def initial(name: str) -> str:
    first = sort_key(name)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def entries(glossary: Glossary) -> list[tuple[str, list[Entry]]]:
    """Terms and other names in dictionary order, grouped by initial letter."""
    found: list[Entry] = [{"name": t.term, "term": t, "alias": False} for t in glossary.terms]
    found += [{"name": a, "term": t, "alias": True} for t in glossary.terms for a in t.aliases]
    found.sort(key=lambda e: (sort_key(e["name"]), e["alias"]))
    letters: dict[str, list[Entry]] = {}
    for entry in found:
        letters.setdefault(initial(entry["name"]), []).append(entry)
    return sorted(letters.items(), key=lambda item: (item[0] == "#", item[0]))


@dataclass(frozen=True)
class LetterPage:
    """One page of a letter's names: its path in the site, its names, and its neighbours (file names)."""

    path: str
    letter: str
    entries: list[Entry]
    number: int  # from 1
    count: int
    previous: str | None
    next: str | None


def _slug(letter: str) -> str:
    return "other" if letter == "#" else letter.lower()


def layout(letters: list[tuple[str, list[Entry]]]) -> tuple[bool, dict[str, str], list[LetterPage]]:
    """Whether the front page lists every name itself, the link of each letter from the front page, and the
    letters' own pages (none when the front page lists them)."""
    if sum(len(here) for _, here in letters) <= INDEX_ENTRIES:
        return True, {letter: f"#letter-{_slug(letter).upper() if letter != '#' else 'other'}"
                      for letter, _ in letters}, []
    pages = []
    for letter, here in letters:
        chunks = [here[i : i + PAGE_ENTRIES] for i in range(0, len(here), PAGE_ENTRIES)]
        names = [f"{_slug(letter)}{'' if i == 0 else f'-{i + 1}'}.html" for i in range(len(chunks))]
        for i, chunk in enumerate(chunks):
            pages.append(LetterPage(f"index/{names[i]}", letter, chunk, i + 1, len(chunks),
                                    names[i - 1] if i else None, names[i + 1] if i + 1 < len(chunks) else None))
    return False, {letter: f"index/{_slug(letter)}.html" for letter, _ in letters}, pages
