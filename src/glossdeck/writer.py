"""Writing as one transaction: files and folders staged in full beside their places, then swapped in; all or none."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from glossdeck.errors import GlossdeckError, Problem

Tree = Mapping[str, bytes]  # a folder's files, by their paths inside it
Content = Union[bytes, Tree]

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
# Signals that stop a command. While a transaction creates a temporary file and records it, and while it swaps,
# they wait (then stop the command as usual), so that no temporary file goes unrecorded and no swap half-done.
STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def os_problem(error: OSError, path: Path | None = None, doing: str = "") -> Problem:
    """One clear message for an operating-system error: the path, what failed and why, and what to do."""
    if path is None and error.filename is not None:
        path = Path(os.fsdecode(error.filename))
    reason = error.strerror or str(error) or type(error).__name__
    message = f"cannot {doing}: {reason}" if doing else reason
    return Problem(path, None, message, _HINTS.get(error.errno or 0, ""))


def write_all(outputs: Mapping[Path, Content]) -> list[Path]:
    """Put every output in place, or none, in the order given: a file's bytes, or a folder's files (a Tree).

    Each is first written in full beside its place (a file as `.name.XXXX.tmp`, flushed to disk; a folder as a
    `.name.XXXX.tmp` folder) and only when all are written are they swapped in: a file renamed over the old one
    (kept as a hard link until the end), a folder renamed in after the old one is renamed aside. A failure while
    staging removes everything staged and every folder made for it; a failure while swapping puts back what was
    already swapped, and says so. Either way the error says exactly what is as it was.
    """
    transaction = _Transaction()
    try:
        for target, content in outputs.items():
            transaction.stage(target, content)
    except BaseException as error:
        transaction.discard()
        if isinstance(error, OSError):
            raise GlossdeckError([os_problem(error, transaction.current, "write this file")]) from error
        raise
    transaction.swap()
    return list(outputs)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write one file atomically: a reader sees the old file or the new one, never half of either."""
    return write_all({path: data})[0]


def create_new(path: Path, data: bytes) -> None:
    """Write a new file atomically, never over one that exists, even one that appeared meanwhile:
    FileExistsError then, and nothing written (a hard link fails where a rename would replace)."""
    create_all({path: data})


def create_all(files: Mapping[Path, bytes]) -> list[Path]:
    """Create new files, all or none, never over an existing one (FileExistsError naming it, and nothing is left:
    neither a file nor a folder made for one); any other failure is a GlossdeckError naming the file."""
    transaction = _Transaction()
    created: list[Path] = []
    try:
        for target, data in files.items():
            transaction.stage(target, data)
        with _signals_deferred():
            for entry in transaction.entries:
                transaction.current = entry.target
                os.link(entry.staged, entry.target)  # fails where the file exists: nothing is ever replaced
                created.append(entry.target)
    except BaseException as error:
        with _signals_deferred():
            for path in created:
                path.unlink(missing_ok=True)
            transaction.discard()
        if isinstance(error, FileExistsError):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(transaction.current)) from error
        if isinstance(error, OSError):
            raise GlossdeckError([os_problem(error, transaction.current, "create this file")]) from error
        raise
    transaction.discard_staged()
    for folder in dict.fromkeys(target.parent for target in files):
        _sync_folder(folder)
    return created


@dataclass(frozen=True)
class _Entry:
    target: Path
    staged: Path  # the new file or folder, beside the target
    folder: bool


@dataclass(frozen=True)
class _Swapped:
    entry: _Entry
    old: Path | None  # the previous file (a hard link) or folder (renamed aside), kept until the end; None: new


class _Transaction:
    """What one write_all stages and swaps, and the folders it made; each recorded before it can be left behind."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.made: list[Path] = []  # folders created for the outputs, outermost first
        self.current: Path | None = None  # the output being staged, to name in an error

    def stage(self, target: Path, content: Content) -> None:
        self.current = target
        if isinstance(content, bytes):
            if target.is_dir():  # a rename cannot replace a folder: find out before anything is renamed
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            _refuse_in_place_of_special(target)
        else:
            _refuse_in_place_of_folder(target)
        self._make_folders(target.parent)
        if isinstance(content, bytes):
            with _signals_deferred():
                fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                self.entries.append(_Entry(target, Path(name), folder=False))
            _write_file(fd, Path(name), content)
        else:
            with _signals_deferred():
                name = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                self.entries.append(_Entry(target, Path(name), folder=True))
            _write_tree(Path(name), content)

    def _make_folders(self, folder: Path) -> None:
        """Create `folder` and any missing parents, recording each as it is made."""
        missing = []
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for each in reversed(missing):
            with _signals_deferred():
                each.mkdir()
                self.made.append(each)

    def discard_staged(self) -> None:
        for entry in self.entries:
            _remove(entry.staged)

    def discard(self) -> None:
        """Remove everything staged and every folder made for it (innermost first)."""
        with _signals_deferred():
            self.discard_staged()
            for folder in reversed(self.made):
                try:
                    folder.rmdir()
                except OSError:
                    pass  # not empty any more: someone else is using it

    def swap(self) -> None:
        """Swap every staged output in; if one fails, put back those already swapped, then report it."""
        done: list[_Swapped] = []
        with _signals_deferred():
            for entry in self.entries:
                try:
                    done.append(_swap_in(entry))
                except BaseException as error:
                    self.discard()
                    unrestored = _put_back(done)
                    if not isinstance(error, OSError):
                        raise
                    raise GlossdeckError([_swap_problem(error, entry, done, unrestored)],
                                         changed=unrestored) from error
            for swapped in done:
                if swapped.old is not None:
                    _remove(swapped.old)
        for folder in dict.fromkeys(entry.target.parent for entry in self.entries):
            _sync_folder(folder)


def _refuse_in_place_of_special(target: Path) -> None:
    """A file output replaces a file or nothing: never a device, a pipe or a socket (`-o /dev/null`, or
    /dev/stdout, a link to one), which the rename would replace with a file for everyone on the machine."""
    if target.exists() and not target.is_file():
        raise GlossdeckError([Problem(target, None, "is not a file but a device, a pipe or a socket: glossdeck writes "
                                      "a file whole and then puts it in place, which would replace it",
                                      "name a file to write, or leave out -o to print to standard output")])


def _refuse_in_place_of_folder(target: Path) -> None:
    """A folder output replaces a folder or nothing: never a symbolic link (nor the folder it leads to), nor a file."""
    if target.is_symlink():
        raise GlossdeckError([Problem(target, None, f"is a symbolic link (to {os.readlink(target)}), where this "
                                      "folder is written: glossdeck replaces the folder as a whole, and will neither "
                                      "replace the link nor empty the folder it leads to",
                                      "remove the link, or write into the folder it leads to with --out DIR "
                                      "(the output goes inside DIR)")])
    if target.exists() and not target.is_dir():
        raise GlossdeckError([Problem(target, None, "is a file, where this folder is written",
                                      "move the file away, or write elsewhere (build --out DIR)")])


def _write_file(fd: int, path: Path, data: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def _write_tree(folder: Path, files: Tree) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o644)
    os.chmod(folder, 0o755)


def _swap_in(entry: _Entry) -> _Swapped:
    target = entry.target
    if entry.folder:
        old = _aside(target) if os.path.lexists(target) else None
        if old is not None:
            os.rename(target, old)
        try:
            os.rename(entry.staged, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)
            raise
        return _Swapped(entry, old)
    old = _keep(target) if os.path.lexists(target) else None
    try:
        os.replace(entry.staged, target)
    except BaseException:
        if old is not None:
            _remove(old)
        raise
    return _Swapped(entry, old)


def _aside(target: Path) -> Path:
    """A free name beside `target` for its old version."""
    while True:
        name = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
        if not os.path.lexists(name):
            return name


def _keep(target: Path) -> Path:
    """Keep the old file under another name while the new one is renamed over it: a hard link costs nothing."""
    while True:
        old = _aside(target)
        try:
            os.link(target, old, follow_symlinks=False)
            return old
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: a copy then
            shutil.copy2(target, old, follow_symlinks=False)
            return old


def _put_back(done: list[_Swapped]) -> list[Path]:
    """Undo the swaps made, last first; return the outputs that could not be put back (left new)."""
    unrestored = []
    for swapped in reversed(done):
        target = swapped.entry.target
        try:
            if swapped.entry.folder:
                new = _aside(target)
                os.rename(target, new)
                if swapped.old is not None:
                    os.rename(swapped.old, target)
                shutil.rmtree(new, ignore_errors=True)
            elif swapped.old is not None:
                os.replace(swapped.old, target)
            else:
                target.unlink()
        except OSError:
            unrestored.append(target)
            if swapped.old is not None:
                _remove(swapped.old)
    return unrestored[::-1]


def _swap_problem(error: OSError, entry: _Entry, done: list[_Swapped], unrestored: list[Path]) -> Problem:
    what = "folder" if entry.folder else "file"
    problem = os_problem(error, entry.target, f"replace this {what}")
    if unrestored:
        message = f"{problem.message}; could not put back as they were: " + ", ".join(map(str, unrestored)) + \
            " (they are the new versions; the other outputs are as they were)"
    elif done:
        message = f"{problem.message}; the {len(done)} output{'s' if len(done) > 1 else ''} already replaced " \
            "(" + ", ".join(str(s.entry.target) for s in done) + ") were put back as they were"
    else:
        message = problem.message
    return Problem(problem.path, None, message, problem.hint)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP (they are delivered on leaving), where the system allows it: in the main
    thread of a POSIX process."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


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
