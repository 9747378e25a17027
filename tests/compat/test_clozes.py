"""Cloze cards on every tested Anki release: the gaps hidden on the question, shown on the answer, kept on update."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest

from glossdeck import pipeline
from glossdeck.render.anki import CLOZE_MODEL_NAME
from tests.compat.test_anki_versions import DAY, VERSIONS, Student
from tests.test_cloze_cards import MARKUP_QUOTE, SPROCKET, cloze_project

DECK = "Test Glossary"


@pytest.fixture(params=list(VERSIONS))
def version(request) -> str:
    return request.param


def text(html: str) -> str:
    """What the student reads: styles dropped, tags gone, references decoded."""
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", html, flags=re.S)))


def build(root, when: float, out: str):
    return pipeline.build(root, out=root / out, targets=("deck",), timestamp=int(when)).outputs["deck"]


def test_cloze_cards_hide_every_mention_and_keep_their_reviews(version, tmp_path):
    root = cloze_project(tmp_path, {"sprocket": SPROCKET})
    student = Student(version, tmp_path / "anki")
    imported, rendered, day = student.run({"do": "import", "package": str(build(root, time.time() - 10 * DAY, "a"))},
                                          {"do": "render", "deck": DECK}, {"do": "study_day", "deck": DECK})
    cloze_cards = [c for c in rendered["cards"] if c["notetype"].startswith(CLOZE_MODEL_NAME)]
    clozes = {c["term_id"]: c for c in cloze_cards}
    assert sorted(c["term_id"] for c in cloze_cards) == [
        "corrigibility", "mesa-optimizer", "orthogonality-thesis", "sprocket", "widget"]  # one card each: c1 only
    question, answer = text(clozes["widget"]["question"]), text(clozes["widget"]["answer"])
    assert "“The [...] {{c2::trick}} [sound:evil.mp3] is a [...]: [...], the [...] parts and a [...], never a " \
           "widgetry or a gadget-widget.”" in question
    assert "“The widget {{c2::trick}} [sound:evil.mp3] is a widget: widgets, the widget's parts and a WIDGET, " \
           "never a widgetry or a gadget-widget.”" in answer and "— A. Writer, Widgets" in answer
    assert "[...]" not in answer and "[sound:" not in clozes["widget"]["question"].replace("&#91;", "")
    assert "A [...] is what you get" in text(clozes["mesa-optimizer"]["question"])
    # Anki's markup in a quote, and a name that is markup, show as typed (MathJax's \\( gets a word joiner)
    sprocket = clozes["sprocket"]
    assert MARKUP_QUOTE.replace("{{c1::sprocket}}", "[...]") in text(sprocket["question"]).replace("\u2060", "")
    assert MARKUP_QUOTE in text(sprocket["answer"]).replace("\u2060", "")
    assert "<img" not in sprocket["question"] + sprocket["answer"]
    # the small deck (under 20 cards) is met whole on the first day, cloze cards included
    assert len({a["card"] for a in day["answers"] if a["notetype"].startswith(CLOZE_MODEL_NAME)}) == 5
    before = student.scheduling()
    # The next release edits the term (definition) and adds a quote that does not name it: its cloze stays.
    term = root / "glossary" / "terms" / "mesa-optimizer.yaml"
    edited = term.read_text(encoding="utf-8").replace("with a goal of its own", "with a goal of its very own")
    term.write_text(edited + "  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n",
                    encoding="utf-8")
    r2 = build(root, imported["finished"] + 1, "b")
    time.sleep(max(0.0, imported["finished"] + 2 - time.time()))
    update = student.imports(r2)
    assert (update["changed"], update["new"]) == (["mesa-optimizer"], [])
    after = student.scheduling()
    assert after == before and after["revlog"] == len(day["answers"])
