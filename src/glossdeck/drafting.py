"""Drafted terms triaged before anything is written: each quote verified, repaired or refused."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossdeck import authoring, citations
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.model import Citation, Glossary, Term
from glossdeck.proposals import Proposal, ProposedQuote, proposal_from, read_proposals
from glossdeck.render import addresses
from glossdeck.seeds import Seed

__all__ = ["Proposal", "ProposedQuote", "proposal_from", "read_proposals"]  # read here as well as in proposals
VERIFIED, REPAIRED, REFUSED = "verified", "repaired", "refused"
# Characters a model types for the source's own: each dash and minus as a hyphen, an ellipsis as three dots.
_LOOSE = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"} | {"…": "..."})
_EDGE_PUNCTUATION = ".,;:!?"


@dataclass(frozen=True)
class Verdict:
    """What became of one proposed quote: `citation` is what would be written (the source's exact words)."""

    status: str
    proposed: ProposedQuote
    citation: Citation | None = None
    location: str | None = None
    changes: tuple[str, ...] = ()  # for a repair: each difference between the proposal and the source
    reason: str = ""  # for a refusal: why, and how to do better
    nearest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Triage:
    proposal: Proposal
    verdicts: tuple[Verdict, ...]
    problems: tuple[Problem, ...]  # what `check` would report for the term built from the usable quotes
    term: Term

    def writable(self, accept_repairs: bool) -> bool:
        """Every quote verified (or repaired, when repairs are accepted) and no error: `check` will accept it."""
        usable = (VERIFIED, REPAIRED) if accept_repairs else (VERIFIED,)
        return bool(self.verdicts) and all(v.status in usable for v in self.verdicts) and \
            not any(p.severity == "error" for p in self.problems)


# --- judging ------------------------------------------------------------------------------------------------------


def triage(root: Path, proposal: Proposal, pending: tuple[Term, ...] = ()) -> Triage:
    """Judge every quote of the proposal, then check the term built from the ones that can be written, against the
    glossary as it will be once the `pending` terms (earlier proposals of the same file) are written."""
    glossary, seeds = authoring.load_seeds_for(root)
    verdicts = tuple(judge(glossary, seeds, quote) for quote in proposal.citations)
    term = Term(
        id=proposal.id or authoring.slug(proposal.term), term=proposal.term, definition=proposal.definition,
        gloss=proposal.gloss, level=proposal.level, aliases=proposal.aliases, tags=proposal.tags,
        related=proposal.related,
        citations=tuple(v.citation for v in verdicts if v.citation is not None and v.status != REFUSED),
    )
    return Triage(proposal, verdicts, tuple(authoring.check_new(root, term, pending)), term)


def write(root: Path, found: Triage, accept_repairs: bool) -> Path:
    """Write the term through `add` (atomic, the same checks), only if every quote can be written."""
    if not found.writable(accept_repairs):
        raise GlossdeckError([Problem(None, None, f"`{found.proposal.term}` was not written", why_not(found))])
    path, _ = authoring.add(root, found.term)
    return path


def why_not(found: Triage) -> str:
    statuses = [v.status for v in found.verdicts]
    if not statuses:
        return "give at least one quote"
    if REFUSED in statuses:
        return f"{statuses.count(REFUSED)} quote(s) refused: correct or drop them"
    if REPAIRED in statuses:
        return "some quotes were repaired: resubmit with the repaired words, or accept the repairs"
    return "fix the problems reported for the term"


def judge(glossary: Glossary, seeds: dict[str, Seed], proposed: ProposedQuote) -> Verdict:
    """Verified: the source's own words. Repaired: a near miss (typography, case, spacing, one stray word or mark
    at an edge) replaced by the source's words. Refused: anything else, with the nearest passages."""
    seed = seeds.get(proposed.source)
    if seed is None:
        guess = difflib.get_close_matches(proposed.source, list(seeds), n=1)
        return Verdict(REFUSED, proposed, reason=f"unknown source `{proposed.source}`; "
                       + (f"did you mean `{guess[0]}`?" if guess else "known: " + ", ".join(seeds)))
    if proposed.speaker is not None and not seed.source.speakers:
        return Verdict(REFUSED, proposed, reason=f"`{proposed.source}` is not a dialogue, so glossdeck cannot check "
                       f"who says these words, and “{proposed.speaker}” would be written unchecked: leave out "
                       "`speaker` if they are the essay's own, or, if the essay quotes someone, add the quote by "
                       "hand after reading the passage")
    citation = authoring.with_speaker(seeds, Citation(proposed.source, proposed.quote, speaker=proposed.speaker))
    if citations.find_all(seed, citation.quote):  # the words are there: whatever is wrong is not a near miss
        return _as_found(glossary, seeds, proposed, citation)
    repair = _repair(seed, proposed.quote)
    if not isinstance(repair, tuple):
        nearest = tuple(f"{n.source}: “{n.passage}” ({n.score:.0f}% alike)"
                        for n in authoring.nearest(seeds, proposed.quote, proposed.source))
        return Verdict(REFUSED, proposed, nearest=nearest,
                       reason=(repair or "not in the source as a reader sees it, nor a near miss of it") +
                       "; quote the nearest passage or find one with the find tool")
    start, end = repair
    exact = Citation(proposed.source, seed.text[start:end], speaker=proposed.speaker)
    exact = _with_occurrence(seed, exact, start)
    exact = authoring.with_speaker(seeds, exact)
    return _as_found(glossary, seeds, proposed, exact)


def _as_found(glossary: Glossary, seeds: dict[str, Seed], proposed: ProposedQuote, citation: Citation) -> Verdict:
    """The verdict on a quote whose words are in the source: what `check` says of it, and if it accepts it,
    the source's exact characters."""
    problems = Problems()
    resolved = citations.resolve(_one_term(glossary, citation), seeds, problems)
    if problems.errors:
        first = problems.errors[0]
        return Verdict(REFUSED, proposed, reason=first.message + (f" ({first.hint})" if first.hint else ""))
    found = resolved.terms[0].citations[0]
    assert found.location is not None
    seed = seeds[citation.source]
    exact_text = " … ".join(piece.text for piece in addresses.pieces(seed, found))
    exact = dataclasses.replace(found, quote=exact_text, location=None)
    changes = _changes(proposed.quote, exact_text, found.location.elided)
    status = REPAIRED if changes else VERIFIED
    return Verdict(status, proposed, exact, found.location.describe(), changes)


def _one_term(glossary: Glossary, citation: Citation) -> Glossary:
    probe = Term(id="proposed", term="proposed", definition="", citations=(citation,))
    return dataclasses.replace(glossary, terms=(probe,))


def _with_occurrence(seed: Seed, citation: Citation, start: int) -> Citation:
    matches = citations.find_all(seed, citation.quote)
    if len(matches) < 2:
        return citation
    occurrence = next((i for i, m in enumerate(matches, 1) if m.start == start), None)
    return dataclasses.replace(citation, occurrence=occurrence)


def _changes(proposed: str, exact: str, elided: bool) -> tuple[str, ...]:
    """Each word that differs between the proposal and the source's text, as “proposed” → “source”."""
    if elided:  # compared piece by piece, without the elision marks
        proposed = re.sub(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*", " … ", proposed)
    said, source = proposed.split(), exact.split()
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=said, b=source, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        before, after = " ".join(said[i1:i2]), " ".join(source[j1:j2])
        if tag == "delete":
            changes.append(f"left out “{before}”: not in the source there")
        elif tag == "insert":
            changes.append(f"added “{after}” from the source")
        else:
            changes.append(f"“{before}” → “{after}”")
    return tuple(changes)


def _repair(seed: Seed, quote: str) -> tuple[int, int] | str | None:
    """The one place in the seed the quote nearly is, as a [start, end) span of its normalized text; None when
    there is no such place or more than one, and why not when the only such place has other words: spacing and
    punctuation may differ, never the words themselves ("blackbox" is not "black box", nor "may be" "maybe")."""
    words = quote.split()
    attempts = [quote]
    stripped = quote.strip().strip(_EDGE_PUNCTUATION).strip()
    if stripped != quote.strip():
        attempts.append(stripped)
    if len(words) > 4:  # one stray word at an edge, never more: an invented tail is not a near miss
        attempts += [" ".join(words[1:]), " ".join(words[:-1])]
    for text in attempts:
        spans = _loose_matches(seed, seed.needle(text))
        if len(spans) > 1:
            return None  # ambiguous: a longer quote is needed, not a guess
        if len(spans) == 1:
            start, end = spans[0]
            said, source = _words(text), _words(seed.text[start:end])
            if said == source:
                return start, end
            _, i1, i2, j1, j2 = next(op for op in difflib.SequenceMatcher(a=said, b=source, autojunk=False)
                                     .get_opcodes() if op[0] != "equal")
            return (f"its words differ from the source's there (“{' '.join(said[i1:i2])}” for "
                    f"“{' '.join(source[j1:j2])}”): a word joined, split or changed is no near miss")
    return None


def _words(text: str) -> list[str]:
    """The words of a text, case aside: what a repair may never change."""
    return re.findall(r"\w+", text.casefold())


def _loose(text: str) -> tuple[str, list[int]]:
    """Case, dashes ("--" too), ellipses and spacing folded away; each character's index in `text`."""
    out: list[str] = []
    back: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        folded = char.translate(_LOOSE)
        if folded.casefold() != folded and len(folded.casefold()) == len(folded):
            folded = folded.casefold()
        for piece in folded:
            if piece == "-" and out and out[-1] == "-":
                continue  # "--", typed for a dash
            out.append(piece)
            back.append(index)
    return "".join(out), back


def _loose_matches(seed: Seed, needle: str) -> list[tuple[int, int]]:
    """Spans of the seed's normalized text that read as the needle once loosely folded, on word boundaries."""
    hay, back = _loose(seed.text)
    pin, _ = _loose(needle)
    if len(pin) < 8:
        return []
    spans: list[tuple[int, int]] = []
    at = hay.find(pin)
    while at >= 0 and len(spans) < 3:
        start, end = back[at], back[at + len(pin) - 1] + 1
        if not seed.cuts_word(start) and not seed.cuts_word(end):
            spans.append((start, end))
        at = hay.find(pin, at + 1)
    return spans


# --- as data ------------------------------------------------------------------------------------------------------


def verdict_data(verdict: Verdict) -> dict[str, Any]:
    data: dict[str, Any] = {"verdict": verdict.status, "source": verdict.proposed.source,
                            "proposed": verdict.proposed.quote}
    if verdict.citation is not None:
        data["quote"] = verdict.citation.quote
        data["speaker"] = verdict.citation.speaker
        if verdict.citation.occurrence:
            data["occurrence"] = verdict.citation.occurrence
        data["location"] = verdict.location
    if verdict.changes:
        data["changes"] = list(verdict.changes)
    if verdict.reason:
        data["reason"] = verdict.reason
    if verdict.nearest:
        data["nearest"] = list(verdict.nearest)
    return data


def triage_data(found: Triage, written: Path | None = None) -> dict[str, Any]:
    return {
        "term": found.proposal.term,
        "id": found.term.id,
        "quotes": [verdict_data(v) for v in found.verdicts],
        "problems": [p.as_dict() for p in found.problems],
        "writable": found.writable(accept_repairs=False),
        "writable_with_repairs": found.writable(accept_repairs=True),
        "written": str(written) if written is not None else None,
        "reason": None if found.writable(accept_repairs=False) or written is not None else why_not(found),
    }
