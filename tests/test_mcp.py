"""`glossdeck mcp` as a model's host runs it: a subprocess spoken to over stdio by the MCP SDK's own client."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import make_project
from test_drafting import ADVERSARIAL, CURLY, GOOD, TAIL, _files, _proposal

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402

TOOLS = {"find", "show", "check", "propose_term", "add_term"}


def _server(root: Path) -> StdioServerParameters:
    glossdeck = shutil.which("glossdeck", path=str(Path(sys.executable).parent))
    assert glossdeck is not None
    return StdioServerParameters(command=glossdeck, args=["mcp", "--project", str(root)])


def _session(root: Path, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Start the server, list its tools, make each call in turn; the results (structured content or error text)."""

    async def run() -> list[Any]:
        async with Client(_server(root), read_timeout_seconds=60) as client:
            listed = await client.list_tools()
            results: list[Any] = [{tool.name: tool.input_schema for tool in listed.tools}]
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                if result.is_error:
                    results.append(("error", " ".join(c.text for c in result.content if hasattr(c, "text"))))
                else:
                    results.append(result.structured_content)
            return results

    return asyncio.run(run())


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("mcp") / "project")


def test_the_tools_and_their_schemas(root):
    schemas, = _session(root, [])
    assert set(schemas) == TOOLS
    propose = schemas["propose_term"]
    assert {"term", "gloss", "definition", "citations"} <= set(propose["required"])
    quote = propose["properties"]["citations"]["items"]
    quote = propose.get("$defs", {}).get(quote.get("$ref", "").split("/")[-1], quote)
    assert set(quote["properties"]) == {"source", "quote", "speaker"} and set(quote["required"]) == {"source", "quote"}


def test_find_show_and_check(root):
    _, found, shown, checked, missing, unknown = _session(root, [
        ("find", {"phrase": "statistical mirror", "source": "debate"}),
        ("show", {"name": "inner optimizer"}),
        ("check", {}),
        ("find", {"phrase": "a phrase nobody wrote anywhere at all"}),
        ("find", {"phrase": "mirror", "source": "essays"}),
    ])
    hit = found["hits"][0]
    assert found["total"] == 1 and hit["citation"]["speaker"] == "Simplicia"
    assert "statistical mirror of human common" in hit["citation"]["quote"] and hit["location"].startswith("¶")
    assert shown["id"] == "mesa-optimizer" and shown["citations"][0]["location"]["shown_as"]
    assert checked["ok"] is True and checked["terms"] == 4
    assert missing["total"] == 0 and missing["hits"] == [] and missing["nearest"]
    assert unknown[0] == "error" and "unknown source `essays`" in unknown[1]


def test_the_adversarial_set_over_stdio(root):
    """Every drafted quote of the adversarial set, proposed through the protocol: the same verdicts as the library
    gives, every repair shown, and not a byte written."""
    before = _files(root)
    calls = [("propose_term", _proposal([{"source": s, "quote": q, **({"speaker": sp} if sp else {})}]))
             for _, s, q, sp, _, _ in ADVERSARIAL]
    results = _session(root, calls)[1:]
    for (kind, _, _, _, expected, exact), result in zip(ADVERSARIAL, results):
        verdict = result["quotes"][0]
        assert verdict["verdict"] == expected, (kind, verdict)
        if expected == "repaired":
            assert verdict["changes"] and verdict["quote"] == exact
        if expected == "refused":
            assert verdict["reason"] and "quote" not in verdict
        assert result["written"] is None
    assert _files(root) == before


def test_add_term_writes_only_verified_quotes(tmp_path):
    root = make_project(tmp_path / "project")
    before = _files(root)
    _, tail, curly, alias = _session(root, [
        ("add_term", _proposal([GOOD, TAIL])),
        ("add_term", _proposal([GOOD, CURLY])),
        ("add_term", _proposal([GOOD], aliases=["inner optimizer"])),
    ])
    assert tail["written"] is None and "refused" in tail["reason"]
    assert curly["written"] is None and "repaired" in curly["reason"]
    assert curly["quotes"][1]["quote"] == "If the AI was a black box, SGD and backpropagation wouldn’t work."
    assert alias["written"] is None and any("already used by term `mesa-optimizer`" in p["message"]
                                            for p in alias["problems"])
    assert _files(root) == before
    resubmitted = {"source": "optimism", "quote": curly["quotes"][1]["quote"]}
    _, done, again = _session(root, [("add_term", _proposal([GOOD, resubmitted])),
                                     ("add_term", _proposal([GOOD, resubmitted]))])
    assert done["written"] and done["quotes"][1]["verdict"] == "verified"
    written = Path(done["written"])
    assert "wouldn’t work." in written.read_text(encoding="utf-8")
    assert again["written"] is None and any("already exists" in p["message"] for p in again["problems"])
    _, checked = _session(root, [("check", {})])
    assert checked["ok"] is True and checked["terms"] == 5


def test_add_term_with_accepted_repairs(tmp_path):
    root = make_project(tmp_path / "project")
    _, done = _session(root, [("add_term", {**_proposal([GOOD, CURLY]), "accept_repairs": True})])
    assert done["written"] and done["quotes"][1]["verdict"] == "repaired"
    text = Path(done["written"]).read_text(encoding="utf-8")
    assert "wouldn’t work." in text and "wouldn't work" not in text


def test_without_the_sdk_the_command_says_how_to_install_it(tmp_path, monkeypatch):
    import subprocess

    root = make_project(tmp_path / "project")
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "mcp").mkdir()
    (blocker / "mcp" / "__init__.py").write_text("raise ImportError('no mcp here')\n")
    env = {"PYTHONPATH": str(blocker), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "glossdeck", "mcp", "--project", str(root)], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "pip install 'glossdeck[mcp]'" in done.stderr


def test_tool_results_are_json(root):
    _, found = _session(root, [("find", {"phrase": "black box", "limit": 2})])
    assert json.loads(json.dumps(found)) == found and len(found["hits"]) == 2
