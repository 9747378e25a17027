"""Terms and citations as plain text, for `glossdeck show`, `list` and `find` on a terminal."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

from glossdeck import markup
from glossdeck.authoring import Hit, term_yaml_citation
from glossdeck.drafting import Triage, why_not
from glossdeck.model import Citation, Glossary, Term
from glossdeck.render import common

WIDTH = 78


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def attribution(glossary: Glossary, citation: Citation) -> str:
    """The same wording as the deck and booklet use, without their markup."""
    marked = common.attribution(glossary.sources[citation.source], citation)
    return "— " + html.unescape(re.sub(r"<[^>]+>", "", marked))


def term_text(glossary: Glossary, term: Term) -> str:
    """One entry as a reader sees it."""
    lines = [term.term.upper() if term.term.islower() else term.term]
    if term.aliases:
        lines.append(_wrap("also: " + ", ".join(term.aliases)))
    if term.gloss:
        lines += ["", _wrap(markup.to_plain(term.gloss))]
    lines += ["", _wrap(markup.to_plain(term.definition))]
    for view in term.views:
        lines += ["", _wrap(f"{glossary.person(view.holder)}: {markup.to_plain(view.summary)}")]
        lines += [line for c in view.citations for line in _quote_lines(glossary, c)]
    if term.citations:
        lines += ["", "In the essays:"]
        lines += [line for c in term.citations for line in _quote_lines(glossary, c)]
    if term.related:
        lines += ["", _wrap("See also: " + "; ".join(glossary.term(r).term for r in term.related))]
    tags = ", ".join(term.tags)
    lines += ["", f"[{term.id}]" + (f"  tags: {tags}" if tags else "")]
    return "\n".join(lines)


def _quote_lines(glossary: Glossary, citation: Citation) -> list[str]:
    return [_wrap(f"“{citation.display}”", "  "), _wrap(attribution(glossary, citation), "    ")]


def list_line(term: Term, number: int | None = None) -> str:
    """The term's id, name, other names and quote count; its gloss indented below."""
    aliases = f" ({', '.join(term.aliases)})" if term.aliases else ""
    count = len(term.all_citations)
    head = f"{number:>4}. {'[' + term.level + ']':<10} " if number is not None else ""
    line = f"{head}{term.id:<34} {term.term}{aliases} — {count} quote{'s' if count != 1 else ''}"
    if term.gloss:
        line += "\n" + _wrap(markup.to_plain(term.gloss), "      ")
    return line


def hit_header(glossary: Glossary, hit: Hit) -> str:
    source = glossary.sources[hit.source]
    return f"{hit.source}: {source.title}, {hit.location.describe()}"


def hit_citation(hit: Hit) -> str:
    """The ready-to-paste citation, indented for a term file's `citations:` list."""
    return term_yaml_citation(hit.citation)


def cited_by(terms: list[Term]) -> list[str]:
    """The terms that already quote a passage, each with its gloss, for `find`."""
    return [_wrap(f"cited by {t.id}" + (f": {markup.to_plain(t.gloss)}" if t.gloss else ""), "  ") for t in terms]


def triage_lines(found: Triage, written: Path | None) -> list[str]:
    """A drafted term's verdicts for the terminal: each quote, what became of it and why; then its problems."""
    marks = {"verified": "✓ verified", "repaired": "~ repaired", "refused": "✗ refused"}
    lines = [f"  {found.proposal.term} ({found.term.id})"]
    for verdict in found.verdicts:
        lines.append(f"    {marks[verdict.status]}: {verdict.proposed.source}: “{verdict.proposed.quote}”")
        if verdict.citation is not None and verdict.status == "repaired":
            lines.append(f"        source: “{verdict.citation.quote}”")
        if verdict.location:
            speaker = f", {verdict.citation.speaker}" if verdict.citation and verdict.citation.speaker else ""
            lines.append(f"        at {verdict.location}{speaker}")
        lines += [f"        {change}" for change in verdict.changes]
        if verdict.reason:
            lines.append(_wrap(verdict.reason, "        "))
        lines += [_wrap("nearest: " + near, "        ") for near in verdict.nearest]
    for problem in found.problems:
        lines.append(_wrap(f"{problem.severity}: {problem.message}" + (f" ({problem.hint})" if problem.hint else ""),
                           "    "))
    if written is not None:
        lines.append(f"    wrote {written}")
    elif found.writable(accept_repairs=False):
        lines.append("    can be written as it stands (--write)")
    elif found.writable(accept_repairs=True):
        lines.append("    can be written with its repairs (--write --accept-repairs)")
    else:
        lines.append("    cannot be written: " + why_not(found))
    return lines
