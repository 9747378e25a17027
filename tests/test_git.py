"""git as users have it: shallow clones, repositories git refuses, no git, a detached HEAD, an unborn branch, a
worktree, GIT_DIR set, and symbolic links committed in the glossary or its seeds. `changes` and the deck's release
notes either say exactly what a full clone says, or say why they cannot (never a silent difference)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from glossdeck import changes
from glossdeck.cli import main
from tests.conftest import FIXTURES
from tests.test_changes import deck_description, edit, git, release


@pytest.fixture(autouse=True)
def plain_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """git as a new user has it: no global or system settings (no safe.directory exception, no hooks)."""
    empty = tmp_path_factory.mktemp("gitconfig") / "config"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def run(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(root), *args])


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A glossary in a subfolder of a repository with three releases and a commit after the last:
    release 1 … release 2 (a gloss changed) … release 3 (a term added) … an unreleased edit (a definition)."""
    top = tmp_path / "origin"
    root = top / "readings"
    shutil.copytree(FIXTURES / "other", root)
    (top / ".gitignore").write_text("build/\n")
    git(top, "init", "-q", "-b", "main")
    release(root, "release 1", 1_700_000_000)
    edit(root, "unalienable-rights", "by birth", "from birth")
    release(root, "release 2", 1_700_100_000)
    (root / "glossary" / "terms" / "self-evident-truth.yaml").write_text(
        "term: self-evident truth\ngloss: A claim that needs no proof to one who understands it.\n"
        "definition: A truth that needs no argument.\ncitations:\n"
        "  - source: declaration\n    quote: We hold these truths to be self-evident\n"
        "named_in_sources: false\n")  # the Declaration says "these truths to be self-evident", not the name
    release(root, "release 3", 1_700_200_000)
    edit(root, "consent-of-the-governed", "definition: ", "definition: Briefly, ")
    git(top, "commit", "-qam", "an edit after the release")
    return root


def clone(origin: Path, folder: Path, *args: str) -> Path:
    subprocess.run(["git", "clone", "-q", *args, f"file://{origin.parent}", str(folder)], check=True,
                   capture_output=True)
    return folder / origin.name


def deck_notes(root: Path, out: Path) -> tuple[str, Any]:
    result = CliRunner().invoke(main, ["--project", str(root), "build", "deck", "--out", str(out)],
                                env={"SOURCE_DATE_EPOCH": "1700300000"})
    return deck_description(out / "founding-texts.apkg") if result.exit_code == 0 else "", result


# --- shallow clones ---------------------------------------------------------------------------------------------

def test_a_full_clone_is_the_reference(history, tmp_path):
    full = clone(history, tmp_path / "full")
    assert changes.releases(full) == (changes.lock_commits(full), False) and len(changes.lock_commits(full)) == 3
    assert "Changed: consent of the governed (definition)" in deck_notes(full, tmp_path / "out")[0]


@pytest.mark.parametrize("depth", [1, 2])
def test_a_shallow_clone_cut_before_the_last_release_refuses_changes_and_warns_on_build(history, tmp_path, depth):
    shallow = clone(history, tmp_path / "shallow", "--depth", str(depth))
    result = run(shallow, "changes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "this clone is shallow" in result.output and "git fetch --unshallow" in result.output
    description, built = deck_notes(shallow, tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert "warning: the deck's release notes are left out: this clone is shallow" in built.output
    assert "hint: fetch the whole history (`git fetch --unshallow`" in built.output
    assert "In this update" not in description  # none, rather than other notes than a full clone's


def test_a_shallow_clone_that_holds_the_releases_it_needs_says_what_a_full_clone_says(history, tmp_path):
    full = clone(history, tmp_path / "full")
    shallow = clone(history, tmp_path / "shallow", "--depth", "3")  # releases 3 and 2 are in it, 1 is cut off
    assert changes.releases(shallow)[1] is True
    for args in ([], ["HEAD~1"], ["--format", "json"]):
        assert run(shallow, "changes", *args).output == run(full, "changes", *args).output
    shallow_notes, built = deck_notes(shallow, tmp_path / "out-shallow")
    assert "warning" not in built.output
    assert shallow_notes == deck_notes(full, tmp_path / "out-full")[0]


def test_a_named_revision_in_a_shallow_clone_is_exact_and_a_missing_one_says_why(history, tmp_path):
    full = clone(history, tmp_path / "full")
    shallow = clone(history, tmp_path / "shallow", "--depth", "1")
    assert run(shallow, "changes", "HEAD").output == run(full, "changes", "HEAD").output
    missing = run(shallow, "changes", "HEAD~2")
    assert missing.exit_code == 1 and "unknown revision `HEAD~2`" in missing.output
    assert "this clone is shallow: the revision may be in the history it left out" in missing.output


# --- repositories git refuses, and no git -------------------------------------------------------------------------

def test_a_repository_git_refuses_is_reported_in_gits_words(history, tmp_path):
    top = history.parent
    for path in [top, *top.rglob("*")]:
        os.lchown(path, 12345, 12345)  # another user's repository: git refuses it ("dubious ownership")
    result = run(history, "changes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{history}: error: git refuses this repository: detected dubious ownership in repository at " \
           f"'{top}'" in result.output
    assert f"git config --global --add safe.directory {top}" in result.output
    assert "not in a git repository" not in result.output
    description, built = deck_notes(history, tmp_path / "out")
    assert built.exit_code == 0
    assert "warning: the deck's release notes are left out: git refuses this repository: detected dubious " \
           "ownership" in built.output


def test_without_git_installed(history, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    result = run(history, "changes")
    assert result.exit_code == 1 and "error: git is not installed" in result.output
    description, built = deck_notes(history, tmp_path / "out")
    assert built.exit_code == 0 and "warning: the deck's release notes are left out: git is not installed" \
        in built.output
    outside = tmp_path / "outside"
    shutil.copytree(FIXTURES / "other", outside)
    assert "warning" not in deck_notes(outside, tmp_path / "out2")[1].output  # no repository: nothing to miss


def test_not_in_a_repository_says_what_git_said(tmp_path):
    root = tmp_path / "g"
    shutil.copytree(FIXTURES / "other", root)
    result = run(root, "changes")
    assert result.exit_code == 1
    assert "is not in a git repository (git: not a git repository (or any of the parent directories): .git)" \
        in result.output


# --- other states of a repository ---------------------------------------------------------------------------------

def test_a_detached_head_says_what_its_branch_says(history, tmp_path):
    on_branch = run(history, "changes").output
    notes = deck_notes(history, tmp_path / "out-branch")[0]
    git(history.parent, "checkout", "-q", "--detach")
    assert run(history, "changes").output == on_branch
    assert deck_notes(history, tmp_path / "out-detached")[0] == notes


def test_an_unborn_branch_has_no_release_and_says_so(tmp_path):
    root = tmp_path / "new"
    shutil.copytree(FIXTURES / "other", root)
    git(root, "init", "-q")
    result = run(root, "changes")
    assert result.exit_code == 1 and "no commit has changed glossary/notes.lock yet" in result.output
    head = run(root, "changes", "HEAD")
    assert head.exit_code == 1 and "unknown revision `HEAD`" in head.output
    assert "the repository has no commit yet: commit the glossary first" in head.output
    description, built = deck_notes(root, tmp_path / "out")
    assert built.exit_code == 0 and "warning" not in built.output and "In this update" not in description


def test_an_orphan_branch_after_history(history):
    git(history.parent, "checkout", "-q", "--orphan", "fresh")
    result = run(history, "changes", "HEAD")
    assert result.exit_code == 1 and "the repository has no commit yet" in result.output
    assert run(history, "changes", "main").exit_code == 0


def test_a_worktree_says_what_the_main_checkout_says(history, tmp_path):
    git(history.parent, "worktree", "add", "-q", "--detach", str(tmp_path / "wt"))
    other = tmp_path / "wt" / history.name
    assert run(other, "changes", "HEAD~1").output == run(history, "changes", "HEAD~1").output
    assert deck_notes(other, tmp_path / "o1")[0] == deck_notes(history, tmp_path / "o2")[0]


def test_git_dir_set_as_a_hook_sets_it(history, monkeypatch):
    """In a hook, git sets GIT_DIR=.git (relative) and runs at the top of the work tree."""
    expected = run(history, "changes").output
    monkeypatch.chdir(history.parent)
    monkeypatch.setenv("GIT_DIR", ".git")
    assert run(history, "changes").output == expected


def test_git_dir_set_to_another_place(history, tmp_path, monkeypatch):
    expected = run(history, "changes").output
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(history.parent / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(history.parent))
    assert run(history, "changes").output == expected
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    monkeypatch.delenv("GIT_WORK_TREE")
    result = run(history, "changes")
    assert result.exit_code == 1 and f"not a git repository: '{tmp_path / 'nowhere'}'" in result.output


# --- symbolic links in the history ----------------------------------------------------------------------------------

def test_a_seed_committed_as_a_link_to_an_absolute_path(history, tmp_path):
    """Stopped `changes` and `build deck` with an internal error (tarfile's data filter, Python 3.12)."""
    seeds = history / "seeds"
    seed = next(p for p in seeds.iterdir() if p.is_file())
    kept = tmp_path / "elsewhere" / seed.name
    kept.parent.mkdir()
    shutil.move(seed, kept)
    seed.symlink_to(kept)
    git(history.parent, "add", "-A")
    git(history.parent, "commit", "-qm", "the seed kept elsewhere")
    release(history, "release 4", 1_700_300_000)
    edit(history, "unalienable-rights", "from birth", "by birth")
    result = run(history, "changes")
    assert result.exit_code == 0, result.output
    assert "- **unalienable rights** — gloss" in result.output
    description, built = deck_notes(history, tmp_path / "out")
    assert built.exit_code == 0 and "warning" not in built.output
    assert "Changed: unalienable rights (gloss)" in description


@pytest.mark.parametrize("link", ["absolute", "inside", "outside", "dangling"])
def test_a_term_file_committed_as_a_link_is_read_as_a_checkout_reads_it(history, tmp_path, link):
    terms = history / "glossary" / "terms"
    path = terms / "unalienable-rights.yaml"
    text = path.read_text()
    target = {"absolute": tmp_path / "kept.yaml", "inside": history.parent / "kept.yaml",
              "outside": tmp_path / "kept.yaml", "dangling": tmp_path / "gone.yaml"}[link]
    if link != "dangling":
        target.write_text(text)
    path.unlink()
    path.symlink_to(target if link == "absolute" else os.path.relpath(target, terms))
    git(history.parent, "add", "-A")
    git(history.parent, "commit", "-qm", f"a term as a link ({link})")
    if link == "dangling":  # HEAD holds a link to nothing; the working tree has the term back as a file
        path.unlink()
        path.write_text(text)
    result = run(history, "changes", "HEAD")
    assert result.exit_code == 0, result.output
    if link == "dangling":  # a checkout of HEAD has no such term: it is new since
        assert "## Added (1)\n\n- **unalienable rights**" in result.output
    else:  # the link read as a checkout reads it: the same term as now
        assert "No term was added, changed or retired." in result.output
