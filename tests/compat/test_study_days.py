"""Days of study on every tested Anki release: a term's cards on different days, prerequisites first.

The shipped glossary, with its optional view and cloze cards turned on, is imported with the
default options and studied as a student with Anki's default options does: every card shown,
answered Good, day after day (the collection is made a day older between days).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections import defaultdict

import pytest

from glossdeck import pipeline
from glossdeck.deckpreset import preset_name
from glossdeck.spacing import NEW_CARDS_PER_DAY, SIBLING_GAP
from glossdeck.study import prerequisites, study_order
from tests.compat.test_anki_versions import DAY, VERSIONS, Student
from tests.conftest import NEW_TERM, REPO

LEGACY_IMPORTER_ONLY = {"2.1.49"}  # its importer always applies a package's deck presets
IMPORTS_PRESETS = {"24.11", "25.02", "26.9"}  # with "Import deck presets" ticked (with_deck_configs)
DAYS = 3


def git(root, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args], cwd=root,
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The shipped glossary with view and cloze cards, released twice as a maintainer does (build, commit): the
    second release adds a term. Its two packages, and the glossary of each."""
    root = tmp_path_factory.mktemp("every-card") / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "view_cards: true\ncloze_cards: true\n",
                        encoding="utf-8")
    (root / ".gitignore").write_text("r1/\nr2/\n")
    git(root, "init", "-q")
    first = pipeline.build(root, out=root / "r1", targets=("deck",), timestamp=int(time.time() - 10 * DAY))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first release")
    (root / "glossary" / "terms" / "alignment-tax.yaml").write_text(NEW_TERM, encoding="utf-8")
    second = pipeline.build(root, out=root / "r2", targets=("deck",), timestamp=int(time.time() - 9 * DAY))
    return first.outputs["deck"], first.glossary, second.outputs["deck"], second.glossary


@pytest.fixture(params=list(VERSIONS))
def version(request) -> str:
    return request.param


def study_days(student: Student, deck: str, days: int) -> tuple[list[list[dict]], dict]:
    """Each day's answers, and the cards' scheduling at the end; one run of the driver per day, since Anki
    works out "today" once per run."""
    answers, scheduling = [], {}
    for day in range(days):
        steps = [{"do": "study_day", "deck": deck}] + [{"do": "scheduling"}] * (day == days - 1)
        results = student.run(*steps, {"do": "next_day"})
        answers.append(results[0]["answers"])
        scheduling = results[1] if day == days - 1 else scheduling
    return answers, scheduling


def test_three_days_of_study_meet_each_term_once_a_day_prerequisites_first(version, releases, tmp_path):
    package, glossary, *_ = releases
    deck = glossary.settings.deck_name
    student = Student(version, tmp_path / "anki")
    # The spacing must not need the deck's own preset, which buries siblings: studied under Anki's default one.
    _, applied, queue, _, options = student.run(
        {"do": "import", "package": str(package)}, {"do": "deck_options", "deck": deck},
        {"do": "positions", "deck": deck}, {"do": "use_default_preset", "deck": deck},
        {"do": "deck_options", "deck": deck})
    if version in LEGACY_IMPORTER_ONLY:  # that importer applies a package's presets
        assert (applied["name"], applied["bury_new"], applied["bury_reviews"]) == (preset_name(deck), True, True)
    else:
        assert applied == options  # the student's default preset, as a new profile has it
    assert (options["id"], options["bury_new"], options["bury_reviews"], options["new_per_day"]) == (1, False, False,
                                                                                                     20)
    days, before = study_days(student, deck, DAYS)

    # Day one: twenty new cards, twenty different terms, each term's first card.
    met = [a for a in days[0] if a["was"] == "new"]
    assert len(met) == NEW_CARDS_PER_DAY == len({a["term_id"] for a in met})
    assert {(a["notetype"].split(" (")[0], a["ord"]) for a in met} == {("glossdeck term", 0)}
    # No day shows two cards of one term, new, learning or review.
    for day, answers in enumerate(days):
        cards_of_term = defaultdict(set)
        for answer in answers:
            cards_of_term[answer["term_id"]].add(answer["card"])
        assert {t: c for t, c in cards_of_term.items() if len(c) > 1} == {}, f"day {day + 1}"
    # The test is a real one: on the third day second cards come, of terms whose first card was reviewed the day
    # before; and the days were days (yesterday's cards came back as reviews).
    first_day = {a["term_id"] for a in met}
    assert {a["term_id"] for a in days[1] if a["was"] == "review"} == first_day
    assert {a["term_id"] for a in days[2] if a["was"] == "new" and a["ord"] == 1} == first_day
    # Prerequisites first: every card met after the same card of each term it links to.
    order = study_order(glossary)
    cycle_of = {member: cycle for cycle in order.cycles for member in cycle}
    known = {t.id for t in glossary.terms}
    seen: list[tuple[str, str, int]] = []
    checked = 0
    for answer in (a for answers in days for a in answers if a["was"] == "new"):
        for needed in prerequisites(glossary.term(answer["term_id"]), known):
            if cycle_of.get(needed) is None or cycle_of.get(needed) != cycle_of.get(answer["term_id"]):
                assert (needed, answer["notetype"], answer["ord"]) in seen, (answer, needed)
                checked += 1
        seen.append((answer["term_id"], answer["notetype"], answer["ord"]))
    assert checked > 10
    # Every card of a term, views and clozes too, waits two days of new cards after the one before it, as long
    # as first cards of other terms remain to come between.
    by_term = defaultdict(list)
    for card in queue["cards"]:
        by_term[card["term_id"]].append(card["due"])
    last_first = max(min(dues) for dues in by_term.values())
    kinds = {c["notetype"].split(" (")[0] for c in queue["cards"]}
    assert kinds == {"glossdeck term", "glossdeck view", "glossdeck cloze"}
    for dues in by_term.values():
        dues.sort()
        assert all(b - a >= SIBLING_GAP for a, b in zip(dues, dues[1:]) if b <= last_first), dues

    # The next release adds a term the learning order puts early, where this student has been already.
    _, _, update, updated = releases
    imported, after, queue = student.run({"do": "import", "package": str(update)}, {"do": "scheduling"},
                                         {"do": "positions", "deck": deck})
    assert (imported["new"], imported["changed"]) == (["alignment-tax"], [])
    assert {card: after["cards"][card] for card in before["cards"]} == before["cards"]  # nothing moved or reset
    assert after["revlog"] == before["revlog"] > 100
    place = [t.id for t in study_order(updated).terms].index("alignment-tax")
    assert place < NEW_CARDS_PER_DAY  # its place is among the first day's terms, long past for this student
    new_cards = sorted((c["due"], c["term_id"], c["ord"]) for c in queue["cards"])
    assert new_cards[0][1:] == ("alignment-tax", 0)  # so its first card is the next new card
    assert new_cards[-1][1:] == ("alignment-tax", 1)  # and its second comes after every other one
    fourth = student.run({"do": "study_day", "deck": deck})[0]["answers"]
    met = [(a["term_id"], a["ord"]) for a in fourth if a["was"] == "new"]
    assert met[0] == ("alignment-tax", 0) and ("alignment-tax", 1) not in met
    cards_of_term = defaultdict(set)
    for answer in fourth:
        cards_of_term[answer["term_id"]].add(answer["card"])
    assert {t: c for t, c in cards_of_term.items() if len(c) > 1} == {}, "day 4"


@pytest.mark.parametrize("version", sorted(IMPORTS_PRESETS))
def test_students_who_import_deck_presets_get_siblings_buried(version, releases, tmp_path):
    package, glossary, *_ = releases
    deck = glossary.settings.deck_name
    student = Student(version, tmp_path / "anki")
    _, options = student.run({"do": "import", "package": str(package), "options": {"with_deck_configs": True}},
                             {"do": "deck_options", "deck": deck})
    assert options["name"] == preset_name(deck)
    assert (options["bury_new"], options["bury_reviews"], options["bury_learning"]) == (True, True, True)
    assert options["new_per_day"] == 20
