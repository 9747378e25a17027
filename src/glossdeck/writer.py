"""Atomic writes of several files at once: every file is replaced, or none is."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from glossdeck.errors import GlossdeckError, Problem

_HINTS = {
    errno.ENOSPC: "free some space on that disk, or write elsewhere (build --out DIR), then run the command again",
    errno.EDQUOT: "your disk quota is full: free some space, or write elsewhere (build --out DIR)",
    errno.EROFS: "that disk is read-only: write elsewhere (build --out DIR)",
    errno.EACCES: "check the permissions of the file and of its folder, or write elsewhere (build --out DIR)",
    errno.EPERM: "check the permissions of the file and of its folder, or write elsewhere (build --out DIR)",
    errno.ENOTDIR: "a part of this path is a file, not a folder: choose another path or move the file",
    errno.EISDIR: "a folder is in the way: choose another path or move the folder",
    errno.ENAMETOOLONG: "choose a shorter path",
    errno.ENOENT: "check that the path exists",
}


def os_problem(error: OSError, path: Path | None = None, doing: str = "") -> Problem:
    """One clear message for an operating-system error: the path, what failed and why, and what to do."""
    if path is None and error.filename is not None:
        path = Path(os.fsdecode(error.filename))
    reason = error.strerror or str(error) or type(error).__name__
    message = f"cannot {doing}: {reason}" if doing else reason
    return Problem(path, None, message, _HINTS.get(error.errno or 0, ""))


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write every file or none, renaming them into place in the order given.

    Each file is first written in full to a temporary file beside its target and
    flushed to disk; only when all of them are written are they renamed over their
    targets. Any failure before the renames removes the temporary files (and any
    folder made for them) and leaves every target as it was.
    """
    written: list[tuple[Path, Path]] = []  # (temporary file, target)
    made: list[Path] = []
    current = None
    try:
        for current, data in files.items():
            if current.is_dir():  # a rename cannot replace a folder: find out before anything is renamed
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(current))
            made += _make_folders(current.parent)
            written.append((_write_temporary(current, data), current))
    except BaseException as error:
        _undo(written, made)
        if isinstance(error, OSError):
            raise GlossdeckError([os_problem(error, current, "write this file")]) from error
        raise
    for index, (temporary, target) in enumerate(written):
        try:
            os.replace(temporary, target)
        except BaseException as error:
            _undo(written[index:], [])
            if not isinstance(error, OSError):
                raise
            done = [str(t) for _, t in written[:index]]
            problem = os_problem(error, target, "replace this file")
            if done:  # renames cannot be undone: say exactly what is new
                problem = Problem(problem.path, None, problem.message + "; already replaced: " + ", ".join(done),
                                  problem.hint)
            raise GlossdeckError([problem]) from error
    for folder in dict.fromkeys(target.parent for _, target in written):
        _sync_folder(folder)
    return [target for _, target in written]


def write_atomically(path: Path, data: bytes) -> Path:
    """Write one file atomically: a reader sees the old file or the new one, never half of either."""
    return write_all({path: data})[0]


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and any missing parents; return those created, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for each in reversed(missing):
            each.mkdir()
            made.append(each)
    except BaseException:
        _undo([], made)
        raise
    return made


def create_new(path: Path, data: bytes) -> None:
    """Write a new file atomically, never over one that exists, even one that appeared meanwhile:
    FileExistsError then, and nothing written (a hard link fails where a rename would replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, data)
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_temporary(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _undo(written: list[tuple[Path, Path]], made: list[Path]) -> None:
    for temporary, _ in written:
        temporary.unlink(missing_ok=True)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty any more: someone else is using it


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries, so that the renames survive a power cut (not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
