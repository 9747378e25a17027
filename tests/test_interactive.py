"""The questions commands ask on a terminal accept exactly what their options accept, and stop after a few wrong
answers or at the end of input; `add` reports every missing option at once and writes YAML it reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from glossdeck import cli, pipeline
from glossdeck.cli import main
from glossdeck.load import load_yaml
from glossdeck.model import name_key

ELIDED = "A mesa-optimizer is what you get … an optimizer with an inner goal"


def run(root: Path, *args: str, answers: list[str] | None = None) -> Any:
    stdin = None if answers is None else "".join(line + "\n" for line in answers)
    return CliRunner().invoke(main, ["--project", str(root), *args], input=stdin)


def terms(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "glossary" / "terms").iterdir())


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)


START = ["inner misalignment", "", "A trained model pursuing a goal other than the one it was trained on.",
         "A model whose learned goal differs from the objective it was trained on."]


def test_an_elided_quote_is_accepted_on_a_terminal_as_find_cite_and_check_accept_it(project, terminal):
    found = run(project, "find", ELIDED)
    assert found.exit_code == 0 and f"quote: >-\n      {ELIDED}\n" in found.output
    flags = run(project, "add", "--term", "x", "--gloss", "g", "--definition", "d", "--cite", "starter-pack", ELIDED,
                "--dry-run")
    assert flags.exit_code == 0, flags.output
    result = run(project, "add", answers=[*START, ELIDED, "starter-pack", "", "", ""])
    assert result.exit_code == 0, result.output
    assert "found at § Deceptively misaligned mesa-optimizers, ¶ 1" in result.output
    assert "quote: >-\n      A mesa-optimizer is what you get … an optimizer with an inner goal\n" in \
        (project / "glossary" / "terms" / "inner-misalignment.yaml").read_text(encoding="utf-8")
    assert run(project, "check").exit_code == 0


@pytest.mark.parametrize("answers, message", [
    ([*START, "no such words in any essay here", "starter-pack"] * 1
     + ["no such words in any essay here", "starter-pack"] * 2, "no answer accepted for “Quote” after 3 tries"),
    ([*START, ELIDED, "nowhere", "nowhere", "nowhere"], "no answer accepted for “Source” after 3 tries"),
    ([*START, ELIDED, "starter-pack", "", "orthogonality", "no-such-term", "mesa optimizer"],
     "no answer accepted for “Related term id (empty when done)” after 3 tries"),
    (["", " ", "\t"], "no answer accepted for “Term” after 3 tries"),
    ([*START[:3], "", "", ""], "no answer accepted for “Definition” after 3 tries"),
])
def test_three_wrong_answers_stop_the_command_and_write_nothing(project, terminal, answers, message):
    before = terms(project)
    result = run(project, "add", answers=answers)
    assert result.exit_code == 1
    assert f"glossdeck: error: {message}" in result.output
    assert result.output.rstrip().endswith("1 error; nothing written.")
    assert terms(project) == before


def test_each_wrong_answer_is_told_with_the_words_of_the_option(project, terminal):
    answers = [*START, "an intelligent mesa-optimiser could deceive", "starter-pack", ELIDED, "starter-pak",
               "starter-pack", "", "orthogonality", "orthogonality-thesis", "", ""]
    result = run(project, "add", answers=answers)
    assert result.exit_code == 0, result.output
    assert "  quote not found in `starter-pack`; the nearest passage (98% alike) is: “an intelligent " \
           "mesa-optimizer could deceive”" in result.output
    assert "  unknown source `starter-pak`; known: optimism, " in result.output
    assert "  related term `orthogonality` does not exist (did you mean `orthogonality-thesis` or `corrigibility`?)" \
        in result.output
    # the same words as the options give
    flag = run(project, "add", "--term", "x", "--gloss", "g", "--definition", "d", "--cite", "starter-pack",
               "an intelligent mesa-optimiser could deceive", "--related", "orthogonality")
    assert "error: quote not found in `starter-pack`; the nearest passage (98% alike) is: “an intelligent " \
           "mesa-optimizer could deceive”" in flag.output
    assert "error: related term `orthogonality` does not exist\n    hint: did you mean `orthogonality-thesis` or " \
           "`corrigibility`?" in flag.output


@pytest.mark.parametrize("answered", range(len(START) + 3))
def test_the_end_of_input_at_any_question_stops_and_writes_nothing(project, terminal, answered):
    answers = [*START, ELIDED, "starter-pack", ""][:answered]
    before = terms(project)
    result = run(project, "add", answers=answers)
    assert result.exit_code == 1
    assert "Aborted!" in result.output and "Traceback" not in result.output
    assert terms(project) == before


def test_a_quote_found_several_times_is_cited_by_occurrence_only_if_asked(project, terminal):
    quote = "the bolded text is about"
    answers = [*START, quote, "objections", "n", quote, "objections", "y", "", "", ""]
    result = run(project, "add", answers=answers)
    assert result.exit_code == 0, result.output
    assert "Found 4 times; cite the first? [y/N]" in result.output
    assert "  quote occurs 4 times in `objections`" in result.output  # declined: the resolver's words, as for --cite
    text = (project / "glossary" / "terms" / "inner-misalignment.yaml").read_text(encoding="utf-8")
    assert "    occurrence: 1\n" in text
    assert run(project, "check").exit_code == 0


def test_source_add_questions_stop_after_three_wrong_answers_and_at_the_end_of_input(project, terminal, tmp_path):
    essay = tmp_path / "essay.txt"
    essay.write_text("An Essay\n\nSome words that make up a short essay for the test.\n", encoding="utf-8")
    seeds = sorted(p.name for p in (project / "seeds").iterdir())
    sources = (project / "glossary" / "sources.yaml").read_bytes()
    args = ("source", "add", str(essay), "--id", "essay", "--title", "An Essay", "--author", "A. Author")
    wrong = run(project, *args, answers=["maybe", "perhaps", "sure?"])
    assert wrong.exit_code == 1 and "no answer accepted for “Write the seed and its entry? [Y/n]” after 3 tries" \
        in wrong.output
    ended = run(project, *args, answers=[])
    assert ended.exit_code == 1 and "Aborted!" in ended.output
    assert sorted(p.name for p in (project / "seeds").iterdir()) == seeds
    assert (project / "glossary" / "sources.yaml").read_bytes() == sources
    assert run(project, *args, answers=["YES"]).exit_code == 0


# --- the options ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, missing", [
    ([], ["--term", "--definition", "--cite"]),
    (["--term", "x"], ["--definition", "--cite"]),
    (["--definition", "d"], ["--term", "--cite"]),
    (["--cite", "starter-pack", ELIDED], ["--term", "--definition"]),
    (["--term", "x", "--cite", "starter-pack", ELIDED], ["--definition"]),
])
def test_every_missing_option_is_reported_at_once(project, given, missing):
    result = run(project, "add", *given)
    assert result.exit_code == 1
    expected = "".join(f"glossdeck: error: missing {option}\n    hint: pass {option}, or run `glossdeck add` in "
                       "a terminal to be asked\n" for option in missing)
    count = len(missing)
    assert result.output == expected + f"{count} error{'s' if count > 1 else ''}; nothing written.\n"


# Every kind of scalar that some YAML reads as something other than text: numbers in every notation, booleans,
# nulls, dates and times, infinities, and text that opens a flow, an anchor, an alias, a tag or a comment.
AWKWARD = ["0x1F", "1.5e+3", "1e3", "0o17", "017", "0b101", "1_000", "+12", "-0", "3.", ".5", "190:20:30", "12:30",
           ".inf", "-.Inf", ".NaN", "yes", "No", "ON", "off", "y", "N", "true", "False", "~", "null", "NULL",
           "2024-01-01", "2001-12-14t21:59:43.10-05:00", "a: b", "#hash", "x #y", "- dash", "[list]", "{map}",
           "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "'single", '"double', "x'", "a, b", "?q",
           "|pipe", ">fold", "<<", "=", "x\\y", "trailing:", "naïve", "Ωmega", "tab-free text"]


def test_awkward_values_round_trip_through_add_and_check(project):
    keys: dict[str, str] = {}
    for value in AWKWARD:  # those that can be names together: names differ by more than case, spaces and hyphens
        keys.setdefault(name_key(value), value)
    names = list(keys.values())
    batches = [names[at:at + 13] for at in range(0, len(names), 13)]  # a term and at most 12 aliases each
    for number, (term, *aliases) in enumerate(batches):
        args = ["add", "--term", term, "--id", f"awkward-{number}", "--definition",
                "#1: - [a] {b} & *c ! % @ ` | > yes", "--gloss", "- 0x10: a gloss that starts like a list item",
                "--cite", "starter-pack", ELIDED]
        for alias in aliases:
            args += ["--alias", alias]
        for tag in AWKWARD:
            args += ["--tag", tag]
        result = run(project, *args)
        assert result.exit_code == 0, result.output
        path = project / "glossary" / "terms" / f"awkward-{number}.yaml"
        data, problems = load_yaml(path)
        assert problems == []
        assert data["term"] == term and list(data["aliases"]) == aliases and list(data["tags"]) == AWKWARD
        assert data["definition"] == "#1: - [a] {b} & *c ! % @ ` | > yes"
        assert data["gloss"] == "- 0x10: a gloss that starts like a list item"
        # Text to YAML 1.1 (PyYAML) and 1.2 alike: nothing written bare that either reads as another type.
        plain = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert all(isinstance(v, str) for v in [*plain["aliases"], *plain["tags"], plain["term"]])
    glossary, _ = pipeline.check(project)
    assert [glossary.term(f"awkward-{n}").aliases for n in range(len(batches))] == [tuple(b[1:]) for b in batches]


@pytest.mark.parametrize("value", AWKWARD)
def test_a_source_or_speaker_that_yaml_would_misread_is_quoted(value):
    from glossdeck import authoring

    text = authoring.term_yaml(authoring.Term(id="t", term=value, definition=value, gloss=value, aliases=(value,),
                                              tags=(value,), related=(value,), citations=(
                                                  authoring.Citation(value, value, speaker=value),)))
    data = yaml.safe_load(text)
    citation = data["citations"][0]
    assert [data["term"], data["definition"], data["gloss"], citation["source"], citation["quote"],
            citation["speaker"]] == [value] * 6
    assert data["aliases"] == data["tags"] == data["related"] == [value]


def test_push_asks_before_deleting_as_every_question_asks(project, terminal, monkeypatch):
    """The question `push --delete-retired` asks: three wrong answers, or the end of input, stop it; no deletes."""
    from glossdeck import push

    answered: list[bool] = []

    def fake_push(root: Any, url: str, delete: bool, confirm: Any, progress: Any) -> Any:
        answered.append(confirm(2))  # as the real push asks, before it deletes anything
        raise AssertionError("not reached: the command stops at the question")

    monkeypatch.setattr(push, "push", fake_push)
    wrong = run(project, "push", "--delete-retired", answers=["maybe", "2", "yes please"])
    assert wrong.exit_code == 1 and "no answer accepted for “Delete them? [y/N]” after 3 tries" in wrong.output
    ended = run(project, "push", "--delete-retired", answers=[])
    assert ended.exit_code == 1 and "Aborted!" in ended.output
    assert answered == []
