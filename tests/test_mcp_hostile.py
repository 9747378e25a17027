"""`glossdeck mcp` called as a careless or hostile model would: wrong types, missing and unknown arguments, huge
inputs, text that is not text, a glossary with errors, a project that is not one. Every call answers (a result or
a tool error that says what to do), the server keeps serving, and nothing is ever written by a tool that only reads
or proposes, inside the project or out of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_project
from test_drafting import GOOD, _proposal

pytest.importorskip("mcp")

from test_mcp import _session  # noqa: E402


def _everything(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder`, hidden ones and build/ included."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


BAD_CALLS = [  # (tool, arguments, what the error says)
    ("propose_term", {"term": 3, "gloss": "g", "definition": "d", "citations": []}, "term\n  Input should be a "
     "valid string"),
    ("propose_term", {"term": "t", "gloss": "g", "definition": "d", "citations": "x"}, "Input should be a valid list"),
    ("propose_term", {"term": "t", "gloss": "g", "definition": "d"}, "citations\n  Field required"),
    ("propose_term", {**_proposal([GOOD]), "tags": ["x"]}, "`propose_term` takes no argument `tags`; the arguments it "
     "takes: `term`, `gloss`, `definition`, `citations`, `aliases`, `level`"),
    ("propose_term", _proposal([{**GOOD, "speeker": "Doomer"}]), "citations.0.speeker\n  Extra inputs are not "
     "permitted"),
    ("propose_term", _proposal([{"source": 1, "quote": "x"}]), "citations.0.source"),
    ("propose_term", _proposal([GOOD], level="basic"), "`level` must be one of core, standard, extra, not `basic`"),
    ("propose_term", _proposal([GOOD], term="red \x1b[31mALERT"), "`term` contains the control character \\x1b"),
    ("propose_term", _proposal([{**GOOD, "quote": GOOD["quote"] + "\ufffe"}]), "citation 1: `quote` contains "
     "U+FFFE, a Unicode noncharacter"),
    ("add_term", {**_proposal([GOOD]), "accept_repair": True}, "`add_term` takes no argument `accept_repair`"),
    ("find", {"phrase": 3}, "phrase\n  Input should be a valid string"),
    ("find", {"phrase": "black box", "limit": -5}, "Input should be greater than or equal to 1"),
    ("find", {"phrase": "black box", "limit": 10_000}, "Input should be less than or equal to 50"),
    ("find", {"phrase": "black box", "source": "essays"}, "unknown source `essays`"),
    ("show", {}, "name\n  Field required"),
    ("show", {"name": "../../etc/passwd"}, "no term or alias `../../etc/passwd`"),
    ("check", {"strict": True}, "`check` takes no argument `strict`; the arguments it takes: none"),
]


def test_every_bad_call_is_a_tool_error_that_says_what_is_wrong_and_nothing_is_written(tmp_path):
    root = make_project(tmp_path / "project")
    before = _everything(tmp_path)
    results = _session(root, [(tool, arguments) for tool, arguments, _ in BAD_CALLS] + [("check", {})])
    for (tool, arguments, said), result in zip(BAD_CALLS, results[1:]):
        assert isinstance(result, tuple) and result[0] == "error", (tool, arguments, result)
        assert said in result[1], (tool, said, result[1])
        assert "\x1b" not in result[1] and "Traceback" not in result[1]
    assert results[-1]["ok"] is True  # and the server still answers
    assert _everything(tmp_path) == before


def test_huge_inputs_are_answered_not_choked_on(tmp_path):
    """A 10,000-word quote, a definition of a megabyte, a find of 100,000 words: each gets its answer."""
    root = make_project(tmp_path / "project")
    before = _everything(tmp_path)
    words = " ".join(["alignment"] * 10_000)
    _, quote, definition, found, checked = _session(root, [
        ("propose_term", _proposal([{"source": "optimism", "quote": words}])),
        ("propose_term", _proposal([GOOD], definition="word " * 200_000)),
        ("find", {"phrase": "alignment " * 100_000}),
        ("check", {}),
    ])
    assert quote["quotes"][0]["verdict"] == "refused" and quote["writable"] is False
    assert definition["writable"] is False
    assert any("larger than the 256 KiB limit" in p["message"] for p in definition["problems"])  # its file would be
    assert found["total"] == 0 and found["hits"] == []
    assert checked["ok"] is True and _everything(tmp_path) == before


def test_a_glossary_with_errors_still_shows_finds_and_checks(tmp_path):
    """A glossary being drafted often has errors: `show` gives the term asked for with its own file's problems,
    `find` still finds, `check` lists the problems, and `propose_term` still judges."""
    root = make_project(tmp_path / "project", files={"glossary/terms/broken.yaml": "term: [unclosed\n"})
    path = root / "glossary" / "terms" / "corrigibility.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("quote: we don't", "quote: NOT THERE we don't"),
                    encoding="utf-8")
    before = _everything(tmp_path)
    _, fine, wrong, missing, found, checked, proposed = _session(root, [
        ("show", {"name": "inner optimizer"}),
        ("show", {"name": "corrigibility"}),
        ("show", {"name": "broken"}),
        ("find", {"phrase": "statistical mirror"}),
        ("check", {}),
        ("propose_term", _proposal([GOOD])),
    ])
    assert fine["id"] == "mesa-optimizer" and fine["problems"] == []
    assert fine["citations"][0]["location"]["shown_as"]
    assert wrong["id"] == "corrigibility" and [p["line"] for p in wrong["problems"]] == [19]
    assert "quote not found in `debate`" in wrong["problems"][0]["message"]
    assert wrong["views"][1]["citations"][0]["location"] is not None  # its good quotes are still located
    assert missing[0] == "error" and "the glossary has 1 error(s), which may hide this term" in missing[1]
    assert found["total"] == 1
    assert checked["ok"] is False and {Path(p["path"]).name for p in checked["problems"] if p["severity"] == "error"} \
        == {"broken.yaml", "corrigibility.yaml"}
    assert proposed["quotes"][0]["verdict"] == "verified"
    assert _everything(tmp_path) == before


@pytest.mark.parametrize("project", ["missing", "empty"])
def test_a_project_that_is_not_one_is_said_before_serving(tmp_path, project):
    (tmp_path / "empty").mkdir()
    done = subprocess.run([sys.executable, "-m", "glossdeck", "mcp", "--project", str(tmp_path / project)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    assert "holds no glossary/glossary.yaml, so it is not a glossary project" in done.stderr


def test_add_term_writes_one_file_in_the_terms_folder_whatever_the_name(tmp_path):
    """A term named like a path is written, if at all, as glossary/terms/<its id>.yaml: nothing else anywhere."""
    root = make_project(tmp_path / "project")
    outside = {k: v for k, v in _everything(tmp_path).items() if not k.startswith("project/glossary/")}
    _, done = _session(root, [("add_term", _proposal([GOOD], term="../../../outside /etc/passwd"))])
    assert done["written"] == str(root / "glossary" / "terms" / "outside-etc-passwd.yaml")
    assert {k: v for k, v in _everything(tmp_path).items() if not k.startswith("project/glossary/")} == outside
    assert sorted(p.name for p in (root / "glossary" / "terms").iterdir()) == [
        "corrigibility.yaml", "mesa-optimizer.yaml", "orthogonality-thesis.yaml", "outside-etc-passwd.yaml",
        "sharp-left-turn.yaml"]
