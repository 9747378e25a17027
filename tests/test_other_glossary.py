"""A second, unrelated glossary (tests/fixtures/other: public-domain founding texts) builds end to end, and its
deck sits beside the alignment deck in one real Anki collection: no GUID, note type or deck collides, and one
deck's note-type upgrade leaves the other's updates working."""

import re
import shutil

import pytest

pytest.importorskip("anki")
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition  # noqa: E402
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.render import anki as deck_renderer  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402
from tests.conftest import FIXTURES, make_project  # noqa: E402
from tests.pdf_reader import page_text  # noqa: E402

set_lang("en")
ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
UPGRADE = {"merge_notetypes": True, "update_notes": ALWAYS, "update_notetypes": ALWAYS}


@pytest.fixture
def other(tmp_path):
    root = tmp_path / "other"
    shutil.copytree(FIXTURES / "other", root)
    return root


def test_the_second_glossary_builds_every_output(other):
    result = pipeline.build(other, timestamp=1_700_000_000)
    assert {p.name for p in result.outputs.values()} == {
        "founding-texts.apkg", "founding-texts-booklet.pdf", "founding-texts-booklet-print.pdf",
        "founding-texts-cards.pdf", "founding-texts-site", "founding-texts-stardict.zip", "founding-texts.epub"}
    assert "consent of the governed" in (result.outputs["html"] / "index.html").read_text(encoding="utf-8")
    booklet = " ".join(page_text(result.outputs["booklet"]))
    assert "Founding Texts" in booklet and "consent of the governed" in booklet
    assert "Abraham Lincoln" in booklet and "alignment" not in booklet.lower()


def notes_by_deck(col):
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        deck = col.decks.name(note.cards()[0].did)
        found.setdefault(deck, []).append(note)
    return found


def test_beside_the_alignment_deck_nothing_collides(shipped, other, tmp_path):
    founding = pipeline.build(other, out=tmp_path / "out", targets=("deck",), timestamp=1_700_000_000)
    col = new_collection(tmp_path / "anki")
    first = import_package(col, shipped["deck"])
    second = import_package(col, founding.outputs["deck"])
    assert not second.updated and not second.duplicate and not second.conflicting
    assert len(second.new) == 4
    decks = notes_by_deck(col)
    assert set(decks) == {"AI Alignment Glossary", "Founding Texts"}
    assert len(decks["AI Alignment Glossary"]) == len(first.new) and len(decks["Founding Texts"]) == 4
    types = {deck: {n.mid for n in notes} for deck, notes in decks.items()}
    assert len(types["Founding Texts"]) == 1 and types["Founding Texts"].isdisjoint(types["AI Alignment Glossary"])
    guids = [n.guid for notes in decks.values() for n in notes]
    assert len(guids) == len(set(guids))
    note = col.get_note(col.find_notes('"Term:consent of the governed"')[0])
    answer = strip_html(note.cards()[0].answer())
    assert "The people’s agreement, from which a government draws its rightful power." in answer \
        or "The people's agreement, from which a government draws its rightful power." in answer
    assert "Second Continental Congress" in answer
    col.close()


def test_one_decks_note_type_upgrade_leaves_the_others_updates_alone(other, tmp_path, monkeypatch):
    """Measured with the real client: with one shared note type, this upgrade made every later update of the
    other deck conflict (Anki kept its old notes); with a note type per glossary it updates as usual."""
    fixture = make_project(tmp_path / "fixture")
    col = new_collection(tmp_path / "anki")
    import_package(col, pipeline.build(fixture, out=tmp_path / "a1", targets=("deck",),
                                       timestamp=1_700_000_000).outputs["deck"])
    import_package(col, pipeline.build(other, out=tmp_path / "b1", targets=("deck",),
                                       timestamp=1_700_000_500).outputs["deck"])
    # the fixture glossary is rebuilt by a newer glossdeck whose note type has one more field
    fields, render_fields, retired = deck_renderer.FIELDS, deck_renderer._fields, deck_renderer._retired_fields
    monkeypatch.setattr(deck_renderer, "FIELDS", [*fields, "Extra"])
    monkeypatch.setattr(deck_renderer, "MODEL_NAME", "glossdeck term (v3)")
    monkeypatch.setattr(deck_renderer, "_fields", lambda *args: [*render_fields(*args), ""])
    monkeypatch.setattr(deck_renderer, "_retired_fields", lambda *args: [*retired(*args), ""])
    upgraded = pipeline.build(fixture, out=tmp_path / "a2", targets=("deck",), timestamp=1_700_100_000)
    assert len(import_package(col, upgraded.outputs["deck"], **UPGRADE).updated) == 4
    monkeypatch.undo()
    # the other glossary's next release, built as before, imported with Anki's default options
    term = other / "glossary" / "terms" / "unalienable-rights.yaml"
    term.write_text(term.read_text().replace("by birth", "from birth"))
    log = import_package(col, pipeline.build(other, out=tmp_path / "b2", targets=("deck",),
                                             timestamp=1_700_200_000).outputs["deck"])
    assert (len(log.updated), len(log.duplicate), len(log.conflicting)) == (1, 3, 0)
    note = col.get_note(col.find_notes('"Term:unalienable rights"')[0])
    assert "from birth" in note["Gloss"]
    col.close()


def test_the_package_knows_nothing_of_the_shipped_glossary():
    from tests.conftest import REPO

    glossary, _ = pipeline.load_glossary(REPO)
    settings = glossary.settings
    names = {settings.title, settings.deck_name, settings.id, settings.output_base, "Noosphere89"}
    for source in glossary.sources.values():
        names |= {source.id, source.author, source.title}
    names |= {tag for term in glossary.terms for tag in term.tags}
    code = {path.name: path.read_text(encoding="utf-8").casefold()
            for path in (REPO / "src" / "glossdeck").rglob("*.py")}
    found = {(name, file) for name in names for file, text in code.items()
             if re.search(r"(?<![\w-])" + re.escape(name.casefold()) + r"(?![\w-])", text)}
    assert not found


def test_note_type_ids_are_fixed():
    from glossdeck.model import Settings

    # Changing the derivation makes Anki treat every glossary's next import as a different note type.
    assert deck_renderer.note_type(Settings(id="founding-texts", deck_name="Founding Texts")) == (
        1674725925, "glossdeck term (v2) · Founding Texts")
    assert deck_renderer.note_type(Settings(note_type_id=deck_renderer.MODEL_ID)) == (
        deck_renderer.MODEL_ID, deck_renderer.MODEL_NAME)
