"""The term cache (termcache.py): a warm check says exactly what a cold one says, and no change to any input lets a
remembered result stand."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_project
from glossdeck import buildcache, pipeline, termcache
from glossdeck.cli import main
from glossdeck.errors import GlossdeckError

TERMS = "glossary/terms"
SOURCES = "glossary/sources.yaml"
STARTER = "seeds/003_511bd9a78e7fd698.txt"


def outcome(root: Path) -> tuple[object, list[str]]:
    """What `check` gives: the glossary (None when it fails) and every problem as the user reads it."""
    try:
        glossary, warnings = pipeline.check(root)
    except GlossdeckError as error:
        return None, [str(p) for p in error.problems]
    return glossary, [str(w) for w in warnings]


def uncached(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[str]]:
    """`check` with no cache at all: what every cached answer must equal."""
    with monkeypatch.context() as patch:
        patch.setenv(termcache.CACHE_ENV, "")
        return outcome(root)


@pytest.fixture
def fresh_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The term files checked afresh (not taken from the cache), in the order checked."""
    checked: list[Path] = []
    real = pipeline._checked

    def counting(data: bytes, shown: Path, *args: object) -> termcache.Checked:
        checked.append(shown)
        return real(data, shown, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_checked", counting)
    return checked


def flawed_project(folder: Path) -> Path:
    """The fixture project with an error of each stage: a quote not in its source, a link to no term, a bad level."""
    root = make_project(folder)
    corrigibility = root / TERMS / "corrigibility.yaml"
    corrigibility.write_text(corrigibility.read_text().replace("by its operators.", "by its owners."))
    turn = root / TERMS / "sharp-left-turn.yaml"
    turn.write_text(turn.read_text().replace("its training", "its [training](#no-such-term)") + "level: basic\n")
    return root


def test_a_warm_check_says_what_a_cold_one_says_without_checking_a_term_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_checks: list[Path]) -> None:
    for root in (make_project(tmp_path / "good"), flawed_project(tmp_path / "flawed")):
        fresh_checks.clear()
        cold = outcome(root)
        assert len(fresh_checks) == 4  # every term file, once
        fresh_checks.clear()
        warm = outcome(root)
        assert fresh_checks == []
        assert warm == cold == uncached(root, monkeypatch)
    assert cold[0] is None and any("by its owners" in p or "not found" in p for p in cold[1])
    assert any("no-such-term" in p for p in cold[1]) and any("basic" in p for p in cold[1])


def _edit_quote(root: Path) -> None:
    path = root / TERMS / "corrigibility.yaml"
    path.write_text(path.read_text().replace("by its operators.", "by its owners."))


def _edit_seed(root: Path) -> None:
    """The quoted sentence reworded in the seed, and its checksum updated, as `source update` does."""
    seed = root / STARTER
    data = seed.read_bytes().replace(b"by its operators", b"by the people who run it")
    seed.write_bytes(data)
    sources = root / SOURCES
    old = hashlib.sha256((root.parent / "before" / STARTER).read_bytes()).hexdigest()
    sources.write_text(sources.read_text().replace(old, hashlib.sha256(data).hexdigest()))


def _rename_source(root: Path) -> None:
    sources = root / SOURCES
    sources.write_text(sources.read_text().replace("\nstarter-pack:", "\nstarter:"))


def _read_as_text(root: Path) -> None:
    """A source's format changed: the same seed read as plain text, so its Markdown is no longer read away."""
    sources = root / SOURCES
    text = sources.read_text()
    assert "  format: markdown\ndebate:" in text
    sources.write_text(text.replace("  format: markdown\ndebate:", "  format: text\ndebate:"))


def _move_term(root: Path) -> None:
    """The same bytes under another file name: another id."""
    (root / TERMS / "corrigibility.yaml").rename(root / TERMS / "corrigible-ai.yaml")


@pytest.mark.parametrize("change", [_edit_quote, _edit_seed, _rename_source, _read_as_text, _move_term],
                         ids=lambda change: change.__name__.strip("_"))
def test_every_input_a_term_check_reads_is_part_of_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           change: object) -> None:
    make_project(tmp_path / "before")
    root = make_project(tmp_path / "project")
    before = outcome(root)
    assert before[0] is not None
    change(root)  # type: ignore[operator]
    after = outcome(root)
    assert after[1] != before[1]  # the change matters to a term's check, not only to the glossary around it
    assert after == uncached(root, monkeypatch)


def test_a_quote_edited_away_is_refused_by_the_command_too(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(project), "check"]).exit_code == 0
    _edit_quote(project)
    result = runner.invoke(main, ["--project", str(project), "check"])
    assert result.exit_code == 1
    assert "corrigibility.yaml" in result.output and "not found" in result.output


@pytest.mark.parametrize("what", ["code", "environment"])
def test_new_code_or_libraries_check_every_term_again(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                      fresh_checks: list[Path], what: str) -> None:
    outcome(project)
    fresh_checks.clear()
    outcome(project)
    assert fresh_checks == []
    if what == "code":
        monkeypatch.setattr(buildcache, "code_digest", lambda: "another glossdeck")
    else:
        monkeypatch.setattr(buildcache, "environment", lambda: {"libraries": {"pyyaml": "99"}})
    outcome(project)
    assert len(fresh_checks) == 4


def test_problems_name_paths_as_seen_from_the_working_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit_quote(project)
    monkeypatch.chdir(project)
    here = outcome(project)
    monkeypatch.chdir(project / "glossary")
    below = outcome(project)
    assert any(p.startswith("glossary/terms/corrigibility.yaml:") for p in here[1])
    assert any(p.startswith("terms/corrigibility.yaml:") for p in below[1])
    assert below == uncached(project, monkeypatch)


def test_a_copied_project_names_its_own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = flawed_project(tmp_path / "first")
    monkeypatch.chdir(tmp_path)
    outcome(first)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    copied = outcome(second)
    assert copied == uncached(second, monkeypatch)
    assert all(str(first) not in p and not p.startswith("first/") for p in copied[1])
    assert any(p.startswith("second/glossary/terms/") for p in copied[1])


def _cache_file(folder: Path) -> Path:
    (found,) = folder.glob("terms-*.pickle")
    return found


@pytest.mark.parametrize("damage", ["garbage", "cut short", "another format", "not entries", "empty"])
def test_a_damaged_cache_is_an_empty_one(project: Path, monkeypatch: pytest.MonkeyPatch, own_term_cache: Path,
                                         fresh_checks: list[Path], damage: str) -> None:
    cold = outcome(project)
    path = _cache_file(own_term_cache)
    data = path.read_bytes()
    stored = pickle.loads(data)
    path.write_bytes({
        "garbage": b"\x80\x05not a pickle at all",
        "cut short": data[: len(data) // 2],
        "another format": pickle.dumps({**stored, "format": "glossdeck-terms-0"}),
        "not entries": pickle.dumps({**stored, "entries": {key: ("a", "tuple") for key in stored["entries"]}}),
        "empty": b"",
    }[damage])
    fresh_checks.clear()
    assert outcome(project) == cold
    assert len(fresh_checks) == 4
    assert pickle.loads(path.read_bytes())["entries"].keys() == stored["entries"].keys()  # written whole again


def test_a_cache_that_cannot_be_written_only_makes_check_slower(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(termcache.CACHE_ENV, str(blocked / "cache"))
    result = CliRunner().invoke(main, ["--project", str(project), "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")
    assert blocked.read_text() == "not a folder"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_cache_is_kept_outside_the_project_and_only_where_asked(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    own_term_cache: Path, tmp_path: Path) -> None:
    before = _tree(project)
    outcome(project)
    assert _tree(project) == before
    cached = _cache_file(own_term_cache)
    assert cached.stat().st_mode & 0o077 == 0  # the user's own: others may not plant or read entries
    assert not [p for p in own_term_cache.iterdir() if p != cached]  # no temporary file left
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv(termcache.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(elsewhere))
    monkeypatch.setenv("HOME", str(elsewhere))
    outcome(project)
    assert list(elsewhere.iterdir()) == [] and _tree(project) == before


@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="the XDG rule is the Linux one")
def test_the_default_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(termcache.CACHE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert termcache.cache_folder() == tmp_path / "xdg" / "glossdeck"
    for unusable in ("", "relative/cache"):  # the XDG specification: a relative path is to be ignored
        monkeypatch.setenv("XDG_CACHE_HOME", unusable)
        assert termcache.cache_folder() == tmp_path / "home" / ".cache" / "glossdeck"


def test_only_the_entries_of_the_last_check_are_kept(project: Path, own_term_cache: Path) -> None:
    outcome(project)
    _edit_quote(project)
    outcome(project)
    entries = pickle.loads(_cache_file(own_term_cache).read_bytes())["entries"]
    assert len(entries) == 4
    assert sum(entry.term is not None and entry.term.id == "corrigibility" for entry in entries.values()) == 1


def test_caches_of_projects_not_checked_for_a_month_are_deleted(project: Path, own_term_cache: Path) -> None:
    month_old = termcache.KEEP_DAYS * 86400 + 60
    old, recent, stray = (own_term_cache / name for name in ("terms-0a.pickle", "terms-0b.pickle", ".terms-x1"))
    for path, age in ((old, month_old), (recent, 86400), (stray, month_old)):
        path.write_bytes(b"another project's")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - age))
    unrelated = own_term_cache / "notes.txt"
    unrelated.write_text("not glossdeck's")
    os.utime(unrelated, (0, 0))
    outcome(project)
    left = {p.name for p in own_term_cache.iterdir()} - {recent.name, unrelated.name}
    assert recent.exists() and unrelated.exists() and not old.exists() and not stray.exists()
    assert len(left) == 1 and left.pop().startswith("terms-")


def test_a_cache_in_use_is_not_forgotten_however_long_nothing_changes(project: Path, own_term_cache: Path) -> None:
    outcome(project)
    path = _cache_file(own_term_cache)
    written = path.read_bytes()
    os.utime(path, (0, 0))
    outcome(project)
    assert path.read_bytes() == written and time.time() - path.stat().st_mtime < 3600


def test_remembered_term_digests_give_the_build_keys_of_the_glossary_itself(project: Path,
                                                                            fresh_checks: list[Path]) -> None:
    from glossdeck.model import TARGETS

    cold, _, cold_digests = pipeline._check(project)
    warm, _, warm_digests = pipeline._check(project)
    assert len(fresh_checks) == 4 and warm == cold and warm_digests == cold_digests
    for target in TARGETS:
        assert buildcache.Keys(warm, None, warm_digests).key(target) == buildcache.Keys(cold).key(target)
    gloss = project / TERMS / "corrigibility.yaml"
    gloss.write_text(gloss.read_text().replace("without resisting.", "without resistance."))
    edited, _, edited_digests = pipeline._check(project)
    assert [a == b for a, b in zip(edited_digests, warm_digests)].count(False) == 1
    assert buildcache.Keys(edited, None, edited_digests).key("deck") == buildcache.Keys(edited).key("deck") != \
        buildcache.Keys(warm).key("deck")


@pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")
def test_a_cache_file_others_could_have_written_is_never_read(project: Path, own_term_cache: Path,
                                                              fresh_checks: list[Path]) -> None:
    cold = outcome(project)
    path = _cache_file(own_term_cache)
    for mode in (0o620, 0o602):  # writable by the group, by anyone
        path.chmod(mode)
        fresh_checks.clear()
        assert outcome(project) == cold and len(fresh_checks) == 4
        assert path.stat().st_mode & 0o777 == 0o600  # written again, the user's alone
    fresh_checks.clear()
    assert outcome(project) == cold and fresh_checks == []


def test_a_build_from_remembered_terms_makes_the_same_bytes(project: Path, tmp_path: Path,
                                                             fresh_checks: list[Path]) -> None:
    targets = ("deck", "booklet", "stardict", "epub", "html")
    cold = pipeline.build(project, out=tmp_path / "cold", targets=targets, timestamp=1_700_000_000)
    fresh_checks.clear()
    warm = pipeline.build(project, out=tmp_path / "warm", targets=targets, timestamp=1_700_000_000)
    assert fresh_checks == [] and not warm.unchanged
    for target in targets:
        assert _tree(cold.outputs[target].parent) == _tree(warm.outputs[target].parent)
