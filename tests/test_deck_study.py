"""The shipped deck as a student studies it in a real Anki: short questions, prerequisites first."""

import pytest

pytest.importorskip("anki")
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.study import prerequisites, study_order  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402

set_lang("en")


@pytest.fixture(scope="module")
def student(shipped, tmp_path_factory):
    col = new_collection(tmp_path_factory.mktemp("student"))
    import_package(col, shipped["deck"])
    yield col
    col.close()


def test_no_question_is_over_40_words_and_every_card_renders(student):
    cards = student.find_cards("")
    assert len(cards) == 2 * student.note_count()  # every term has a gloss, so both cards exist
    for card_id in cards:
        card = student.get_card(card_id)
        question, answer = strip_html(card.question()), strip_html(card.answer())
        words = len(question.replace("Which term?", "").replace("Define", "").split())
        assert 0 < words <= 40, (card.note()["Term"], question)
        assert answer.strip() and "{{" not in card.answer()


def test_new_cards_come_prerequisites_first(student, shipped):
    glossary, _ = pipeline.check(shipped["root"])
    order = study_order(glossary)
    in_cycle = {member: cycle for cycle in order.cycles for member in cycle}
    deck_id = student.decks.id_for_name(glossary.settings.deck_name)
    student.decks.select(deck_id)
    config = student.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = config["rev"]["perDay"] = 9999  # the whole queue, not one day of it
    student.decks.save(config)
    queue = student.sched.get_queued_cards(fetch_limit=9999).cards
    assert len(queue) == len(student.find_cards(""))
    for template in (0, 1):
        seen = [student.get_card(q.card.id).note()["TermId"] for q in queue
                if student.get_card(q.card.id).ord == template]
        position = {term_id: i for i, term_id in enumerate(seen)}
        assert len(position) == len(glossary.terms)
        checked = 0
        for term in glossary.terms:
            for needed in prerequisites(term, position.keys()):
                if in_cycle.get(needed) is not None and in_cycle.get(needed) == in_cycle.get(term.id):
                    continue
                assert position[needed] < position[term.id], (needed, term.id)
                checked += 1
        assert checked > 50  # the shipped glossary links a lot: this is a real test of the order


def test_the_first_day_shows_twenty_terms_and_no_term_comes_twice_within_two_days(shipped, tmp_path):
    """The deck as shipped, with Anki's default options: the day's twenty new cards are twenty terms' first
    cards, and a term's second card waits two days' worth of new cards (while first cards remain)."""
    from glossdeck.spacing import SIBLING_GAP

    col = new_collection(tmp_path / "anki")
    import_package(col, shipped["deck"])
    col.decks.select(col.decks.id_for_name("AI Alignment Glossary"))
    today = [col.get_card(q.card.id) for q in col.sched.get_queued_cards(fetch_limit=100).cards]
    assert len(today) == 20 and len({c.note()["TermId"] for c in today}) == 20 and {c.ord for c in today} == {0}
    due: dict[str, list[int]] = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        due.setdefault(card.note()["TermId"], []).append(card.due)
    last_first = max(min(d) for d in due.values())
    assert all(max(d) - min(d) >= SIBLING_GAP for d in due.values() if max(d) <= last_first)
    assert sum(max(d) <= last_first for d in due.values()) > 70  # most terms: the rest come at the deck's end
    col.close()
