"""Shared fixtures: small temporary glossary projects built from tests/fixtures/project."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMESTAMP = 1_700_000_000
# A term the update tests add to the fixture project, in the main venv and in every Anki release tested.
NEW_TERM = """\
term: alignment tax
gloss: The extra cost of building a system to be safe rather than only capable.
definition: The extra cost of making a system aligned rather than merely capable.
citations:
  - source: starter-pack
    quote: Alignment is an unsolved problem.
"""


def make_project(folder: Path, terms: dict[str, str | None] | None = None,
                 files: dict[str, str | bytes] | None = None) -> Path:
    """Copy the fixture project and the real seeds into `folder`, then add, replace or delete files.

    `terms` maps a term id to its YAML text (None deletes it); `files` maps a path
    inside the project to new contents.
    """
    shutil.copytree(FIXTURES / "project", folder, dirs_exist_ok=True)
    shutil.copytree(REPO / "seeds", folder / "seeds", dirs_exist_ok=True)
    for term_id, text in (terms or {}).items():
        path = folder / "glossary" / "terms" / f"{term_id}.yaml"
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def own_term_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test's term cache (termcache.py) in a folder of its own, never the user's: a test starts cold."""
    folder = tmp_path_factory.mktemp("term-cache")
    monkeypatch.setenv("GLOSSDECK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def crashes_fail_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception fails the test instead of becoming the CLI's bug-report message.

    GLOSSDECK_DEBUG makes the CLI's last-resort handler re-raise (it reaches subprocesses
    too, whose traceback then fails any test that looks for a clean message), and CliRunner
    stops catching what is re-raised, so the test errors with the real traceback.
    """
    monkeypatch.setenv("GLOSSDECK_DEBUG", "1")
    monkeypatch.setattr(CliRunner, "invoke", functools.partialmethod(CliRunner.invoke, catch_exceptions=False))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    """An empty glossary, as `glossdeck init` starts one."""
    from glossdeck import project as projects

    projects.init(tmp_path / "g", "Test Readings")
    return tmp_path / "g"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture project built once into .apkg and PDF, shared by the read-back tests."""
    from glossdeck import pipeline

    root = make_project(tmp_path_factory.mktemp("built") / "project")
    result = pipeline.build(root, timestamp=TIMESTAMP)
    return result.outputs


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped glossary, copied and built once (its own lock file is left untouched)."""
    from glossdeck import pipeline

    root = tmp_path_factory.mktemp("shipped") / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    outputs = dict(pipeline.build(root, out=root / "build", timestamp=2_000_000_000).outputs)
    outputs["root"] = root
    return outputs
