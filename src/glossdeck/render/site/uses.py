"""Where the essays use each term, as the site shows it: a link at the first mention in each section of an essay,
and a line of context for each section on the term's page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from glossdeck.mentions import Mention, Mentions
from glossdeck.model import Glossary, Source
from glossdeck.render.site.essay import Passage, mention_anchor
from glossdeck.render.addresses import source_page

SHOWN = 12  # lines of context on a term's page: enough to find one's way in, bounded as the essays grow
CONTEXT = 60  # characters of context on each side
_ANCHOR = re.compile(r'<a class="term mention" id="([^"]+)"')


@dataclass(frozen=True)
class Use:
    """One section of an essay that uses a term, as a line on the term's page."""

    source: Source
    place: str  # "§ Heading, ¶ 3"
    before: str
    words: str  # the term as the essay writes it there
    after: str
    href: str | None  # the linked mention on the essay's page, where there is one


def to_link(found: Mentions, source_id: str, passages: Sequence[Passage],
            notes: Sequence[tuple[int, int]]) -> list[Mention]:
    """The mentions to link on an essay's page: the first of each term in each section, never inside a quoted
    passage's highlight or an author's note (nor, by the finder's own rule, in a heading, code or a link)."""
    excluded = [(piece.start, piece.end) for passage in passages for piece in passage.pieces] + list(notes)
    return found.sources[source_id].first_per_section(excluded)


def placed_anchors(body: str) -> set[str]:
    """The ids of the mentions an essay's page did link (one that would cross the essay's markup is not)."""
    return set(_ANCHOR.findall(body))


def uses_by_term(glossary: Glossary, found: Mentions, placed: set[tuple[str, str]]) -> dict[str, tuple[list[Use], int]]:
    """For each term, the lines its page shows (one per section that uses it, the linked mention where there is
    one) and how many more sections use it than are shown."""
    result: dict[str, tuple[list[Use], int]] = {}
    for term_id, found_here in found.by_term.items():
        sections: dict[tuple[str, int], Mention] = {}
        for source_id, mention in found_here:
            key = (source_id, mention.section)
            linked = (source_id, mention_anchor(mention)) in placed
            if key not in sections or (linked and (source_id, mention_anchor(sections[key])) not in placed):
                sections[key] = mention
        shown = []
        for (source_id, _), mention in list(sections.items())[:SHOWN]:
            here = found.sources[source_id]
            before, words, after = here.context(mention, CONTEXT)
            anchor = mention_anchor(mention)
            href = f"../{source_page(source_id)}#{anchor}" if (source_id, anchor) in placed else None
            shown.append(Use(glossary.sources[source_id], here.place(mention), _from_word(before), words,
                             _to_word(after), href))
        result[term_id] = (shown, len(sections) - len(shown))
    return result


def _from_word(text: str) -> str:
    """Context before a mention, starting at a whole word."""
    cut = text.find(" ")
    return text[cut + 1 :] if 0 <= cut < len(text) - 1 and len(text) >= CONTEXT else text


def _to_word(text: str) -> str:
    """Context after a mention, ending at a whole word."""
    cut = text.rfind(" ")
    return text[:cut] if cut > 0 and len(text) >= CONTEXT else text
