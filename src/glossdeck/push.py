"""`glossdeck push`: the deck imported into a running Anki through AnkiConnect, its retired notes suspended."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from glossdeck import pipeline
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Glossary
from glossdeck.render import anki

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6  # AnkiConnect's protocol version that `multi` with `version` and `importPackage` need
RETIRED_TAG = "glossdeck::retired"
INSTALL_HINT = ("start Anki with the AnkiConnect add-on: in Anki, Tools → Add-ons → Get Add-ons…, code "
                "2055492159, then restart Anki")
TIMEOUT = 300.0  # seconds: importing a large deck into a large collection takes a while


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


class AnkiConnect:
    """A small client for AnkiConnect's JSON protocol over HTTP, with errors a user can act on."""

    def __init__(self, url: str, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout

    def call(self, action: str, **params: Any) -> Any:
        body = json.dumps({"action": action, "version": API_VERSION, "params": params}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise self._not_ankiconnect(f"answered HTTP {error.code}") from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise GlossdeckError([Problem(None, None, f"Anki at {self.url} did not answer within "
                                              f"{self.timeout:g} s", "is a dialog open in Anki? close it and "
                                              "push again")]) from None
            raise GlossdeckError([Problem(None, None, f"no Anki answers at {self.url} ({reason})",
                                          INSTALL_HINT)]) from None
        try:
            answer = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self._not_ankiconnect("answered, but not in JSON") from None
        if not isinstance(answer, dict) or set(answer) != {"result", "error"}:
            raise self._not_ankiconnect("answered JSON that is not AnkiConnect's")
        if answer["error"] is not None:
            raise AnkiError(action, str(answer["error"]))
        return answer["result"]

    def multi(self, actions: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        """Several actions in one request; each result, or an AnkiError for the first that failed."""
        results = self.call("multi", actions=[{"action": a, "params": p} for a, p in actions])
        out = []
        for (action, _), result in zip(actions, results):
            if isinstance(result, dict) and set(result) == {"result", "error"}:
                if result["error"] is not None:
                    raise AnkiError(action, str(result["error"]))
                result = result["result"]
            out.append(result)
        return out

    def _not_ankiconnect(self, what: str) -> GlossdeckError:
        return GlossdeckError([Problem(None, None, f"something at {self.url} {what}: it is not AnkiConnect",
                                       f"check --url; {INSTALL_HINT}")])


class AnkiError(GlossdeckError):
    """AnkiConnect answered, with an error of Anki's."""

    def __init__(self, action: str, message: str) -> None:
        self.action, self.message = action, message
        super().__init__([Problem(None, None, f"Anki refused `{action}`: {message}")])


def check_version(client: AnkiConnect) -> None:
    version = client.call("version")
    if not isinstance(version, int) or version < API_VERSION:
        raise GlossdeckError([Problem(None, None, f"AnkiConnect speaks version {version} of its protocol; "
                                      f"glossdeck needs {API_VERSION} or later",
                                      "update AnkiConnect: Tools → Add-ons → select it → Check for Updates")])


def note_query(glossary: Glossary) -> str:
    """Every note of this glossary's note types, wherever the student moved its cards."""
    return "(" + " OR ".join(f"mid:{model_id}" for model_id in anki.note_type_ids(glossary.settings)) + ")"


def snapshot(client: AnkiConnect, ids: list[int]) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each note's fields and tags, by note id."""
    infos = client.call("notesInfo", notes=ids) if ids else []
    found = {}
    for info in infos:
        if info:
            fields = tuple(value["value"] for value in sorted(info["fields"].values(), key=lambda v: v["order"]))
            found[int(info["noteId"])] = (fields, tuple(sorted(info["tags"])))
    return found


def push(root: Path, url: str = DEFAULT_URL, delete_retired: bool = False,
         confirm_delete: Callable[[int], bool] = lambda count: False,
         progress: Callable[[str], None] = lambda step: None) -> Report:
    """Build the deck if it changed, import it into the Anki at `url`, then suspend (or delete, if confirmed)
    the notes of retired terms. Nothing is swept when the build fails or holds no term."""
    client = AnkiConnect(url)
    check_version(client)  # before building: a missing Anki is said at once
    result = pipeline.build(root, targets=("deck",), progress=progress)  # raises, sweeping nothing, on a failure
    deck, glossary = result.outputs["deck"].resolve(), result.glossary
    query = note_query(glossary)
    progress("reading the glossary's notes in Anki")
    before = snapshot(client, client.call("findNotes", query=query))
    progress(f"importing {deck.name}")
    _import(client, deck)
    retired_query = f"tag:{RETIRED_TAG} -is:suspended {query}"
    ids, waiting = client.multi([("findNotes", {"query": query}), ("findCards", {"query": retired_query})])
    after = snapshot(client, ids)
    report = Report(deck)
    unknown_retired: list[int] = []  # terms retired before this collection ever had them: nothing to keep
    for note_id, state in after.items():
        retired = RETIRED_TAG in state[1]
        if note_id not in before:
            (unknown_retired if retired else report.added).append(note_id)
            continue
        (report.updated if before[note_id] != state else report.unchanged).append(note_id)
        if retired:
            report.retired.append(note_id)
            if RETIRED_TAG not in before[note_id][1]:
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
