"""Terms and citations as plain text, for `glossdeck show`, `list` and `find` on a terminal."""

from __future__ import annotations

import html
import re
import textwrap
from typing import Any

from glossdeck import markup
from glossdeck.model import Citation, Glossary, Location, Term
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
        lines += ["", f"In the {glossary.settings.sources_noun}:"]
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


def place_header(glossary: Glossary, source_id: str, location: Location) -> str:
    """A place in a source, as `find` heads each hit: the source's id and title, its section and paragraph."""
    return f"{source_id}: {glossary.sources[source_id].title}, {location.describe()}"


def cited_by(terms: list[Term]) -> list[str]:
    """The terms that already quote a passage, each with its gloss, for `find`."""
    return [_wrap(f"cited by {t.id}" + (f": {markup.to_plain(t.gloss)}" if t.gloss else ""), "  ") for t in terms]


SHOWN_CHANGES = 12  # of a repair's changes, in the terminal


def triage_lines(found: dict[str, Any]) -> list[str]:
    """A drafted term's verdicts (as `drafting.triage_data` gives them) for the terminal: each quote, what became
    of it and why; then the term's problems, and whether it can be written."""
    lines = [f"  {_cut(found['term'], 80)} ({_cut(found['id'], 80)})"]
    for verdict in found["quotes"]:
        lines.append(f"    {verdict['verdict']}: {_cut(verdict['source'], 40)}: “{_cut(verdict['proposed'], 300)}”")
        if verdict["verdict"] == "repaired":
            lines.append(f"        source: “{_cut(verdict['quote'], 300)}”")
        if verdict.get("location"):
            speaker = f", {verdict['speaker']}" if verdict.get("speaker") else ""
            lines.append(f"        at {verdict['location']}{speaker}")
        changes = verdict.get("changes", [])
        lines += [f"        {_cut(change, 300)}" for change in changes[:SHOWN_CHANGES]]
        if len(changes) > SHOWN_CHANGES:
            lines.append(f"        … and {len(changes) - SHOWN_CHANGES} more changes (--format json lists them all)")
        if verdict.get("reason"):
            lines.append(_wrap(verdict["reason"], "        "))
        lines += [_wrap("nearest: " + near, "        ") for near in verdict.get("nearest", [])]
    for problem in found["problems"]:
        hint = f" ({problem['hint']})" if problem.get("hint") else ""
        lines.append(_wrap(f"{problem['severity']}: {problem['message']}{hint}", "    "))
    if found["written"] is not None:
        lines.append(f"    wrote {found['written']}")
    elif found["writable"]:
        lines.append("    can be written as it stands (--write)")
    elif found["writable_with_repairs"]:
        lines.append("    can be written with its repairs (--write --accept-repairs)")
    else:
        lines.append("    cannot be written: " + found["reason"])
    return lines


def _cut(text: str, most: int) -> str:
    """A drafted value as the terminal shows it: a 10,000-word quote is cut (the JSON report keeps all of it)."""
    return text if len(text) <= most else text[:most] + f"… ({len(text):,} characters)"
