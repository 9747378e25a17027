"""The built wheel, installed into a fresh venv outside the repository, makes a glossary from nothing:
`init`, `source add`, `add` with a quote, `build`; the deck then imports into a real collection."""

import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

pytest.importorskip("build")


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """The venv's bin folder, with glossdeck installed from a wheel built once per session."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy: building in the repository would leave build/ and egg-info behind
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((work / "dist").glob("glossdeck-*.whl"))
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    return bin_dir


def readme_commands() -> list[list[str]]:
    """The first commands of the manual's "Your own glossary", each split as the shell would."""
    section = (REPO / "docs" / "own-glossary.md").read_text(encoding="utf-8")
    block = section[section.index("```sh\n") + 6:section.index("```\n", section.index("```sh\n") + 6)]
    return [shlex.split(line) for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_a_glossary_from_nothing_with_the_installed_wheel(installed, tmp_path):
    where = subprocess.run([str(installed / "python"), "-c", "import glossdeck; print(glossdeck.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(REPO) not in where and "site-packages" in where

    def glossdeck(*args: str, cwd: Path) -> str:
        done = subprocess.run([str(installed / "glossdeck"), *args], cwd=cwd, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    home = tmp_path / "home"
    (home / "texts").mkdir(parents=True)
    texts = {"gettysburg.txt": FIXTURES / "other" / "seeds" / "gettysburg.txt",
             "python-policy.html": FIXTURES / "pages" / "sphinx-python-policy.html",
             "valgrind-core.pdf": FIXTURES / "pdfs" / "fop-valgrind-core.pdf",
             "contributing.epub": FIXTURES / "epubs" / "pandoc-node-contributing.epub"}
    for name, path in texts.items():
        shutil.copy(path, home / "texts" / name)
    commands = readme_commands()
    assert [c[:2] for c in commands] == [["glossdeck", "init"], ["cd", "demo"]] + [["glossdeck", "source"]] * 4 \
        + [["glossdeck", "add"]] * 4 + [["glossdeck", "build"]]
    cwd = tmp_path
    for command in commands[:-1]:
        args = [arg.replace("~/", f"{home}/") for arg in command]
        if args[0] == "cd":
            cwd = cwd / args[1]
        else:
            glossdeck(*args[1:], cwd=cwd)
    demo = tmp_path / "demo"
    built = glossdeck(*commands[-1][1:], cwd=demo)
    assert "demo-glossary.apkg" in built and "demo-glossary-booklet.pdf" in built
    assert (demo / "build" / "demo-glossary-cards.pdf").stat().st_size > 1000
    shown = glossdeck("show", "synthetic CPU", cwd=demo)
    assert "Valgrind User Manual, p. 3, ¶ 12" in " ".join(shown.split())
    shown = glossdeck("show", "fork", cwd=demo)
    assert "Contributing to Node.js, § Step 1: Fork, ¶ 1" in " ".join(shown.split())

    pytest.importorskip("anki")
    from tests.anki_client import import_package, new_collection

    col = new_collection(tmp_path / "anki")
    log = import_package(col, demo / "build" / "demo-glossary.apkg")
    assert len(log.new) == 4 and col.decks.by_name("Demo Glossary") is not None
    note = col.get_note(col.find_notes('"Term:new birth of freedom"')[0])
    assert "shall have a new birth of freedom" in note["Quotes"]
    note = col.get_note(col.find_notes('"Term:synthetic CPU"')[0])
    assert "p. 3, ¶ 12" in note["Quotes"] and "valgrind_manual.pdf#page=1" in note["Quotes"]
    col.close()
