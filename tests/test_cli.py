"""cli: every command end to end through click's CliRunner and a real subprocess."""

import errno
import json
import os
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
        ".glossdeck-build.json", "test-glossary-booklet-print.pdf", "test-glossary-booklet.pdf",
        "test-glossary-cards.pdf", "test-glossary-site", "test-glossary-stardict.zip", "test-glossary.apkg",
        "test-glossary.epub"]


def test_build_one_target_into_another_folder(project, tmp_path):
    result = run("build", "deck", "--project", str(project), "--out", str(tmp_path / "dist"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [".glossdeck-build.json", "test-glossary.apkg"]


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


def _crash(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize("command", ["check", "build", "show"])
def test_unexpected_error_asks_for_a_bug_report(project, monkeypatch, command):
    from glossdeck import pipeline

    monkeypatch.delenv("GLOSSDECK_DEBUG")
    monkeypatch.setattr(pipeline, "_check", _crash)  # what check, build and show all run
    args = [command, "--project", str(project)] + (["corrigibility"] if command == "show" else [])
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.startswith("glossdeck: internal error: RuntimeError: boom\n"
                                    "This is a bug in glossdeck, not a problem with your glossary: please open an "
                                    "issue")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("way", ["--debug", "GLOSSDECK_DEBUG=1"])
def test_debug_shows_the_traceback(project, monkeypatch, way):
    from glossdeck import pipeline

    monkeypatch.delenv("GLOSSDECK_DEBUG")
    monkeypatch.setattr(pipeline, "_check", _crash)  # what check, build and show all run
    env = {"GLOSSDECK_DEBUG": "1"} if way.startswith("GLOSSDECK") else None
    with pytest.raises(RuntimeError, match="boom"):  # what a test sees, too, when something crashes
        run(*(["--debug"] if way == "--debug" else []), "check", "--project", str(project), env=env)


def test_debug_in_a_subprocess_prints_the_traceback(project):
    probe = ("import glossdeck.pipeline as p, glossdeck.cli as c\n"
             "p.check = lambda *a: 1 / 0\nc.main(prog_name='glossdeck')")
    plain = subprocess.run([sys.executable, "-c", probe, "check", "-p", str(project)], capture_output=True,
                           text=True, env={**os.environ, "GLOSSDECK_DEBUG": ""})
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.startswith("glossdeck: internal error: ZeroDivisionError: division by zero")
    debug = subprocess.run([sys.executable, "-c", probe, "--debug", "check", "-p", str(project)],
                           capture_output=True, text=True, env={**os.environ, "GLOSSDECK_DEBUG": ""})
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


@pytest.mark.parametrize("command", ["check", "show"])
def test_operating_system_errors_are_messages(project, monkeypatch, command):
    from glossdeck import pipeline

    def denied(*args):
        raise PermissionError(errno.EACCES, "Permission denied", str(project / "glossary" / "sources.yaml"))

    monkeypatch.setattr(pipeline, "check", denied)
    result = run(command, "--project", str(project), *(["corrigibility"] if command == "show" else []))
    assert result.exit_code == 1
    assert result.output.startswith(f"{project}/glossary/sources.yaml: error: Permission denied\n"
                                    "    hint: check the permissions of the file and of its folder")


@pytest.mark.parametrize("environment", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"},
                                         {"PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0", "LC_ALL": "C"}])
def test_a_terminal_that_cannot_show_every_character(tmp_path, environment):
    root = make_project(tmp_path / "prøjekt")
    env = {**os.environ, **environment}

    def glossdeck(*args):
        done = subprocess.run([sys.executable, "-m", "glossdeck", *args, "--project", str(root)],
                              capture_output=True, env=env)
        assert b"Traceback" not in done.stderr, (args, done.stderr.decode(errors="replace"))
        return done

    for args in (["list"], ["build", "deck", "--out", str(tmp_path / "ø")]):
        assert glossdeck(*args).returncode == 0, args
    shown = glossdeck("show", "sharp-left-turn")  # its quote holds "…"
    assert shown.returncode == 0 and b"Evolution can only optimize " in shown.stdout
    (root / "glossary" / "terms" / "naïve.yaml").write_text("term: naïve\ndefinition: d\n", encoding="utf-8")
    failed = glossdeck("check")
    # The name is shown as the terminal can (escaped or as "?" when the locale is plain ASCII), never a crash.
    assert failed.returncode == 1 and b"ve.yaml: error: file name " in failed.stderr


@pytest.mark.parametrize("limit", ["0", "-1", "x", "1.5"])
def test_find_limit_must_be_a_positive_whole_number(project, limit):
    result = run("find", "mesa-optimizer", "--limit", limit, "--project", str(project))
    assert result.exit_code == 2 and "Invalid value for '--limit'" in result.output
