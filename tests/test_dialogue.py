"""dialogue and `source add`'s speakers: turns only where there is a dialogue, and the guesses can be seen and set
without a terminal (issue 20: lines of code blocks were proposed as speakers, and --yes accepted them)."""

from pathlib import Path

import pytest

from glossdeck import dialogue, pipeline
from tests.test_init import snapshot
from tests.test_sourcing import DIALOGUE, run

REPO = Path(__file__).resolve().parent.parent
ESSAY = "\n\n".join(f"Paragraph {n} of an essay, with several words of argument in it." for n in range(20))


def test_the_shipped_dialogue_and_a_plain_one_are_found():
    debate = (REPO / "seeds" / "004_bce81a884f985e50.txt").read_text()
    assert dialogue.propose_speakers(debate, markdown=True) == ("Doomer", "Simplicia")
    assert dialogue.propose_speakers(DIALOGUE, markdown=False) == ("Thrasymachus", "Socrates")


@pytest.mark.parametrize("shipped", ["000_25fc0cdaa2772cd9.txt", "001_3a65144e88efcba7.txt"])
def test_the_shipped_essays_are_no_dialogues(shipped):
    assert dialogue.propose_speakers((REPO / "seeds" / shipped).read_text(), markdown=False) == ()


NOT_DIALOGUES = {
    "fields in a code block": ("Some prose first.\n\n```\nX-Python3-Version: >= 3.6\nBuild-Depends: python3-all\n"
                               "X-Python3-Version: >= 3.7\nBuild-Depends: dh-python, python3-all\n```\n", True),
    "fields in an indented block": ("Some prose first.\n\n    Source: foo\n    Build-Depends: python3-all\n\n"
                                    "    Source: bar\n    Build-Depends: dh-python\n", False),
    "a list of definitions": ("Terms:\n\n- **Function**: a callable object that you define.\n- **Alias**: another "
                              "name for the same thing.\n- **Function**: said again.\n- **Alias**: and again.\n",
                              True),
    "API signatures": ("Function: int foo (void)\n\nReturns a number.\n\nAlias: int bar (void)\n\nThe same.\n\n"
                       "Function: void baz (int)\n\nTakes one.\n\nAlias: void qux (int)\n\nThe same again.\n",
                       False),
    "a table": ("| Name: | Value: |\n| --- | --- |\n| Next: one | Previous: two |\n| Next: three | Previous: four |\n",
                True),
    "navigation lines": ("Next: Writing a Texinfo File, Previous: Copying Conditions, Up: Texinfo\n\nText.\n\n"
                         "Next: Overview, Previous: Writing, Up: Texinfo\n\nMore text.\n\n"
                         "Next: Index, Previous: Overview, Up: Texinfo\n", False),
    "an essay's few notes": (ESSAY + "\n\nNote: the first note says this.\n\n" + ESSAY + "\n\nWarning: mind this.\n\n"
                             + ESSAY + "\n\nNote: a second note.\n\n" + ESSAY + "\n\nWarning: and this.\n\n" + ESSAY,
                             False),
    "one voice only": ("Socrates: I ask.\n\nSocrates: I ask again.\n\nSocrates: And again.\n", False),
    "dates and versions": ("Date: 2023-10-01\n\nText.\n\nVersion: 1.2.3\n\nText.\n\nDate: 2023-10-02\n\n"
                           "Version: 1.2.4\n", False),
}


@pytest.mark.parametrize("case", list(NOT_DIALOGUES))
def test_what_is_no_dialogue_gets_no_speakers(case):
    text, markdown = NOT_DIALOGUES[case]
    assert dialogue.propose_speakers(text, markdown) == ()


def test_a_dialogue_whose_speeches_run_over_several_paragraphs_is_one():
    speech = "And more of the same speech, in a paragraph of its own."
    text = "\n\n".join(f"{name}: I say this, number {n}.\n\n{speech}" for n, name in
                       enumerate(["Hylas", "Philonous"] * 4))
    assert dialogue.propose_speakers(text, markdown=False) == ("Hylas", "Philonous")


@pytest.fixture
def essay(tmp_path) -> Path:
    path = tmp_path / "republic.txt"
    path.write_text(DIALOGUE)
    return path


def add(root: Path, essay: Path, *options: str):
    return run(root, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title", "Republic",
               *options)


def test_dry_run_prints_the_entry_and_writes_nothing_even_without_a_terminal(blank, essay):
    before = snapshot(blank)
    result = add(blank, essay, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "republic:\n  file: republic.txt\n  sha256: " in result.output
    assert "  speakers:\n    - Thrasymachus\n    - Socrates\n  headings:\n    - On Justice\n" in result.output
    assert "(dry run: nothing written)" in result.output
    assert snapshot(blank) == before


@pytest.mark.parametrize("options, speakers, headings", [
    (("--no-speakers",), (), ("On Justice",)),
    (("--speakers", "Socrates"), ("Socrates",), ("On Justice",)),
    (("--speakers", "Socrates, Thrasymachus"), ("Socrates", "Thrasymachus"), ("On Justice",)),
    (("--no-headings",), ("Thrasymachus", "Socrates"), ()),
    (("--heading", "On Justice", "--no-speakers"), (), ("On Justice",)),
])
def test_options_set_what_was_guessed(blank, essay, options, speakers, headings):
    result = add(blank, essay, *options, "--yes")
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(blank)[0].sources["republic"]
    assert (source.speakers, source.headings) == (speakers, headings)


@pytest.mark.parametrize("options, message", [
    (("--speakers", "Glaucon"), "speaker 'Glaucon' opens no turn in the text"),
    (("--speakers", "Socrates,Glau\u200bcon"), "speaker 'Glau\\u200bcon' contains an invisible character"),
    (("--heading", "On Injustice"), "heading 'On Injustice' is not in the text"),
])
def test_options_are_checked_like_the_guesses(blank, essay, options, message):
    before = snapshot(blank)
    result = add(blank, essay, *options, "--yes")
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert snapshot(blank) == before


def test_headings_of_markdown_are_its_own(blank, tmp_path):
    essay = tmp_path / "e.md"
    essay.write_text("# Title\n\n## Part\n\nSome words of the essay itself, enough of them.\n")
    result = run(blank, "source", "add", str(essay), "--id", "e", "--author", "A", "--heading", "Part", "--yes")
    assert result.exit_code == 1 and "a Markdown text's headings are its own `#` lines" in result.output
