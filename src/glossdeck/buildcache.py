"""Content-addressed keys for the build targets, and the manifest beside the outputs that records them."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import sqlite3
import sys
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import glossdeck
from glossdeck.model import Changes, Glossary, Settings, Term

MANIFEST = ".glossdeck-build.json"
FORMAT, VERSION = "glossdeck-build", 1
PACKAGE = Path(glossdeck.__file__).resolve().parent

# The settings each renderer never reads: every other field (any added later too) is part of its key.
# tests/test_incremental.py changes each of these and checks that the target's bytes stay the same.
_CARD_SETTINGS = {"cards_paper", "card_size_mm", "card_flip", "card_back_offset_mm", "card_layout"}
_DECK_SETTINGS = {"deck_name", "id", "view_cards", "cloze_cards"}
UNREAD_SETTINGS = {
    "deck": {"paper", "title", "author", "language", "output_base", *_CARD_SETTINGS},
    "booklet": {"output_base", *_CARD_SETTINGS, *_DECK_SETTINGS},
    "cards": {"paper", "output_base", *_DECK_SETTINGS},
    "html": {"paper", "output_base", "release", "download_url", "note_type_id", *_CARD_SETTINGS, *_DECK_SETTINGS},
    "stardict": {"paper", "language", *_CARD_SETTINGS, *_DECK_SETTINGS},  # output_base names its folder and files
    # `id` makes the EPUB's identifier
    "epub": {"paper", "output_base", "deck_name", "view_cards", "cloze_cards", *_CARD_SETTINGS},
}
# The targets reportlab does not typeset, so that no RL_* variable touches them; every other target is keyed on
# those and on SOURCE_DATE_EPOCH, the PDFs' date (print through the booklet's key).
NOT_REPORTLAB = {"deck", "html", "stardict", "epub"}
DATED = {"stardict", "epub"}  # beyond reportlab's targets: their zip entries (and the EPUB's date) are dated
# glossdeck's own files that each renderer reads besides its Python (templates, stylesheets, scripts, fonts), as
# folders inside the package. A package file that no target claims keys every target, so a file added later is
# never missed. tests/test_incremental.py records every package file each renderer opens and fails on one that its
# target does not claim here.
PACKAGE_DATA = {
    "booklet": ("fonts",),
    "cards": ("fonts",),
    "html": ("render/site/templates", "render/site/static"),
    "epub": ("fonts", "render/epub/templates", "render/epub/static"),
}


_FIELDS: dict[type, tuple[str, ...]] = {}  # each dataclass's field names, looked up once: a glossary has many values


def plain(value: object, root: Path) -> Any:
    """A JSON-able copy of a glossary value: every field of every dataclass, paths relative to the project."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most values: answered first
        return value
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return [kind.__name__, {name: plain(getattr(value, name), root) for name in names}]
    if isinstance(value, dict):
        return [[plain(k, root), plain(v, root)] for k, v in value.items()]  # in order: renderers may iterate
    if isinstance(value, (list, tuple)):
        return [plain(item, root) for item in value]
    if isinstance(value, Path):
        # Paths are shown relative to the working folder: keyed from the project, a build from any folder,
        # or of a copied or moved project, finds its outputs current.
        return _relative(value, root, os.getcwd())
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no build key for a {type(value).__name__}")  # a new kind of field must be keyed, not missed


@functools.lru_cache(maxsize=4096)
def _relative(path: Path, root: Path, cwd: str) -> str:
    """path relative to root, both read from the working folder `cwd` (part of the cache's key, as it may change)."""
    return os.path.relpath(os.path.join(cwd, path), os.path.join(cwd, root))


def digest(content: object) -> str:
    # ASCII escapes, so that a path the file system could not decode (held as lone surrogates) is keyed too.
    data = json.dumps(content, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def term_digest(term: Term, root: Path) -> str:
    """A digest of every field of a checked term (paths as from the project `root`)."""
    return digest(plain(term, root))


def files_digest(folder: Path, pattern: str) -> str:
    """One digest over the names and contents of the files under `folder` that match `pattern`."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        data = path.read_bytes()
        hashed.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        hashed.update(data)
    return hashed.hexdigest()


def code_digest() -> str:
    """glossdeck's own source, so that an edited renderer rebuilds even before the version changes."""
    return files_digest(PACKAGE, "*.py")


def package_files() -> list[str]:
    """Every file of glossdeck's package but its Python, as paths inside the package."""
    return sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)


def reads(target: str, name: str) -> bool:
    """Whether the target's output depends on the package file `name` (a path inside the package)."""
    def within(folders: tuple[str, ...]) -> bool:
        return any(name == folder or name.startswith(folder + "/") for folder in folders)
    claimed = tuple(folder for folders in PACKAGE_DATA.values() for folder in folders)
    return within(PACKAGE_DATA.get(target, ())) or not within(claimed)


def package_digests() -> dict[str, str]:
    """The SHA-256 of each package file but the Python, by its path inside the package."""
    return {name: hashlib.sha256((PACKAGE / name).read_bytes()).hexdigest() for name in package_files()}


def data_digest(target: str, digests: dict[str, str] | None = None) -> str:
    """One digest over the names and bytes of the package files (templates, assets, fonts) the target reads."""
    digests = package_digests() if digests is None else digests
    return digest(sorted((name, sha) for name, sha in digests.items() if reads(target, name)))


def environment() -> dict[str, Any]:
    """What else shapes the bytes: glossdeck's version, Python, zlib, SQLite and every installed dependency."""
    return {"glossdeck": glossdeck.__version__, "python": sys.version, "zlib": zlib.ZLIB_RUNTIME_VERSION,
            "sqlite": sqlite3.sqlite_version, "libraries": _dependency_versions("glossdeck")}


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _dependency_versions(root: str) -> dict[str, str]:
    """The installed version of every distribution `root` needs, directly or not (extras left out)."""
    versions: dict[str, str] = {}
    waiting = [root]
    while waiting:
        name = waiting.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in versions:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            versions[key] = "absent"  # e.g. a requirement for another Python version
            continue
        versions[key] = dist.version
        for requirement in dist.requires or ():
            found = _REQUIREMENT_NAME.match(requirement)
            if found and "extra ==" not in requirement:
                waiting.append(found.group())
    versions.pop("glossdeck", None)  # its version is keyed from the running code, which tests can change
    return versions


class Keys:
    """The key of each target: a digest over exactly what its renderer reads, computed once per build."""

    def __init__(self, glossary: Glossary, release_notes: Changes | None = None,
                 term_digests: tuple[str, ...] | None = None) -> None:
        """`term_digests`: each term's term_digest, in the glossary's order, when known already (the term cache's)."""
        self.settings = glossary.settings
        self.root = glossary.root
        self.release_notes = plain(release_notes, glossary.root)
        # Settings are keyed per target; everything else in the glossary (terms, sources, resolved quotes) by all.
        whole = plain(dataclasses.replace(glossary, settings=Settings(), terms=()), glossary.root)
        if term_digests is None:
            term_digests = tuple(term_digest(term, glossary.root) for term in glossary.terms)
        elif len(term_digests) != len(glossary.terms):
            raise ValueError("one digest per term")
        self.common = digest({"glossary": whole, "terms": term_digests,
                              "code": code_digest(), "environment": environment()})
        self._data: dict[str, str] = {}
        self._package: dict[str, str] | None = None  # each package file hashed once, for every target

    def key(self, target: str, lock: bytes | None = None) -> str:
        """The target's key; the deck's also covers the lock it reads (`lock`, None when there is none)."""
        if target == "print":  # the print-ready file is the booklet imposed: a function of the booklet's key
            return digest({"target": "print", "booklet": self.key("booklet")})
        unread = UNREAD_SETTINGS.get(target, set())  # a target not listed is keyed on every setting
        settings = {name: value for name, value in plain(self.settings, Path())[1].items() if name not in unread}
        if target not in self._data:
            if self._package is None:
                self._package = package_digests()
            self._data[target] = data_digest(target, self._package)
        parts: dict[str, Any] = {"target": target, "common": self.common, "settings": settings,
                                 "package_data": self._data[target]}
        if target not in NOT_REPORTLAB or target in DATED:
            # reportlab dates every PDF from SOURCE_DATE_EPOCH when it is set (else, in invariant mode, from a
            # fixed date), and so are the zip files (pipeline.document_date). The site has no date, and the deck
            # does not depend on it: it is "now" only for notes that changed, and a deck rebuilt from the lock it
            # left changes no note.
            parts["date"] = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if target not in NOT_REPORTLAB:
            # reportlab also takes any of its settings from RL_<name> environment variables (rl_config).
            parts["reportlab_environment"] = sorted((k, v) for k, v in os.environ.items() if k.startswith("RL_"))
        if target == "deck":
            parts["lock"] = None if lock is None else hashlib.sha256(lock).hexdigest()
            parts["release_notes"] = self.release_notes  # its description carries them
        return digest(parts)


@dataclass(frozen=True)
class Recorded:
    """What the manifest records for one output: its file name, its key, and the digest of the bytes written."""

    file: str
    key: str
    sha256: str


def read_manifest(path: Path) -> dict[str, Recorded]:
    """The recorded outputs; a missing or damaged manifest records nothing, so everything is rebuilt."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        return {}
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    return {name: Recorded(entry["file"], entry["key"], entry["sha256"]) for name, entry in outputs.items()
            if isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("file", "key", "sha256"))}


def manifest_bytes(recorded: dict[str, Recorded]) -> bytes:
    outputs = {name: dataclasses.asdict(entry) for name, entry in sorted(recorded.items())}
    return (json.dumps({"format": FORMAT, "version": VERSION, "outputs": outputs}, indent=2) + "\n").encode()


def record(file: Path, key: str, data: bytes) -> Recorded:
    return Recorded(file.name, key, hashlib.sha256(data).hexdigest())


def current_bytes(file: Path, key: str, recorded: Recorded | None) -> bytes | None:
    """The output's bytes if it is exactly what the manifest records for this key, else None (rebuild it)."""
    if recorded is None or recorded.file != file.name or recorded.key != key:
        return None
    try:
        data = file.read_bytes()
    except OSError:  # deleted, a folder, unreadable: rebuilt (and any error then reported by the write)
        return None
    return data if hashlib.sha256(data).hexdigest() == recorded.sha256 else None


def site_digest(files: dict[str, bytes]) -> str:
    """One digest for a folder output (the web site): every file's path and bytes."""
    return digest(sorted((path, hashlib.sha256(data).hexdigest()) for path, data in files.items()))


def current_site(folder: Path, key: str, recorded: Recorded | None) -> bool:
    """Whether the site folder is exactly what the manifest records for this key (else rebuild it)."""
    if recorded is None or recorded.file != folder.name or recorded.key != key or not folder.is_dir():
        return False
    try:
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    except OSError:
        return False
    return site_digest(files) == recorded.sha256
