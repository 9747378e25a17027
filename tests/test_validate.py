"""validate: every problem in the glossary is reported at once, each with its file, line and a hint."""

import pytest

from glossdeck import pipeline
from glossdeck.errors import GlossdeckError
from tests.conftest import make_project

GOOD = """\
term: {term}
aliases: [{aliases}]
definition: A definition.
related: [{related}]
citations:
  - source: starter-pack
    quote: Alignment is an unsolved problem.
"""


def problems_for(tmp_path, terms=None, files=None):
    root = make_project(tmp_path / "p", terms=terms, files=files)
    with pytest.raises(GlossdeckError) as caught:
        pipeline.check(root)
    base = str(root) + "/"
    return [str(p).replace(base, "") for p in caught.value.problems]


CASES = {
    "unknown key with did-you-mean": (
        "term: x\ndefinition: d\naliasses: [y]\n",
        "glossary/terms/bad.yaml:3: error: unknown field `aliasses` in term `bad`\n    hint: did you mean `aliases`?",
    ),
    "number as definition": (
        "term: x\ndefinition: 42\n",
        "glossary/terms/bad.yaml:2: error: `definition` in term `bad` is the number 42, not text\n"
        '    hint: put it in quotes: definition: "42"',
    ),
    "list where text belongs": (
        "term: [x, y]\ndefinition: d\n",
        "glossary/terms/bad.yaml:1: error: `term` in term `bad` must be text, not a list\n"
        "    hint: write `term: some text` (use a `>-` block for long text)",
    ),
    "no read as a boolean": (
        "term: no\ndefinition: d\n",
        "glossary/terms/bad.yaml:1: error: `term` in term `bad` is the boolean false (YAML reads a bare `no` as "
        'a boolean), not text\n    hint: put it in quotes: term: "no"',
    ),
    "yes in a list": (
        "term: x\ndefinition: d\naliases: [yes]\n",
        "glossary/terms/bad.yaml:3: error: an item of `aliases` in term `bad` is the boolean true\n"
        "    hint: YAML reads a bare yes/no/on/off/true/false as a boolean; put it in quotes",
    ),
    "missing definition": (
        "term: x\n",
        "glossary/terms/bad.yaml:1: error: term `bad` has no `definition`\n    hint: add `definition:`",
    ),
    "unknown source": (
        "term: x\ndefinition: d\ncitations:\n  - source: starter-pak\n    quote: Alignment is an unsolved problem.\n",
        "glossary/terms/bad.yaml:4: error: unknown source `starter-pak`\n    hint: did you mean `starter-pack`?",
    ),
    "dangling related": (
        "term: x\ndefinition: d\nrelated: [mesa-optimiser]\n",
        "glossary/terms/bad.yaml:3: error: related term `mesa-optimiser` does not exist\n"
        "    hint: did you mean `mesa-optimizer`?",
    ),
    "link to unknown term": (
        "term: x\ndefinition: See [this](#orthogonality).\n",
        "glossary/terms/bad.yaml:2: error: link to unknown term `orthogonality` (in the definition)\n"
        "    hint: did you mean `orthogonality-thesis`?",
    ),
    "dialogue citation without speaker": (
        "term: x\ndefinition: d\ncitations:\n  - source: debate\n"
        "    quote: Simplicia Optimistovna, you cannot be serious!\n",
        "glossary/terms/bad.yaml:4: error: a citation of the dialogue `debate` needs `speaker:`\n"
        "    hint: the speakers argue opposite sides; name one of: Doomer, Simplicia",
    ),
    "alias used by another term": (
        "term: x\naliases: [Inner  Optimizer]\ndefinition: d\n",
        "glossary/terms/bad.yaml:2: error: name `Inner  Optimizer` is already used by term `mesa-optimizer` "
        "(as `inner optimizer`)\n    hint: each term and alias must be unique, ignoring case and spacing; "
        "merge the entries or drop the alias",
    ),
    "term differing only in case and hyphen": (
        "term: Mesa Optimizer\ndefinition: d\n",
        "glossary/terms/bad.yaml:1: error: name `Mesa Optimizer` is already used by term `mesa-optimizer` "
        "(as `mesa-optimizer`)\n    hint: each term and alias must be unique, ignoring case and spacing; "
        "merge the entries or drop the alias",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_term_file(tmp_path, case):
    text, expected = CASES[case]
    assert expected in problems_for(tmp_path, terms={"bad": text})


def test_every_problem_is_reported_in_one_run(tmp_path):
    problems = problems_for(tmp_path, terms={"bad": "term: x\ndefinition: 42\nrelated: [nope]\n",
                                             "worse": "term: y\ndefintion: d\n"})
    assert len([p for p in problems if ": error: " in p]) == 4


def test_bad_file_name(tmp_path):
    problems = problems_for(tmp_path, files={"glossary/terms/Bad Name.yaml": "term: x\ndefinition: d\n"})
    assert problems[0].startswith(
        "glossary/terms/Bad Name.yaml: error: file name 'Bad Name.yaml' is not a valid term id")


def test_empty_glossary(tmp_path):
    root = make_project(tmp_path / "p")
    for path in (root / "glossary" / "terms").iterdir():
        path.unlink()
    with pytest.raises(GlossdeckError) as caught:
        pipeline.check(root)
    assert [p.message for p in caught.value.problems] == ["the glossary has no terms"]


def test_term_without_citation_is_a_warning(tmp_path):
    root = make_project(tmp_path / "p", terms={"bare": "term: bare\ngloss: A thing.\ndefinition: d\n"})
    _, warnings = pipeline.check(root)
    assert [w.message for w in warnings] == ["term `bare` has no citation"]


CITED = "named_in_sources: false\ncitations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n"


@pytest.mark.parametrize("gloss, message", [
    (None, "term has no `gloss`"),
    ("''", "term has no `gloss`"),
    (" ".join(["word"] * 26), "gloss is 26 words long; at most 25"),
    ("A bare thing that is bare.", "gloss names the term itself (`bare`)"),
    ("What a Naked One does.", "gloss names the term itself (`naked one`)"),
])
def test_gloss_warnings(tmp_path, gloss, message):
    line = f"gloss: {gloss}\n" if gloss is not None else ""
    root = make_project(tmp_path / "p", terms={
        "bare": f"term: bare\naliases: [naked one]\n{line}definition: d\n{CITED}"})
    _, warnings = pipeline.check(root)
    assert [w.message for w in warnings] == [message]
    assert warnings[0].line == (3 if gloss is not None else 1)


def test_gloss_of_25_words_and_a_word_containing_the_term_pass(tmp_path):
    gloss = "Barely " + " ".join(["word"] * 24)
    root = make_project(tmp_path / "p", terms={"bare": f"term: bare\ngloss: {gloss}\ndefinition: d\n{CITED}"})
    assert pipeline.check(root)[1] == []


def test_unknown_level_is_an_error(tmp_path):
    root = make_project(tmp_path / "p", terms={
        "bare": f"term: bare\ngloss: A thing.\nlevel: basic\ndefinition: d\n{CITED}"})
    with pytest.raises(GlossdeckError) as caught:
        pipeline.check(root)
    assert [str(p).replace(str(root) + "/", "") for p in caught.value.problems] == [
        "glossary/terms/bare.yaml:3: error: `level: basic` is not one of: core, standard, extra\n"
        "    hint: core terms are learned first, extra ones last; most terms are `standard`"]


def test_html_in_definition_is_kept_as_text(tmp_path):
    root = make_project(tmp_path / "p", terms={"bad": GOOD.format(term="x", aliases="", related="").replace(
        "A definition.", "<script>alert(1)</script> & <b>bold</b>")})
    glossary, _ = pipeline.check(root)
    assert glossary.term("bad").definition == "<script>alert(1)</script> & <b>bold</b>"


SHUTDOWN = """\
term: shutdown problem
gloss: {gloss}
definition: The challenge of building an AI that lets itself be switched off.
citations:
  - source: starter-pack
    quote: you can’t achieve goals when you are shut down!
"""


def test_glosses_too_alike_are_a_warning_naming_both_terms(tmp_path):
    root = make_project(tmp_path / "p", terms={"shutdown-problem": SHUTDOWN.format(
        gloss="The challenge of building an AI that lets its operators switch it off without resisting.")})
    _, warnings = pipeline.check(root)
    assert [str(w).replace(str(root) + "/", "") for w in warnings] == [
        "glossary/terms/shutdown-problem.yaml:2: warning: gloss is too like the gloss of `corrigibility` "
        "(similarity 0.51, limit 0.26; shared words: ai, lets, operators, switch, resisting)\n"
        "    hint: a gloss asks for one term on the meaning → term card: say what sets `shutdown-problem` apart "
        "from `corrigibility` (glossary/terms/corrigibility.yaml)"]


def test_a_copied_gloss_is_reported_once_per_copy(tmp_path):
    gloss = "An AI system's willingness to let its operators correct, retrain or switch it off without resisting."
    root = make_project(tmp_path / "p", terms={
        "shutdown-problem": SHUTDOWN.format(gloss=gloss),
        "off-switch": SHUTDOWN.format(gloss=gloss).replace("shutdown problem", "off switch")
        + "named_in_sources: false\n"})  # the essay says "shut down", not "off switch"
    _, warnings = pipeline.check(root)
    assert [(w.path.name, w.message) for w in warnings] == [
        ("off-switch.yaml", "gloss has the same content words as the gloss of `corrigibility` (similarity 1.00, "
         "limit 0.26; shared words: ai, system, willingness, let, operators, correct, retrain, switch, resisting)"),
        ("shutdown-problem.yaml", "gloss has the same content words as the gloss of `corrigibility` (similarity "
         "1.00, limit 0.26; shared words: ai, system, willingness, let, operators, correct, retrain, switch, "
         "resisting)")]


def test_glosses_that_share_only_common_words_pass(tmp_path):
    root = make_project(tmp_path / "p", terms={"shutdown-problem": SHUTDOWN.format(
        gloss="The open question of how to build a capable system that stays indifferent to being turned off.")})
    assert pipeline.check(root)[1] == []


def test_whole_words_are_found_as_the_regex_would():
    """The gloss check's word search, without a pattern per term, agrees with (?<!\\w)…(?!\\w) everywhere."""
    import random
    import re

    from glossdeck.validate import _contains_word

    rng = random.Random(22)
    alphabet = "ab _-é1(.)’"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(13)))
        words = "".join(rng.choice(alphabet) for _ in range(1 + rng.randrange(3)))
        expected = re.search(r"(?<!\w)" + re.escape(words) + r"(?!\w)", text) is not None
        assert _contains_word(text, words) is expected, (text, words)
