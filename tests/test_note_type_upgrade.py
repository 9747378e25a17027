"""The v1 → v2 note-type upgrade in a real Anki collection: with the options docs/deck.md gives, no note
doubles, no review is lost, every note moves to the new type and every card renders."""

import shutil
from pathlib import Path

import pytest

pytest.importorskip("anki")
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition  # noqa: E402
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.render.anki import MODEL_NAME  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402
from tests.conftest import FIXTURES, make_project  # noqa: E402

set_lang("en")
ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
# What docs/deck.md and the deck's description tell a student to choose, once, for this upgrade.
UPGRADE = {"merge_notetypes": True, "update_notes": ALWAYS, "update_notetypes": ALWAYS}
DEFAULTS = {"merge_notetypes": False, "update_notes": IF_NEWER, "update_notetypes": IF_NEWER}
# The fixture project's deck as glossdeck 0.1 built it (note type v1), and the lock it left.
V1_DECK = FIXTURES / "decks" / "v1-test-glossary.apkg"
V1_LOCK = FIXTURES / "decks" / "v1-notes.lock"


@pytest.fixture
def studied_v1(tmp_path):
    """A collection that imported the v1 deck and answered three cards."""
    col = new_collection(tmp_path / "anki")
    import_package(col, V1_DECK)
    col.decks.select(col.decks.id_for_name("Test Glossary"))
    for _ in range(3):
        col.sched.answerCard(col.sched.getCard(), 3)
    yield col
    col.close()


@pytest.fixture
def v2_deck(tmp_path) -> Path:
    root = make_project(tmp_path / "p")
    shutil.copy(V1_LOCK, root / "glossary" / "notes.lock")
    return pipeline.build(root, out=root / "out", targets=("deck",), timestamp=1_700_000_000 + 86_400).outputs["deck"]


def history(col) -> tuple[list, list]:
    cards = col.db.all("select id, nid, ord, type, queue, due, ivl, reps from cards order by id")
    return cards, col.db.all("select id, cid, ease, ivl from revlog order by id")


def test_upgrade_keeps_every_note_card_and_review(studied_v1, v2_deck):
    col = studied_v1
    cards_before, reviews_before = history(col)
    notes_before = col.db.all("select id, guid from notes order by id")
    assert len(reviews_before) == 3

    log = import_package(col, v2_deck, **UPGRADE)

    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 4, 0)
    assert col.db.all("select id, guid from notes order by id") == notes_before  # same notes, none doubled
    assert history(col) == (cards_before, reviews_before)  # same cards, same scheduling, same reviews
    in_use = {m["name"]: len(col.models.nids(m["id"])) for m in col.models.all() if m["name"].startswith("glossdeck")}
    assert in_use == {MODEL_NAME: 4}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        question, answer = strip_html(card.question()).strip(), strip_html(card.answer()).strip()
        assert question and answer and "{{" not in card.answer()
    note = col.get_note(col.find_notes('"Term:mesa-optimizer"')[0])
    assert note["Gloss"].startswith("An optimizer produced by a training process")
    ask = strip_html(note.cards()[1].question())
    assert "Which term?" in ask and "training process" in ask and len(ask.split()) <= 40


def test_the_deck_tells_the_student_which_options_to_use(studied_v1, v2_deck):
    import_package(studied_v1, v2_deck, **UPGRADE)
    deck = studied_v1.decks.by_name("Test Glossary")
    text = strip_html(deck["desc"])
    assert "Merge note types on and Update notes set to Always" in text and MODEL_NAME in text


def test_default_options_leave_the_old_notes_and_say_so(studied_v1, v2_deck):
    """Without the upgrade options Anki keeps v1 unchanged and reports every note as conflicting."""
    col = studied_v1
    before = history(col)
    log = import_package(col, v2_deck, **DEFAULTS)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 4)
    assert history(col) == before
    # ... and the upgrade still works afterwards
    log = import_package(col, v2_deck, **UPGRADE)
    assert len(log.updated) == 4 and history(col) == before
