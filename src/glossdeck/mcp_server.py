"""glossdeck's tools for a language model over the Model Context Protocol (stdio): quotes verified before written."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

from typing_extensions import NotRequired, TypedDict

from glossdeck import authoring, citations, drafting, export, pipeline
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.proposals import shown
from glossdeck.seeds import load_seeds

try:  # the SDK's own dependency; read here because the tools' annotations are resolved in this module
    from pydantic import Field
except ImportError:  # without the extra: make_server says how to install it
    Field = None  # type: ignore[assignment,misc]

MAX_HITS = 50  # what `find` returns at most: enough to choose from, little enough for a model's context

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

    __pydantic_config__ = {"extra": "forbid"}  # type: ignore[misc]  # a misspelt `speeker` is refused, not dropped

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

    class Server(MCPServer):
        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
            """Refuse an argument a tool does not take, as `draft` refuses an unknown field: the SDK would drop it
            without a word (a `tags` or `related` the caller thinks was judged, an `accept_repairs` misspelt)."""
            tool = next((t for t in await self.list_tools() if t.name == name), None)
            if tool is not None:
                known = tool.input_schema.get("properties", {})
                unknown = sorted(set(arguments) - set(known))
                if unknown:
                    takes = ", ".join(f"`{k}`" for k in known) if known else "none"
                    raise ToolError(f"`{name}` takes no argument " + ", ".join(f"`{shown(k)}`" for k in unknown)
                                    + f"; the arguments it takes: {takes}")
            return await super().call_tool(name, arguments, context)

    server = Server("glossdeck", instructions=INSTRUCTIONS)

    def failing(error: GlossdeckError) -> Exception:
        return ToolError("\n".join(str(p) for p in error.problems))

    @server.tool()
    def find(phrase: str, source: str | None = None,
             limit: Annotated[int, Field(ge=1, le=MAX_HITS)] = 10) -> dict[str, Any]:
        """Find a phrase in the sources (case, quote marks, line breaks and markup ignored); each hit comes with
        a citation that `check` accepts (widened to a quotable span), its location and its speaker."""
        try:
            glossary, seeds = authoring.load_seeds_for(root)
            found = authoring.occurrences(seeds, phrase, source)
        except GlossdeckError as error:
            raise failing(error) from None
        hits = [authoring.hit_at(where) for where in found[:limit]]
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
        """One term, by its id, name or any alias, with its quotes and their locations, and the problems `check`
        finds in its file (`problems`; an error elsewhere in the glossary does not hide it)."""
        try:
            return shown_term(root, name)
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


def shown_term(root: Path, name: str) -> dict[str, Any]:
    """A term as `export --format json` gives it, resolved as far as it can be, with its file's problems: a glossary
    being drafted is often one with errors, and the term asked for may be fine (or be the one to fix)."""
    glossary, problems = pipeline.load_glossary(root)
    try:
        term = authoring.term_for(glossary, name)
    except GlossdeckError as error:
        if problems.errors:  # the term may be in a file that does not load: say so
            error.problems.append(Problem(None, None, f"the glossary has {len(problems.errors)} error(s), which may "
                                          "hide this term", "call `check` to see them"))
        raise
    seeds, found = load_seeds(root / pipeline.SEEDS_DIR, glossary.sources)
    problems.extend(found)
    resolved = citations.resolve(dataclasses.replace(glossary, terms=(term,)), seeds, problems).terms[0]
    data = export.term_data(resolved)
    data["problems"] = [p.as_dict() for p in problems.items if p.path == term.path]
    return data


def serve(root: Path) -> None:
    """Answer on standard input and output until the client closes them."""
    make_server(root).run("stdio")
