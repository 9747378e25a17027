"""New-card positions: the learning order, with each term's cards two days of new cards apart."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Hashable, Sequence
from typing import TypeVar

Card = TypeVar("Card", bound=Hashable)

# Anki shows 20 new cards a day unless the student changes it. A term's second card must not come the day
# after its first either: that day the first comes back for its first review (a new card answered Good twice
# graduates to a one-day interval), and reviewing one direction minutes before meeting the other is the
# short-term recall the spacing is for. Two days' worth puts the next card on the third day, when the first
# card is not due (its next interval, after Good, is at least two days).
NEW_CARDS_PER_DAY = 20
SIBLING_GAP = 2 * NEW_CARDS_PER_DAY


def new_card_positions(cards_by_term: Sequence[Sequence[Card]], gap: int = SIBLING_GAP,
                       late: Collection[int] = ()) -> dict[Card, int]:
    """Each card's position in the new-card queue, from 0.

    `cards_by_term` lists the terms in learning order, each with its cards in the order it should
    meet them. First cards come in learning order; each later card of a term comes as soon as it is
    `gap` positions after that term's previous card, before any further first card, so a term's cards
    are learned close together; later cards of different terms keep the learning order among themselves.
    Only when nothing else is left (the last terms of a deck) do a term's cards come closer than `gap`.

    The terms in `late` (by index: those new in this release) keep their first card in learning order,
    but their later cards come after every other card, spaced the same way among themselves. Anki never
    moves a card a student has, and puts a new one at the place the package gives it: a student who has
    studied past a new term's place meets its first card among the next new cards, and its second no
    sooner than the rest of the deck allows, rather than at once after it.
    """
    main = [cards[:1] if term in late else cards for term, cards in enumerate(cards_by_term)]
    positions = _spaced(main, gap)
    tail = _spaced([cards[1:] for term, cards in enumerate(cards_by_term) if term in late], gap)
    after = len(positions)
    positions.update((card, after + position) for card, position in tail.items())
    return positions


def _spaced(cards_by_term: Sequence[Sequence[Card]], gap: int) -> dict[Card, int]:
    positions: dict[Card, int] = {}
    waiting: list[tuple[int, int, int]] = []  # (position it may take, term, which of its cards)
    first = 0

    def place(term: int, index: int) -> None:
        position = len(positions)
        positions[cards_by_term[term][index]] = position
        if index + 1 < len(cards_by_term[term]):
            heapq.heappush(waiting, (position + gap, term, index + 1))

    while waiting or first < len(cards_by_term):
        if waiting and (waiting[0][0] <= len(positions) or first == len(cards_by_term)):
            _, term, index = heapq.heappop(waiting)
            place(term, index)
        else:
            if cards_by_term[first]:
                place(first, 0)
            first += 1
    return positions
