"""The order new cards are learned in: each term after the terms it links to, core terms first."""

from __future__ import annotations

import heapq
from collections.abc import Collection
from dataclasses import dataclass

from glossdeck import markup
from glossdeck.model import LEVELS, Glossary, Term


@dataclass(frozen=True)
class StudyOrder:
    """Terms in learning order, and the groups of terms whose links run in a circle.

    Inside a cycle no order can put every prerequisite first; its members come once
    every prerequisite outside the cycle is learned, in an order that leaves as few
    links pointing forward as a quick rule finds (ties: core first, then A–Z).
    """

    terms: tuple[Term, ...]
    cycles: tuple[tuple[str, ...], ...]

    def position(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.terms)}


def prerequisites(term: Term, known: Collection[str]) -> list[str]:
    """The terms that the gloss and definition link to, which a student should know first."""
    found = []
    for text in (term.gloss, term.definition):
        for href in markup.links(text):
            target = href[1:] if href.startswith("#") else None
            if target and target != term.id and target in known and target not in found:
                found.append(target)
    return found


def _priority(term: Term) -> tuple[int, tuple[str, str]]:
    return LEVELS.index(term.level) if term.level in LEVELS else 1, term.sort_key


def study_order(glossary: Glossary) -> StudyOrder:
    """Prerequisites first; among the terms ready to learn, core before standard before extra, then A–Z."""
    terms = {t.id: t for t in glossary.terms}
    needs = {t.id: prerequisites(t, terms.keys()) for t in glossary.terms}
    groups = _strongly_connected(needs)
    group_of = {member: index for index, group in enumerate(groups) for member in group}
    waiting_on = [0] * len(groups)
    unlocks: list[set[int]] = [set() for _ in groups]
    for term_id, targets in needs.items():
        for target in targets:
            mine, theirs = group_of[term_id], group_of[target]
            if mine != theirs and mine not in unlocks[theirs]:
                unlocks[theirs].add(mine)
                waiting_on[mine] += 1
    best = [min(_priority(terms[m]) for m in group) for group in groups]
    ready = [(best[g], g) for g in range(len(groups)) if waiting_on[g] == 0]
    heapq.heapify(ready)
    ordered: list[Term] = []
    while ready:
        _, g = heapq.heappop(ready)
        ordered += _within(groups[g], terms, needs)
        for later in sorted(unlocks[g]):
            waiting_on[later] -= 1
            if waiting_on[later] == 0:
                heapq.heappush(ready, (best[later], later))
    cycles = sorted((tuple(sorted(g, key=lambda m: terms[m].sort_key)) for g in groups if len(g) > 1),
                    key=lambda c: terms[c[0]].sort_key)
    return StudyOrder(tuple(ordered), tuple(cycles))


def _within(group: list[str], terms: dict[str, Term], needs: dict[str, list[str]]) -> list[Term]:
    """A cycle's members in an order that leaves few prerequisites unlearned (Eades, Lin and Smyth's rule).

    Members nothing else still needs go last; members that need nothing still unlearned go
    first; otherwise the member that many others need and that needs few comes next. Each
    member's counts are kept up to date as members are placed, and the candidates kept in
    heaps, so that a cycle of thousands of terms takes time in proportion to its links.
    """
    rank = {m: r for r, m in enumerate(sorted(group, key=lambda m: _priority(terms[m])))}  # priorities differ
    members = set(group)
    needing = {m: [t for t in dict.fromkeys(needs[m]) if t in members] for m in group}
    needed_by: dict[str, list[str]] = {m: [] for m in group}
    for member in group:
        for target in needing[member]:
            needed_by[target].append(member)
    still_needs = {m: len(needing[m]) for m in group}  # prerequisites not yet placed
    still_needed = {m: len(needed_by[m]) for m in group}  # members not yet placed that need it
    last: list[tuple[int, str]] = [(-rank[m], m) for m in group if still_needed[m] == 0]
    best: list[tuple[int, int, str]] = [(still_needs[m] - still_needed[m], rank[m], m) for m in group]
    heapq.heapify(last)
    heapq.heapify(best)
    left = set(group)
    front: list[str] = []
    back: list[str] = []
    while left:
        while last and last[0][1] not in left:
            heapq.heappop(last)
        if last:
            chosen = heapq.heappop(last)[1]
            back.append(chosen)
        else:
            while (best[0][2] not in left
                   or best[0][0] != still_needs[best[0][2]] - still_needed[best[0][2]]):  # a stale entry
                heapq.heappop(best)
            chosen = heapq.heappop(best)[2]
            front.append(chosen)
        left.remove(chosen)
        for other in needed_by[chosen]:
            if other in left:
                still_needs[other] -= 1
                heapq.heappush(best, (still_needs[other] - still_needed[other], rank[other], other))
        for other in needing[chosen]:
            if other in left:
                still_needed[other] -= 1
                heapq.heappush(best, (still_needs[other] - still_needed[other], rank[other], other))
                if still_needed[other] == 0:
                    heapq.heappush(last, (-rank[other], other))
    return [terms[m] for m in front + back[::-1]]


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (a long chain of links must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups
