"""glossdeck's tools for a language model over the Model Context Protocol (stdio): quotes verified before written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typing_extensions import NotRequired, TypedDict

from glossdeck import authoring, drafting, export, pipeline
from glossdeck.errors import GlossdeckError, Problem

INSTRUCTIONS = """\
glossdeck keeps a glossary whose every quote is verified, word for word and speaker by speaker, against its
source texts. Draft with it, never around it:
- `find` a phrase in the sources before you quote: it returns citations `check` accepts, with location and speaker.
- `propose_term` judges a drafted term without writing: each quote comes back `verified`, `repaired` (a near
  miss replaced by the source's exact words, with each change listed) or `refused` (with the nearest passages).
- `add_term` writes only a term whose every quote is verified; resubmit repaired quotes with their exact words,
  or pass accept_repairs=true after reading the changes.
Definitions and glosses are in the glossary's own words; quotes are the sources' words and nothing else."""


class Quote(TypedDict):
    """A quote as drafted: the source's id, its words, and who says them in a dialogue."""

    source: str
    quote: str
    speaker: NotRequired[str]


def missing_sdk() -> GlossdeckError:
    return GlossdeckError([Problem(None, None, "`glossdeck mcp` needs the MCP Python SDK",
                                   "install glossdeck with its extra: pip install 'glossdeck[mcp]'")])


def make_server(root: Path) -> Any:
    """The server with its five tools, for the glossary at `root`."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError:
        raise missing_sdk() from None

    server = MCPServer("glossdeck", instructions=INSTRUCTIONS)

    def failing(error: GlossdeckError) -> Exception:
        return ToolError("\n".join(str(p) for p in error.problems))

    @server.tool()
    def find(phrase: str, source: str | None = None, limit: int = 10) -> dict[str, Any]:
        """Find a phrase in the sources (case, quote marks, line breaks and markup ignored); each hit comes with
        a citation that `check` accepts (widened to a quotable span), its location and its speaker."""
        try:
            glossary, seeds = authoring.load_seeds_for(root)
            found = authoring.occurrences(seeds, phrase, source)
        except GlossdeckError as error:
            raise failing(error) from None
        hits = [authoring.hit_at(where) for where in found[:max(1, min(limit, 50))]]
        return {
            "phrase": phrase, "total": len(found),
            "hits": [{"source": h.source, "location": h.location.describe(), "context": h.before + h.match + h.after,
                      "citation": {"source": h.citation.source, "quote": h.citation.quote,
                                   "speaker": h.citation.speaker, "occurrence": h.citation.occurrence}}
                     for h in hits],
            "nearest": [] if found else [{"source": n.source, "passage": n.passage, "score": round(n.score)}
                                         for n in authoring.nearest(seeds, phrase, source)],
        }

    @server.tool()
    def show(name: str) -> dict[str, Any]:
        """One term, by its id, name or any alias, with its verified quotes and their locations."""
        try:
            glossary, _ = pipeline.check(root)
            return export.term_data(authoring.term_for(glossary, name))
        except GlossdeckError as error:
            raise failing(error) from None

    @server.tool()
    def check() -> dict[str, Any]:
        """Validate the whole glossary and verify every quote: the problems, as `glossdeck check --format json`."""
        try:
            glossary, warnings = pipeline.check(root)
        except GlossdeckError as error:
            return {"ok": False, "problems": [p.as_dict() for p in error.problems]}
        return {"ok": True, "terms": len(glossary.terms), "problems": [p.as_dict() for p in warnings]}

    @server.tool()
    def propose_term(term: str, gloss: str, definition: str, citations: list[Quote], aliases: list[str] | None = None,
                     level: str = "standard") -> dict[str, Any]:
        """Judge a drafted term and write nothing: each quote `verified`, `repaired` (the source's exact words,
        each change listed) or `refused` (why, and the nearest passages); and the problems `check` would report."""
        return drafting.triage_data(_triage(term, gloss, definition, citations, aliases, level))

    @server.tool()
    def add_term(term: str, gloss: str, definition: str, citations: list[Quote], aliases: list[str] | None = None,
                 level: str = "standard", accept_repairs: bool = False) -> dict[str, Any]:
        """Write the term only if `check` will accept it and every quote is verified (or repaired, with
        accept_repairs=true after reading the changes); otherwise write nothing and say why."""
        found = _triage(term, gloss, definition, citations, aliases, level)
        if not found.writable(accept_repairs):
            return drafting.triage_data(found)
        try:
            path = drafting.write(root, found, accept_repairs)
        except GlossdeckError as error:
            raise failing(error) from None
        return drafting.triage_data(found, written=path)

    def _triage(term: str, gloss: str, definition: str, quotes: list[Quote], aliases: list[str] | None,
                level: str) -> drafting.Triage:
        data = {"term": term, "gloss": gloss, "definition": definition, "aliases": aliases or [], "level": level,
                "citations": [dict(q) for q in quotes]}
        try:
            return drafting.triage(root, drafting.proposal_from(data))
        except GlossdeckError as error:
            raise failing(error) from None

    return server


def serve(root: Path) -> None:
    """Answer on standard input and output until the client closes them."""
    make_server(root).run("stdio")
