"""Optional cloze cards (`cloze_cards: true`): the essays' own words with the term left out, in a real Anki."""

import hashlib
import json
import re

import pytest

from glossdeck import pipeline
from glossdeck.clozes import name_spans
from glossdeck.render.anki import CLOZE_MODEL_NAME, MODEL_NAME
from tests.conftest import make_project
from tests.test_inert import visible

pytest.importorskip("anki")
from anki.lang import set_lang  # noqa: E402

from tests.anki_client import import_package, new_collection  # noqa: E402

set_lang("en")
CLOZE_TYPE = f"{CLOZE_MODEL_NAME} · Test Glossary"  # each glossary has its own note types
DAY = 86_400
# A text nobody quotes elsewhere, with a name several times over, in several forms, among Anki's own markup;
# then every kind of Anki markup (tests/test_inert.py's), and a name that is markup itself.
SEED = ("Widgets\n\nThe widget {{c2::trick}} [sound:evil.mp3] is a widget: widgets, the widget's parts and "
        "a WIDGET, never a widgetry or a gadget-widget.\n\n"
        "Markup as text: [$]x^2[/$] [$$]y[/$$] [latex]z[/latex] {{Term}} {{c2::hidden::hint}} [anki:play:q:0] "
        "[[type:Term]] {{#Term}}shown{{/Term}} {{FrontSide}} \\(a\\) \\[b\\] around a {{c1::sprocket}} here.\n")
QUOTE, MARKUP_QUOTE = SEED.split("\n")[2], SEED.split("\n")[4]
SPROCKET = f"""\
term: sprocket
aliases: ["{{{{c1::sprocket}}}}"]
gloss: A toothed wheel whose name is Anki markup.
definition: A toothed wheel.
citations:
  - source: widgets
    quote: {json.dumps(MARKUP_QUOTE)}
"""
WIDGET = f"""\
term: widget
aliases: [gizmo]
gloss: A small device whose name the tests hide.
definition: A small device.
citations:
  - source: widgets
    quote: {json.dumps(QUOTE)}
"""


def in_parts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_names_are_found_as_whole_words_in_any_case_with_plural_and_possessive_endings():
    text = "Mesa-optimizers and a mesa optimizer's goal; an optimizer, not a mesa-optimizerish thing."
    assert in_parts(text, name_spans(text, ["mesa-optimizer"])) == ["Mesa-optimizers", "mesa optimizer's"]
    assert in_parts(text, name_spans(text, ["optimizer"])) == ["optimizer's", "optimizer"]  # not in mesa-optimizer
    assert in_parts(QUOTE, name_spans(QUOTE, ["widget"])) == ["widget", "widget", "widgets", "widget's", "WIDGET"]
    both = name_spans("the sharp left turn and the left turn", ["left turn", "sharp left turn"])
    assert both == [(4, 19), (28, 37)]  # the longer name wins where both start
    assert name_spans("don't, AI's, AIM and A.I.", ["AI"]) == [(7, 11)]


def cloze_project(tmp_path, extra_terms=None):
    root = make_project(tmp_path / "p", terms={"widget": WIDGET, **(extra_terms or {})},
                        files={"seeds/widgets.txt": SEED})
    sha = hashlib.sha256(SEED.encode()).hexdigest()
    with (root / "glossary" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"widgets:\n  file: widgets.txt\n  sha256: {sha}\n  title: Widgets\n  author: A. Writer\n"
                     "  format: text\n")
    with_cloze_cards(root, True)
    return root


def with_cloze_cards(root, on: bool) -> None:
    path = root / "glossary" / "glossary.yaml"
    text = path.read_text(encoding="utf-8").replace("cloze_cards: true\n", "")
    path.write_text(text + ("cloze_cards: true\n" if on else ""), encoding="utf-8")


def build(root, when: int, out: str):
    return pipeline.build(root, out=root / out, targets=("deck",), timestamp=when).outputs["deck"]


def cloze_cards(col):
    return {col.get_card(c).note()["QuoteId"]: col.get_card(c) for c in col.find_cards(f'"note:{CLOZE_TYPE}"')}


def test_cloze_cards_are_off_by_default(built, tmp_path):
    col = new_collection(tmp_path / "anki")
    import_package(col, built["deck"])
    assert {m["name"] for m in col.models.all() if col.models.nids(m["id"])} == {MODEL_NAME}
    col.close()


def test_each_quote_naming_its_term_becomes_one_gap_hidden_everywhere_on_the_question(tmp_path):
    root = cloze_project(tmp_path)
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "out"))
    cards = cloze_cards(col)
    # the fixture's three quotes that name their term, and the widget's; the sharp left turn's quotes do not
    assert sorted(card.note()["TermId"] for card in cards.values()) == [
        "corrigibility", "mesa-optimizer", "orthogonality-thesis", "widget"]
    assert all(card.ord == 0 for card in cards.values())  # c1 only: one card per note
    widget = next(card for card in cards.values() if card.note()["TermId"] == "widget")
    question, answer = visible(widget.question()), visible(widget.answer())
    assert question.startswith("Which term fills the gap?")
    assert question.count("[...]") == 5
    assert "widget" not in question.lower().replace("widgetry", "").replace("gadget-widget", "")
    assert "never a widgetry or a gadget-widget" in question  # the name, but not as a whole word
    assert "{{c2::trick}} [sound:evil.mp3]" in question  # Anki's markup in the quote shows as typed
    assert widget.question_av_tags() == [] and widget.answer_av_tags() == []
    assert "The widget {{c2::trick}} [sound:evil.mp3] is a widget: widgets, the widget's parts and a WIDGET" in answer
    assert "— A. Writer, Widgets" in answer
    mesa = next(card for card in cards.values() if card.note()["TermId"] == "mesa-optimizer")
    assert visible(mesa.question()).replace("\u2060", "").endswith(
        "“A [...] is what you get when the result of an optimization process is itself an optimizer with an inner "
        "goal.”")
    assert "A mesa-optimizer is what you get" in visible(mesa.answer())
    col.close()


def test_the_answer_links_to_the_passage_on_the_site(tmp_path):
    root = cloze_project(tmp_path)
    path = root / "glossary" / "glossary.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "site_url: https://example.org/glossary/\n", encoding="utf-8")
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "out"))
    mesa = next(card for card in cloze_cards(col).values() if card.note()["TermId"] == "mesa-optimizer")
    links = re.findall(r'<a href="([^"]*)">the passage</a>', mesa.answer())
    assert len(links) == 1 and links[0].startswith("https://example.org/glossary/sources/starter-pack.html#q")
    assert "the passage" not in mesa.question()
    col.close()


def study_everything(col) -> None:
    col.decks.select(col.decks.id_for_name("Test Glossary"))
    while (card := col.sched.getCard()) is not None:
        col.sched.answerCard(card, 3)


def scheduling(col):
    return col.db.all("select id, nid, type, queue, due, ivl, reps from cards order by id"), \
        col.db.all("select id, cid from revlog order by id")


def test_editing_anything_but_the_quote_keeps_the_card_and_its_reviews(tmp_path):
    root = cloze_project(tmp_path)
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "a"))
    study_everything(col)
    before = scheduling(col)
    assert {cid for _, cid in before[1]} >= {card.id for card in cloze_cards(col).values()}  # clozes studied too
    # the definition, the gloss and another quote of the term change; the quote itself does not
    term = root / "glossary" / "terms" / "mesa-optimizer.yaml"
    text = term.read_text(encoding="utf-8").replace("with a goal of its own", "with a goal of its very own")
    term.write_text(text + "  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n",
                    encoding="utf-8")
    log = import_package(col, build(root, 1_700_000_000 + DAY, "b"))
    assert len(log.new) == 0 and len(log.updated) == 1  # the term's own note; its cloze note is unchanged
    assert scheduling(col) == before
    col.close()


def test_a_removed_quote_retires_its_cloze_note_and_turning_them_off_retires_all(tmp_path):
    root = cloze_project(tmp_path)
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "a"))
    term = root / "glossary" / "terms" / "widget.yaml"
    term.write_text(WIDGET.split("citations:")[0] + "citations:\n  - source: starter-pack\n"
                    "    quote: Alignment is an unsolved problem.\n", encoding="utf-8")
    _, warnings = pipeline.check(root)
    assert len(warnings) == 1 and warnings[0].message.startswith("the cloze card `widget/cloze/")
    assert "(widget in “The widget {{c2::trick}} [sound:evil.mp3] is a …”) is no longer built" in warnings[0].message
    log = import_package(col, build(root, 1_700_000_000 + DAY, "b"))
    assert len(log.new) == 0 and len(log.updated) == 2  # the widget's term note and its cloze note
    retired = [col.get_note(n) for n in col.find_notes("tag:glossdeck::retired")]
    assert len(retired) == 1 and retired[0]["TermId"] == "widget"
    card = retired[0].cards()[0]
    assert "Retired. This quote is no longer in the deck." in visible(card.answer())
    with_cloze_cards(root, False)
    log = import_package(col, build(root, 1_700_000_000 + 2 * DAY, "c"))
    assert len(log.updated) == 3 and len(col.find_notes("tag:glossdeck::retired")) == 4
    assert len(col.find_cards(f'"note:{CLOZE_TYPE}"')) == 4  # retired, never deleted: Anki never deletes on import
    col.close()


def test_anki_markup_in_a_quote_and_in_the_name_stays_text_in_the_real_client(tmp_path):
    root = cloze_project(tmp_path, {"sprocket": SPROCKET})
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "out"))
    [note_id] = col.find_notes('"TermId:sprocket" QuoteId:_*')
    [card] = col.get_note(note_id).cards()  # the quote's own {{c2::…}} made no second card
    question, answer = card.question(), card.answer()
    assert card.question_av_tags() == [] and card.answer_av_tags() == []
    for side in (question, answer):
        assert "<img" not in side and "latex-" not in side and "[anki:play" not in side
        assert not re.search(r"\\[()\[\]]", visible(side)), "MathJax would typeset this"
    shown = MARKUP_QUOTE.replace("{{c1::sprocket}}", "[...]")
    assert shown in visible(question).replace("\u2060", "")
    assert MARKUP_QUOTE in visible(answer).replace("\u2060", "")  # the name itself, markup and all, as typed
    col.close()
