"""Bad input, as maintainers meet it: a clear message with file and line, exit 1, no traceback, nothing changed."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossdeck.cli import main
from tests.conftest import FIXTURES, make_project

CORPUS = FIXTURES / "bad"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, str]:
    """Every file in the project with a hash of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("errors") / "project")
    result = CliRunner().invoke(main, ["build", "deck", "booklet", "--project", str(root)],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    return root


def run_in(root: Path, *args: str, monkeypatch) -> object:
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_term_file(built_project, tmp_path, name, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    shutil.copy(CORPUS / name, root / "glossary" / "terms" / name)
    before = snapshot(root)
    result = run_in(root, "build", "deck", "booklet", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert EXPECTED[name] in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert result.output.rstrip().endswith("; nothing written.")
    assert snapshot(root) == before


def test_very_large_file(built_project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    (root / "glossary" / "terms" / "huge.yaml").write_text("term: huge\ndefinition: " + "word " * 60_000 + "\n")
    before = snapshot(root)
    result = run_in(root, "check", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "glossary/terms/huge.yaml: error: file is 292 KiB, larger than the 256 KiB limit" in result.output
    assert snapshot(root) == before


def test_changed_seed(built_project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    seed = root / "seeds" / "003_511bd9a78e7fd698.txt"
    seed.write_bytes(seed.read_bytes().replace(b"Yudkowski", b"Yudkowsky"))
    before = snapshot(root)
    result = run_in(root, "build", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "glossary/sources.yaml:" in result.output
    assert "of source `starter-pack` has changed: its SHA-256 is" in result.output
    assert snapshot(root) == before


def test_missing_seed(built_project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    (root / "seeds" / "001_3a65144e88efcba7.txt").unlink()
    result = run_in(root, "check", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "seed file seeds/001_3a65144e88efcba7.txt of source `objections` is missing" in result.output.replace(
        str(root) + "/", "")


def test_empty_glossary(built_project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    for path in (root / "glossary" / "terms").iterdir():
        path.unlink()
    result = run_in(root, "check", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "glossary/terms: error: the glossary has no terms" in result.output


def test_html_in_a_definition_is_text_in_every_output(tmp_path):
    from pypdf import PdfReader

    from glossdeck import pipeline
    from tests.pdf_reader import page_text

    root = make_project(tmp_path / "p", terms={"scripted": (
        "term: scripted\ndefinition: 'Shows <script>alert(1)</script> & <b>tags</b> as text.'\n"
        "citations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n")})
    outputs = pipeline.build(root, timestamp=1_700_000_000).outputs
    wanted = "Shows <script>alert(1)</script> & <b>tags</b> as text."
    for name in ("booklet", "cards"):
        text = " ".join(" ".join(page_text(outputs[name])).split())
        assert wanted in text, name
    assert PdfReader(outputs["print"]).pages  # imposed from the same booklet
    exported = CliRunner().invoke(main, ["export", "--project", str(root)])
    term = next(t for t in json.loads(exported.output)["terms"] if t["id"] == "scripted")
    assert term["definition"] == wanted


def test_build_killed_halfway_leaves_previous_outputs(shipped, tmp_path):
    from tests.conftest import REPO

    root = tmp_path / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copytree(shipped["root"] / "build", root / "build")
    term = root / "glossary" / "terms" / "corrigibility.yaml"
    term.write_text(term.read_text().replace("corrigibility", "corrigibility (edited)", 1))
    before = snapshot(root / "build")
    process = subprocess.Popen([sys.executable, "-m", "glossdeck", "build", "--project", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.5)  # the shipped glossary takes several seconds: this is mid-build
    assert process.poll() is None, "the build finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert snapshot(root / "build") == before


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    from glossdeck import writer

    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        writer.write_atomically(target, b"new and longer")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_two_adds_at_once_never_corrupt(built_project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(built_project, root)
    command = [sys.executable, "-m", "glossdeck", "add", "--project", str(root), "--term", "racing term",
               "--definition", "A term two maintainers add at the same moment.",
               "--cite", "starter-pack", "Alignment is an unsolved problem."]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [p.communicate() for p in processes]
    results = [(p.returncode, err) for p, (_, err) in zip(processes, outputs)]
    assert sorted(code for code, _ in results) == [0, 1]
    loser = next(err for code, err in results if code == 1)
    assert "racing-term` already exists" in loser
    assert "Traceback" not in loser
    check = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert check.exit_code == 0, check.output
