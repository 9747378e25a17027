"""Drafted terms triaged before anything is written: each quote verified, repaired or refused."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossdeck import authoring, citations
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import parse_yaml
from glossdeck.model import LEVELS, Citation, Glossary, Term
from glossdeck.render import addresses
from glossdeck.seeds import Seed

VERIFIED, REPAIRED, REFUSED = "verified", "repaired", "refused"
PROPOSAL_KEYS = ("term", "id", "gloss", "definition", "aliases", "level", "tags", "related", "citations")
QUOTE_KEYS = ("source", "quote", "speaker")
# Characters a model types for the source's own: each dash and minus as a hyphen, an ellipsis as three dots.
_LOOSE = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"} | {"…": "..."})
_EDGE_PUNCTUATION = ".,;:!?"


@dataclass(frozen=True)
class ProposedQuote:
    source: str
    quote: str
    speaker: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A term as a model or a person drafted it: nothing in it is trusted yet."""

    term: str
    definition: str = ""
    gloss: str = ""
    aliases: tuple[str, ...] = ()
    level: str = "standard"
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    citations: tuple[ProposedQuote, ...] = ()
    id: str | None = None


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


# --- reading drafts -----------------------------------------------------------------------------------------------


def proposal_from(data: Any, where: str = "proposal") -> Proposal:
    """A proposal from decoded JSON or YAML, every field checked for its type; a GlossdeckError otherwise."""
    problems = Problems()
    if not isinstance(data, dict):
        raise GlossdeckError([Problem(None, None, f"{where} must be a mapping of fields",
                                      "give `term`, `gloss`, `definition`, `citations` …")])
    for key in data:
        if key not in PROPOSAL_KEYS:
            guess = difflib.get_close_matches(str(key), PROPOSAL_KEYS, n=1)
            problems.error(None, None, f"{where}: unknown field `{key}`",
                           f"did you mean `{guess[0]}`?" if guess else "known: " + ", ".join(PROPOSAL_KEYS))
    term = _text(data.get("term"), f"{where}: `term`", problems, required=True)
    level = _text(data.get("level", "standard"), f"{where}: `level`", problems) or "standard"
    if level not in LEVELS:
        problems.error(None, None, f"{where}: `level` must be one of " + ", ".join(LEVELS))
    quotes = data.get("citations", [])
    if not isinstance(quotes, list):
        problems.error(None, None, f"{where}: `citations` must be a list of {{source, quote, speaker?}}")
        quotes = []
    proposal = Proposal(
        term=term, id=_text(data.get("id"), f"{where}: `id`", problems) or None,
        definition=_text(data.get("definition", ""), f"{where}: `definition`", problems),
        gloss=_text(data.get("gloss", ""), f"{where}: `gloss`", problems), level=level,
        aliases=_texts(data.get("aliases", []), f"{where}: `aliases`", problems),
        tags=_texts(data.get("tags", []), f"{where}: `tags`", problems),
        related=_texts(data.get("related", []), f"{where}: `related`", problems),
        citations=tuple(_quote(q, f"{where}: citation {i}", problems) for i, q in enumerate(quotes, 1)),
    )
    problems.raise_if_errors()
    return proposal


def _quote(data: Any, where: str, problems: Problems) -> ProposedQuote:
    if not isinstance(data, dict):
        problems.error(None, None, f"{where} must be a mapping: {{source, quote, speaker?}}")
        return ProposedQuote("", "")
    for key in data:
        if key not in QUOTE_KEYS:
            problems.error(None, None, f"{where}: unknown field `{key}`", "known: " + ", ".join(QUOTE_KEYS))
    speaker = _text(data.get("speaker"), f"{where}: `speaker`", problems) or None
    return ProposedQuote(_text(data.get("source"), f"{where}: `source`", problems, required=True),
                         _text(data.get("quote"), f"{where}: `quote`", problems, required=True), speaker)


def _text(value: Any, what: str, problems: Problems, required: bool = False) -> str:
    if value is None:
        if required:
            problems.error(None, None, f"{what} is missing")
        return ""
    if not isinstance(value, str):
        problems.error(None, None, f"{what} must be text, not {type(value).__name__}")
        return ""
    return " ".join(value.split())


def _texts(value: Any, what: str, problems: Problems) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.error(None, None, f"{what} must be a list of texts")
        return ()
    return tuple(t for t in (_text(v, what, problems) for v in value) if t)


def read_proposals(path: Path) -> list[tuple[str, Proposal | GlossdeckError]]:
    """The drafted terms of a YAML file (one mapping or a list) or a JSON Lines file (.jsonl), each with where it
    stands; one that cannot be read is its error, so that the others are still judged."""
    data = path.read_bytes()
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        found: list[tuple[str, Proposal | GlossdeckError]] = []
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                found.append((where, proposal_from(json.loads(line), where)))
            except json.JSONDecodeError as error:
                found.append((where, GlossdeckError([Problem(path, number, f"not JSON: {error.msg}",
                                                             "write one JSON object per line")])))
            except GlossdeckError as error:
                found.append((where, error))
        return found
    document, problems = parse_yaml(data, path)
    if problems:
        raise GlossdeckError(problems)
    items = document if isinstance(document, list) else [document]
    results: list[tuple[str, Proposal | GlossdeckError]] = []
    for index, item in enumerate(items, 1):
        at_line = getattr(item, "line", None)
        where = f"{path}:{at_line}" if at_line else f"{path}: proposal {index}"
        try:
            results.append((where, proposal_from(_plain(item), where)))
        except GlossdeckError as error:
            results.append((where, error))
    return results


def _plain(value: Any) -> Any:
    """YAML records (which remember their lines) as plain dicts, lists and texts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- judging ------------------------------------------------------------------------------------------------------


def triage(root: Path, proposal: Proposal) -> Triage:
    """Judge every quote of the proposal, then check the term built from the ones that can be written."""
    glossary, seeds = authoring.load_seeds_for(root)
    verdicts = tuple(judge(glossary, seeds, quote) for quote in proposal.citations)
    term = Term(
        id=proposal.id or authoring.slug(proposal.term), term=proposal.term, definition=proposal.definition,
        gloss=proposal.gloss, level=proposal.level, aliases=proposal.aliases, tags=proposal.tags,
        related=proposal.related,
        citations=tuple(v.citation for v in verdicts if v.citation is not None and v.status != REFUSED),
    )
    if not term.definition:
        problems = [Problem(None, None, "the term has no definition", "give one in our own words")]
    else:
        problems = []
    problems += authoring.check_new(root, term)
    return Triage(proposal, verdicts, tuple(problems), term)


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
    citation = authoring.with_speaker(seeds, Citation(proposed.source, proposed.quote, speaker=proposed.speaker))
    if citations.find_all(seed, citation.quote):  # the words are there: whatever is wrong is not a near miss
        return _as_found(glossary, seeds, proposed, citation)
    repair = _repair(seed, proposed.quote)
    if repair is None:
        nearest = tuple(f"{n.source}: “{n.passage}” ({n.score:.0f}% alike)"
                        for n in authoring.nearest(seeds, proposed.quote, proposed.source))
        return Verdict(REFUSED, proposed, nearest=nearest,
                       reason="not in the source as a reader sees it, nor a near miss of it; quote the nearest "
                              "passage or find one with the find tool")
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


def _repair(seed: Seed, quote: str) -> tuple[int, int] | None:
    """The one place in the seed the quote nearly is, as a [start, end) span of its normalized text; None when
    there is no such place or more than one."""
    words = quote.split()
    attempts = [quote]
    stripped = quote.strip().strip(_EDGE_PUNCTUATION).strip()
    if stripped != quote.strip():
        attempts.append(stripped)
    if len(words) > 4:  # one stray word at an edge, never more: an invented tail is not a near miss
        attempts += [" ".join(words[1:]), " ".join(words[:-1])]
    for text in attempts:
        spans = _loose_matches(seed, seed.needle(text))
        if len(spans) == 1:
            return spans[0]
        if len(spans) > 1:
            return None  # ambiguous: a longer quote is needed, not a guess
    return None


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
