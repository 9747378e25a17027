"""authoring and its commands: find, add, list and show, run as a maintainer runs them."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from glossdeck import cli, pipeline
from glossdeck.cli import main
from glossdeck.load import load_yaml
from tests.conftest import make_project


def run(*args, **kwargs):
    return CliRunner(**kwargs.pop("runner", {})).invoke(main, list(args), **kwargs)


def test_find_prints_a_citation_that_check_accepts(project):
    result = run("find", "SHARP LEFT TURN", "--source", "optimism", "--limit", "3", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert ("optimism: Arguments for optimism on AI Alignment, § The Sharp Left Turn probably won’t happen, "
            "because AI training is very different from evolution, ¶ 1") in result.output
    block = result.output.split("\n  - source:", 2)[1]
    citation = "  - source:" + block.split("\n\n")[0]
    term = "term: found\ndefinition: A term whose quote came from find.\ncitations:\n" + citation + "\n"
    (project / "glossary" / "terms" / "found.yaml").write_text(term, encoding="utf-8")
    glossary, _ = pipeline.check(project)
    assert glossary.term("found").citations[0].location.line == 12


@pytest.mark.parametrize("phrase", ["", "   ", "\n\t"])
def test_find_of_no_words_is_a_clear_error(project, phrase):
    result = run("find", phrase, "--project", str(project))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "nothing to find: the phrase has no words" in result.output and "Nearest" not in result.output


def test_check_counts_in_words_that_agree(project):
    assert [cli._count(n, "term") for n in (0, 1, 2)] == ["0 terms", "1 term", "2 terms"]
    result = run("check", "--project", str(project))
    assert result.exit_code == 0 and "OK: 4 terms, " in result.output, result.output


def test_find_adds_occurrence_and_speaker(project):
    result = run("find", "cannot be serious", "--project", str(project))
    assert "speaker: Doomer" in result.output
    result = run("find", "inscutable matrices", "--project", str(project))
    assert "debate: Alignment Implications of Deep Learning Successes: a Debate in One Act, ¶ 10" in result.output


def test_find_names_the_terms_that_already_quote_a_passage(project):
    result = run("find", "an optimizer with an inner goal", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "cited by mesa-optimizer: An optimizer produced by a training process, pursuing an inner goal" \
        in " ".join(result.output.split())
    result = run("find", "few people are familiar with the concept", "--project", str(project))
    assert result.exit_code == 0 and "cited by" not in result.output


def test_find_forgives_presentation(project):
    result = run("find", "building AI whose output matches", "--project", str(project))
    assert result.exit_code == 0
    assert "starter-pack: AI alignment starter pack, § What is AI alignment?, ¶ 2" in result.output


def test_find_nothing_suggests_nearest(project):
    result = run("find", "capabilities generalize furthest", "--project", str(project))
    assert result.exit_code == 1
    assert "No match for 'capabilities generalize furthest'. Nearest passages:" in result.output
    assert "debate (91% alike): “capabilities generalize farther”" in result.output


def test_find_unknown_source(project):
    result = run("find", "anything at all", "--source", "optimist", "--project", str(project))
    assert result.exit_code == 1
    assert "error: unknown source `optimist`\n    hint: did you mean `optimism`?" in result.output


ADD = ["add", "--term", "deceptive alignment", "--alias", "deceptively aligned model", "--alias", "DA",
       "--gloss", "A model that acts aligned during training so as to pursue a different goal once deployed.",
       "--level", "core",
       "--definition", "A model that behaves well in training in order to pursue other goals later.",
       "--cite", "starter-pack", "an intelligent mesa-optimizer could deceive its base optimizer",
       "--related", "mesa-optimizer", "--tag", "inner alignment"]


def test_add_writes_a_checked_file_formatted_like_the_others(project):
    result = run(*ADD, "--project", str(project))
    assert result.exit_code == 0, result.output
    path = project / "glossary" / "terms" / "deceptive-alignment.yaml"
    assert f"wrote {path}" in result.output
    assert "Next: `glossdeck show deceptive-alignment`" in result.output
    assert path.read_text(encoding="utf-8") == (
        "term: deceptive alignment\n"
        "aliases: [deceptively aligned model, DA]\n"
        "gloss: >-\n"
        "  A model that acts aligned during training so as to pursue a different goal\n"
        "  once deployed.\n"
        "level: core\n"
        "definition: >-\n"
        "  A model that behaves well in training in order to pursue other goals later.\n"
        "tags: [inner alignment]\n"
        "related: [mesa-optimizer]\n"
        "citations:\n"
        "  - source: starter-pack\n"
        "    quote: >-\n"
        "      an intelligent mesa-optimizer could deceive its base optimizer\n")
    glossary, warnings = pipeline.check(project)
    assert warnings == [] and glossary.term("deceptive-alignment").citations[0].location.line == 225


def test_add_round_trips_awkward_text(project):
    result = run("add", "--term", "no", "--alias", "yes: really", "--alias", "[x]", "--definition",
                 "Quotes \"here\", a #hash, a: colon and   spaces " + "long words " * 12,
                 "--cite", "debate", "Simplicia Optimistovna, you cannot be serious!", "--id", "awkward",
                 "--project", str(project))
    assert result.exit_code == 0, result.output
    data, problems = load_yaml(project / "glossary" / "terms" / "awkward.yaml")
    assert problems == []
    assert data["term"] == "no" and list(data["aliases"]) == ["yes: really", "[x]"]
    assert data["definition"].startswith("Quotes \"here\", a #hash, a: colon and spaces long words")
    assert data["citations"][0]["speaker"] == "Doomer"  # found in the dialogue


def test_add_dry_run_writes_nothing(project):
    result = run(*ADD, "--dry-run", "--project", str(project))
    assert result.exit_code == 0
    assert result.output.startswith("term: deceptive alignment\n")
    assert not (project / "glossary" / "terms" / "deceptive-alignment.yaml").exists()


@pytest.mark.parametrize("change, message", [
    (["--alias", "Inner Optimizer"], "error: the name `Inner Optimizer` is already used by term `mesa-optimizer`"),
    (["--related", "orthogonality"], "error: related term `orthogonality` does not exist\n"
                                     "    hint: did you mean `orthogonality-thesis`"),
    (["--id", "corrigibility"], "error: term `corrigibility` already exists"),
    (["--cite", "starter-pack", "an intelligent mesa optimiser could deceive"], "error: quote not found in "
                                                                                "`starter-pack`"),
])
def test_add_refuses_and_writes_nothing(project, change, message):
    before = sorted(p.name for p in (project / "glossary" / "terms").iterdir())
    result = run(*ADD, *change, "--project", str(project))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (project / "glossary" / "terms").iterdir()) == before


def test_add_without_a_terminal_says_what_is_missing(project):
    result = run("add", "--project", str(project))
    assert result.exit_code == 1
    assert "error: missing --term\n    hint: pass --term, or run `glossdeck add` in a terminal to be asked" \
        in result.output


def test_add_asks_on_a_terminal(project, monkeypatch):
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    answers = "\n".join([
        "treacherous turn",                       # term
        "",                                       # other names
        "An AI that behaves well until it is strong enough to act against its makers.",  # gloss
        "An AI that turns on its makers once it can.",  # definition
        "an intelligent mesa-optimiser could deceive",  # quote (misspelt: not found)
        "starter-pack",                           # its source
        "an intelligent mesa-optimizer could deceive its base optimizer",
        "starter-pack",
        "",                                       # no more quotes
        "mesa-optimizer",                         # related, one per answer
        "",
        "inner alignment",                        # tags, one per answer
        "",
    ]) + "\n"
    result = run("add", "--project", str(project), input=answers)
    assert result.exit_code == 0, result.output
    assert "quote not found in `starter-pack`; the nearest passage (98% alike) is" in result.output
    text = (project / "glossary" / "terms" / "treacherous-turn.yaml").read_text()
    assert "related: [mesa-optimizer]" in text and "tags: [inner alignment]" in text
    assert "gloss: >-\n  An AI that behaves well until it is strong enough to act against its makers.\n" in text


def test_list_and_filters(project):
    result = run("list", "--project", str(project))
    assert result.exit_code == 0
    assert "mesa-optimizer                     mesa-optimizer (inner optimizer) — 1 quote" in result.output
    assert "4 of 4 terms" in result.output
    assert "1 of 4 terms" in run("list", "--tag", "inner alignment", "--project", str(project)).output
    assert "corrigibility" in run("list", "--source", "debate", "--project", str(project)).output


def test_show_resolves_aliases(project):
    result = run("show", "Inner  Optimizer", "--project", str(project))
    assert result.exit_code == 0
    assert result.output.startswith("MESA-OPTIMIZER\nalso: inner optimizer\n")
    assert "— Ruud van Asseldonk, AI alignment starter pack, § Deceptively misaligned mesa-optimizers, ¶ 1" in " ".join(
        result.output.split())
    missing = run("show", "mesa optimiser", "--project", str(project))
    assert missing.exit_code == 1 and "hint: did you mean `mesa-optimizer`" in missing.output
    assert missing.output.endswith("1 error.\n")


def test_colour_only_on_request_and_never_with_no_color(tmp_path):
    root = make_project(tmp_path / "p", terms={"bad": "term: x\ndefinition: d\nrelated: [nope]\n"})
    coloured = run("check", "--project", str(root), runner={"env": {"NO_COLOR": ""}}, color=True)
    assert "\x1b[" in coloured.output
    plain = run("check", "--project", str(root), runner={"env": {"NO_COLOR": "1"}}, color=True)
    assert "\x1b[" not in plain.output
    piped = run("check", "--project", str(root))
    assert "\x1b[" not in piped.output


def test_shell_completion_script_and_term_ids(project):
    env = dict(os.environ, _GLOSSDECK_COMPLETE="bash_source")
    script = subprocess.run([sys.executable, "-m", "glossdeck"], env=env, capture_output=True, text=True)
    assert "_glossdeck_completion" in script.stdout
    env = dict(os.environ, _GLOSSDECK_COMPLETE="bash_complete", COMP_WORDS="glossdeck show mesa", COMP_CWORD="2")
    done = subprocess.run([sys.executable, "-m", "glossdeck"], env=env, capture_output=True, text=True, cwd=project)
    assert "mesa-optimizer" in done.stdout


def test_build_reports_progress(project):
    steps = []
    pipeline.build(project, timestamp=1_700_000_000, progress=steps.append)
    assert steps == ["checking the glossary and its quotes", "deck", "booklet", "print-ready booklet", "flashcards",
                     "web site", "e-reader dictionary", "EPUB"]


def test_export_is_json(project):
    assert json.loads(run("export", "--project", str(project)).output)["format"] == "glossdeck-export"


def test_find_matches_whole_words_like_check(project):
    result = run("find", "possible for a mesaoptimizer or gradient hacker", "--project", str(project))
    assert result.exit_code == 1
    assert "No match for 'possible for a mesaoptimizer or gradient hacker'" in result.output
    assert "optimism (100% alike): “impossible for a mesaoptimizer or gradient hacker" in result.output
    result = run("find", "impossible for a mesaoptimizer or gradient hacker", "--project", str(project))
    assert result.exit_code == 0
    assert "optimism: Arguments for optimism on AI Alignment, § I believe the security mindset is inappropriate " \
        "for AI, ¶ 29" in result.output  # the fixture's sources.yaml lists fewer headings than the shipped one


def test_find_an_elided_phrase_gives_the_citation_check_accepts(project):
    phrase = "Alignment is an unsolved problem. … on a range of inputs"
    result = run("find", phrase, "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "starter-pack: AI alignment starter pack, § What is AI alignment?, ¶ 2" in result.output
    citation = "  - source:" + result.output.split("\n  - source:", 1)[1].split("\n\n")[0]
    assert "Alignment is an unsolved problem. … on a range of inputs" in citation
    term = "term: found\ndefinition: A term whose quote came from find.\ncitations:\n" + citation + "\n"
    (project / "glossary" / "terms" / "found.yaml").write_text(term, encoding="utf-8")
    glossary, _ = pipeline.check(project)
    assert glossary.term("found").citations[0].location.elided


def test_find_widens_within_one_turn(project):
    result = run("find", "All is lost", "--project", str(project))
    assert result.exit_code == 0, result.output
    citation = result.output.split("\n  - source:", 1)[1].split("\n\n")[0]
    assert "Simplicia" not in citation and "speaker: Doomer" in citation
    term = "term: found\ndefinition: d.\ncitations:\n  - source:" + citation + "\n"
    (project / "glossary" / "terms" / "found.yaml").write_text(term, encoding="utf-8")
    pipeline.check(project)


def test_find_never_suggests_the_speaker_label(project):
    result = run("find", "cannot be serious", "--project", str(project))
    citation = result.output.split("\n  - source:", 1)[1].split("\n\n")[0]
    assert "quote: >-\n      Simplicia Optimistovna, you cannot be serious!\n    speaker: Doomer" in citation
