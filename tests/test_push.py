"""`glossdeck push` into the real Anki desktop (26.9.3 and 24.11, with AnkiConnect), and every way it can fail."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from anki_desktop import VERSIONS, AnkiDesktop, free_port
from conftest import make_project
from glossdeck import push as pushing
from glossdeck.cli import main

RETIRED = "tag:glossdeck::retired"


def _push(root: Path, url: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["push", "--project", str(root), "--url", url, *args])


def _edit(root: Path, term: str, old: str, new: str) -> None:
    path = root / "glossary" / "terms" / f"{term}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _retire_orthogonality(root: Path) -> None:
    """Remove a term, and the links to it, so that the glossary stays valid."""
    (root / "glossary" / "terms" / "orthogonality-thesis.yaml").unlink()
    _edit(root, "mesa-optimizer", " See also [orthogonality thesis](#orthogonality-thesis).", "")
    _edit(root, "mesa-optimizer", "related: [orthogonality-thesis]", "related: []")


def _state(anki: AnkiDesktop) -> dict[int, Any]:
    """Every note's fields and tags and every card's scheduling, to show that nothing changed."""
    notes = anki.call("findNotes", query="deck:*")
    cards = anki.call("findCards", query="deck:*")
    return {"notes": anki.call("notesInfo", notes=notes), "cards": [
        {k: c[k] for k in ("cardId", "due", "interval", "reps", "queue", "mod", "deckName")}
        for c in anki.call("cardsInfo", cards=cards)]}


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def anki(request, tmp_path_factory):
    desktop = AnkiDesktop(request.param, tmp_path_factory.mktemp(f"anki-{request.param}"))
    yield desktop
    desktop.stop()


def test_push_updates_in_place_retires_and_is_idempotent(anki, tmp_path):
    root = make_project(tmp_path / "project")
    first = _push(root, anki.url)
    assert first.exit_code == 0, first.output
    assert "added: 4, updated: 0, unchanged: 0" in first.output
    assert len(anki.call("findNotes", query="deck:*")) == 4
    # Anki keeps each note's fields and tags exactly as the package has them: so a push reads again, after the
    # import, only the notes that were not yet as the deck has them (a 5,000-term push reads 5,000 notes once).
    imported = pushing.snapshot(pushing.AnkiConnect(anki.url), anki.call("findNotes", query="deck:*"))
    assert set(imported.values()) == pushing.package_states(root / "build" / "test-glossary.apkg")

    # A student studies corrigibility's first card.
    card = anki.call("findCards", query='"TermId:corrigibility"')[0]
    assert anki.call("answerCards", answers=[{"cardId": card, "ease": 3}]) == [True]
    reviews = anki.call("getReviewsOfCards", cards=[card])

    # The maintainer edits it: the same note is updated, its review history kept.
    _edit(root, "corrigibility", "switch it\n  off without resistance.", "switch it\n  off without resisting at all.")
    edited = _push(root, anki.url)
    assert edited.exit_code == 0 and "added: 0, updated: 1, unchanged: 3" in edited.output, edited.output
    note = anki.call("notesInfo", notes=anki.call("findNotes", query='"TermId:corrigibility"'))[0]
    assert "without resisting at all" in json.dumps(note["fields"]) and note["cards"][0] == card
    assert anki.call("getReviewsOfCards", cards=[card]) == reviews
    assert anki.call("cardsInfo", cards=[card])[0]["reps"] == 1

    # A failed build sends nothing: the removed term is not yet retired in Anki.
    _retire_orthogonality(root)
    _edit(root, "mesa-optimizer", "quote: ", "quote: NOT IN THE ESSAY ")
    before = _state(anki)
    failed = _push(root, anki.url)
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert _state(anki) == before and anki.call("findCards", query=RETIRED) == []
    _edit(root, "mesa-optimizer", "quote: NOT IN THE ESSAY ", "quote: ")

    # The removed term is retired: tagged by the import, its cards suspended by the push.
    retired = _push(root, anki.url)
    assert retired.exit_code == 0, retired.output
    assert "retired: 1 (1 newly; suspended now: 2 card(s))" in retired.output
    cards = anki.call("findCards", query=RETIRED)
    assert len(cards) == 2 and all(anki.call("areSuspended", cards=cards))

    # Nothing changed: a second push changes nothing at all.
    before = _state(anki)
    again = _push(root, anki.url)
    assert again.exit_code == 0 and "added: 0, updated: 0, unchanged: 4" in again.output
    assert "already suspended" in again.output
    assert _state(anki) == before

    # Deleting retired notes asks first; without a terminal it needs --yes, and then deletes exactly them.
    refused = _push(root, anki.url, "--delete-retired")
    assert refused.exit_code == 1 and "pass --yes" in refused.output and _state(anki) == before
    deleted = _push(root, anki.url, "--delete-retired", "--yes")
    assert deleted.exit_code == 0 and "1 note(s) of retired terms" in deleted.output and "deleted: 1" in deleted.output
    assert anki.call("findCards", query=RETIRED) == [] and len(anki.call("findNotes", query="deck:*")) == 3

    # The deck still carries the retired note; a later push does not bring it back.
    later = _push(root, anki.url)
    assert later.exit_code == 0 and "added: 0, updated: 0, unchanged: 3" in later.output
    assert "not added: 1" in later.output and anki.call("findCards", query=RETIRED) == []
    assert anki.call("cardsInfo", cards=[card])[0]["reps"] == 1


def test_a_new_collection_never_gets_notes_of_terms_retired_before(anki, tmp_path):
    """A glossary with a retired term in its history, pushed to a collection that never had it."""
    root = make_project(tmp_path / "project")
    assert _push(root, anki.url).exit_code == 0
    anki.call("deleteNotes", notes=anki.call("findNotes", query="deck:*"))  # as if a new student
    _retire_orthogonality(root)
    result = _push(root, anki.url)
    assert result.exit_code == 0 and "added: 3," in result.output and "not added: 1" in result.output
    assert anki.call("findNotes", query=RETIRED) == []


def test_after_the_import_a_push_reads_only_the_notes_the_deck_changes(anki, tmp_path, monkeypatch):
    """Every note is read once before the import; after it, only those that were not yet as the deck has them."""
    root = make_project(tmp_path / "project")
    anki.call("deleteNotes", notes=anki.call("findNotes", query="deck:*"))  # a collection of its own
    assert _push(root, anki.url).exit_code == 0
    _edit(root, "corrigibility", "switch it\n  off without resistance.", "switch it\n  off, never resisting.")
    asked: list[list[int]] = []
    real = pushing.AnkiConnect.call

    def recording(self: Any, action: str, timeout: float | None = None, **params: Any) -> Any:
        if action == "notesInfo":
            asked.append(params["notes"])
        return real(self, action, timeout, **params)

    monkeypatch.setattr(pushing.AnkiConnect, "call", recording)
    result = _push(root, anki.url)
    assert result.exit_code == 0 and "added: 0, updated: 1, unchanged: 3" in result.output, result.output
    assert [len(notes) for notes in asked] == [4, 1]
    assert asked[1] == anki.call("findNotes", query='"TermId:corrigibility"')


# --- every way it fails, against stand-ins for Anki ---------------------------------------------------------------


class StandIn:
    """An HTTP server on a free port that answers each AnkiConnect action as told, and records them."""

    def __init__(self, answer: Callable[[str, dict], Any]) -> None:
        self.actions: list[str] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.actions.append(request["action"])
                body = answer(request["action"], request.get("params", {}))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _anki_like(import_answer: Any = None, version: int = 6) -> Callable[[str, dict], Any]:
    def answer(action: str, params: dict) -> Any:
        if action == "version":
            return {"result": version, "error": None}
        if action == "importPackage":
            return import_answer
        if action in ("findNotes", "findCards"):
            return {"result": [], "error": None}
        if action == "multi":
            return {"result": [{"result": [], "error": None} for _ in params["actions"]], "error": None}
        return {"result": [], "error": None}
    return answer


@pytest.mark.parametrize("answer, message, hint", [
    (lambda a, p: b"<html><body>It works!</body></html>", "answered, but not in JSON: it is not AnkiConnect",
     "2055492159"),
    (lambda a, p: {"status": "ok"}, "answered JSON that is not AnkiConnect's", "2055492159"),
    (_anki_like(version=5), "AnkiConnect speaks version 5 of its protocol; glossdeck needs 6 or later",
     "update AnkiConnect"),
    (_anki_like({"result": None, "error": "[Errno 13] Permission denied: '/home/x/build/g.apkg'"}),
     "Anki could not import the deck: [Errno 13] Permission denied", "a Flatpak or snap Anki"),
    (_anki_like({"result": None, "error": "[Errno 2] No such file or directory"}),
     "Anki could not import the deck: [Errno 2] No such file", "build with --out into a folder Anki can read"),
    (_anki_like({"result": False, "error": None}), "Anki did not import the deck (no collection is open)",
     "open your profile in Anki"),
])
def test_each_failure_is_one_clear_message(tmp_path, answer, message, hint):
    root = make_project(tmp_path / "project")
    stand_in = StandIn(answer)
    try:
        result = _push(root, stand_in.url)
    finally:
        stand_in.close()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output and hint in result.output, result.output
    assert "suspend" not in stand_in.actions and "deleteNotes" not in stand_in.actions


def test_a_version_too_old_is_said_before_anything_is_built_or_sent(tmp_path):
    root = make_project(tmp_path / "project")
    stand_in = StandIn(_anki_like(version=4))
    try:
        result = _push(root, stand_in.url)
    finally:
        stand_in.close()
    assert result.exit_code == 1 and stand_in.actions == ["version"] and not (root / "build").exists()


@pytest.mark.parametrize("url", ["refused", "http://127.0.0.1:1/", "http://localhost:{port}"])
def test_no_anki_running_says_how_to_get_it(tmp_path, url):
    root = make_project(tmp_path / "project")
    address = url.format(port=free_port()) if url != "refused" else f"http://127.0.0.1:{free_port()}"
    result = _push(root, address)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"no Anki answers at {address}" in result.output
    assert "Tools → Add-ons → Get Add-ons…, code 2055492159" in result.output


def test_an_anki_that_does_not_answer_in_time(tmp_path):
    stand_in = StandIn(lambda action, params: time.sleep(2) or {"result": 6, "error": None})
    try:
        with pytest.raises(pushing.GlossdeckError) as caught:
            pushing.AnkiConnect(stand_in.url, timeout=0.5).call("version")
    finally:
        stand_in.close()
    assert caught.value.problems[0].message == f"Anki at {stand_in.url} did not answer within 0.5 s"
    assert "dialog open in Anki" in caught.value.problems[0].hint


def test_an_error_inside_multi_names_its_action():
    stand_in = StandIn(lambda action, params: {"result": [{"result": [], "error": None},
                                                          {"result": None, "error": "bad query"}], "error": None})
    try:
        with pytest.raises(pushing.AnkiError) as caught:
            pushing.AnkiConnect(stand_in.url).multi([("findNotes", {"query": "a"}), ("findCards", {"query": "("})])
    finally:
        stand_in.close()
    assert caught.value.action == "findCards" and "bad query" in caught.value.message
