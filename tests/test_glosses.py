"""glosses: how alike two glosses are, measured on real glosses, so that each gloss points at one term."""

import yaml

from glossdeck import glosses, pipeline
from tests.conftest import FIXTURES, REPO

BEFORE = yaml.safe_load((FIXTURES / "glosses" / "before-issue-19.yaml").read_text(encoding="utf-8"))


def flagged(named: dict[str, str]) -> dict[frozenset[str], float]:
    ids = list(named)
    return {frozenset((ids[like.first], ids[like.second])): like.score
            for like in glosses.too_alike(list(named.values()))}


def scores(named: dict[str, str]) -> dict[frozenset[str], float]:
    ids = list(named)
    return {frozenset((ids[like.first], ids[like.second])): like.score
            for like in glosses.too_alike(list(named.values()), limit=0.0)}


def test_content_words_drop_function_words_and_fold_endings():
    assert glosses.content_words("The model's weights, trained and re-trained by training.") == [
        ("model", "model"), ("weight", "weights"), ("train", "trained"), ("re", "re"), ("train", "trained"),
        ("train", "training")]
    assert glosses.stem("generalizes") == glosses.stem("generalize") == "generaliz"
    assert glosses.stem("was") == "was"  # a stem keeps at least three letters


def test_the_pairs_a_reader_found_confusable_are_caught():
    found = flagged(BEFORE)
    for pair in (("interpretability", "mechanistic-interpretability"), ("corrigibility", "shutdown-problem"),
                 ("ai-alignment", "alignment-problem"), ("expected-utility-maximization", "utility-function")):
        assert frozenset(pair) in found, pair
    assert len(found) == 25  # bench/glosses.py lists them; each was reworded before this test was written


def test_paraphrases_sharing_no_telling_word_are_out_of_its_reach():
    """Two more pairs the reader named say the same in different words: a measure of shared words cannot see
    them (they were reworded by hand), and scores them below most pairs that share a word."""
    measured = scores(BEFORE)
    assert measured.get(frozenset(("goal-misgeneralization", "sharp-left-turn")), 0.0) < 0.05
    assert measured.get(frozenset(("gradient-hacking", "optimization-demon")), 0.0) < 0.1


def test_a_rare_shared_word_counts_more_than_a_common_one():
    texts = {"a": "A model that predicts tokens of text.", "b": "A model that sorts lists.",
             "c": "A model that ranks tokens.", "d": "A model of weather.", "e": "A model of tides."}
    measured = scores(texts)
    assert measured[frozenset("ac")] > measured[frozenset("ab")] > 0


def test_copies_are_reported_against_the_first_only():
    likes = glosses.too_alike(["One gloss here.", "A different sentence.", "One gloss here.", "one GLOSS, here!"])
    assert [(like.first, like.second, like.score) for like in likes] == [(0, 2, 1.0), (0, 3, 1.0)]


def test_a_gloss_of_function_words_only_matches_nothing():
    assert glosses.too_alike(["It is what it is.", "It is what it is."]) == []


def test_the_shipped_glossary_has_no_pair_at_the_limit():
    glossary, _ = pipeline.load_glossary(REPO)
    named = {term.id: term.gloss for term in glossary.terms}
    assert flagged(named) == {}
    assert max(scores(named).values()) < glosses.LIMIT
