"""A command stopped by a signal (SIGTERM, SIGHUP, SIGINT) at any point leaves every file as it was, or, once it
was swapping its outputs in, as a finished command leaves them; and no temporary file anywhere."""

from __future__ import annotations

import hashlib
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
from tests.conftest import REPO, make_project

STOP_AT = Path(__file__).with_name("stop_at.py")
EPOCH = {"SOURCE_DATE_EPOCH": "1800000000"}
BUILD = ["build", "deck", "booklet", "print", "cards", "html"]
EXIT = {"SIGTERM": 128 + 15, "SIGHUP": 128 + 1, "SIGINT": 1}  # SIGINT: click's "Aborted!", as for Ctrl-C


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, files with a hash of their bytes (temporary ones included)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(root.rglob("*")) if p.name != ".glossdeck.lock"}


def leftovers(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.name.endswith((".tmp", ".old"))]


def stop_at(signal_name: str, point: str, nth: int, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **EPOCH, "PYTHONPATH": str(REPO)}
    env.pop("GLOSSDECK_DEBUG", None)  # as a user runs it
    return subprocess.run([sys.executable, str(STOP_AT), signal_name, point, str(nth), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("stopping") / "project")
    result = CliRunner().invoke(main, [*BUILD, "--project", str(root)], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    term = root / "glossary" / "terms" / "corrigibility.yaml"  # changed since: every output is rebuilt
    term.write_text(term.read_text(encoding="utf-8").replace("corrigibility", "corrigibility (edited)", 1),
                    encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def finished(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the same build leaves when nothing stops it."""
    root = Path(shutil.copytree(built, tmp_path_factory.mktemp("finished") / "project"))
    result = CliRunner().invoke(main, [*BUILD, "--project", str(root)], env=EPOCH)
    assert result.exit_code == 0, result.output
    return snapshot(root)


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "project"))


# The lock's temporary file is in glossary/ (the file the issue found left behind); the site is a staged folder.
BEFORE_THE_SWAP = [("render", 1), ("file", 1), ("file", 2), ("file", 5), ("folder", 1), ("file", 6)]


@pytest.mark.parametrize("point, nth", BEFORE_THE_SWAP)
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_build_stopped_before_its_swap_leaves_everything_as_it_was(project, signal_name, point, nth):
    before = snapshot(project)
    done = stop_at(signal_name, point, nth, *BUILD, "--project", str(project))
    assert done.returncode == EXIT[signal_name], done.stderr
    expected = "Aborted!" if signal_name == "SIGINT" else f"glossdeck: stopped by {signal_name}."
    assert done.stderr.strip().endswith(expected) and "Traceback" not in done.stderr
    assert leftovers(project) == []
    assert snapshot(project) == before


@pytest.mark.parametrize("nth", [1, 3, 6, 7])  # the lock, the booklet, the site, the build record
def test_a_build_stopped_while_swapping_finishes_the_swap_first(project, finished, nth):
    done = stop_at("SIGTERM", "swap", nth, *BUILD, "--project", str(project))
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert leftovers(project) == []
    assert snapshot(project) == finished  # every output new, none half-swapped


def test_a_build_into_a_new_folder_stopped_leaves_no_folder(project, tmp_path):
    out = tmp_path / "dist" / "2026"
    done = stop_at("SIGTERM", "file", 2, *BUILD, "--project", str(project), "--out", str(out))
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0, 6.0])
def test_a_real_sigterm_at_any_moment_leaves_the_old_build_or_the_new_one(project, finished, delay):
    """Sent from outside, at moments spread over a build: whatever it hits, no temporary file, and the outputs
    are all old or all new."""
    before = snapshot(project)
    env = {**os.environ, **EPOCH}
    env.pop("GLOSSDECK_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "glossdeck", *BUILD, "--project", str(project)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=600)
    assert "Traceback" not in errors
    assert leftovers(project) == []
    assert snapshot(project) in (before, finished)


# --- the other commands that write --------------------------------------------------------------------------------

@pytest.mark.parametrize("point, nth", [("mkdir", 1), ("mkdir", 3), ("file", 1), ("file", 4)])
def test_init_stopped_leaves_no_folder_and_no_file(tmp_path, point, nth):
    done = stop_at("SIGTERM", point, nth, "init", str(tmp_path / "new" / "roman-law"), "--title", "Roman Law")
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_stopped_in_an_existing_folder_leaves_it_as_it_was(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "README.md").write_text("my own notes", encoding="utf-8")
    before = snapshot(folder)
    done = stop_at("SIGTERM", "file", 3, "init", str(folder))
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_add_stopped_writes_no_term(project, signal_name):
    before = snapshot(project)
    done = stop_at(signal_name, "file", 1, "add", "--project", str(project), "--term", "alignment tax",
                   "--definition", "d", "--cite", "starter-pack", "Alignment is an unsolved problem.")
    assert done.returncode == EXIT[signal_name], done.stderr
    assert snapshot(project) == before


def test_export_stopped_writes_no_file(project, tmp_path):
    done = stop_at("SIGTERM", "file", 1, "export", "--project", str(project), "-o", str(tmp_path / "out.json"))
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


@pytest.mark.parametrize("nth", [1, 2])  # the seed, then sources.yaml
def test_source_add_stopped_writes_neither_the_seed_nor_its_entry(project, tmp_path, nth):
    essay = tmp_path / "essay.md"
    essay.write_text("# An essay\n\nSome words that make up a short essay for the test.\n", encoding="utf-8")
    before = snapshot(project)
    done = stop_at("SIGTERM", "file", nth, "source", "add", str(essay), "--project", str(project), "--id", "essay",
                   "--author", "A. Author", "--yes")
    assert done.returncode == EXIT["SIGTERM"], done.stderr
    assert snapshot(project) == before
