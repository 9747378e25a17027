"""changes: terms added, changed and retired since a git revision, compared by identity; and the deck's
description carrying the latest release's notes."""

import json
import os
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossdeck import changes, pipeline
from glossdeck.cli import main
from tests.conftest import FIXTURES

TERMS = Path("glossary/terms")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c",
                           "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def release(root: Path, message: str, timestamp: int) -> None:
    """What a maintainer does: build (which updates notes.lock), then commit everything."""
    pipeline.build(root, out=root / "build", targets=("deck",), timestamp=timestamp)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    """The second glossary in a git repository (in a subfolder, as a monorepo might hold it), released once."""
    top = tmp_path / "repo"
    root = top / "readings"
    shutil.copytree(FIXTURES / "other", root)
    (top / ".gitignore").write_text("build/\n")
    git(top, "init", "-q")
    release(root, "first release", 1_700_000_000)
    return root


def edit(root: Path, term: str, old: str, new: str) -> None:
    path = root / TERMS / f"{term}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def make_changes(root: Path) -> None:
    edit(root, "unalienable-rights", "by birth", "from birth")
    edit(root, "new-birth-of-freedom", "    quote: >-\n      government of the people",
         "    quote: >-\n      that government of the people")
    (root / TERMS / "right-of-revolution.yaml").unlink()
    edit(root, "consent-of-the-governed", "be [altered or abolished](#right-of-revolution)", "be replaced")
    edit(root, "consent-of-the-governed", "related: [right-of-revolution]", "related: []")
    # a rename keeps the term's identity: it is changed (renamed), not retired and added
    (root / TERMS / "new-birth-of-freedom.yaml").rename(root / TERMS / "birth-of-freedom.yaml")
    edit(root, "birth-of-freedom", "term: new birth of freedom", "term: new birth of freedom\nrenamed_from: "
         "[new-birth-of-freedom]")
    (root / TERMS / "self-evident-truth.yaml").write_text(
        "term: self-evident truth\ngloss: A claim that needs no proof to one who understands it.\n"
        "definition: A truth that needs no argument.\ntags: []\nrelated: []\ncitations:\n"
        "  - source: declaration\n    quote: We hold these truths to be self-evident\n")


def test_changes_since_the_last_release(repo):
    make_changes(repo)
    report = pipeline.changes_since(repo)
    assert [c.id for c in report.added] == ["self-evident-truth"]
    assert [c.id for c in report.retired] == ["right-of-revolution"]
    changed = {c.id: (c.fields, c.renamed_from) for c in report.changed}
    assert changed == {"unalienable-rights": (("gloss",), ""),
                       "birth-of-freedom": (("quotes",), "new-birth-of-freedom"),
                       "consent-of-the-governed": (("definition",), "")}
    markdown = changes.to_markdown(report)
    assert "## Added (1)\n\n- **self-evident truth** — A claim that needs no proof" in markdown
    assert "- **new birth of freedom** — quotes, renamed from `new-birth-of-freedom`" in markdown
    assert "## Retired (1)\n\n- **right of revolution**" in markdown


def test_the_cli_gives_markdown_and_json(repo):
    make_changes(repo)
    result = CliRunner().invoke(main, ["--project", str(repo), "changes", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["id"] for c in data["added"]] == ["self-evident-truth"]
    assert data["commit"] == git(repo, "log", "-1", "--format=%H", "--", "glossary/notes.lock").strip()
    text = CliRunner().invoke(main, ["--project", str(repo), "changes", "HEAD"]).output
    assert text.startswith("# Changes since HEAD (")


def test_an_earlier_revision_by_name(repo):
    edit(repo, "unalienable-rights", "by birth", "from birth")
    release(repo, "second release", 1_700_100_000)
    assert pipeline.changes_since(repo).empty  # nothing since the last release...
    report = pipeline.changes_since(repo, "HEAD~1")  # ... but the gloss changed since the first
    assert [(c.id, c.fields) for c in report.changed] == [("unalienable-rights", ("gloss",))]


def deck_description(deck: Path) -> str:
    with zipfile.ZipFile(deck) as package:
        data = package.read("collection.anki2")
    database = deck.with_suffix(".anki2")
    database.write_bytes(data)
    connection = sqlite3.connect(database)
    try:
        decks = json.loads(connection.execute("select decks from col").fetchone()[0])
    finally:
        connection.close()
    return next(d["desc"] for d in decks.values() if d["name"] == "Founding Texts")


def test_the_deck_description_carries_the_latest_releases_notes(repo):
    first = pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_000_000).outputs["deck"]
    assert "In this update" not in deck_description(first)  # the first release has nothing before it
    edit(repo, "unalienable-rights", "by birth", "from birth")
    deck = pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_100_000).outputs["deck"]
    description = deck_description(deck)
    assert "In this update" in description and "Changed: unalienable rights (gloss)" in description
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second release")
    # built again from the release commit itself, the deck still says what that release brought: the same
    # notes, so the deck is not even rebuilt (it is keyed on its release notes, not on the commit)
    again = pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_100_000)
    assert deck_description(again.outputs["deck"]) == description and again.unchanged == ("deck",)
    (repo / "NOTES.md").write_text("a commit that touches no term\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "docs")
    assert pipeline.build(repo, out=repo / "out", targets=("deck",)).unchanged == ("deck",)


def test_the_deck_is_rebuilt_when_its_release_notes_change(repo):
    edit(repo, "unalienable-rights", "by birth", "from birth")
    first = pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_100_000)
    assert "changes since the release of " in deck_description(first.outputs["deck"])
    # The release commit gets another date: the glossary, the lock and HEAD's tree are as they were; only the
    # notes ("changes since the release of <date>") differ, and they alone make the deck be built again.
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "--amend",
                    "--no-edit"], cwd=repo, check=True, env={**os.environ, "GIT_COMMITTER_DATE": "2001-02-03T12:00"})
    again = pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_100_000)
    assert again.unchanged == ()
    # The notes name the release they follow as its own deck named it (the day of its newest note), not by the
    # day its commit was made.
    description = deck_description(again.outputs["deck"])
    assert "changes since the release of 2023-11-14" in description and "2001-02-03" not in description


def set_release(root: Path, name: str | None) -> None:
    path = root / "glossary" / "glossary.yaml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("release:")]
    path.write_text("\n".join(lines + ([f'release: "{name}"'] if name else [])) + "\n")


def test_the_notes_name_the_previous_release_never_this_one(repo):
    edit(repo, "unalienable-rights", "by birth", "from birth")
    description = deck_description(pipeline.build(repo, out=repo / "out", targets=("deck",),
                                                  timestamp=1_700_100_000).outputs["deck"])
    assert "<p>Release of 2023-11-16.</p>" in description
    assert "(changes since the release of 2023-11-14):" in description
    # Named releases are named; two unnamed releases of one day are told apart.
    set_release(repo, "1.0")
    release(repo, "release 1.0", 1_700_200_000)
    edit(repo, "unalienable-rights", "from birth", "at birth")
    set_release(repo, "1.1")
    description = deck_description(pipeline.build(repo, out=repo / "out", targets=("deck",),
                                                  timestamp=1_700_300_000).outputs["deck"])
    # (release 1.0's deck was dated by its newest note, from the build of the 16th; 1.0 changed no note after it)
    assert "<p>Release 1.1 (2023-11-18)." in description and "(changes since release 1.0 (2023-11-16)):" in description
    set_release(repo, None)
    release(repo, "unnamed, in the morning", 1_700_300_000)
    edit(repo, "unalienable-rights", "at birth", "by birth")
    description = deck_description(pipeline.build(repo, out=repo / "out", targets=("deck",),
                                                  timestamp=1_700_310_000).outputs["deck"])
    assert "<p>Release of 2023-11-18." in description
    assert "(changes since the previous release, also of 2023-11-18):" in description


def test_a_student_sees_the_notes_after_reimporting(repo, tmp_path):
    pytest.importorskip("anki")
    from anki.lang import set_lang

    from tests.anki_client import import_package, new_collection

    set_lang("en")
    col = new_collection(tmp_path / "anki")
    import_package(col, pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_000_000
                                       ).outputs["deck"])
    assert "In this update" not in col.decks.by_name("Founding Texts")["desc"]
    edit(repo, "unalienable-rights", "by birth", "from birth")
    log = import_package(col, pipeline.build(repo, out=repo / "out", targets=("deck",), timestamp=1_700_100_000
                                             ).outputs["deck"])
    assert len(log.updated) == 1
    assert "Changed: unalienable rights (gloss)" in col.decks.by_name("Founding Texts")["desc"]
    col.close()


def test_not_a_git_repository(tmp_path):
    root = tmp_path / "g"
    shutil.copytree(FIXTURES / "other", root)
    result = CliRunner().invoke(main, ["--project", str(root), "changes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is not in a git repository" in result.output and "git init" in result.output
    assert pipeline.release_notes(root, pipeline.check(root)[0]) is None  # outside git a deck has no notes


@pytest.mark.parametrize("rev", ["no-such-tag", "HEAD~5", "--output=x", "0123456789abcdef0123"])
def test_unknown_revision(repo, rev):
    result = CliRunner().invoke(main, ["--project", str(repo), "changes", "--", rev])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"unknown revision `{rev}`" in result.output


def test_revision_before_the_glossary_existed(repo, tmp_path):
    top = repo.parent
    (top / "other.txt").write_text("x")
    first = git(top, "rev-list", "--max-parents=0", "HEAD").strip()
    git(top, "checkout", "-q", "--orphan", "empty")
    git(top, "rm", "-rq", "--cached", ".")
    git(top, "add", "other.txt")
    git(top, "commit", "-q", "-m", "unrelated")
    result = CliRunner().invoke(main, ["--project", str(repo), "changes", first])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["--project", str(repo), "changes", "empty"])
    assert result.exit_code == 1 and "has no readings/glossary/ folder" in result.output


def test_no_release_yet(tmp_path):
    root = tmp_path / "g"
    shutil.copytree(FIXTURES / "other", root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "terms, no build yet")
    result = CliRunner().invoke(main, ["--project", str(root), "changes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no commit has changed glossary/notes.lock yet" in result.output
    assert "glossdeck changes HEAD~3" in result.output
    assert CliRunner().invoke(main, ["--project", str(root), "changes", "HEAD"]).exit_code == 0
