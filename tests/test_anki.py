"""render.anki: the built .apkg imported into a real Anki collection, as a student would."""


import pytest

anki = pytest.importorskip("anki")
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.render.anki import MODEL_NAME, note_guid  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402
from tests.conftest import TIMESTAMP, make_project  # noqa: E402

set_lang("en")


@pytest.fixture
def imported(built, tmp_path):
    col = new_collection(tmp_path / "anki")
    log = import_package(col, built["deck"])
    yield col, log
    col.close()


def test_every_note_and_card_imports(imported):
    col, log = imported
    assert len(log.new) == 4 and not log.updated and not log.duplicate and not log.conflicting
    assert col.note_count() == 4
    assert col.card_count() == 8
    assert col.decks.by_name("Test Glossary") is not None
    assert [m["name"] for m in col.models.all()].count(MODEL_NAME) == 1


def test_every_card_renders_both_sides(imported):
    col, _ = imported
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        for side in (question, answer):
            text = strip_html(side).strip()
            assert text, f"empty side on card {card_id}"
            assert "{{" not in side and "error" not in text.lower()
        assert len(strip_html(answer)) > len(strip_html(question))


def test_answers_show_definition_quotes_and_sources(imported):
    col, _ = imported
    note = col.get_note(col.find_notes('"Term:mesa-optimizer"')[0])
    answer = strip_html(note.cards()[0].answer())
    assert "An optimizer that is itself the product of another optimization process" in answer
    assert "“A mesa-optimizer is what you get when the result of an optimization process" in answer
    assert "Ruud van Asseldonk" in answer and "AI alignment starter pack" in answer
    assert "§ Deceptively misaligned mesa-optimizers" in answer
    assert "orthogonality thesis" in answer


def test_definition_side_hides_the_term(imported):
    col, _ = imported
    note = col.get_note(col.find_notes('"Term:mesa-optimizer"')[0])
    question = strip_html(note.cards()[1].question())
    assert "mesa-optimizer" not in question.lower()
    assert "inner optimizer" not in question.lower()


def test_contested_views_show_each_side(imported):
    col, _ = imported
    note = col.get_note(col.find_notes('"Term:corrigibility"')[0])
    answer = strip_html(note.cards()[0].answer())
    assert "Doomer: No one knows how to make an AI corrigible." in answer
    assert "Simplicia: Chat models already behave correctably on request." in answer


def test_guids_come_from_term_ids(imported):
    col, _ = imported
    guids = {col.get_note(n)["TermId"]: col.get_note(n).guid for n in col.find_notes("")}
    assert guids == {t: note_guid("test-glossary", t) for t in guids}
    assert len(set(guids.values())) == 4


def test_tags_are_hierarchical(imported):
    col, _ = imported
    note = col.get_note(col.find_notes('"Term:sharp left turn"')[0])
    assert sorted(note.tags) == ["glossdeck::source::objections", "glossdeck::source::optimism",
                                 "glossdeck::topic::evolution_analogy", "glossdeck::topic::takeoff"]


def test_html_in_definitions_shows_as_text(tmp_path):
    root = make_project(tmp_path / "p", terms={"risky": (
        "term: risky <b>term</b>\ndefinition: 'Uses <script>alert(1)</script> & more'\n"
        "citations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n")})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("deck",)).outputs
    col = new_collection(tmp_path / "anki")
    import_package(col, outputs["deck"])
    note = col.get_note(col.find_notes("TermId:risky")[0])
    assert "<script>" not in note["Definition"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in note["Definition"]
    assert strip_html(note.cards()[0].question()).count("risky <b>term</b>") == 1
    col.close()


def test_same_input_gives_same_bytes(tmp_path):
    first = make_project(tmp_path / "a")
    second = make_project(tmp_path / "b")
    a = pipeline.build(first, timestamp=TIMESTAMP, targets=("deck",)).outputs["deck"].read_bytes()
    b = pipeline.build(second, timestamp=TIMESTAMP, targets=("deck",)).outputs["deck"].read_bytes()
    assert a == b


def test_new_cards_come_in_learning_order(imported):
    col, _ = imported
    cards = [col.get_card(c) for c in col.find_cards("card:1")]
    by_due = [c.note()["Term"] for c in sorted(cards, key=lambda c: c.due)]
    # core terms first; mesa-optimizer's definition links to the orthogonality thesis
    assert by_due == ["corrigibility", "orthogonality thesis", "mesa-optimizer", "sharp left turn"]


def test_hiding_covers_case_hyphens_and_plurals():
    from glossdeck.render.anki import _hidden

    text = ("A mesa-optimizer; mesa optimizers, Mesa-Optimizers; an *inner optimizer*; "
            "corrigibility of corrigible AIs.")
    assert _hidden(text, ("mesa-optimizer", "inner optimizer", "corrigible AI")) == (
        "A […]; […], […]; an <i>[…]</i>; corrigibility of […]."
    )


def test_unconfirmed_author_is_marked_as_a_view_holder(tmp_path):
    root = make_project(tmp_path / "p", terms={"optimism-view": (
        "term: optimism view\ndefinition: d\nviews:\n  - holder: Noosphere89\n    summary: Expects alignment to work.\n"
        "    citations:\n      - source: optimism\n"
        "        quote: This will be a long post, so get a drink and a snack.\n")})
    outputs = pipeline.build(root, timestamp=TIMESTAMP).outputs
    col = new_collection(tmp_path / "anki")
    import_package(col, outputs["deck"])
    note = col.get_note(col.find_notes("TermId:optimism-view")[0])
    assert "Noosphere89 (unconfirmed): Expects alignment to work." in strip_html(note["Views"])
    assert "— Noosphere89 (unconfirmed), Arguments for optimism on AI Alignment, ¶ 3" in strip_html(note["Views"])
    col.close()
    from tests.pdf_reader import page_text

    assert "Noosphere89 (unconfirmed): Expects alignment to work." in " ".join(page_text(outputs["booklet"]))
