"""writer and build: every output and the lock are written, or none is; nothing is written over the inputs."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from glossdeck import pipeline, writer
from glossdeck.cli import main
from tests.conftest import make_project

FILES = 5  # notes.lock, then the deck, the booklet, the print-ready booklet and the cards


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, files with a hash of their bytes (temporary files included)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("transactions") / "project")
    result = CliRunner().invoke(main, ["build", *FILE_TARGETS, "--project", str(root)],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    return root


def edited_copy(built: Path, folder: Path) -> Path:
    """A copy of a built project whose glossary has since changed, so that a new build replaces every output.
    It is checked once here: the term cache (termcache.py), outside the project, is then current, so that the
    files a build writes are its outputs alone, which these tests fail one by one."""
    root = folder / "project"
    shutil.copytree(built, root)
    term = root / "glossary" / "terms" / "corrigibility.yaml"
    term.write_text(term.read_text(encoding="utf-8").replace("corrigibility", "corrigibility (edited)", 1),
                    encoding="utf-8")
    pipeline.check(root)
    return root


@pytest.fixture
def changed(built_once: Path, tmp_path: Path) -> Path:
    return edited_copy(built_once, tmp_path)


# The file outputs and the lock, one transaction; the site, a folder staged beside its place, is tested in test_site.
FILE_TARGETS = ["deck", "booklet", "print", "cards"]


def build(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["build", *FILE_TARGETS, "--project", str(root), *args],
                              env={"SOURCE_DATE_EPOCH": "1800000000"})


class _FailingHandle:
    """A file handle whose writes fail as a full disk does."""

    def __init__(self, handle: Any, code: int) -> None:
        self.handle, self.code = handle, code

    def __enter__(self) -> _FailingHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])  # half the file reaches the disk, as when it fills up
        raise OSError(self.code, os.strerror(self.code))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def fail_nth(monkeypatch: pytest.MonkeyPatch, where: str, nth: int, code: int = errno.ENOSPC) -> list[Path]:
    """Make the nth temporary file fail at `where` (open, write, fsync or chmod); return the targets seen."""
    seen: list[Path] = []
    real = {"open": writer.tempfile.mkstemp, "write": writer.os.fdopen, "fsync": writer.os.fsync,
            "chmod": writer.os.chmod}

    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        seen.append(Path(kwargs["dir"]))
        if where == "open" and len(seen) == nth:
            raise OSError(code, os.strerror(code), str(kwargs["dir"]))
        return real["open"](*args, **kwargs)

    def failing(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = real[name](*args, **kwargs)
            if where != name or len(seen) != nth:
                return result
            if name == "write":
                return _FailingHandle(result, code)
            raise OSError(code, os.strerror(code))
        return call

    monkeypatch.setattr(writer.tempfile, "mkstemp", mkstemp)
    for name, attribute in (("write", "fdopen"), ("fsync", "fsync"), ("chmod", "chmod")):
        monkeypatch.setattr(writer.os, attribute, failing(name))
    return seen


@pytest.mark.parametrize("where, nth", [("write", nth) for nth in range(1, FILES + 1)]
                         + [(where, nth) for where in ("open", "fsync", "chmod") for nth in (1, 3, FILES)])
def test_a_failure_at_any_file_leaves_every_file_as_it_was(changed, monkeypatch, where, nth):
    before = snapshot(changed)
    seen = fail_nth(monkeypatch, where, nth)
    result = build(changed)
    assert result.exit_code == 1, result.output
    assert len(seen) == nth  # it stopped at the failing file, before any rename
    assert "No space left on device" in result.output
    assert "hint: free some space on that disk" in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert snapshot(changed) == before  # old outputs, old lock, no temporary file left


def test_the_failing_file_is_named(changed, monkeypatch):
    fail_nth(monkeypatch, "write", 1)
    assert f"{changed}/glossary/notes.lock: error: cannot write this file: No space left on device" in \
        build(changed).output
    fail_nth(monkeypatch, "write", 4)
    assert f"{changed}/build/test-glossary-booklet-print.pdf: error: cannot write this file" in build(changed).output


def test_the_same_build_without_the_failure_replaces_everything(changed):
    before = snapshot(changed)
    assert build(changed).exit_code == 0
    after = snapshot(changed)
    replaced = {name for name in before if before[name] != after[name]}
    assert replaced == {"glossary/notes.lock", "build/.glossdeck-build.json", "build/test-glossary.apkg",
                        "build/test-glossary-booklet.pdf", "build/test-glossary-booklet-print.pdf",
                        "build/test-glossary-cards.pdf"}
    assert set(after) == set(before)


@pytest.mark.parametrize("code, message", [
    (errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied"), (errno.EDQUOT, "quota"),
])
def test_read_only_or_forbidden_folder(changed, monkeypatch, code, message):
    # CI runs as root, where chmod does not stop writes: the system's refusal is simulated instead.
    before = snapshot(changed)
    fail_nth(monkeypatch, "open", 2, code)
    result = build(changed)
    assert result.exit_code == 1
    assert f"{changed}/build/test-glossary.apkg: error: cannot write this file: " in result.output
    assert message.lower() in result.output.lower()
    assert snapshot(changed) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder: see the simulated test above")
def test_really_read_only_folder(changed):
    before = snapshot(changed)
    (changed / "build").chmod(0o555)
    try:
        result = build(changed)
    finally:
        (changed / "build").chmod(0o755)
    assert result.exit_code == 1 and "Permission denied" in result.output
    assert snapshot(changed) == before


def test_a_real_full_disk(changed, tmp_path):
    """A tmpfs just large enough for the old outputs: the kernel itself reports the disk full."""
    out = tmp_path / "small-disk"
    out.mkdir()
    old = sum(p.stat().st_size for p in (changed / "build").iterdir())
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={old + 64 * 1024}", "tmpfs", str(out)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}): the simulated tests stand in")
    try:
        for path in (changed / "build").iterdir():
            shutil.copy(path, out / path.name)
        before = snapshot(changed), snapshot(out)
        result = build(changed, "--out", str(out))
        after = snapshot(changed), snapshot(out)
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output
    assert after == before


def test_a_failed_rename_puts_back_what_was_already_replaced_and_says_so(changed, monkeypatch):
    before = snapshot(changed)
    real, calls = os.replace, []

    def replace(source: Any, target: Any) -> None:
        calls.append(Path(target))
        if len(calls) == 3:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(source, target)

    monkeypatch.setattr(writer.os, "replace", replace)
    result = build(changed)
    assert result.exit_code == 1
    assert (f"{changed}/build/test-glossary-booklet.pdf: error: cannot replace this file: Input/output error; "
            f"the 2 outputs already replaced ({changed}/glossary/notes.lock, {changed}/build/test-glossary.apkg) "
            "were put back as they were") in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert snapshot(changed) == before  # no temporary file nor kept old version left either


def test_lock_path_is_a_folder(changed):
    lock = changed / "glossary" / "notes.lock"
    lock.unlink()
    lock.mkdir()
    before = snapshot(changed)
    result = build(changed)
    assert result.exit_code == 1
    assert "glossary/notes.lock: error: the deck state is a folder, not a file" in result.output
    assert snapshot(changed) == before


def test_writer_refuses_a_folder_in_the_way_before_renaming_anything(tmp_path):
    first, folder = tmp_path / "first.pdf", tmp_path / "second.pdf"
    first.write_bytes(b"old")
    folder.mkdir()
    with pytest.raises(writer.GlossdeckError) as caught:
        writer.write_all({first: b"new", folder: b"new"})
    assert str(caught.value.problems[0]).startswith(f"{folder}: error: cannot write this file: Is a directory")
    assert first.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["first.pdf", "second.pdf"]


def test_output_folder_that_is_a_file(changed):
    (changed / "notes.txt").write_text("not a folder")
    before = snapshot(changed)
    result = build(changed, "--out", str(changed / "notes.txt"))
    assert result.exit_code == 2  # click refuses it as a usage error, before anything runs
    assert f"Invalid value for '--out': Directory '{changed}/notes.txt' is a file." in result.output
    assert snapshot(changed) == before


@pytest.mark.parametrize("out", ["notes.txt/sub", "notes.txt/a/b"])
def test_output_folder_through_a_file(changed, out):
    (changed / "notes.txt").write_text("not a folder")
    before = snapshot(changed)
    result = build(changed, "--out", str(changed / out))
    assert result.exit_code == 1
    assert f"{changed}/{out}/test-glossary" in result.output and "Not a directory" in result.output
    assert "hint: a part of this path is a file, not a folder" in result.output
    assert snapshot(changed) == before


def test_missing_output_folders_are_made_and_unmade_on_failure(changed, monkeypatch):
    out = changed / "dist" / "2026" / "december"
    before = snapshot(changed)
    fail_nth(monkeypatch, "write", 3)
    assert build(changed, "--out", str(out)).exit_code == 1
    assert snapshot(changed) == before  # dist/ and its subfolders are gone again
    monkeypatch.undo()
    monkeypatch.setenv("GLOSSDECK_DEBUG", "1")
    assert build(changed, "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [".glossdeck-build.json", "test-glossary-booklet-print.pdf",
                                                     "test-glossary-booklet.pdf", "test-glossary-cards.pdf",
                                                     "test-glossary.apkg"]


@pytest.mark.parametrize("args", [
    ["export", "-o", "glossary/sources.yaml"],
    ["export", "-o", "glossary/glossary.yaml"],
    ["export", "-o", "glossary/terms/new.json"],
    ["export", "-o", "glossary/notes.lock"],
    ["export", "-o", "seeds/001_3a65144e88efcba7.txt"],
    ["export", "-o", "linked/sources.yaml"],  # a symlink to glossary/
    ["export", "-o", "build/sneaky.json"],  # build/sneaky.json is a symlink to a seed
    ["build", "--out", "glossary"],
    ["build", "--out", "glossary/terms"],
    ["build", "deck", "--out", "seeds"],
    ["build", "--out", "linked"],
    ["build", "--out", "./glossary/../seeds/"],
])
def test_nothing_is_written_over_the_inputs(changed, monkeypatch, args):
    (changed / "linked").symlink_to(changed / "glossary", target_is_directory=True)
    (changed / "build" / "sneaky.json").symlink_to(changed / "seeds" / "001_3a65144e88efcba7.txt")
    before = snapshot(changed)
    monkeypatch.chdir(changed)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "error: this is inside the project's glossary/ or seeds/ folder: writing it would overwrite the " \
           "glossary's own files" in result.output
    assert result.output.rstrip().endswith("; nothing written.")
    assert snapshot(changed) == before


def test_an_output_symlinked_to_the_lock_or_to_another_output_is_refused(changed):
    build_dir = changed / "build"
    (build_dir / "test-glossary.apkg").unlink()
    (build_dir / "test-glossary.apkg").symlink_to(changed / "glossary" / "notes.lock")
    before = snapshot(changed)
    result = build(changed)
    assert result.exit_code == 1 and "inside the project's glossary/" in result.output
    (build_dir / "test-glossary.apkg").unlink()
    (build_dir / "test-glossary-cards.pdf").unlink()
    (build_dir / "test-glossary-cards.pdf").symlink_to(build_dir / "test-glossary-booklet.pdf")
    before = snapshot(changed)
    result = build(changed)
    assert result.exit_code == 1
    assert f"build/test-glossary-cards.pdf: error: this would be the same file as {build_dir}/" \
           "test-glossary-booklet.pdf" in result.output
    assert snapshot(changed) == before


def test_export_elsewhere_still_works(changed, tmp_path):
    result = CliRunner().invoke(main, ["export", "--project", str(changed), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0 and (tmp_path / "out.json").read_text().startswith("{")


def test_export_full_disk_and_path_through_a_file(changed, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["export", "--project", str(changed), "-o", str(tmp_path / "file" / "g.json")])
    assert result.exit_code == 1
    assert f"{tmp_path}/file/g.json: error: cannot write this file: Not a directory" in result.output
    fail_nth(monkeypatch, "write", 1)
    result = CliRunner().invoke(main, ["export", "--project", str(changed), "-o", str(tmp_path / "g.json")])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "project"]


# --- the whole build, the site's folder included, is one transaction ------------------------------------------------

ALL_TARGETS = [*FILE_TARGETS, "html"]
SITE = "build/test-glossary-site"
# In the order they are swapped in: the lock first, the build record last.
SWAPPED = ["glossary/notes.lock", "build/test-glossary.apkg", "build/test-glossary-booklet.pdf",
           "build/test-glossary-booklet-print.pdf", "build/test-glossary-cards.pdf", SITE,
           "build/.glossdeck-build.json"]


@pytest.fixture(scope="module")
def site_built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("transactions-site") / "project")
    result = CliRunner().invoke(main, ["build", *ALL_TARGETS, "--project", str(root)],
                                env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def changed_site(site_built_once: Path, tmp_path: Path) -> Path:
    return edited_copy(site_built_once, tmp_path)


def build_all(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["build", *ALL_TARGETS, "--project", str(root), *args],
                              env={"SOURCE_DATE_EPOCH": "1800000000"})


def fail_swap(monkeypatch: pytest.MonkeyPatch, nth: int, code: int = errno.EIO) -> list[Path]:
    """Make the nth swap fail as the system would; return the outputs swapped."""
    real, seen = writer._swap_in, []

    def swap_in(entry: Any) -> Any:
        seen.append(entry.target)
        if len(seen) == nth:
            raise OSError(code, os.strerror(code), str(entry.target))
        return real(entry)

    monkeypatch.setattr(writer, "_swap_in", swap_in)
    return seen


@pytest.mark.parametrize("nth", range(1, len(SWAPPED) + 1))
def test_a_failed_swap_at_any_output_puts_back_every_output_swapped_before_it(changed_site, monkeypatch, nth):
    before = snapshot(changed_site)
    seen = fail_swap(monkeypatch, nth)
    result = build_all(changed_site)
    assert result.exit_code == 1, result.output
    assert [str(p.relative_to(changed_site)) for p in seen] == SWAPPED[:nth]
    what = "folder" if SWAPPED[nth - 1] == SITE else "file"
    assert f"{changed_site}/{SWAPPED[nth - 1]}: error: cannot replace this {what}: Input/output error" in result.output
    if nth > 1:
        assert f"the {nth - 1} output{'s' if nth > 2 else ''} already replaced ({changed_site}/{SWAPPED[0]}" \
            in result.output and "were put back as they were" in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert snapshot(changed_site) == before  # every output, the lock and the record as they were; nothing left over


def test_the_site_folder_busy_as_a_mount_point_is_a_real_failed_swap(changed_site):
    """The issue's case, for real: the site cannot be swapped into place (a mount point cannot be renamed, EBUSY)
    after the lock, the deck and the PDFs were: they are put back."""
    site = changed_site / SITE
    copy = changed_site.parent / "site-copy"
    shutil.copytree(site, copy)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(site)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the simulated swaps stand in")
    try:
        shutil.copytree(copy, site, dirs_exist_ok=True)
        shutil.rmtree(copy)
        before = snapshot(changed_site)
        result = build_all(changed_site)
        after = snapshot(changed_site)
    finally:
        subprocess.run(["umount", str(site)], check=True)
    assert result.exit_code == 1, result.output
    assert f"{changed_site}/{SITE}: error: cannot replace this folder: Device or resource busy" in result.output
    assert "the 5 outputs already replaced" in result.output and "were put back as they were" in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert after == before


def test_what_cannot_be_put_back_is_named_and_nothing_claims_nothing_was_written(changed_site, monkeypatch):
    fail_swap(monkeypatch, 4)  # the print-ready booklet fails after the lock, the deck and the booklet
    real = writer.os.replace

    def replace(source: Any, target: Any) -> None:
        if str(source).endswith(".old") and Path(target).name == "test-glossary.apkg":
            raise OSError(errno.EIO, os.strerror(errno.EIO))  # the deck cannot be put back
        real(source, target)

    monkeypatch.setattr(writer.os, "replace", replace)
    result = build_all(changed_site)
    assert result.exit_code == 1
    assert f"could not put back as they were: {changed_site}/build/test-glossary.apkg (they are the new versions; " \
           "the other outputs are as they were)" in result.output
    assert result.output.rstrip().endswith(f"1 error; left changed: {changed_site}/build/test-glossary.apkg.")
    assert "nothing written" not in result.output
    assert not [p for p in changed_site.rglob("*") if p.name.endswith((".tmp", ".old"))]


@pytest.mark.parametrize("where", ["first file", "half way", "last file"])
def test_a_failure_while_staging_the_site_writes_nothing(changed_site, monkeypatch, where):
    before = snapshot(changed_site)
    real = writer._write_tree

    def write_tree(folder: Path, files: Any) -> None:
        names = list(files)
        stop = {"first file": 0, "half way": len(names) // 2, "last file": len(names) - 1}[where]
        real(folder, {name: files[name] for name in names[:stop]})
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / names[stop]))

    monkeypatch.setattr(writer, "_write_tree", write_tree)
    result = build_all(changed_site)
    assert result.exit_code == 1
    assert f"{changed_site}/{SITE}: error: cannot write this file: No space left on device" in result.output
    assert snapshot(changed_site) == before


def test_a_real_full_disk_with_the_site(changed_site, tmp_path):
    """A tmpfs just large enough for the old outputs, the site's folder among them."""
    out = tmp_path / "small-disk"
    out.mkdir()
    # tmpfs gives each file whole 4 KB pages: the old outputs' pages, and a little room (far less than a second copy)
    old = sum(-(-p.stat().st_size // 4096) * 4096 for p in (changed_site / "build").rglob("*") if p.is_file())
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={old + 64 * 1024}", "tmpfs", str(out)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}): the simulated tests stand in")
    try:
        shutil.copytree(changed_site / "build", out, dirs_exist_ok=True)
        before = snapshot(changed_site), snapshot(out)
        result = build_all(changed_site, "--out", str(out))
        after = snapshot(changed_site), snapshot(out)
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output
    assert after == before


def test_a_site_folder_that_is_a_symbolic_link_is_refused_and_nothing_is_written(changed_site, tmp_path):
    site = changed_site / SITE
    elsewhere = tmp_path / "published"
    shutil.move(site, elsewhere)
    site.symlink_to(elsewhere, target_is_directory=True)
    before, published = snapshot(changed_site), snapshot(elsewhere)
    result = build_all(changed_site)
    assert result.exit_code == 1
    assert (f"{site}: error: is a symbolic link (to {elsewhere}), where this folder is written: glossdeck replaces "
            "the folder as a whole, and will neither replace the link nor empty the folder it leads to") \
        in result.output
    assert "hint: remove the link, or write into the folder it leads to with --out DIR" in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert snapshot(changed_site) == before and snapshot(elsewhere) == published and site.is_symlink()
    # a dangling link too
    shutil.rmtree(elsewhere)
    assert build_all(changed_site).exit_code == 1 and site.is_symlink()


def test_a_file_where_the_site_folder_goes_is_refused_and_nothing_is_written(changed_site):
    site = changed_site / SITE
    shutil.rmtree(site)
    site.write_text("not a folder", encoding="utf-8")
    before = snapshot(changed_site)
    result = build_all(changed_site)
    assert result.exit_code == 1
    assert f"{site}: error: is a file, where this folder is written" in result.output
    assert snapshot(changed_site) == before


def test_the_same_build_without_a_failure_replaces_every_output_and_the_site(changed_site):
    before = snapshot(changed_site)
    assert build_all(changed_site).exit_code == 0
    after = snapshot(changed_site)
    assert {name.split("/")[2] for name in after if name.startswith(SITE + "/")} >= {"index.html", "terms"}
    replaced = {name for name in before if before[name] != after.get(name)}
    assert {name for name in SWAPPED if name != SITE} <= replaced
    assert any(name.startswith(SITE + "/") for name in replaced)
    assert not [p for p in changed_site.rglob("*") if p.name.endswith((".tmp", ".old"))]


# --- the other commands that write ---------------------------------------------------------------------------------

@pytest.mark.parametrize("where, nth", [("open", 1), ("open", 4), ("write", 2), ("fsync", 6), ("chmod", 3)])
def test_init_that_fails_leaves_no_file_and_no_folder(tmp_path, monkeypatch, where, nth):
    fail_nth(monkeypatch, where, nth)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new" / "roman-law"), "--title", "Roman Law"])
    assert result.exit_code == 1
    assert "No space left on device" in result.output and result.output.rstrip().endswith("nothing written.")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_init_in_a_folder_it_may_not_write_leaves_it_as_it_was(tmp_path, monkeypatch, code):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    real = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name == "terms":  # glossary/ was made; its terms/ may not be
            raise OSError(code, os.strerror(code), str(self))
        real(self, *args, **kwargs)

    monkeypatch.setattr(writer.Path, "mkdir", mkdir)
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 1 and os.strerror(code) in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_init_through_a_file_makes_nothing(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "file" / "demo")])
    assert result.exit_code == 1 and "Not a directory" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


ADD = ["add", "--term", "alignment tax", "--definition", "d", "--cite", "starter-pack",
       "Alignment is an unsolved problem."]


@pytest.mark.parametrize("where, code", [("open", errno.EACCES), ("write", errno.ENOSPC), ("fsync", errno.EIO),
                                         ("open", errno.EROFS)])
def test_add_that_fails_writes_no_term(changed, monkeypatch, where, code):
    before = snapshot(changed)
    fail_nth(monkeypatch, where, 1, code)
    result = CliRunner().invoke(main, [*ADD, "--project", str(changed)])
    assert result.exit_code == 1 and os.strerror(code) in result.output
    assert f"{changed}/glossary/terms/alignment-tax.yaml: error: cannot create this file" in result.output
    assert result.output.rstrip().endswith("nothing written.")
    assert {k: v for k, v in snapshot(changed).items() if "glossdeck.lock" not in k} == \
        {k: v for k, v in before.items() if "glossdeck.lock" not in k}


@pytest.mark.parametrize("nth", [1, 2])  # the seed, then sources.yaml
def test_source_add_that_fails_writes_neither_the_seed_nor_its_entry(changed, monkeypatch, tmp_path, nth):
    essay = tmp_path / "essay.md"
    essay.write_text("# An essay\n\nSome words that make up a short essay for the test.\n", encoding="utf-8")
    before = {k: v for k, v in snapshot(changed).items() if "glossdeck.lock" not in k}
    fail_nth(monkeypatch, "write", nth)
    result = CliRunner().invoke(main, ["source", "add", str(essay), "--project", str(changed), "--id", "essay",
                                       "--author", "A. Author", "--yes"])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert {k: v for k, v in snapshot(changed).items() if "glossdeck.lock" not in k} == before


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_export_into_a_folder_it_may_not_write_writes_nothing(changed, monkeypatch, tmp_path, code):
    out = tmp_path / "exports"
    out.mkdir()
    fail_nth(monkeypatch, "open", 1, code)
    result = CliRunner().invoke(main, ["export", "--project", str(changed), "-o", str(out / "g.json")])
    assert result.exit_code == 1 and f"{out}/g.json: error: cannot write this file: {os.strerror(code)}" \
        in result.output
    assert list(out.iterdir()) == []
