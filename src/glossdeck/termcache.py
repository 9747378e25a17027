"""The term cache: each term file's checked term and problems, remembered under the bytes they were made from."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from glossdeck import buildcache
from glossdeck.errors import Problem
from glossdeck.model import Source, Term
from glossdeck.seeds import Seed
from glossdeck.validate import TermLink

CACHE_ENV = "GLOSSDECK_CACHE_DIR"  # the cache's folder; set but empty: no cache
FORMAT = "glossdeck-terms-1"
KEEP_DAYS = 30


@dataclass(frozen=True)
class Checked:
    """One term file as `check` found it: its term with every quote located (None if it could not be read as one),
    the problems of reading and validating it, and those of finding its quotes, each in the order reported; and
    the links in its text (validate.term_links), which the checks across terms read; and the term's build key
    digest (buildcache.term_digest), once its quotes are found."""

    term: Term | None
    loaded: tuple[Problem, ...]
    resolved: tuple[Problem, ...] = ()
    links: tuple[TermLink, ...] = ()
    digest: str = ""


def cache_folder() -> Path | None:
    """Where caches live: $GLOSSDECK_CACHE_DIR, else the platform's cache folder for the user (never the project,
    whose files anyone may have written: a cache is unpickled, and only the user writes their own cache folder)."""
    named = os.environ.get(CACHE_ENV)
    if named is not None:
        return Path(named) if named.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "glossdeck" / "Cache" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "glossdeck"
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "glossdeck"


class TermCache:
    """The checked term files of one project. An entry is keyed on the file's bytes, the path its problems name,
    and a context digest of everything else a term's check reads: the sources, every seed's text, the working
    folder, glossdeck's code and the libraries it runs on. Any change there gives new keys, so a stale entry is
    never used: it is only left out when the cache is saved."""

    def __init__(self, root: Path, sources: dict[str, Source], seeds: dict[str, Seed]) -> None:
        folder = cache_folder()
        self.path = folder / f"terms-{_hex(os.fsencode(str(root.resolve())))[:32]}.pickle" if folder else None
        seed_texts = sorted((source, buildcache.plain(seed.source, root), _hex(seed.raw.encode("utf-8")))
                            for source, seed in seeds.items())  # a seed's text is strict UTF-8 (textfile.py)
        self.context = buildcache.digest({
            "root": str(root), "cwd": os.getcwd(), "code": buildcache.code_digest(),
            "environment": buildcache.environment(), "sources": buildcache.plain(sources, root),
            "seeds": seed_texts}).encode("ascii")
        self._stored = self._read()
        self._used: dict[str, Checked] = {}

    def checked(self, data: bytes, shown: Path, check_file: Callable[[bytes, Path], Checked]) -> Checked:
        """The file's check, remembered or made now by `check_file(data, shown)`."""
        key = _hex(self.context + b"\0" + os.fsencode(str(shown)) + b"\0" + data)
        entry = self._stored.get(key)
        if entry is None:
            entry = check_file(data, shown)
        self._used[key] = entry
        return entry

    def save(self) -> None:
        """Keep exactly the entries this run used; a cache that cannot be written is only slower next time."""
        if self.path is None:
            return
        if self._used.keys() == self._stored.keys():
            with contextlib.suppress(OSError):
                os.utime(self.path)  # still in use: not a cache to forget (_forget_old)
            return
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".terms-")
            with os.fdopen(handle, "wb") as file:
                pickle.dump({"format": FORMAT, "context": self.context, "entries": self._used}, file,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
            _forget_old(self.path.parent)
        except OSError:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def _read(self) -> dict[str, Checked]:
        if self.path is None:
            return {}
        try:
            with open(self.path, "rb") as file:
                if not _own(os.fstat(file.fileno())):
                    return {}
                stored = pickle.load(file)
        except Exception:  # missing, unreadable, cut short or from another glossdeck: an empty cache
            return {}
        if not (isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("context") == self.context
                and isinstance(stored.get("entries"), dict)):
            return {}
        return {key: entry for key, entry in stored["entries"].items() if isinstance(entry, Checked)}


def _own(status: os.stat_result) -> bool:
    """Whether a cache file is the user's alone: unpickling runs what the file says, so one that another user
    wrote, or could have (a shared GLOSSDECK_CACHE_DIR), is never read."""
    if os.name != "posix":
        return True  # elsewhere the user's cache folder is the user's by its place (%LOCALAPPDATA%)
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _forget_old(folder: Path) -> None:
    """Delete the caches of projects not checked for KEEP_DAYS (moved, deleted, or a test's), and temporary files
    as old that a stopped check left: the folder does not grow with every project ever checked."""
    oldest = time.time() - KEEP_DAYS * 86400
    for path in folder.glob("*terms-*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < oldest:
                path.unlink()


def _hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
