"""`glossdeck push`: the deck imported into a running Anki through AnkiConnect, its retired notes suspended."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from glossdeck import pipeline
from glossdeck.ankiconnect import DEFAULT_URL, AnkiConnect, AnkiError, check_version
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Settings
from glossdeck.render import anki

__all__ = ["AnkiConnect", "AnkiError", "GlossdeckError", "push"]  # the client is read from here too
RETIRED_TAG = "glossdeck::retired"
State = tuple[tuple[str, ...], tuple[str, ...]]  # a note's fields and its sorted tags


@dataclass
class Report:
    """What a push did: note ids by what became of them."""

    deck: Path
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)  # every retired note of this glossary in the collection
    newly_retired: list[int] = field(default_factory=list)
    suspended: int = 0  # cards of retired notes suspended by this push
    deleted: int = 0
    not_kept: int = 0  # notes of terms retired before this collection had them, which the import added


def note_query(settings: Settings) -> str:
    """Every note of the glossary's note types, wherever the student moved its cards."""
    return "(" + " OR ".join(f"mid:{model_id}" for model_id in anki.note_type_ids(settings)) + ")"


def notes_in_anki(client: AnkiConnect, query: str) -> tuple[list[int], dict[int, State]]:
    """The ids of the notes the query finds, and each one's fields and tags."""
    known = client.call("findNotes", query=query)
    return known, snapshot(client, known)


def package_states(deck: Path) -> set[State]:
    """The fields and tags of every note the .apkg holds, as Anki shows them once imported."""
    with zipfile.ZipFile(deck) as archive, tempfile.TemporaryDirectory() as folder:
        collection = Path(folder) / "collection.anki2"
        collection.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(collection)
        try:
            rows = connection.execute("SELECT flds, tags FROM notes").fetchall()
        finally:
            connection.close()
    return {(tuple(fields.split("\x1f")), tuple(sorted(tags.split()))) for fields, tags in rows}


def snapshot(client: AnkiConnect, ids: list[int]) -> dict[int, State]:
    """Each note's fields and tags, by note id (a note deleted meanwhile is left out)."""
    infos = client.call("notesInfo", notes=ids) if ids else []
    found = {}
    for info in infos:
        if info:
            fields = tuple(value["value"] for value in sorted(info["fields"].values(), key=lambda v: v["order"]))
            found[int(info["noteId"])] = (fields, tuple(sorted(info["tags"])))
    if not set(found) <= set(ids):  # an answer about other notes than those asked about is no answer
        raise GlossdeckError([Problem(None, None, f"Anki at {client.url} answered `notesInfo` about notes it was "
                                      "not asked about", "push again; if it happens again, update AnkiConnect")])
    return found


class _Reading(threading.Thread):
    """notes_in_anki on a daemon thread, so that a push whose build fails never waits for an Anki slow to answer."""

    def __init__(self, client: AnkiConnect, query: str) -> None:
        super().__init__(name="glossdeck-anki-reading", daemon=True)
        self.client, self.query = client, query
        self.found: tuple[list[int], dict[int, State]] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.found = notes_in_anki(self.client, self.query)
        except BaseException as error:  # handed to the push, which raises it as its own
            self.error = error

    def outcome(self) -> tuple[list[int], dict[int, State]]:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.found is not None
        return self.found


def push(root: Path, url: str = DEFAULT_URL, delete_retired: bool = False,
         confirm_delete: Callable[[int], bool] = lambda count: False,
         progress: Callable[[str], None] = lambda step: None) -> Report:
    """Build the deck if it changed, import it into the Anki at `url`, then suspend (or delete, if confirmed)
    the notes of retired terms. Nothing is swept when the build fails or holds no term."""
    client = AnkiConnect(url)  # an address that is none is said before anything else
    check_version(client)  # before building: a missing Anki is said at once
    # Anki reads out the glossary's notes while the deck is built: nothing is sent to Anki until both are done.
    expected = note_query(pipeline.load_settings(root))
    reading = _Reading(AnkiConnect(client.url, client.timeout), expected)
    reading.start()
    # A failed build is said at once, sweeping nothing: the reading is left to end (or die with the process).
    result = pipeline.build(root, targets=("deck",), progress=progress)
    deck, glossary = result.outputs["deck"].resolve(), result.glossary
    query = note_query(glossary.settings)
    progress("reading the glossary's notes in Anki")
    # settings edited while building name other note types: read again
    known, before = reading.outcome() if query == expected else notes_in_anki(client, query)
    # A note already as the deck has it cannot be changed by the import: only the others are read again after it.
    in_deck = package_states(deck)
    unsettled = {note_id for note_id, state in before.items() if state not in in_deck}
    progress(f"importing {deck.name}")
    _import(client, deck)
    try:
        return _sweep(client, Report(deck), query, set(known), before, unsettled, delete_retired, confirm_delete)
    except GlossdeckError as error:  # Anki stopped answering, or answered garbage, after the import
        raise GlossdeckError(error.problems + [Problem(
            deck, None, "Anki has imported the deck; only the count and the sweep of retired notes did not finish",
            "push again once Anki answers: the import then changes nothing, and the sweep finishes")]) from None


def _sweep(client: AnkiConnect, report: Report, query: str, known: set[int], before: dict[int, State],
           unsettled: set[int], delete_retired: bool, confirm_delete: Callable[[int], bool]) -> Report:
    """Count what the import did; suspend (or delete) the notes of retired terms. A note that was in the collection
    before the import is never deleted unasked, whatever Anki said of it. Only new notes and those `unsettled`
    (not yet as the deck has them) are read again: every other note is as it was before the import."""
    retired_query = f"tag:{RETIRED_TAG} -is:suspended {query}"
    ids, waiting = client.multi([("findNotes", {"query": query}), ("findCards", {"query": retired_query})])
    fresh = snapshot(client, [note_id for note_id in ids if note_id not in before or note_id in unsettled])
    after = {note_id: fresh[note_id] if note_id in fresh else before[note_id] for note_id in ids
             if note_id in fresh or (note_id in before and note_id not in unsettled)}
    unknown_retired: list[int] = []  # terms retired before this collection ever had them: nothing to keep
    for note_id, state in after.items():
        retired = RETIRED_TAG in state[1]
        if note_id not in known:
            (unknown_retired if retired else report.added).append(note_id)
            continue
        (report.updated if before.get(note_id) != state else report.unchanged).append(note_id)
        if retired:
            report.retired.append(note_id)
            if RETIRED_TAG not in before.get(note_id, ((), ()))[1]:
                report.newly_retired.append(note_id)
    if unknown_retired:
        client.call("deleteNotes", notes=unknown_retired)
        report.not_kept = len(unknown_retired)
        waiting = client.call("findCards", query=retired_query)
    if report.retired and delete_retired and confirm_delete(len(report.retired)):
        client.call("deleteNotes", notes=report.retired)
        report.deleted = len(report.retired)
    elif report.retired:
        if waiting:
            client.call("suspend", cards=waiting)
        report.suspended = len(waiting)
    return report


def _import(client: AnkiConnect, deck: Path) -> None:
    try:
        imported = client.call("importPackage", path=str(deck))
    except AnkiError as error:
        raise GlossdeckError([Problem(deck, None, f"Anki could not import the deck: {error.message}",
                                      "Anki must run on this computer as a user who can read that file "
                                      "(a Flatpak or snap Anki may not see this folder): build with --out "
                                      "into a folder Anki can read, or import the file by hand")]) from None
    if imported is not True:
        raise GlossdeckError([Problem(deck, None, "Anki did not import the deck (no collection is open)",
                                      "open your profile in Anki, then push again")])
