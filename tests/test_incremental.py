"""Incremental builds: nothing rewritten that did not change, and what is rebuilt is what a clean build makes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from conftest import TIMESTAMP, make_project

import glossdeck
from glossdeck import buildcache, deckstate, pipeline
from glossdeck.cli import main
from glossdeck.model import Glossary, Settings
from glossdeck.render import anki, booklet, cards, epub, site, stardict

LATER = TIMESTAMP + 86_400
FILES = {"deck": "test-glossary.apkg", "booklet": "test-glossary-booklet.pdf",
         "print": "test-glossary-booklet-print.pdf", "cards": "test-glossary-cards.pdf",
         "stardict": "test-glossary-stardict.zip", "epub": "test-glossary.epub"}
PDFS = {"booklet", "print", "cards"}
DATED = PDFS | {"stardict", "epub"}  # SOURCE_DATE_EPOCH dates the PDFs and the zip files' entries

# The file outputs: the web site, a folder, has its own test at the end.
TARGETS = ("deck", "booklet", "print", "cards", "stardict", "epub")


@pytest.fixture(autouse=True)
def file_targets_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build` with no targets named builds the file outputs here (the site is tested below)."""
    from glossdeck import cli

    defaults = list(pipeline.build.__defaults__ or ())
    defaults[1] = TARGETS
    monkeypatch.setattr(pipeline.build, "__defaults__", tuple(defaults))
    monkeypatch.setattr(cli, "TARGETS", TARGETS)


@pytest.fixture(autouse=True)
def no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("incremental") / "project")
    pipeline.build(root, targets=TARGETS, timestamp=TIMESTAMP)
    return root


@pytest.fixture
def root(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built project: its outputs are current (keys do not depend on where the project is)."""
    return Path(shutil.copytree(built_once, tmp_path / "project"))


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every output, the manifest and the lock: inode, modification time and bytes."""
    files = [*sorted((root / "build").iterdir()), root / deckstate.LOCK_FILE]
    files = [p for p in files if p.exists()]
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in files}


def copy_inputs(root: Path, folder: Path) -> Path:
    """The project's inputs (glossary with its lock, seeds) without its outputs: the start of a clean build."""
    for part in ("glossary", "seeds"):
        shutil.copytree(root / part, folder / part)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_seed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version of a seed, with its new sha256 in sources.yaml."""
    seed = root / "seeds" / "004_bce81a884f985e50.txt"
    old_sha = hashlib.sha256(seed.read_bytes()).hexdigest()
    seed.write_bytes(seed.read_bytes() + b"\n\nA paragraph added in a later version of the essay.\n")
    edit(root / "glossary" / "sources.yaml", old_sha, hashlib.sha256(seed.read_bytes()).hexdigest())


def add_source(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new source essay, and a term that quotes it."""
    text = "# A new essay\n\nCorrigible agents let their operators correct them without resistance.\n"
    (root / "seeds" / "new.txt").write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode()).hexdigest()
    with (root / "glossary" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"new-essay:\n  file: new.txt\n  sha256: {sha}\n  title: A new essay\n  author: A. Writer\n"
                     "  format: markdown\n")
    edit(root / "glossary" / "terms" / "corrigibility.yaml", "citations:\n",
         "citations:\n  - source: new-essay\n    quote: Corrigible agents let their operators correct them "
         "without resistance.\n")


def new_term(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "glossary" / "terms" / "optimizer.yaml").write_text(
        "term: optimizer\ngloss: A system that searches for what scores well on an objective.\n"
        "definition: A system that searches a space of options for those that score well on some objective.\n"
        "citations:\n  - source: starter-pack\n    quote: >-\n      A mesa-optimizer is what you get when the "
        "result of an optimization\n      process is itself an optimizer with an inner goal.\n", encoding="utf-8")


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def edit_lock(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-edited note time (as a merge might leave it)."""
    lock = root / deckstate.LOCK_FILE
    key, entry = next((k, e) for k, e in deckstate.load(root)[0].entries.items() if k != deckstate.MODEL_KEY)
    edit(lock, f"{key} {entry.mtime} ", f"{key} {entry.mtime + 5} ")


def setting(name: str, value: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = root / "glossary" / "glossary.yaml"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{name}:")]
        path.write_text("\n".join([*lines, f"{name}: {value}"]) + "\n", encoding="utf-8")
    return change


def patch(target: Any, name: str, value: Any) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(target, name, value)
    return change


def package_file(name: str, data: bytes = b"\n/* changed by an upgrade */\n") -> Callable[[Path, pytest.MonkeyPatch],
                                                                                         None]:
    """glossdeck upgraded: one of its own files (a template, stylesheet, script or font) changed, or a new one.

    The keys read glossdeck's files through buildcache.PACKAGE: pointed at a changed copy, they see the upgrade,
    while the renderers still read the real files (so a rebuilt output still equals a clean build's)."""
    def change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        copy = root.parent / "upgraded-glossdeck"
        shutil.copytree(buildcache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        append(copy / name, data)
        monkeypatch.setattr(buildcache, "PACKAGE", copy)
    return change


ALL = set(TARGETS)
CHANGES: dict[str, tuple[Callable[[Path, pytest.MonkeyPatch], None], dict[str, Any], set[str]]] = {
    "nothing": (lambda root, mp: None, {}, set()),
    "a term's definition": (lambda root, mp: edit(root / "glossary" / "terms" / "corrigibility.yaml",
                                                  "property of an AI", "property of any AI"), {}, ALL),
    # A line number in a term file is part of the glossary the renderers see (over-cautious, but safe).
    "a comment line above a term's definition": (
        lambda root, mp: edit(root / "glossary" / "terms" / "corrigibility.yaml", "definition:",
                              "# a comment\ndefinition:"), {}, ALL),
    "a new term file": (new_term, {}, ALL),
    "a seed and its sha256": (change_seed, {}, ALL),
    "a new source quoted": (add_source, {}, ALL),
    "paper in glossary.yaml": (setting("paper", "half-letter"), {}, {"booklet", "print"}),
    "cards_paper in glossary.yaml": (setting("cards_paper", "letter"), {}, {"cards"}),
    "deck_name in glossary.yaml": (setting("deck_name", "Another name"), {}, {"deck"}),
    "view_cards in glossary.yaml": (setting("view_cards", "true"), {}, {"deck"}),
    "cloze_cards in glossary.yaml": (setting("cloze_cards", "true"), {}, {"deck"}),
    "title in glossary.yaml": (setting("title", "Another title"), {},
                               {"booklet", "print", "cards", "stardict", "epub"}),
    "language in glossary.yaml": (setting("language", "en-GB"), {}, {"booklet", "print", "cards", "epub"}),
    "subtitle in glossary.yaml": (setting("subtitle", "Another subtitle"), {}, ALL),
    "--flip short": (lambda root, mp: None, {"card_flip": "short"}, {"cards"}),
    "--paper half-letter": (lambda root, mp: None, {"paper": "half-letter"}, {"booklet", "print"}),
    "--fold": (lambda root, mp: None, {"card_layout": "fold"}, {"cards"}),
    "a note time in notes.lock": (edit_lock, {}, {"deck"}),
    "notes.lock deleted": (lambda root, mp: (root / deckstate.LOCK_FILE).unlink(), {}, {"deck"}),
    "glossdeck's version": (patch(glossdeck, "__version__", "99.0"), {}, ALL),
    "glossdeck's code": (patch(buildcache, "code_digest", lambda: "edited"), {}, ALL),
    "a PDF font (an upgrade)": (package_file("fonts/CharisSIL-Italic.ttf", b"\0\0\0\0"), {}, PDFS | {"epub"}),
    "the fonts' coverage list (an upgrade)": (package_file("fonts/coverage.txt", b"\n"), {}, PDFS | {"epub"}),
    # the site's own files touch no file output
    "the site's stylesheet (an upgrade)": (package_file("render/site/static/site.css"), {}, set()),
    "the site's script (an upgrade)": (package_file("render/site/static/site.js"), {}, set()),
    "a site template (an upgrade)": (package_file("render/site/templates/term.html", b"{# changed #}"), {}, set()),
    "a web font (an upgrade)": (package_file("render/site/static/fonts/CharisSIL-Bold.woff2", b"\0"), {}, set()),
    "a package file no target claims": (package_file("render/new-data.txt"), {}, ALL),
    "the EPUB's stylesheet (an upgrade)": (package_file("render/epub/static/epub.css"), {}, {"epub"}),
    "an EPUB template (an upgrade)": (package_file("render/epub/templates/chapter.xhtml", b"{# changed #}"), {},
                                      {"epub"}),
    "SQLite's version": (patch(buildcache.sqlite3, "sqlite_version", "0.0.1"), {}, ALL),
    "a library's version": (patch(buildcache, "_dependency_versions", lambda root: {"reportlab": "0.1"}), {}, ALL),
    "the deck deleted": (lambda root, mp: (root / "build" / FILES["deck"]).unlink(), {}, {"deck"}),
    "the cards deleted": (lambda root, mp: (root / "build" / FILES["cards"]).unlink(), {}, {"cards"}),
    "the booklet edited by hand": (lambda root, mp: append(root / "build" / FILES["booklet"], b"%"), {}, {"booklet"}),
    # reportlab dates PDFs from SOURCE_DATE_EPOCH; the deck's "now" only matters for notes that changed.
    "SOURCE_DATE_EPOCH set": (lambda root, mp: mp.setenv("SOURCE_DATE_EPOCH", str(LATER)), {}, DATED),
    "a reportlab setting in the environment": (lambda root, mp: mp.setenv("RL_pageCompression", "0"), {}, PDFS),
    "the print-ready file replaced": (lambda root, mp: (root / "build" / FILES["print"]).write_bytes(b""),
                                      {}, {"print"}),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_rebuilds_exactly_the_targets_it_affects_as_a_clean_build_would(name, root, tmp_path, monkeypatch):
    change, overrides, affected = CHANGES[name]
    change(root, monkeypatch)
    before = snapshot(root)
    clean = copy_inputs(root, tmp_path / "clean")
    result = pipeline.build(root, timestamp=LATER, settings=overrides)
    assert ALL - set(result.unchanged) == affected
    after = snapshot(root)
    for target, file in FILES.items():
        key = f"build/{file}"
        if target in affected:
            assert after[key][0] != before.get(key, (None,))[0], f"{target} was not written"
        else:
            assert after[key] == before[key], f"{target} was rewritten"
    # What the incremental build left is, byte for byte, what a clean build of the same inputs makes.
    fresh = pipeline.build(clean, out=tmp_path / "fresh", timestamp=LATER, settings=overrides)
    assert fresh.unchanged == ()
    for target, file in FILES.items():
        assert (root / "build" / file).read_bytes() == (tmp_path / "fresh" / file).read_bytes(), target
    assert (root / deckstate.LOCK_FILE).read_bytes() == (clean / deckstate.LOCK_FILE).read_bytes()
    # And the next build, at another time, finds everything current and writes nothing: rightly, for the deck
    # rendered from the lock it left is the same at any time.
    done = snapshot(root)
    assert pipeline.build(root, timestamp=LATER + 3600, settings=overrides).unchanged == TARGETS
    assert snapshot(root) == done
    glossary = pipeline.build(root, targets=(), settings=overrides).glossary
    rendered = anki.render(glossary, deckstate.load(root)[0], LATER + 7 * 86_400)
    assert rendered.data == (root / "build" / FILES["deck"]).read_bytes()
    assert rendered.state.to_text().encode() == (root / deckstate.LOCK_FILE).read_bytes()


# A valid value other than the default for every setting some renderer is said not to read.
OTHER_VALUES: dict[str, Any] = {
    "paper": "half-letter", "cards_paper": "letter", "card_size_mm": (50.0, 70.0), "card_flip": "short",
    "card_back_offset_mm": (1.5, -2.0), "card_layout": "fold", "deck_name": "Another deck", "id": "another-id",
    "view_cards": True, "cloze_cards": True, "title": "Another title", "author": "Someone Else", "language": "de",
    "output_base": "another-base", "release": "2.0", "download_url": "https://example.org/next/",
    "note_type_id": 1607392319,
}


def test_every_setting_a_target_leaves_out_of_its_key_leaves_its_bytes_alone(project):
    glossary, _ = pipeline.check(project)
    state = deckstate.load(project)[0]
    render = {
        "deck": lambda g: anki.render(g, state, TIMESTAMP).data,
        "booklet": lambda g: booklet.render(g, g.settings.paper),
        "cards": lambda g: cards.render(g),
        "html": lambda g: site.render(g),
        "stardict": lambda g: stardict.render(g, TIMESTAMP),
        "epub": lambda g: epub.render(g, TIMESTAMP),
    }
    for target, unread in buildcache.UNREAD_SETTINGS.items():
        expected = render[target](glossary)
        for name in sorted(unread):
            assert OTHER_VALUES[name] != getattr(Settings(), name)
            changed = dataclasses.replace(glossary, settings=dataclasses.replace(glossary.settings,
                                                                                   **{name: OTHER_VALUES[name]}))
            assert render[target](changed) == expected, f"{target} reads {name}: it must be part of its key"


def test_the_key_covers_every_other_setting(monkeypatch):
    monkeypatch.setattr(buildcache, "environment", lambda: {})  # computed once per Keys: faster, same meaning
    base = buildcache.Keys(Glossary(Path("."), Settings(), {}, ()))
    for target, unread in [*buildcache.UNREAD_SETTINGS.items(), ("a target added later", set())]:
        for name in sorted(set(Settings.__dataclass_fields__) - unread):
            changed = Glossary(Path("."), Settings(**{name: "changed"}), {}, ())  # type: ignore[arg-type]
            assert buildcache.Keys(changed).key(target) != base.key(target), (target, name)


def run(root: Path, *args: str, epoch: int | None = None) -> Any:
    return CliRunner().invoke(main, ["build", "--project", str(root), *args],
                              env={"SOURCE_DATE_EPOCH": None if epoch is None else str(epoch)})


def test_an_unchanged_build_says_so_and_writes_nothing(root, tmp_path):
    before = snapshot(root)
    result = run(root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"unchanged: {root / 'build' / FILES[t]}" for t in TARGETS]
    assert snapshot(root) == before  # same inodes, same times, same bytes, manifest and lock included


def test_progress_hears_each_output_found_unchanged_and_each_rendered(root):
    (root / "build" / FILES["cards"]).unlink()
    steps: list[str] = []
    pipeline.build(root, timestamp=LATER, progress=steps.append)
    assert steps == ["checking the glossary and its quotes", "deck: unchanged", "booklet: unchanged",
                     "print: unchanged", "stardict: unchanged", "epub: unchanged", "flashcards"]


def test_source_date_epoch_rebuilds_the_pdfs_it_dates_and_then_nothing(root, tmp_path):
    lines = run(root, epoch=LATER).stdout.splitlines()
    assert lines == [f"unchanged: {root / 'build' / FILES['deck']}"] + [
        f"wrote {root / 'build' / FILES[t]}" for t in ("booklet", "print", "cards", "stardict", "epub")]
    assert run(root, epoch=LATER).stdout.splitlines() == [
        f"unchanged: {root / 'build' / FILES[t]}" for t in TARGETS]
    assert run(root, "cards", epoch=LATER + 1).stdout.splitlines() == [f"wrote {root / 'build' / FILES['cards']}"]


def test_force_rebuilds_everything_to_the_same_bytes(root):
    before = snapshot(root)
    result = run(root, "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {root / 'build' / FILES[t]}" for t in TARGETS]
    after = snapshot(root)
    for file in FILES.values():
        assert after[f"build/{file}"][0] != before[f"build/{file}"][0]
        assert after[f"build/{file}"][2] == before[f"build/{file}"][2], file
    assert run(root, "cards", "--force").stdout.splitlines() == [f"wrote {root / 'build' / FILES['cards']}"]


@pytest.mark.parametrize("args", [(), ("--force",), ("deck", "--force")])
def test_a_glossary_that_fails_its_check_writes_nothing_forced_or_not(root, args):
    edit(root / "glossary" / "terms" / "corrigibility.yaml", "allows itself to be corrected",
         "allows itself to be edited")  # the quote no longer matches its seed
    before = snapshot(root)
    result = run(root, *args)
    assert result.exit_code == 1 and "nothing written" in result.stderr and "corrigibility.yaml" in result.stderr
    assert snapshot(root) == before


def test_a_build_of_some_targets_keeps_the_others_records(root, tmp_path):
    edit(root / "glossary" / "terms" / "mesa-optimizer.yaml", "definition: ", "definition: Briefly, ")
    before = snapshot(root)
    assert run(root, "deck").stdout.splitlines() == [f"wrote {root / 'build' / FILES['deck']}"]
    after = snapshot(root)
    for target in PDFS:
        assert after[f"build/{FILES[target]}"] == before[f"build/{FILES[target]}"]
    lines = run(root).stdout.splitlines()
    assert lines == [f"unchanged: {root / 'build' / FILES['deck']}"] + [
        f"wrote {root / 'build' / FILES[t]}" for t in ("booklet", "print", "cards", "stardict", "epub")]


def test_the_print_ready_file_is_imposed_from_the_current_booklet_without_rendering_it(root, monkeypatch):
    (root / "build" / FILES["print"]).unlink()

    def fails(*args: Any) -> bytes:
        raise AssertionError("the booklet was rendered although it is current")

    monkeypatch.setattr(booklet, "render", fails)
    assert run(root, "print").stdout.splitlines() == [f"wrote {root / 'build' / FILES['print']}"]
    monkeypatch.undo()
    # A stale booklet is rendered for the print-ready file, but not written when it was not asked for.
    edit(root / "glossary" / "terms" / "mesa-optimizer.yaml", "definition: ", "definition: Briefly, ")
    old_booklet = snapshot(root)[f"build/{FILES['booklet']}"]
    assert run(root, "print").stdout.splitlines() == [f"wrote {root / 'build' / FILES['print']}"]
    assert snapshot(root)[f"build/{FILES['booklet']}"] == old_booklet


MANIFEST = Path("build") / buildcache.MANIFEST


@pytest.mark.parametrize("content", [
    b"", b"not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'"a string"', b"{}", b"[" * 100_000,
    b'{"format": "glossdeck-build", "version": 2, "outputs": {}}',
    b'{"format": "glossdeck-build", "version": 1, "outputs": []}',
    b'{"format": "glossdeck-build", "version": 1, "outputs": {"deck": {"file": 1, "key": null}}}',
    b'{"format": "glossdeck-build", "version": 1, "outputs": {"deck": "x", "cards": []}}',
])
def test_a_damaged_or_foreign_manifest_only_means_a_full_rebuild(root, content):
    (root / MANIFEST).write_bytes(content)
    result = run(root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {root / 'build' / FILES[t]}" for t in TARGETS]
    assert set(json.loads((root / MANIFEST).read_text())["outputs"]) == ALL
    assert run(root).stdout.splitlines() == [f"unchanged: {root / 'build' / FILES[t]}" for t in TARGETS]


def test_a_manifest_that_records_other_bytes_or_names_is_not_trusted(root):
    data = json.loads((root / MANIFEST).read_text())
    data["outputs"]["deck"]["sha256"] = "0" * 64  # as if the deck were not what was written
    data["outputs"]["cards"]["file"] = "elsewhere.pdf"
    data["outputs"]["booklet"]["key"] = "0" * 64
    (root / MANIFEST).write_text(json.dumps(data))
    before = snapshot(root)
    lines = run(root).stdout.splitlines()
    assert lines == [f"wrote {root / 'build' / FILES['deck']}", f"wrote {root / 'build' / FILES['booklet']}",
                     f"unchanged: {root / 'build' / FILES['print']}", f"wrote {root / 'build' / FILES['cards']}",
                     f"unchanged: {root / 'build' / FILES['stardict']}",
                     f"unchanged: {root / 'build' / FILES['epub']}"]
    after = snapshot(root)
    assert all(after[f"build/{f}"][2] == before[f"build/{f}"][2] for f in FILES.values())
    assert not (root / "build" / "elsewhere.pdf").exists()


def test_a_folder_where_the_manifest_goes_is_a_clear_error_and_nothing_is_written(root):
    edit(root / "glossary" / "terms" / "mesa-optimizer.yaml", "definition: ", "definition: Briefly, ")
    (root / MANIFEST).unlink()
    (root / MANIFEST).mkdir()
    before = {p: p.stat().st_mtime_ns for p in (root / "build").iterdir()}
    lock = (root / deckstate.LOCK_FILE).read_bytes()
    result = run(root)
    assert result.exit_code == 1
    assert buildcache.MANIFEST in result.stderr and "Traceback" not in result.stderr
    assert "nothing written" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in (root / "build").iterdir()} == before
    assert (root / deckstate.LOCK_FILE).read_bytes() == lock


def test_a_manifest_that_leads_into_the_glossary_is_refused(root):
    edit(root / "glossary" / "terms" / "mesa-optimizer.yaml", "definition: ", "definition: Briefly, ")
    (root / MANIFEST).unlink()
    (root / MANIFEST).symlink_to(root / "glossary" / "glossary.yaml")
    settings = (root / "glossary" / "glossary.yaml").read_bytes()
    result = run(root)
    assert result.exit_code == 1 and "glossary's own files" in result.stderr
    assert (root / "glossary" / "glossary.yaml").read_bytes() == settings


def test_an_output_folder_elsewhere_has_its_own_manifest(root, tmp_path):
    assert run(root, "--out", str(tmp_path / "dist")).stdout.splitlines() == [
        f"wrote {tmp_path / 'dist' / FILES[t]}" for t in TARGETS]
    assert run(root).stdout.splitlines() == [f"unchanged: {root / 'build' / FILES[t]}" for t in TARGETS]
    assert run(root, "--out", str(tmp_path / "dist")).stdout.splitlines() == [
        f"unchanged: {tmp_path / 'dist' / FILES[t]}" for t in TARGETS]


def test_the_site_is_rebuilt_only_when_its_inputs_change(project):
    first = pipeline.build(project, targets=("html",), timestamp=TIMESTAMP)
    index = first.outputs["html"] / "index.html"
    stamp = index.stat().st_mtime_ns, index.stat().st_ino
    again = pipeline.build(project, targets=("html",), timestamp=LATER)
    assert again.unchanged == ("html",) and (index.stat().st_mtime_ns, index.stat().st_ino) == stamp
    edit(project / "glossary" / "terms" / "corrigibility.yaml", "without resistance.", "without resisting.")
    changed = pipeline.build(project, targets=("html",), timestamp=LATER)
    assert changed.unchanged == () and "without resisting." in (
        changed.outputs["html"] / "terms" / "corrigibility.html").read_text(encoding="utf-8")
    (changed.outputs["html"] / "index.html").write_text("edited by hand", encoding="utf-8")
    assert pipeline.build(project, targets=("html",), timestamp=LATER).unchanged == ()


# --- the site: keyed on exactly what it reads ------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("incremental-site") / "project")
    pipeline.build(root, targets=("deck", "html"), timestamp=TIMESTAMP)  # the deck for its lock
    return root


SITE_CHANGES: dict[str, tuple[Callable[[Path, pytest.MonkeyPatch], None], dict[str, Any], bool]] = {
    "nothing": (lambda root, mp: None, {}, False),
    # what only the PDFs or the deck read
    "SOURCE_DATE_EPOCH set (the PDFs' date)": (lambda root, mp: mp.setenv("SOURCE_DATE_EPOCH", str(LATER)), {}, False),
    "a reportlab setting in the environment": (lambda root, mp: mp.setenv("RL_pageCompression", "0"), {}, False),
    "--flip short": (lambda root, mp: None, {"card_flip": "short"}, False),
    "--paper half-letter": (lambda root, mp: None, {"paper": "half-letter"}, False),
    "deck_name in glossary.yaml": (setting("deck_name", "Another name"), {}, False),
    "release in glossary.yaml": (setting("release", "spring-2026"), {}, False),
    "a note time in notes.lock": (edit_lock, {}, False),
    "a PDF font (an upgrade)": (package_file("fonts/CharisSIL-Italic.ttf", b"\0\0\0\0"), {}, False),
    # what the site reads
    "the site's stylesheet (an upgrade)": (package_file("render/site/static/site.css"), {}, True),
    "the site's script (an upgrade)": (package_file("render/site/static/site.js"), {}, True),
    "the search engine (an upgrade)": (package_file("render/site/static/minisearch.js"), {}, True),
    "a site template (an upgrade)": (package_file("render/site/templates/base.html", b"{# changed #}"), {}, True),
    "the sitemap's template (an upgrade)": (package_file("render/site/templates/sitemap.xml", b"\n"), {}, True),
    "a web font (an upgrade)": (package_file("render/site/static/fonts/CharisSIL-Regular.woff2", b"\0"), {}, True),
    "a package file no target claims": (package_file("render/new-data.txt"), {}, True),
    "glossdeck's code": (patch(buildcache, "code_digest", lambda: "edited"), {}, True),
    "a term's definition": (lambda root, mp: edit(root / "glossary" / "terms" / "corrigibility.yaml",
                                                  "property of an AI", "property of any AI"), {}, True),
    "title in glossary.yaml": (setting("title", "Another title"), {}, True),
    "site_url in glossary.yaml": (setting("site_url", "https://example.org/glossary/"), {}, True),
    "a page edited by hand": (lambda root, mp: append(root / "build" / "test-glossary-site" / "index.html", b" "),
                              {}, True),
}


@pytest.mark.parametrize("name", SITE_CHANGES)
def test_the_site_is_rebuilt_exactly_when_what_it_reads_changed(name, site_built_once, tmp_path, monkeypatch):
    change, overrides, affected = SITE_CHANGES[name]
    root = Path(shutil.copytree(site_built_once, tmp_path / "project"))
    folder = root / "build" / "test-glossary-site"
    index = folder / "index.html"
    stamp = index.stat().st_ino, index.stat().st_mtime_ns
    change(root, monkeypatch)
    result = pipeline.build(root, targets=("html",), timestamp=LATER, settings=overrides)
    assert result.unchanged == (() if affected else ("html",))
    assert ((index.stat().st_ino, index.stat().st_mtime_ns) != stamp) == affected
    clean = pipeline.build(copy_inputs(root, tmp_path / "clean"), out=tmp_path / "fresh", targets=("html",),
                           timestamp=LATER, settings=overrides)
    files = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    fresh = clean.outputs["html"]
    assert files == {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    assert pipeline.build(root, targets=("html",), timestamp=LATER, settings=overrides).unchanged == ("html",)


RENDER_TARGET = """
import json, os, sys
from pathlib import Path
package = str(Path(sys.argv[1]).resolve())
opened = []
sys.addaudithook(lambda event, args: opened.append(os.fsdecode(args[0])) if event == "open" and isinstance(
    args[0], (str, bytes, os.PathLike)) else None)
from glossdeck import deckstate, pipeline
from glossdeck.render import anki, booklet, cards, epub, impose, site, stardict
root, target = Path(sys.argv[2]), sys.argv[3]
glossary, _ = pipeline.check(root)
opened.clear()
if target == "deck":
    anki.render(glossary, deckstate.load(root)[0], 1_700_000_000)
elif target in ("booklet", "print"):
    data = booklet.render(glossary, glossary.settings.paper)
    if target == "print":
        opened.clear()
        impose.impose(data, glossary.settings.paper)
elif target == "cards":
    cards.render(glossary)
elif target == "html":
    site.render(glossary)
elif target == "stardict":
    stardict.render(glossary, 1_700_000_000)
elif target == "epub":
    epub.render(glossary, 1_700_000_000)
else:
    sys.exit(f"no recipe for target {target!r}: add one to RENDER_TARGET")
read = sorted({os.path.relpath(os.path.realpath(p), package) for p in opened
               if os.path.realpath(p).startswith(package + os.sep)})
print(json.dumps([p for p in read if not p.endswith((".py", ".pyc")) and "__pycache__" not in p]))
"""


@pytest.mark.parametrize("target", pipeline.TARGETS)
def test_every_package_file_a_renderer_opens_is_part_of_its_key(project, target, tmp_path):
    """What each renderer really reads of glossdeck's own files, recorded by an audit hook in a fresh process (where
    no font or template is cached yet): every one must be part of that target's key."""
    script = tmp_path / "render_target.py"
    script.write_text(RENDER_TARGET, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(buildcache.PACKAGE), str(project), target],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    opened = json.loads(done.stdout)
    keyed = "booklet" if target == "print" else target  # the print-ready file is keyed through the booklet's key
    assert [name for name in opened if not buildcache.reads(keyed, name)] == []
    if target in ("booklet", "cards", "html", "epub"):
        assert opened, "the audit hook saw nothing: the test would pass whatever the renderer read"


def test_an_upgraded_glossdeck_rebuilds_the_site_with_its_new_stylesheet_and_nothing_else(tmp_path):
    """A real upgrade: the same project built by a copy of glossdeck whose stylesheet changed."""
    root = make_project(tmp_path / "project")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(TIMESTAMP)}
    command = [sys.executable, "-m", "glossdeck", "build", "--project", str(root)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    upgraded = tmp_path / "upgraded"
    shutil.copytree(buildcache.PACKAGE, upgraded / "glossdeck", ignore=shutil.ignore_patterns("__pycache__"))
    append(upgraded / "glossdeck" / "render" / "site" / "static" / "site.css", b"\n.upgraded { color: teal; }\n")
    again = subprocess.run(command, capture_output=True, text=True, timeout=600,
                           env={**env, "PYTHONPATH": str(upgraded)})
    assert again.returncode == 0, again.stderr
    build = root / "build"
    assert again.stdout.splitlines() == [f"wrote {build / 'test-glossary-site'}" if t == "html"
                                         else f"unchanged: {build / FILES[t]}" for t in pipeline.TARGETS]
    assert b".upgraded { color: teal; }" in (build / "test-glossary-site" / "assets" / "site.css").read_bytes()
