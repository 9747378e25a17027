"""Re-importing rebuilt decks into a real Anki collection: updates land, history stays, nothing doubles."""

from pathlib import Path

import pytest

pytest.importorskip("anki")
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition  # noqa: E402
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.render.anki import FIELDS, MODEL_NAME, TEMPLATES, model_fingerprint  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402
from tests.conftest import NEW_TERM, make_project  # noqa: E402

set_lang("en")
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
DEFAULTS = {"update_notes": IF_NEWER, "update_notetypes": IF_NEWER, "merge_notetypes": False,
            "with_scheduling": False, "with_deck_configs": False}  # a new Anki profile's import options
DAY = 86_400


def build(root: Path, when: int, out: str) -> Path:
    return pipeline.build(root, out=root / out, targets=("deck",), timestamp=when).outputs["deck"]


def edit(root: Path, term_id: str, old: str, new: str) -> None:
    path = root / "glossary" / "terms" / f"{term_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def study(col, answers: int) -> dict[int, tuple]:
    """Answer the first few due cards 'Good'; return each studied card's scheduling."""
    col.decks.select(col.decks.id_for_name("Test Glossary"))
    studied = {}
    for _ in range(answers):
        card = col.sched.getCard()
        col.sched.answerCard(card, 3)
        card.load()
        studied[card.id] = (card.type, card.queue, card.due, card.ivl, card.reps)
    return studied


def scheduling(col, card_ids) -> dict[int, tuple]:
    cards = {cid: col.get_card(cid) for cid in card_ids}
    return {cid: (c.type, c.queue, c.due, c.ivl, c.reps) for cid, c in cards.items()}


@pytest.fixture
def root(tmp_path):
    return make_project(tmp_path / "p")


def test_rebuild_updates_only_the_changed_note_and_keeps_progress(root, tmp_path):
    v1 = build(root, 1_700_000_000, "v1")
    col = new_collection(tmp_path / "anki")
    log = import_package(col, v1, **DEFAULTS)
    assert (len(log.new), len(log.updated)) == (4, 0)
    studied = study(col, 3)
    reviews = col.db.scalar("select count() from revlog")
    assert reviews == 3

    edit(root, "orthogonality-thesis", "can vary\n  independently.", "can vary\n  independently of each other.")
    (root / "glossary" / "terms" / "alignment-tax.yaml").write_text(NEW_TERM, encoding="utf-8")
    v2 = build(root, 1_700_000_000 + DAY, "v2")
    log = import_package(col, v2, **DEFAULTS)

    assert [n.fields[0] for n in log.updated] == ["orthogonality thesis"]
    assert [n.fields[0] for n in log.new] == ["alignment tax"]
    assert len(log.duplicate) == 3  # matched and skipped as not newer
    assert not log.conflicting
    assert col.note_count() == 5 and col.card_count() == 10
    note = col.get_note(col.find_notes('"Term:orthogonality thesis"')[0])
    assert "independently of each other." in note["Definition"]
    assert scheduling(col, studied) == studied
    assert col.db.scalar("select count() from revlog") == reviews
    col.close()


def test_importing_the_same_build_twice_changes_nothing(root, tmp_path):
    deck = build(root, 1_700_000_000, "out")
    col = new_collection(tmp_path / "anki")
    import_package(col, deck, **DEFAULTS)
    before = col.db.all("select id, guid, mod, flds from notes order by id")
    log = import_package(col, deck, **DEFAULTS)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)
    assert col.db.all("select id, guid, mod, flds from notes order by id") == before
    col.close()


def test_rebuilding_an_unchanged_glossary_later_gives_the_same_bytes(root):
    first = build(root, 1_700_000_000, "a").read_bytes()
    lock = (root / "glossary" / "notes.lock").read_text()
    assert build(root, 1_800_000_000, "b").read_bytes() == first
    assert (root / "glossary" / "notes.lock").read_text() == lock


def test_lock_records_times_and_bumps_only_changed_notes(root):
    build(root, 1_700_000_000, "a")
    edit(root, "corrigibility", "without resistance.", "without resisting.")
    build(root, 1_600_000_000, "b")  # a clock behind the recorded time still moves forward
    lines = {line.split()[0]: line.split()[1] for line in (root / "glossary" / "notes.lock").read_text().splitlines()
             if line and not line.startswith("#")}
    assert lines == {"@model": "1700000000", "corrigibility": "1700000001", "mesa-optimizer": "1700000000",
                     "orthogonality-thesis": "1700000000", "sharp-left-turn": "1700000000"}


def test_renamed_term_keeps_its_notes(root, tmp_path):
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "v1"), **DEFAULTS)
    studied = study(col, 2)
    old = root / "glossary" / "terms" / "sharp-left-turn.yaml"
    text = old.read_text(encoding="utf-8")
    old.unlink()
    edit_target = root / "glossary" / "terms" / "left-turn.yaml"
    edit_target.write_text(text + "renamed_from: [sharp-left-turn]\n", encoding="utf-8")
    edit(root, "corrigibility", "related: [sharp-left-turn]", "related: [left-turn]")
    log = import_package(col, build(root, 1_700_000_000 + DAY, "v2"), **DEFAULTS)
    assert not log.new and not log.conflicting
    # Only the renamed note changes (its TermId); corrigibility shows the same name in "see also".
    assert [n.fields[-1] for n in log.updated] == ["left-turn"]
    assert col.note_count() == 4
    assert scheduling(col, studied) == studied
    col.close()


def test_removed_term_is_warned_about_and_retired(root, tmp_path):
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "v1"), **DEFAULTS)
    (root / "glossary" / "terms" / "orthogonality-thesis.yaml").unlink()
    edit(root, "mesa-optimizer", "related: [orthogonality-thesis]", "related: []")
    edit(root, "mesa-optimizer", " See also [orthogonality thesis](#orthogonality-thesis).", "")
    _, warnings = pipeline.check(root)
    assert [w.message for w in warnings] == [
        "term `orthogonality-thesis` (orthogonality thesis) is no longer in the glossary; the deck carries it as "
        "a retired note (tag glossdeck::retired) so that students see it is gone"]
    log = import_package(col, build(root, 1_700_000_000 + DAY, "v2"), **DEFAULTS)
    assert sorted(n.fields[-1] for n in log.updated) == ["mesa-optimizer", "orthogonality-thesis"]
    retired = col.get_note(col.find_notes("tag:glossdeck::retired")[0])
    assert retired["Term"] == "orthogonality thesis"
    assert "Retired." in strip_html(retired.cards()[0].answer())
    col.close()


def test_note_type_changes_need_a_version_bump():
    # Changing fields, templates or the sort field is a schema change in Anki: every
    # existing note then fails to update on import. If this fails, bump the version in
    # MODEL_NAME, pin the new fingerprint here, and update the import advice in docs/deck.md.
    assert (MODEL_NAME, model_fingerprint()) == ("glossdeck term (v2)", "f048e6eebe6d3ae4")
    assert FIELDS[0] == "Term" and len(TEMPLATES) == 2


def test_restyled_note_type_reaches_students(root, tmp_path, monkeypatch):
    from glossdeck.render import anki as deck_renderer

    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "v1"), **DEFAULTS)
    monkeypatch.setattr(deck_renderer, "CSS", deck_renderer.CSS + ".term { letter-spacing: .01em; }\n")
    import_package(col, build(root, 1_700_000_000 + DAY, "v2"), **DEFAULTS)
    col.models._clear_cache()
    assert "letter-spacing: .01em" in col.models.by_name(MODEL_NAME)["css"]
    col.close()


def test_model_and_deck_ids_are_fixed():
    from glossdeck.render.anki import MODEL_ID, stable_id

    # Changing either makes Anki treat the next import as a different note type or deck.
    assert MODEL_ID == 1607392319
    assert stable_id("deck", "alignment-glossary") == 1367833124


def test_late_import_of_two_releases_built_before_the_import_day(root, tmp_path):
    # Both releases are older than the imports (the clock is today): the second must still update.
    v1 = build(root, 1_700_000_000, "v1")
    edit(root, "orthogonality-thesis", "can vary\n  independently.", "can vary\n  independently (v2).")
    v2 = build(root, 1_700_000_000 + DAY, "v2")
    edit(root, "orthogonality-thesis", "independently (v2).", "independently (v3).")
    v3 = build(root, 1_700_000_000 + 2 * DAY, "v3")
    col = new_collection(tmp_path / "anki")
    for package in (v1, v2, v3):
        log = import_package(col, package, **DEFAULTS)
    assert [n.fields[-1] for n in log.updated] == ["orthogonality-thesis"]
    note = col.get_note(col.find_notes('"TermId:orthogonality-thesis"')[0])
    assert "independently (v3)." in note["Definition"]
    # An older release imported afterwards reverts nothing.
    assert not import_package(col, v2, **DEFAULTS).updated
    assert "independently (v3)." in col.get_note(note.id)["Definition"]
    col.close()


def description_of(package: Path, tmp_path: Path) -> str:
    col = new_collection(tmp_path / "desc")
    import_package(col, package, **DEFAULTS)
    description = col.decks.get(col.decks.id_for_name("Test Glossary"))["desc"]
    col.close()
    return description


def test_deck_description_names_the_release_and_where_the_next_one_is(root, tmp_path):
    package = pipeline.build(root, out=root / "out", targets=("deck",), timestamp=1_700_000_000,
                             settings={"release": "2026.12 <beta>",
                                       "download_url": "https://example.org/g?a=1&b=2"}).outputs["deck"]
    description = description_of(package, tmp_path)
    assert "<p>Release 2026.12 &lt;beta&gt; (2023-11-14). Newer releases: " in description
    assert '<a href="https://example.org/g?a=1&amp;b=2">https://example.org/g?a=1&amp;b=2</a>' in description
    assert "Update notes: Always" in description and "2.1.66 to 24.11" in description


def test_deck_description_without_a_release_gives_the_date_of_the_newest_change(root, tmp_path):
    description = description_of(build(root, 1_700_000_000, "out"), tmp_path)
    assert "<p>Release of 2023-11-14.</p>" in description and "href" not in description


@pytest.mark.parametrize(("line", "message"), [
    ("download_url: example.org/glossary",
     "download_url: address `example.org/glossary` is not a full web address"),
    ("download_url: ftp://example.org/g",
     "download_url: address `ftp://example.org/g` is a `ftp:` address, not a web page"),
    ("download_url: https://example.org/a b", "download_url: address `https://example.org/a b` contains a space"),
    ("download_url: javascript:alert(1)",
     "download_url: address `javascript:alert(1)` is a `javascript:` address, not a web page"),
    ("download_url: [https://example.org]", "`download_url` in glossary settings must be text"),
    ("release: 3", "`release` in glossary settings is the number 3, not text"),
    ("release: 2026.12", "`release` in glossary settings is the number 2026.12, not text"),
])
def test_bad_release_settings_are_reported_with_their_line(tmp_path, line, message):
    root = make_project(tmp_path / "p")
    settings = root / "glossary" / "glossary.yaml"
    before = settings.read_text(encoding="utf-8")
    settings.write_text(before + line + "\n", encoding="utf-8")
    with pytest.raises(pipeline.GlossdeckError) as caught:
        pipeline.check(root)
    problems = [p for p in caught.value.problems if p.path.name == "glossary.yaml"]
    assert [p.line for p in problems] == [before.count("\n") + 1]
    assert problems[0].message.startswith(message), problems[0].message
    assert problems[0].hint


def test_a_new_glossarys_description_says_each_thing_once_and_only_what_applies(tmp_path):
    """`glossdeck init` glossaries (here the second fixture glossary) never had note type v1, nor view or cloze
    cards unless they ask for them; read back from the real client."""
    import shutil

    from tests.conftest import FIXTURES

    root = tmp_path / "other"
    shutil.copytree(FIXTURES / "other", root)
    package = pipeline.build(root, out=root / "out", targets=("deck",), timestamp=1_700_000_000).outputs["deck"]
    col = new_collection(tmp_path / "anki")
    import_package(col, package, **DEFAULTS)
    text = strip_html(col.decks.by_name("Founding Texts")["desc"])
    col.close()
    assert "v1" not in text and "Merge note types" not in text  # its students never had v1 notes
    for once in ("import the newer release with Anki's default options", "your reviews are kept",
                 "Update notes: Always", "Release of 2023-11-14", "learning order",
                 "“Founding Texts (siblings buried)”", "Import deck presets"):
        assert text.count(once) == 1, once
    assert "contested term" not in text and "fills the gap" not in text  # no view or cloze cards in this deck
    assert "In this update" not in text  # not in git: no release to compare with


def test_the_description_names_the_cards_the_deck_has_and_the_v1_upgrade_where_students_had_it(root, tmp_path):
    path = root / "glossary" / "glossary.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "view_cards: true\ncloze_cards: true\n", encoding="utf-8")
    text = strip_html(description_of(build(root, 1_700_000_000, "out"), tmp_path))
    # the fixture glossary keeps glossdeck 0.1's note type (note_type_id), as the shipped one does
    assert text.count("glossdeck term (v1)") == 1 and text.count(MODEL_NAME) == 1
    assert text.count("import the newer release with Anki's default options") == 1
    assert "what does its holder argue?" in text and "which term fills the gap?" in text
