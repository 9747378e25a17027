"""cli: every command end to end through click's CliRunner and a real subprocess."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from glossdeck.cli import main
from tests.conftest import make_project


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_check_reports_ok(project):
    result = run("check", "--project", str(project))
    assert result.exit_code == 0
    assert result.output == "OK: 4 terms, 7 quotes verified in 4 sources.\n"


def test_check_failure_lists_problems_and_exits_1(tmp_path):
    root = make_project(tmp_path / "p", terms={"bad": "term: x\ndefinition: d\nrelated: [nope]\n"})
    result = run("check", "--project", str(root))
    assert result.exit_code == 1
    assert f"{root}/glossary/terms/bad.yaml:3: error: related term `nope` does not exist" in result.output
    assert result.output.endswith("1 error.\n")
    assert "Traceback" not in result.output


def test_check_json(tmp_path):
    root = make_project(tmp_path / "p", terms={"bad": "term: x\ndefinition: d\nrelated: [nope]\n"})
    result = run("check", "--project", str(root), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["problems"][-1] == {
        "path": f"{root}/glossary/terms/bad.yaml", "line": 3, "severity": "error",
        "message": "related term `nope` does not exist",
        "hint": "use the id of an existing term (its file name without .yaml)",
    }


def test_strict_turns_warnings_into_failure(tmp_path):
    root = make_project(tmp_path / "p", terms={"bare": "term: bare\ndefinition: d\n"})
    assert run("check", "--project", str(root)).exit_code == 0
    result = run("check", "--project", str(root), "--strict")
    assert result.exit_code == 1
    assert "warning: term `bare` has no citation" in result.output


def test_build_writes_deck_and_booklet(project):
    result = run("build", "--project", str(project), env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    assert (project / "build" / "test-glossary.apkg").stat().st_size > 0
    assert (project / "build" / "test-glossary-booklet.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (project / "build").iterdir()) == [
        "test-glossary-booklet-print.pdf", "test-glossary-booklet.pdf", "test-glossary-cards.pdf",
        "test-glossary-site", "test-glossary.apkg"]


def test_build_one_target_into_another_folder(project, tmp_path):
    result = run("build", "deck", "--project", str(project), "--out", str(tmp_path / "dist"))
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["test-glossary.apkg"]


def test_failed_build_leaves_previous_outputs(project):
    assert run("build", "--project", str(project)).exit_code == 0
    before = {p: p.read_bytes() for p in (project / "build").rglob("*") if p.is_file()}
    term = project / "glossary" / "terms" / "mesa-optimizer.yaml"
    term.write_text(term.read_text().replace("an optimizer with an inner goal", "an optimiser with an inner goal"))
    result = run("build", "--project", str(project))
    assert result.exit_code == 1
    assert "quote not found in `starter-pack`" in result.output
    assert {p: p.read_bytes() for p in (project / "build").rglob("*") if p.is_file()} == before


def test_export_json_holds_the_resolved_glossary(project):
    result = run("export", "--project", str(project), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [t["id"] for t in data["terms"]] == ["corrigibility", "mesa-optimizer", "orthogonality-thesis",
                                                "sharp-left-turn"]
    corrigibility = data["terms"][0]
    assert [v["holder"] for v in corrigibility["views"]] == ["Doomer", "Simplicia"]
    view_quote = corrigibility["views"][0]["citations"][0]
    assert view_quote["speaker"] == "Doomer" and view_quote["location"]["line"] == 3
    slt = data["terms"][3]
    assert slt["citations"][0]["speaker"] == "Nate Soares"
    assert slt["citations"][0]["location"]["heading"].startswith("The Sharp Left Turn probably won’t happen")
    assert {s["id"] for s in data["sources"]} == {"optimism", "objections", "starter-pack", "debate"}


@pytest.mark.parametrize("command", ["check", "build", "export"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_outside_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert f"glossdeck: error: no glossary/glossary.yaml in {tmp_path} or any folder above it" in result.output


def test_finds_the_project_from_a_subfolder(project, monkeypatch):
    monkeypatch.chdir(project / "glossary" / "terms")
    assert run("check").exit_code == 0


def test_python_m_glossdeck_and_lazy_imports(project):
    done = subprocess.run([sys.executable, "-m", "glossdeck", "check", "--project", str(project)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("OK: 4 terms")
    probe = "import sys, glossdeck.cli; print(sorted(m for m in ('reportlab', 'genanki') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout == "[]\n"


def test_export_holds_every_setting(project):
    from glossdeck.model import Settings

    data = json.loads(run("export", "--project", str(project)).output)
    assert set(data["settings"]) == set(Settings.__dataclass_fields__)
    assert data["settings"]["card_size_mm"] == [60.0, 85.0]
