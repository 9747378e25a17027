"""The deck on every tested Anki release: each in its own venv, driven by driver.py, as a student uses it.

Decks are built here with the project's code; driver.py imports and studies them inside a
venv holding one release of the official `anki` package (made once under .venv-anki/<version>,
or $GLOSSDECK_ANKI_VENVS, and reused). Times are real: "built before the import" means the
build's note times are earlier than the import's clock, as for a student catching up.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from glossdeck import pipeline
from tests.conftest import NEW_TERM, REPO, make_project
from tests.tools import cached_venv

# Each tested release (pinned), with what pip needs beside it: 2.1.49 has only the legacy
# importer; 2.1.66 the new one without options; 23.10 the first import options; 24.11 is
# the last that stamps updates with the import time, 25.02 the first that keeps the
# package's time again; and the newest.
VERSIONS = {
    "2.1.49": ["anki==2.1.49", "protobuf<4"],  # its generated code predates protobuf 4
    "2.1.66": ["anki==2.1.66"],
    "23.10": ["anki==23.10.1"],
    "24.11": ["anki==24.11"],
    "25.02": ["anki==25.2.7"],
    "26.9": ["anki==26.9.3"],
}
# Releases whose new importer stamps an updated note with the import time (see README).
IMPORT_TIME_STAMPERS = {"2.1.66", "23.10", "24.11"}
# Releases that can merge a changed note type into the old one (import option).
MERGES_NOTE_TYPES = {"23.10", "24.11", "25.02", "26.9"}
DECK = "Test Glossary"
DAY = 86_400
DRIVER = Path(__file__).with_name("driver.py")
ALWAYS = {"update_notes": "always"}
UPGRADE = {"merge_notetypes": True, "update_notes": "always"}  # the README's advice for a note-type change


def venv_python(version: str) -> Path:
    """The venv's python for one Anki release, made on first use and reused afterwards."""
    cache = Path(os.environ.get("GLOSSDECK_ANKI_VENVS", REPO / ".venv-anki"))
    return cached_venv(cache / version, VERSIONS[version], f"Anki {version}")


def _numbers(version: str) -> tuple[int, ...]:
    """25.02.7 and 25.2.7 alike (Anki's own version string pads the month)."""
    return tuple(int(part) for part in version.split("."))


class Student:
    """One student's Anki collection on one release; each call opens it, does the steps and closes it."""

    def __init__(self, version: str, folder: Path):
        self.version, self.python = version, venv_python(version)
        folder.mkdir(parents=True)
        self.collection, self.output = folder / "collection.anki2", folder / "result.json"

    def run(self, *steps: dict) -> list[dict]:
        plan = {"collection": str(self.collection), "output": str(self.output), "steps": list(steps)}
        done = subprocess.run([str(self.python), str(DRIVER), json.dumps(plan)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        result = json.loads(self.output.read_text())
        pinned = VERSIONS[self.version][0].split("==")[1]
        assert _numbers(result["anki"]) == _numbers(pinned), f"the venv runs Anki {result['anki']}, not {pinned}"
        return result["results"]

    def upgraded(self, version: str) -> Student:
        """The same collection, opened by another Anki release (the student upgraded Anki)."""
        other = Student.__new__(Student)
        other.version, other.python = version, venv_python(version)
        other.collection, other.output = self.collection, self.output
        return other

    def imports(self, package: Path, legacy: bool = False, **options: object) -> dict:
        return self.run({"do": "import", "package": str(package), "options": options, "legacy": legacy})[0]

    def notes(self) -> dict[str, dict]:
        """Notes by term id."""
        notes = self.run({"do": "notes"})[0]["notes"]
        return {n["fields"]["TermId"]: n for n in notes.values()}

    def scheduling(self) -> dict:
        return self.run({"do": "scheduling"})[0]


class Maintainer:
    """The glossary project: edits terms and builds releases at given times."""

    def __init__(self, folder: Path):
        self.root = make_project(folder)
        self.releases = 0

    def edit(self, term_id: str, old: str, new: str) -> None:
        path = self.root / "glossary" / "terms" / f"{term_id}.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def add(self, term_id: str, text: str) -> None:
        (self.root / "glossary" / "terms" / f"{term_id}.yaml").write_text(text, encoding="utf-8")

    def build(self, when: int) -> Path:
        self.releases += 1
        out = self.root / f"r{self.releases}"
        return pipeline.build(self.root, out=out, targets=("deck",), timestamp=int(when)).outputs["deck"]


def definition(student_notes: dict[str, dict], term_id: str) -> str:
    return student_notes[term_id]["fields"]["Definition"]


def cards_of(schedule: dict) -> dict:
    return schedule["cards"]


@pytest.fixture(params=list(VERSIONS))
def version(request) -> str:
    return request.param


@pytest.fixture
def maintainer(tmp_path) -> Maintainer:
    return Maintainer(tmp_path / "project")


def test_first_import_renders_every_card(version, maintainer, tmp_path):
    student = Student(version, tmp_path / "anki")
    r1 = maintainer.build(time.time() - 10 * DAY)
    imported, rendered, deck = student.run({"do": "import", "package": str(r1)}, {"do": "render", "deck": DECK},
                                           {"do": "deck", "deck": DECK})
    assert imported["new"] == ["corrigibility", "mesa-optimizer", "orthogonality-thesis", "sharp-left-turn"]
    cards = rendered["cards"]
    assert [(c["term_id"], c["ord"]) for c in cards] == [(t, o) for t in imported["new"] for o in (0, 1)]
    terms = {n: f["fields"]["Term"] for n, f in student.notes().items()}
    for card in cards:
        term = terms[card["term_id"]]
        assert "{{" not in card["question"] + card["answer"]
        if card["ord"] == 0:  # term -> definition
            assert f'<div class="term">{term}</div>' in card["question"]
            assert '<div class="definition">' in card["answer"]
        else:  # definition -> term: the question must not give the term away
            assert term not in card["question"].split("</style>")[-1]
            assert f'<div class="term">{term}</div>' in card["answer"]
    assert "Release of " in deck["description"] and "import the newest" in deck["description"]
    # a second import of the same release changes nothing
    assert (student.imports(r1)["new"], student.imports(r1)["changed"]) == ([], [])


def test_study_then_update_with_an_edited_and_an_added_term(version, maintainer, tmp_path):
    student = Student(version, tmp_path / "anki")
    imported, studied, _ = student.run({"do": "import", "package": str(maintainer.build(time.time() - 10 * DAY))},
                                       {"do": "study", "deck": DECK, "answers": 3},
                                       {"do": "edit", "term_id": "corrigibility", "field": "Aliases",
                                        "value": "my own note"})
    before = student.scheduling()
    assert before["revlog"] == 3
    # The next release is built after that import, and imported after it is built.
    maintainer.edit("orthogonality-thesis", "can vary\n  independently.", "can vary\n  independently of each other.")
    maintainer.add("alignment-tax", NEW_TERM)
    r2 = maintainer.build(imported["finished"] + 1)
    time.sleep(max(0.0, imported["finished"] + 2 - time.time()))
    update = student.imports(r2)
    assert (update["changed"], update["new"]) == (["orthogonality-thesis"], ["alignment-tax"])
    notes = student.notes()
    assert "independently of each other." in definition(notes, "orthogonality-thesis")
    assert notes["corrigibility"]["fields"]["Aliases"] == "my own note"  # the student's edit stays
    after = student.scheduling()
    assert {cid: cards_of(after)[cid] for cid in cards_of(before)} == cards_of(before)
    assert after["revlog"] == 3 and len(cards_of(after)) == 10
    again = student.imports(r2)
    assert (again["changed"], again["new"]) == ([], [])
    assert student.notes() == notes
    when = time.strftime("%Y-%m-%d", time.gmtime(imported["finished"] + 1))
    assert f"Release of {when}" in student.run({"do": "deck", "deck": DECK})[0]["description"]


def late_releases(maintainer: Maintainer) -> tuple[Path, Path, Path]:
    """Three releases built days before the student imports any of them; r2 and r3 both edit one term."""
    now = time.time()
    r1 = maintainer.build(now - 10 * DAY)
    maintainer.edit("orthogonality-thesis", "can vary\n  independently.", "can vary\n  independently (r2).")
    r2 = maintainer.build(now - 5 * DAY)
    maintainer.edit("orthogonality-thesis", "independently (r2).", "independently (r3).")
    maintainer.edit("corrigibility", "without resistance.", "without resisting (r3).")
    maintainer.add("alignment-tax", NEW_TERM)
    r3 = maintainer.build(now - 4 * DAY)
    return r1, r2, r3


def test_late_import_of_two_releases(version, maintainer, tmp_path):
    r1, r2, r3 = late_releases(maintainer)
    student = Student(version, tmp_path / "anki")
    student.run({"do": "import", "package": str(r1)}, {"do": "study", "deck": DECK, "answers": 3})
    before = student.scheduling()
    second, third = student.run({"do": "import", "package": str(r2)}, {"do": "import", "package": str(r3)})
    assert second["changed"] == ["orthogonality-thesis"]
    notes = student.notes()
    assert "(r3)" in definition(notes, "corrigibility") and "alignment-tax" in notes
    if version in IMPORT_TIME_STAMPERS:
        # The known fault (README): r2's update was stamped with today's time, which beats r3's.
        assert third["changed"] == ["corrigibility"]
        assert "(r2)" in definition(notes, "orthogonality-thesis")
        if version == "2.1.66":  # no import option there: the README's advice is to upgrade Anki, then this
            student = student.upgraded("26.9")
        repaired = student.imports(r3, **ALWAYS)  # the deck's advice: import the newest again, Update notes: Always
        assert "orthogonality-thesis" in repaired["changed_content"]
        notes = student.notes()
    assert "(r3)" in definition(notes, "orthogonality-thesis")
    after = student.scheduling()
    assert {cid: cards_of(after)[cid] for cid in cards_of(before)} == cards_of(before)
    assert after["revlog"] == before["revlog"] == 3
    # Importing the older release again afterwards reverts nothing, and the newest again is a no-op.
    assert student.imports(r2)["changed"] == [] and student.imports(r3)["changed"] == []
    assert student.notes() == notes


def test_catching_up_with_the_newest_release_only(version, maintainer, tmp_path):
    r1, _, r3 = late_releases(maintainer)
    student = Student(version, tmp_path / "anki")
    student.imports(r1)
    update = student.imports(r3)
    assert (update["changed"], update["new"]) == (["corrigibility", "orthogonality-thesis"], ["alignment-tax"])
    assert "(r3)" in definition(student.notes(), "orthogonality-thesis")


@pytest.mark.parametrize("version", ["2.1.66"])
def test_legacy_import_handling_keeps_late_updates(version, maintainer, tmp_path):
    """2.1.66 desktop's Preferences > Legacy import/export handling keeps the package's note times."""
    r1, r2, r3 = late_releases(maintainer)
    student = Student(version, tmp_path / "anki")
    for release in (r1, r2, r3):
        student.imports(release, legacy=True)
    assert "(r3)" in definition(student.notes(), "orthogonality-thesis")
    assert student.imports(r3, legacy=True)["changed"] == []


def test_restyled_note_type_reaches_students(version, maintainer, tmp_path, monkeypatch):
    from glossdeck.render import anki as deck_renderer

    student = Student(version, tmp_path / "anki")
    student.imports(maintainer.build(time.time() - 10 * DAY))
    monkeypatch.setattr(deck_renderer, "CSS", deck_renderer.CSS + ".term { letter-spacing: .01em; }\n")
    update = student.imports(maintainer.build(time.time() - 9 * DAY))
    assert update["changed"] == []  # the notes' content did not change
    css = student.run({"do": "deck", "deck": DECK})[0]["css"]
    assert "letter-spacing: .01em" in css[deck_renderer.MODEL_NAME]


def test_note_type_upgrade(version, maintainer, tmp_path, monkeypatch):
    """A schema change (a new field, name "(v3)"): merged on releases that can, harmless on the others."""
    from glossdeck.render import anki as deck_renderer

    student = Student(version, tmp_path / "anki")
    student.run({"do": "import", "package": str(maintainer.build(time.time() - 10 * DAY))},
                {"do": "study", "deck": DECK, "answers": 3})
    before = student.scheduling()
    fields = deck_renderer._fields
    monkeypatch.setattr(deck_renderer, "MODEL_NAME", "glossdeck term (v3)")
    monkeypatch.setattr(deck_renderer, "FIELDS", [*deck_renderer.FIELDS, "Mnemonic"])
    monkeypatch.setattr(deck_renderer, "_fields", lambda *args: [*fields(*args), "a memory aid"])
    v2 = maintainer.build(time.time() - 9 * DAY)
    if version in MERGES_NOTE_TYPES:
        upgrade = student.imports(v2, **UPGRADE)
        assert len(upgrade["changed_content"]) == 4
        notes = student.notes()
        assert {n["notetype"] for n in notes.values()} == {"glossdeck term (v3)"}
        assert {n["fields"]["Mnemonic"] for n in notes.values()} == {"a memory aid"}
        after = student.scheduling()
        assert cards_of(after) == cards_of(before) and after["revlog"] == 3
        assert student.imports(v2)["changed"] == []  # then the defaults again: a no-op
    else:
        # No merge option: Anki keeps the old notes untouched and adds no copies (README: upgrade Anki first).
        untouched = student.notes()
        upgrade = student.imports(v2)
        assert (upgrade["changed"], upgrade["new"]) == ([], [])
        assert student.notes() == untouched
        assert cards_of(student.scheduling()) == cards_of(before)
