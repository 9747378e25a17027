"""mentions: where the sources use each term, as whole words, longest name first, by section."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from glossdeck import mentions, pipeline
from glossdeck.cli import main
from glossdeck.model import Source, Term
from glossdeck.seeds import Seed
from tests.conftest import REPO, make_project


def _terms(**names: list[str]) -> list[Term]:
    """Terms by id, each with its name first and its aliases after."""
    return [Term(id=term_id, term=found[0], definition="", aliases=tuple(found[1:]))
            for term_id, found in names.items()]


def _found(text: str, **names: list[str]) -> list[tuple[str, str]]:
    finder = mentions.Finder(_terms(**names))
    return [(text[start:end], term_id) for start, end, term_id in finder.find(text)]


def test_longest_name_first_and_whole_words_only():
    found = _found("The mesa-optimizer, an optimizer, is no optimizers' club; optimizing is not optimizer-free.",
                   mesa=["mesa-optimizer"], optimizer=["optimizer"])
    assert found == [("mesa-optimizer", "mesa"), ("optimizer", "optimizer"), ("optimizers", "optimizer")]


def test_spaces_and_hyphens_do_not_matter_nor_case():
    text = "A mesaoptimizer, a Mesa Optimizer, MESA-OPTIMIZERS and a mesa-\u2011optimizer; no mesa. Optimizer."
    found = _found(text, mesa=["mesa-optimizer"])
    assert [f for f, _ in found] == ["mesaoptimizer", "Mesa Optimizer", "MESA-OPTIMIZERS", "mesa-\u2011optimizer"]
    assert _found("orthogonalitythesis and Orthogonality-Thesis", ot=["orthogonality thesis"]) == [
        ("orthogonalitythesis", "ot"), ("Orthogonality-Thesis", "ot")]


def test_plurals_of_the_last_word():
    found = _found("biases, policies, boxes, GANs, LLMs and LLM", bias=["inductive bias", "bias"],
                   policy=["policy"], box=["box"], llm=["LLM"], gan=["GAN"])
    assert found == [("biases", "bias"), ("policies", "policy"), ("boxes", "box"), ("GANs", "gan"),
                     ("LLMs", "llm"), ("LLM", "llm")]


def test_an_acronym_alone_is_found_only_in_capitals():
    found = _found("AI is here; ai is not; Ai neither; AIs are; AI safety and general ai are names; p.m. and PM",
                   ai=["AI"], safety=["AI safety"], agi=["general AI"], pm=["PM"])
    assert found == [("AI", "ai"), ("AIs", "ai"), ("AI safety", "safety"), ("general ai", "agi"), ("PM", "pm")]


def test_a_name_written_as_one_word_is_found():
    assert _found("with ConstitutionalAI we", cai=["Constitutional AI"]) == [("ConstitutionalAI", "cai")]


def test_punctuation_inside_a_name_must_be_there():
    found = _found("p(doom) is high; p doom is not; the map/territory distinction; map territory distinction",
                   pdoom=["p(doom)"], map=["map/territory distinction"])
    assert found == [("p(doom)", "pdoom"), ("map/territory distinction", "map")]


def test_punctuation_before_or_after_a_name_must_be_there_too():
    """A name's own punctuation is part of it: a letter C is not C++, NET not .NET, the article "a" not "a.*"."""
    found = _found("In C and C++, with .NET and NET; a pattern a.* or a; p(doom) but not p(doom alone.",
                   cpp=["C++"], net=[".NET"], star=["a.*"], pdoom=["p(doom)"])
    assert found == [("C++", "cpp"), (".NET", "net"), ("a.*", "star"), ("p(doom)", "pdoom")]


def test_possessives_count_but_not_a_word_joined_to_another():
    found = _found("Goodhart's law; the goal's pull; goal-directed; self-goal; goal_state; goal.", goal=["goal"],
                   goodhart=["Goodhart's law"])
    assert found == [("Goodhart's law", "goodhart"), ("goal", "goal"), ("goal", "goal")]


def test_a_name_of_several_words_never_spans_a_long_gap():
    assert _found("sharp left. . . . turn", slt=["sharp left turn"]) == []
    assert _found("sharp left -- turn", slt=["sharp left turn"]) == [("sharp left -- turn", "slt")]


def _seed(raw: str, fmt: str = "markdown", headings: tuple[str, ...] = ()) -> Seed:
    return Seed(Source("s", "s.md", "0", "A title", "Someone", format=fmt, headings=headings), raw)


def test_mentions_by_section_and_the_first_per_section():
    raw = ("Intro about the *sharp left turn* and the sharp left turn again.\n\n"
           "## The sharp left turn\n\nFirst: sharp left turn. Second: sharp left turn.\n\n"
           "## Other\n\nNothing here but [a link](https://example.org/sharp-left-turn) and a sharp left turn.\n")
    seed = _seed(raw)
    here = mentions.in_seed(mentions.Finder(_terms(slt=["sharp left turn"])), seed)
    assert [m.section for m in here.mentions] == [0, 0, 1, 1, 1, 2]
    assert [raw[m.start : m.end] for m in here.mentions][:2] == ["sharp left turn", "sharp left turn"]
    assert here.mentions[0].spelling == "sharp left turn"
    first = here.first_per_section()
    heading_mention = here.mentions[2]
    assert heading_mention not in first  # never in a heading
    assert [(m.section, m.start) for m in first] == [(0, here.mentions[0].start), (1, here.mentions[3].start),
                                                     (2, here.mentions[5].start)]
    excluded = [(here.mentions[3].start - 3, here.mentions[3].end + 1)]  # e.g. inside a quote's highlight
    assert [m.start for m in here.first_per_section(excluded)][1] == here.mentions[4].start
    assert here.place(here.mentions[4]) == "§ The sharp left turn, ¶ 1"
    before, match, after = here.context(here.mentions[4], width=12)
    assert (before, match, after[:2]) == ("rn. Second: ", "sharp left turn", ". ")


def test_a_mention_inside_an_address_does_not_count():
    seed = _seed("See https://www.lesswrong.com/tag/sharp-left-turn or www.example.org/sharp_left_turn here.",
                 fmt="text")
    here = mentions.in_seed(mentions.Finder(_terms(slt=["sharp left turn"])), seed)
    assert here.mentions == ()


def test_plain_text_headings_are_sections():
    raw = "Opening on evolution.\nEvolution is slow\nText on evolution and more evolution.\n"
    seed = _seed(raw, fmt="text", headings=("Evolution is slow",))
    here = mentions.in_seed(mentions.Finder(_terms(evo=["evolution"])), seed)
    assert [m.section for m in here.mentions] == [0, 1, 1, 1]
    assert [m.start for m in here.first_per_section()] == [here.mentions[0].start, here.mentions[2].start]


def test_the_shipped_essays_use_the_spellings_people_type():
    glossary, _ = pipeline.check(REPO)
    from glossdeck.render.addresses import seed_of

    found = mentions.find_all(glossary.terms, {s: seed_of(glossary, glossary.sources[s]) for s in glossary.sources})
    spellings = found.spellings("mesa-optimizer")
    assert {"mesaoptimizer", "mesa-optimizers", "Mesa-Optimisers", "inner optimizer"} <= set(spellings)
    assert "Orthogonality Thesis" in found.spellings("orthogonality-thesis")
    assert len(found.by_term) >= 105  # the issue counted 105 terms the essays mention


# --- check -------------------------------------------------------------------------------------------------------

UNNAMED = """\
term: pivotal widget
aliases: [widget of pivot]
gloss: A made-up thing no essay names.
definition: A made-up thing no essay names, to test the warning.
citations:
  - source: starter-pack
    quote: Alignment is an unsolved problem.
"""


def test_check_warns_about_a_term_no_source_names(tmp_path):
    root = make_project(tmp_path / "p", terms={"pivotal-widget": UNNAMED})
    _, warnings = pipeline.check(root)
    assert [(w.path.name, w.line, w.message) for w in warnings] == [
        ("pivotal-widget.yaml", 1, "no source names this term (“pivotal widget”, “widget of pivot”): a student "
                                   "reading the essays never meets it by name")]
    assert "named_in_sources: false" in warnings[0].hint and "aliases:" in warnings[0].hint
    result = CliRunner().invoke(main, ["check", "--strict", "--project", str(root)])
    assert result.exit_code == 1 and "pivotal-widget.yaml:1: warning: no source names" in result.output


def test_named_in_sources_false_silences_it_and_is_itself_checked(tmp_path):
    quiet = UNNAMED.replace("aliases:", "named_in_sources: false\naliases:")
    root = make_project(tmp_path / "p", terms={"pivotal-widget": quiet})
    assert pipeline.check(root)[1] == []
    stale = quiet.replace("widget of pivot", "unsolved problem")  # the starter pack does say this
    root = make_project(tmp_path / "q", terms={"pivotal-widget": stale})
    warnings = pipeline.check(root)[1]
    assert [(w.line, w.message) for w in warnings] == [
        (2, "`named_in_sources: false`, but starter-pack names it (“unsolved problem”, § What is AI alignment?, ¶ 2)")]
    assert warnings[0].hint == "delete the `named_in_sources` line"


@pytest.mark.parametrize("value", ["maybe", "'false'", "0", "[false]"])
def test_named_in_sources_must_be_true_or_false(tmp_path, value):
    bad = UNNAMED.replace("aliases:", f"named_in_sources: {value}\naliases:")
    root = make_project(tmp_path / "p", terms={"pivotal-widget": bad})
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1 and "pivotal-widget.yaml:2:" in result.output and "named_in_sources" in result.output


def test_never_linked_in_code_or_the_essays_own_links():
    raw = ("Some `sharp left turn` code, [the sharp left turn](https://example.org/) linked, then a sharp left turn.\n"
           "\n    sharp left turn in a code block\n\nAnd a sharp left turn.\n")
    here = mentions.in_seed(mentions.Finder(_terms(slt=["sharp left turn"])), _seed(raw))
    assert len(here.mentions) == 5  # each counts as a use
    [first] = here.first_per_section()
    assert first.start == raw.index("sharp left turn.")
