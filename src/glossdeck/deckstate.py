"""The deck's recorded state (glossary/notes.lock): when each note's content last changed.

Anki updates a note on re-import only when the incoming note is newer than the
one it has. So each note carries the time its rendered content last changed:
unchanged notes keep their time (and are skipped), changed notes get a newer
one (and are updated). Recording those times makes builds reproducible: the
same glossary and the same lock file give the same bytes.

A changed note's time is the build's time, never later: Anki 2.1.66 to 24.11 stamp
an updated note with the time of the import, so a note time in the future would
make every later import rewrite it. Those versions cannot be served by any choice
of times (docs/deck.md, "Which Anki"); tests/compat proves what each version does.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from glossdeck.errors import Problem

LOCK_FILE = "glossary/notes.lock"
MODEL_KEY = "@model"
# A zip file (the .apkg) stores times from 1980 to 2107. A build's "now" must lie before 2100, so that
# the one-second bumps of later builds still fit and every time the lock records can be read back.
MIN_TIME, MAX_TIME, MAX_RECORDED = 315532800, 4102444800, 4354819200
TIME_RANGE = "outside the times a deck can carry (1980-01-01 to 2100-01-01 UTC)"
_PLAIN_KEY = re.compile(r'[^\s"#]\S*')
_LINE_BREAKING = re.compile("[\x7f-\x9f\u2028\u2029]")  # json.dumps escapes the other control characters
_RESTORE = 'expected `id time hash "Term"`, optionally followed by `retired`; restore the file from git, or delete ' \
    "the line (build writes it again)"
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
            shown_key = key if _PLAIN_KEY.fullmatch(key) else _json(key)
            line = f"{shown_key} {entry.mtime} {entry.digest} {_json(entry.name)}"
            lines.append(line + (" retired\n" if entry.retired else "\n"))
        return "".join(lines)


def _json(text: str) -> str:
    """A JSON string that stays on its line: JSON leaves NEL and the Unicode line separators raw."""
    return _LINE_BREAKING.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def digest(content: object) -> str:
    """A short, stable hash of JSON-able content."""
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def day_of(mtime: int) -> str:
    """A note time as the day a deck's description names its release by (UTC)."""
    return time.strftime("%Y-%m-%d", time.gmtime(mtime))


def valid_time(value: int) -> bool:
    """Whether a build may use this time as "now"."""
    return MIN_TIME <= value < MAX_TIME


def load(root: Path, shown: Path | None = None) -> tuple[DeckState, list[Problem]]:
    """Read the lock; every line that cannot be read is a problem at its line (`shown` is the path to name)."""
    path = root / LOCK_FILE
    where = shown or path
    if not path.exists():
        return DeckState(), []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except IsADirectoryError:
        return DeckState(), [Problem(where, None, "the deck state is a folder, not a file",
                                     f"move the folder away; build then writes a new {LOCK_FILE}")]
    except UnicodeDecodeError as error:
        return DeckState(), [Problem(where, error.object[:error.start].count(b"\n") + 1,
                                     "the deck state is not UTF-8 text", _RESTORE)]
    except OSError as error:
        return DeckState(), [Problem(where, None, f"cannot read the deck state: {error.strerror}",
                                     "check the file's permissions")]
    entries: dict[str, Entry] = {}
    first_line: dict[str, int] = {}
    problems = []
    # Only "\n" ends a line: str.splitlines would also break at characters a term's name may hold.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip() or line.startswith("#"):
            continue
        try:
            key, entry = _entry(line)
        except ValueError as error:
            problems.append(Problem(where, number, f"cannot read this line of the deck state: {error}", _RESTORE))
            continue
        if key in first_line:
            problems.append(Problem(where, number, f"`{key}` is recorded twice (first on line {first_line[key]})",
                                    "keep one of the two lines (git shows which is newer), or restore the file"))
            continue
        entries[key], first_line[key] = entry, number
    return DeckState(entries), problems


VIEW_MODEL_KEY = "@view-model"


def view_keys(term_key: str, holders: list[str]) -> list[str]:
    """The lock keys of a term's view cards: the term's key, then each holder, made unique."""
    keys: list[str] = []
    for holder in holders:
        base = f"{term_key}/view/" + (re.sub(r"[^\w]+", "-", holder.casefold()).strip("-") or "holder")
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}-{n}"
        keys.append(key)
    return keys


def is_view_key(key: str) -> bool:
    return "/view/" in key


CLOZE_MODEL_KEY = "@cloze-model"


def cloze_key(term_key: str, source: str, quote: str) -> str:
    """The lock key of a cloze card: the term's key and the quote it is made of, nothing else of the term."""
    return f"{term_key}/cloze/{digest([source, quote])}"


def is_cloze_key(key: str) -> bool:
    return "/cloze/" in key

def _entry(line: str) -> tuple[str, Entry]:
    """One line: id, time, hash, "name" as JSON, then `retired` or nothing; ValueError says what is wrong."""
    decoder = json.JSONDecoder()
    if line.startswith('"'):
        try:
            key, end = decoder.raw_decode(line)
        except json.JSONDecodeError:
            raise ValueError("the quoted id does not end") from None
        rest = line[end:].lstrip(" ")
    else:
        key, _, rest = line.partition(" ")
    mtime, _, rest = rest.partition(" ")
    digest_, _, rest = rest.partition(" ")
    if not isinstance(key, str) or not key:
        raise ValueError("no id")
    if not re.fullmatch(r"[0-9]{1,20}", mtime):
        raise ValueError(f"the time {mtime!r} is not a whole number of seconds")
    if not MIN_TIME <= int(mtime) < MAX_RECORDED:
        raise ValueError(f"the time {mtime} is outside the times a deck can carry (1980 to 2107)")
    if not re.fullmatch(r"[0-9a-f]{16}", digest_):
        raise ValueError(f"the hash {digest_!r} is not 16 hexadecimal digits")
    try:
        name, end = decoder.raw_decode(rest)
    except json.JSONDecodeError:
        raise ValueError('the term is not a quoted "name"') from None
    flag = rest[end:].strip()
    if not isinstance(name, str):
        raise ValueError('the term is not a quoted "name"')
    if flag not in ("", "retired"):
        raise ValueError(f"unexpected {flag!r} after the term (only `retired` may follow it)")
    return key, Entry(int(mtime), digest_, name, flag == "retired")
