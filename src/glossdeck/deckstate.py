"""The deck's recorded state (glossary/notes.lock): when each note's content last changed.

Anki updates a note on re-import only when the incoming note is newer than the
one it has. So each note carries the time its rendered content last changed:
unchanged notes keep their time (and are skipped), changed notes get a newer
one (and are updated). Recording those times makes builds reproducible: the
same glossary and the same lock file give the same bytes.

A changed note's time is the build's time, never later: Anki 2.1.66 to 24.11 stamp
an updated note with the time of the import, so a note time in the future would
make every later import rewrite it. Those versions cannot be served by any choice
of times (README, "Which Anki"); tests/compat proves what each version does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from glossdeck.errors import Problem

LOCK_FILE = "glossary/notes.lock"
MODEL_KEY = "@model"
_HEADER = """\
# glossdeck deck state, kept current by `glossdeck build`: commit it with the glossary.
# One line per note: id, when its content last changed (Unix time), a hash of that content,
# and the term. A line ending in `retired` is a removed term that the deck still carries,
# marked retired, so that students see it is gone; delete the line to drop it from the deck.
"""


@dataclass(frozen=True)
class Entry:
    """What the lock records for one note (or for the note type, under MODEL_KEY)."""

    mtime: int
    digest: str
    name: str = ""
    retired: bool = False


@dataclass(frozen=True)
class DeckState:
    entries: dict[str, Entry] = field(default_factory=dict)

    def stamp(self, key: str, digest: str, name: str, now: int) -> Entry:
        """The entry for content with this digest: kept if unchanged, else stamped newer than before."""
        old = self.entries.get(key)
        if old is not None and old.digest == digest and not old.retired:
            return old
        return Entry(max(now, old.mtime + 1) if old is not None else now, digest, name)

    def retire(self, key: str, digest: str, now: int) -> Entry:
        """The entry for a removed term: stamped newer once, when it is first retired."""
        old = self.entries[key]
        if old.retired:
            return old
        return Entry(max(now, old.mtime + 1), digest, old.name, retired=True)

    def renamed(self, old_ids: tuple[str, ...], new_id: str) -> DeckState:
        """Carry an old id's entry over to a renamed term, so its time keeps increasing."""
        if new_id in self.entries:
            return self
        for old in old_ids:
            if old in self.entries:
                entries = {k: v for k, v in self.entries.items() if k != old}
                entries[new_id] = self.entries[old]
                return DeckState(entries)
        return self

    def to_text(self) -> str:
        lines = [_HEADER]
        for key in sorted(self.entries, key=lambda k: (k != MODEL_KEY, k)):
            entry = self.entries[key]
            line = f"{key} {entry.mtime} {entry.digest} {json.dumps(entry.name, ensure_ascii=False)}"
            lines.append(line + (" retired\n" if entry.retired else "\n"))
        return "".join(lines)


def digest(content: object) -> str:
    """A short, stable hash of JSON-able content."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def load(root: Path) -> tuple[DeckState, list[Problem]]:
    path = root / LOCK_FILE
    if not path.is_file():
        return DeckState(), []
    entries: dict[str, Entry] = {}
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            key, mtime, digest_, rest = line.split(" ", 3)
            name, end = json.JSONDecoder().raw_decode(rest)
            flag = rest[end:].strip()
            if not isinstance(name, str) or flag not in ("", "retired"):
                raise ValueError(flag)
            entries[key] = Entry(int(mtime), digest_, name, flag == "retired")
        except ValueError:
            problems.append(Problem(path, number, "cannot read this line of the deck state",
                                    'expected `id time hash "Term"`, optionally followed by `retired`; '
                                    "restore the file from git, or delete the line"))
    return DeckState(entries), problems
