"""project.init and `glossdeck init`: a new glossary that loads, and refusals that write nothing."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossdeck import pipeline
from glossdeck.cli import main
from glossdeck.errors import GlossdeckError
from tests.conftest import FIXTURES, make_project


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the writers' lock (an empty, git-ignored file that only serializes writers)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".glossdeck.lock"}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_makes_a_project_that_loads(tmp_path):
    result = run("init", str(tmp_path / "roman-law"), "--title", "Roman Law: A Reading Group")
    assert result.exit_code == 0, result.output
    root = tmp_path / "roman-law"
    assert {p for p in snapshot(root)} == {"glossary/glossary.yaml", "glossary/sources.yaml", "glossary/terms/.keep",
                                           "seeds/.keep", ".gitignore", "README.md"}
    glossary, problems = pipeline.load_glossary(root)
    assert not problems.errors
    assert glossary.settings.title == "Roman Law: A Reading Group"
    assert glossary.settings.id == glossary.settings.output_base == "roman-law-a-reading-group"
    assert glossary.sources == {} and glossary.terms == ()
    assert "/build/" in (root / ".gitignore").read_text()
    readme = (root / "README.md").read_text()
    assert all(command in readme for command in ("glossdeck source add", "glossdeck add", "glossdeck build"))
    # an empty glossary is no deck yet: check says what to do next
    with pytest.raises(GlossdeckError, match="the glossary has no terms"):
        pipeline.check(root)


def test_init_defaults_the_title_from_the_folder(tmp_path, monkeypatch):
    (tmp_path / "greek-philosophy").mkdir()
    monkeypatch.chdir(tmp_path / "greek-philosophy")
    assert run("init").exit_code == 0
    glossary, _ = pipeline.load_glossary(tmp_path / "greek-philosophy")
    assert glossary.settings.title == "Greek Philosophy" and glossary.settings.id == "greek-philosophy"


def test_init_keeps_a_folders_own_readme(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "README.md").write_text("mine\n")
    assert run("init", str(tmp_path / "g")).exit_code == 0
    assert (tmp_path / "g" / "README.md").read_text() == "mine\n"


@pytest.mark.parametrize("case", ["existing glossary", "existing sources", "existing seeds entry", "bad id",
                                  "a file"])
def test_init_refuses_and_writes_nothing(tmp_path, case):
    folder = tmp_path / "g"
    args = ["init", str(folder)]
    if case == "existing glossary":
        make_project(folder)
        message = "already holds a glossary"
    elif case == "existing sources":
        (folder / "glossary").mkdir(parents=True)
        (folder / "glossary" / "sources.yaml").write_text("mine: {}\n")
        message = "already exists; glossdeck init never overwrites a file"
    elif case == "existing seeds entry":
        (folder / "seeds").mkdir(parents=True)
        (folder / "seeds" / ".keep").write_text("x")
        message = "already exists"
    elif case == "bad id":
        folder.mkdir()
        args += ["--id", "Not An Id"]
        message = "'Not An Id' is not a valid glossary id"
    else:
        folder.write_text("a file")
        message = "is a file, not a folder"
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert "nothing written" in result.output
    assert snapshot(tmp_path) == before


def test_project_goes_before_the_command_too(tmp_path, monkeypatch):
    root = make_project(tmp_path / "p")
    monkeypatch.chdir(tmp_path)
    before = run("--project", str(root), "list")
    after = run("list", "--project", str(root))
    assert before.exit_code == after.exit_code == 0 and before.output == after.output
    assert "mesa-optimizer" in before.output
    missing = run("--project", str(tmp_path / "nowhere"), "check")
    assert missing.exit_code == 1 and f"{tmp_path / 'nowhere'}: error: holds no glossary/glossary.yaml" in \
        missing.output


def test_a_new_terms_links_are_checked_before_it_is_written(tmp_path):
    """Found building the second glossary: `add` wrote a term linking to a term not yet there, and every
    later command then failed on it."""
    root = tmp_path / "g"
    shutil.copytree(FIXTURES / "other", root)
    for term in (root / "glossary" / "terms").iterdir():
        term.unlink()
    before = snapshot(root)
    result = run("--project", str(root), "add", "--term", "consent of the governed", "--gloss", "g.",
                 "--definition", "It may be [altered or abolished](#right-of-revolution).", "--cite", "declaration",
                 "deriving their just powers from the consent of the governed")
    assert result.exit_code == 1 and "link to unknown term `right-of-revolution` (in the definition)" in result.output
    assert snapshot(root) == before


def test_init_takes_the_groups_project_option(tmp_path):
    assert run("--project", str(tmp_path / "here"), "init", "--title", "Here").exit_code == 0
    assert pipeline.load_glossary(tmp_path / "here")[0].settings.title == "Here"
