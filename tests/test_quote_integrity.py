"""A verified quote is the essay's words, whole: run through `glossdeck check` as a maintainer meets each case."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossdeck.cli import main
from tests.conftest import make_project

TERM = """\
term: test term
named_in_sources: false
gloss: A sentence used to test quotes.
definition: A term used to test quotes.
citations:
  - source: {source}
    quote: {quote}
{extra}"""
QUOTE_LINE = 6  # the line of `- source:` in TERM, where a citation's problems are reported


def snapshot(root: Path) -> dict[str, str]:
    """Every file with a hash of its bytes; `add`'s empty, git-ignored lock file aside."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".glossdeck.lock"}


def with_seed(root: Path, text: str, headings: tuple[str, ...] = (), extra: str = "") -> Path:
    """Add a source `custom` whose seed is the given text (for characters the shipped essays lack)."""
    data = text.encode("utf-8")
    (root / "seeds" / "custom.txt").write_bytes(data)
    with open(root / "glossary" / "sources.yaml", "a", encoding="utf-8") as handle:
        handle.write(f"custom:\n  file: custom.txt\n  sha256: {hashlib.sha256(data).hexdigest()}\n"
                     f"  title: A custom essay\n  author: Someone\n  headings: {json.dumps(list(headings))}\n{extra}")
    return root


def project_for(tmp_path: Path, source: str, quote: str, extra: str = "", seed: str | None = None,
                headings: tuple[str, ...] = ()) -> Path:
    # a YAML double-quoted string: invisible characters arrive exactly as written (\u200b and so on)
    term = TERM.format(source=source, quote=json.dumps(quote), extra=extra)
    root = make_project(tmp_path / "p", terms={"test-term": term})
    return with_seed(root, seed, headings) if seed is not None else root


def check(tmp_path: Path, source: str, quote: str, extra: str = "", seed: str | None = None,
          headings: tuple[str, ...] = ()):
    """Run `glossdeck check` on a project whose one new citation is this quote."""
    root = project_for(tmp_path, source, quote, extra, seed, headings)
    before = snapshot(root)
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert snapshot(root) == before  # check writes nothing, pass or fail
    assert "Traceback" not in result.output
    return result


def refused(tmp_path: Path, source: str, quote: str, extra: str = "", seed: str | None = None,
            headings: tuple[str, ...] = ()) -> str:
    """The one error `check` gives for this quote, asserting a clean failure."""
    result = check(tmp_path, source, quote, extra, seed, headings)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if "error:" in line]
    assert len(lines) == 1, result.output
    assert f"glossary/terms/test-term.yaml:{QUOTE_LINE}: error: " in lines[0]
    return result.output.split("error: ", 1)[1]


def accepted(tmp_path: Path, source: str, quote: str, extra: str = "", seed: str | None = None,
             headings: tuple[str, ...] = ()) -> None:
    result = check(tmp_path, source, quote, extra, seed, headings)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")


# --- a quote starts and ends on word boundaries -------------------------------------------------------------


@pytest.mark.parametrize("source, quote, whole, line", [
    # the examples of the issue: the cut word says the opposite
    ("optimism", "possible for a mesaoptimizer or gradient hacker",
     "impossible for a mesaoptimizer or gradient hacker", 203),
    ("optimism", "unlike biological life, gradient hackers can", "unlike biological life, gradient hackers cannot",
     205),
    # inside a word at the start, and at the end
    ("starter-pack", "lignment is an unsolved problem.", "Alignment is an unsolved problem.", 25),
    ("starter-pack", "Alignment is an unsolv", "Alignment is an unsolved", 25),
    # inside a hyphenated word
    ("starter-pack", "optimizer could deceive its base optimizer", "mesa-optimizer could deceive its base optimizer",
     225),
    # inside a number: 1,000,000 and 7.5MB are single words
    ("objections", "something like a 1 / 1,000", "something like a 1 / 1,000,000", 1),
    ("objections", "later you have humans with 7", "later you have humans with 7.5MB", 1),
    # inside a word split by markup: the reader sees "AI", and "The" at the start of a link
    ("starter-pack", "I whose output matches what its human creators want", "AI whose output matches what its "
     "human creators want", 26),
    ("debate", "he genie knows, but doesn't care.", "The genie knows, but doesn't care.", 13),
    # inside a contraction
    ("debate", "the alignment problem. Not only do we have no clue how to align a powerful optimizer to our \"true\" "
     "values, we don", "the alignment problem. Not only do we have no clue how to align a powerful optimizer to our "
     "\"true\" values, we don't", 3),
])
def test_a_quote_that_cuts_a_word_is_refused_and_the_whole_word_shown(tmp_path, source, quote, whole, line):
    extra = "    speaker: Doomer\n" if source == "debate" else ""
    message = refused(tmp_path, source, quote, extra)
    where = f"line {line}" if line > 1 else "char "
    assert message.startswith(f"the quote is in `{source}` only as part of longer words: the text has “{whole}” "
                              f"({where}"), message
    assert "hint: start and end a quote on whole words; the whole word may say the opposite" in message


@pytest.mark.parametrize("source, quote", [
    # across a link
    ("debate", "human values. The genie knows, but doesn't care. The fact that a large language model"),
    ("debate", "has no bearing on the AI's actual motivations"),  # ends before a possessive's owner, not inside it
    ("objections", "something like a 1 / 1,000,000 chance of us surviving"),
    ("starter-pack", "We have techniques for building AI whose output matches"),
    ("starter-pack", "an intelligent mesa-optimizer could deceive its base optimizer"),
])
def test_whole_words_are_accepted(tmp_path, source, quote):
    accepted(tmp_path, source, quote, "    speaker: Doomer\n" if source == "debate" else "")


def test_occurrence_counts_whole_words_only(tmp_path):
    seed = "It is impossible to win this game. Yet it is possible to win this game.\n"
    accepted(tmp_path, "custom", "possible to win this game.", seed=seed)  # once as whole words: unique
    message = refused(tmp_path, "custom", "possible to win this game.", "    occurrence: 2\n", seed=seed)
    assert message.startswith("`occurrence: 2` but the quote occurs only 1 time in `custom`")


def test_a_prefix_must_be_whole_words(tmp_path):
    seed = "Some say we will win this game. Others say we will win this game. Few agree.\n"
    assert refused(tmp_path, "custom", "we will win this game.", seed=seed).startswith("quote occurs 2 times")
    accepted(tmp_path, "custom", "we will win this game.", "    prefix: Others say\n", seed=seed)
    message = refused(tmp_path, "custom", "we will win this game.", "    prefix: hers say\n", seed=seed)
    assert message.startswith("quote occurs in `custom`, but never right after the prefix “hers say”")
    assert "hint: `prefix:` must be the whole words just before the quote" in message


def test_occurrence_counts_the_matches_after_the_prefix(tmp_path):
    seed = "A says we will win this game. B says we will win this game. A says we will win this game.\n"
    quote = "we will win this game."
    accepted(tmp_path, "custom", quote, "    prefix: A says\n    occurrence: 2\n", seed=seed)
    message = refused(tmp_path, "custom", quote, "    prefix: A says\n    occurrence: 3\n", seed=seed)
    assert message.startswith("`occurrence: 3` but the quote occurs only 2 times in `custom`"), message
    message = refused(tmp_path, "custom", quote, "    prefix: A says\n", seed=seed)
    assert message.startswith("quote occurs 2 times in `custom` (char 8, char 68)"), message


# --- elision does not fabricate ----------------------------------------------------------------------------


@pytest.mark.parametrize("quote, piece, words", [
    ("I … think … we … are … doomed", "I", 1),  # the example: "I" is the end of "AI"
    ("Alignment is an unsolved problem. … range of", "range of", 2),
    ("AI alignment … is an unsolved problem", "AI alignment", 2),
    ("Alignment is an unsolved problem. ... a ... of inputs", "a", 1),
])
def test_elision_pieces_must_be_substantial(tmp_path, quote, piece, words):
    message = refused(tmp_path, "starter-pack", quote, "    occurrence: 1\n")
    plural = "s" if words != 1 else ""
    assert message.startswith(f"piece “{piece}” of the elided quote is {words} word{plural}; each piece needs at "
                              "least 3"), message
    assert "hint: quote a longer run of words on each side of the “…”" in message


@pytest.mark.parametrize("source, quote", [
    ("starter-pack", "on a range of inputs … Alignment is an unsolved problem."),  # pieces in the wrong order
    # far apart: the list item and the verdict 990 characters later
    ("objections", "Teaching neural networks to directly modify themselves by giving them edit access to their own "
     "weights. … Mostly, these don't work very well."),
    # in two different sections, 2,900 characters apart
    ("starter-pack", "Alignment is an unsolved problem. … A mesa-optimizer is what you get"),
])
def test_elision_pieces_must_be_in_order_and_close(tmp_path, source, quote):
    message = refused(tmp_path, source, quote)
    assert message.startswith(f"every piece of the elided quote is in `{source}`, but not in this order with at most "
                              "400 characters left out between pieces"), message


@pytest.mark.parametrize("quote", [
    "Alignment is an unsolved problem. … We have techniques for building AI",
    "Alignment is an … unsolved problem. We have",
])
def test_an_elision_that_leaves_nothing_out_is_refused(tmp_path, quote):
    message = refused(tmp_path, "starter-pack", quote)
    assert message.startswith("the “…” of the elided quote leaves nothing out: its pieces stand side by side in "
                              "`starter-pack`"), message
    assert "hint: drop the “…”" in message


def test_an_elided_piece_cutting_a_word_is_refused(tmp_path):
    message = refused(tmp_path, "starter-pack", "Alignment is an unsolved problem. … n a range of inputs")
    assert message.startswith("piece “n a range of inputs” is in `starter-pack` only as part of longer words: "
                              "the text has “on a range of inputs” (line 27)"), message


def test_an_elision_may_not_cross_a_heading_or_a_turn(tmp_path):
    message = refused(tmp_path, "starter-pack", "pointers for where to learn more about AI alignment. … Alignment is "
                      "an unsolved problem.")
    assert message.startswith("quote runs across the heading “What is AI alignment?” (line 20) of `starter-pack`")
    assert "hint: a quote stays within one section" in message
    message = refused(tmp_path, "debate", "capabilities continue to advance by leaps and bounds. … you're such a "
                      "sourpuss!", "    speaker: Doomer\n")
    assert message.startswith("quote runs from Doomer's turn into Simplicia's (line 5)"), message


@pytest.mark.parametrize("quote", [
    "Alignment is an unsolved problem. … on a range of inputs",
    "Alignment is an unsolved problem. ... on a range of inputs",
    "Alignment is an unsolved problem. […] on a range of inputs",
])
def test_a_short_elision_within_a_paragraph_is_accepted(tmp_path, quote):
    accepted(tmp_path, "starter-pack", quote)


@pytest.mark.parametrize("source, quote, heading, line", [
    # as a reader sees it: the heading's `##` is markup, not words of the essay
    ("starter-pack", "learn more about AI alignment. What is AI alignment? Alignment is the process",
     "What is AI alignment?", "line 20"),
    ("custom", "The first part ends here. Second part", "Second part", "char 40"),  # a text source's inline heading
    ("custom", "ends here. Second part The second one begins", "Second part", "char 40"),
])
def test_a_quote_crossing_a_heading_unelided_is_refused(tmp_path, source, quote, heading, line):
    seed = "Introduction The first part ends here. Second part The second one begins here.\n"
    message = refused(tmp_path, source, quote, seed=seed if source == "custom" else None, headings=("Second part",))
    assert message.startswith(f"quote runs across the heading “{heading}” ({line}) of `{source}`"), message


# --- the speaker holds for the whole quote -----------------------------------------------------------------


@pytest.mark.parametrize("quote, speaker, first, second, line", [
    ("capabilities continue to advance by leaps and bounds. All is lost. Simplicia: Why, Doomer Doomovitch",
     "Doomer", "Doomer", "Simplicia", 5),
    ("capabilities continue to advance by leaps and bounds. All is lost. Simplicia: Why, Doomer Doomovitch",
     "Simplicia", "Doomer", "Simplicia", 5),
    ("Simplicia: Why not? Doomer: The alignment problem was never about", "Simplicia", "Simplicia", "Doomer", 13),
    ("you cannot be serious! Simplicia: Why not? Doomer: The alignment problem", "Doomer", "Doomer", "Simplicia", 11),
    ("I'm afraid so— Simplicia and Doomer: [turning to the audience, in unison] The broader AI community", "Doomer",
     "Doomer", "Simplicia and Doomer", 73),
])
def test_a_quote_running_into_another_turn_is_refused(tmp_path, quote, speaker, first, second, line):
    message = refused(tmp_path, "debate", quote, f"    speaker: {speaker}\n")
    assert message.startswith(f"quote runs from {first}'s turn into {second}'s (line {line})"), message
    assert "hint: a quote holds one speaker's words" in message


@pytest.mark.parametrize("speaker", ["Doomer", "Simplicia"])
def test_a_joint_turn_is_spoken_by_both(tmp_path, speaker):
    accepted(tmp_path, "debate", "The broader AI community figuring out which one of us is right?",
             f"    speaker: {speaker}\n")


@pytest.mark.parametrize("quote, label", [
    ("Doomer: Humanity has made no progress on the alignment problem.", "Doomer:"),
    ("Simplicia: Why, Doomer Doomovitch, you're such a sourpuss!", "Simplicia:"),
    ("Simplicia and Doomer: [turning to the audience, in unison] The broader AI community", "Simplicia and Doomer:"),
])
def test_a_speaker_label_is_not_part_of_a_quote(tmp_path, quote, label):
    speaker = label.split()[0].rstrip(":")
    message = refused(tmp_path, "debate", quote, f"    speaker: {speaker}\n")
    assert message.startswith(f"quote takes in the speaker label “{label}”, which is no one's words"), message


def test_the_title_is_no_ones_turn(tmp_path):
    message = refused(tmp_path, "debate", "Alignment Implications of Deep Learning Successes", "    speaker: Doomer\n")
    assert message.startswith("quote stands before the first turn of `debate`, where no speaker speaks"), message


def test_a_quote_running_partly_into_an_unquotable_passage_is_refused(tmp_path):
    message = refused(tmp_path, "debate", "Simplicia: [TODO: I read a blog 15 years ago", "    speaker: Simplicia\n")
    assert message.startswith("quote falls in a passage of `debate` that must not be cited"), message
    message = refused(tmp_path, "debate", "3AhQKzYCYfAAeenrF [TODO what topics do I want to cover?",
                      "    speaker: Simplicia\n")
    assert message.startswith("quote falls in a passage of `debate` that must not be cited"), message


def test_an_unquotable_passage_may_sit_in_an_elided_gap_but_not_in_a_piece(tmp_path):
    root = make_project(tmp_path / "p", terms={"test-term": TERM.format(
        source="custom", quote=json.dumps("We will win this game. … And then we celebrate together."), extra="")})
    with_seed(root, "We will win this game. [NOTE: fix this later] And then we celebrate together.\n",
              extra="  unquotable:\n    - pattern: '\\[NOTE[^\\]]*\\]'\n      why: a note to self\n")
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 0, result.output
    term = root / "glossary" / "terms" / "test-term.yaml"
    text = term.read_text()
    assert "\\u2026 And then" in text
    term.write_text(text.replace("\\u2026 And then", "[NOTE: fix this later] And then"))
    before = snapshot(root)
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    assert "error: quote falls in a passage of `custom` that must not be cited: a note to self" in result.output
    assert "Traceback" not in result.output and snapshot(root) == before


# --- a quote that differs only invisibly says exactly how ---------------------------------------------------


@pytest.mark.parametrize("char, name", [
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u00ad", "U+00AD SOFT HYPHEN"),
    ("\u2060", "U+2060 WORD JOINER"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u200d", "U+200D ZERO WIDTH JOINER"),
])
def test_an_invisible_character_in_the_quote_is_named_with_its_position(tmp_path, char, name):
    message = refused(tmp_path, "starter-pack", f"Alignment is an unsol{char}ved problem.")
    assert message.startswith(f"quote differs from `starter-pack` only by an invisible character: it has {name} at "
                              "character 22 (after “lignment is an unsol”), which the text does not have"), message
    assert "nearest passage" not in message
    assert "hint: delete that character" in message


def test_a_decomposed_letter_is_named(tmp_path):
    seed = "The caf\u00e9 was full of people that night.\n"
    message = refused(tmp_path, "custom", "The cafe\u0301 was full of people", seed=seed)
    assert message.startswith("quote differs from `custom` only by Unicode normalization: “e\u0301” at character 8 is "
                              "decomposed (NFD: U+0065 LATIN SMALL LETTER E + U+0301 COMBINING ACUTE ACCENT) where the "
                              "text has the single character U+00E9 LATIN SMALL LETTER E WITH ACUTE (NFC)"), message


def test_the_essays_own_invisible_characters_are_named(tmp_path):
    message = refused(tmp_path, "custom", "it was a wonderful evening", seed="Yes, it was a wonder\u00adful evening.\n")
    assert message.startswith("quote differs from `custom` only by an invisible character: the text has U+00AD SOFT "
                              "HYPHEN at line 1, column 21 (after “Yes, it was a wonder”), which the quote does not "
                              "have"), message
    message = refused(tmp_path, "custom", "The caf\u00e9 was full", seed="The cafe\u0301 was full of people.\n")
    assert message.startswith("quote differs from `custom` only by Unicode normalization: the text writes "
                              "“e\u0301” (line 1) decomposed"), message


@pytest.mark.parametrize("quote, message", [
    # a no-break space pasted where the text has no space is a space all the same
    ("Alignment is an unsolved problem\u00a0.", "quote differs from `starter-pack` only in spacing: it has a space "
     "at character 33 (after “ an unsolved problem”) where the text has none (a no-break space counts as a space)"),
    ("Alignment is an unsolved pro blem.", "quote differs from `starter-pack` only in spacing: it has a space at "
     "character 29"),
    ("Alignment is anunsolved problem.", "quote differs from `starter-pack` only in spacing: the text has a space "
     "(after “Alignment is an”) where the quote has none"),
])
def test_a_spacing_difference_is_pointed_at(tmp_path, quote, message):
    assert refused(tmp_path, "starter-pack", quote).startswith(message)


def test_a_no_break_space_where_the_essay_has_a_space_is_accepted(tmp_path):
    accepted(tmp_path, "starter-pack", "Alignment is\u00a0an unsolved problem.")
    accepted(tmp_path, "objections", "appearance on the Bankless podcast , where he argued")


# --- names are compared as a reader sees them ----------------------------------------------------------------

NAMED = """\
term: {term}
aliases: [{alias}]
gloss: A sentence used to test names.
definition: A term used to test names.
tags: [{tag}]
citations:
  - source: starter-pack
    quote: Alignment is an unsolved problem.
views:
  - holder: {holder}
    summary: A view.
    citations:
      - source: debate
        quote: Simplicia Optimistovna, you cannot be serious!
        speaker: {speaker}
"""
PLAIN_NAMES = {"term": "named term", "alias": "other name", "tag": "some tag", "holder": "Doomer",
               "speaker": "Doomer"}
FIELD_LINES = {"term": ("term", 1), "alias": ("aliases", 2), "tag": ("tags", 5), "holder": ("holder", 10),
               "speaker": ("speaker", 15)}
BAD_CHARS = [
    ("\u200b", "an invisible character, U+200B ZERO WIDTH SPACE"),
    ("\u00ad", "an invisible character, U+00AD SOFT HYPHEN"),
    ("\ufeff", "an invisible character, U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u2060", "an invisible character, U+2060 WORD JOINER"),
    ("\n", "a control character, U+000A LINE FEED"),
    ("\t", "a control character, U+0009 CHARACTER TABULATION"),
    ("\u2028", "a control character, U+2028 LINE SEPARATOR"),
]


def named(**change: str) -> str:
    names = {**PLAIN_NAMES, **change}
    return NAMED.format(**{k: json.dumps(v) for k, v in names.items()})


def check_names(tmp_path: Path, terms: dict[str, str], sources_edit=None):
    root = make_project(tmp_path / "p", terms=terms)
    if sources_edit:
        path = root / "glossary" / "sources.yaml"
        path.write_text(sources_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(root)
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert snapshot(root) == before
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("char, what", BAD_CHARS)
@pytest.mark.parametrize("field", sorted(FIELD_LINES))
def test_a_name_with_an_invisible_or_control_character_is_refused(tmp_path, field, char, what):
    value = PLAIN_NAMES[field][:2] + char + PLAIN_NAMES[field][2:]
    result = check_names(tmp_path, {"named": named(**{field: value})})
    assert result.exit_code == 1, result.output
    key, line = FIELD_LINES[field]
    owner = "a citation of a view of `named`" if field == "speaker" else \
        "a view of `named`" if field == "holder" else "term `named`"
    after = PLAIN_NAMES[field][:2]
    assert (f"glossary/terms/named.yaml:{line}: error: `{key}` in {owner} contains {what}, at character 3 "
            f"(after “{after}”)") in result.output, result.output
    hint = "write the name on one line" if "control" in what else "delete it (retype the name)"
    assert f"hint: {hint}" in result.output


@pytest.mark.parametrize("key, value, line", [
    ("title", "AI alignment\u200b starter pack", 38),
    ("author", "Ruud van\u00adAsseldonk", 39),
    ("speakers", "[Doomer, \"Simpli\\tcia\"]", 59),
])
def test_source_names_follow_the_same_rule(tmp_path, key, value, line):
    def edit(text: str) -> str:
        old = {"title": "title: AI alignment starter pack", "author": "author: Ruud van Asseldonk",
               "speakers": "speakers: [Doomer, Simplicia]"}[key]
        assert old in text
        return text.replace(old, f"{key}: {value}" if key == "speakers" else f"{key}: {json.dumps(value)}")

    result = check_names(tmp_path, {}, edit)
    assert result.exit_code == 1, result.output
    assert f"glossary/sources.yaml:{line}: error: `{key}` in source `" in result.output, result.output
    assert " contains a" in result.output


@pytest.mark.parametrize("key, value", [("title", "Test\tGlossary"), ("deck_name", "Test\u200b Deck"),
                                        ("author", "Someone\nElse")])
def test_the_glossarys_own_names_follow_the_same_rule(tmp_path, key, value):
    root = make_project(tmp_path / "p")
    path = root / "glossary" / "glossary.yaml"
    lines = [f"{key}: {json.dumps(value)}" if line.startswith(f"{key}:") else line
             for line in path.read_text(encoding="utf-8").splitlines()]
    if not any(line.startswith(f"{key}:") for line in lines):
        lines.append(f"{key}: {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_names(tmp_path / "again", {})  # the untouched project passes
    assert result.exit_code == 0, result.output
    before = snapshot(root)
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1, result.output
    assert f"error: `{key}` in glossary settings contains a" in result.output, result.output
    assert "Traceback" not in result.output and snapshot(root) == before


@pytest.mark.parametrize("hidden", ["mesa\u200boptimizer", "mesa\u00ad-optimizer", "\ufeffMesa-Optimizer",
                                    "me\u2060sa optimizer"])
def test_invisible_characters_do_not_make_names_differ(tmp_path, hidden):
    from glossdeck.model import name_key

    assert name_key(hidden) == name_key("mesa-optimizer")
    root = make_project(tmp_path / "p")
    result = CliRunner().invoke(main, ["show", hidden, "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("MESA-OPTIMIZER\n")


@pytest.mark.parametrize("first, second", [
    ("caf\u00e9 effect", "cafe\u0301 effect"),  # NFC and NFD
    ("\ufb01ne tuning", "fine-tuning"),  # a ligature and a hyphen
    ("Mesa optimizer", "mesa\u00a0optimizer"),  # a no-break space
    ("the genie doesn't care", "the genie doesn\u2019t care"),  # a keyboard's apostrophe and a typeset one
])
def test_names_that_look_the_same_are_the_same_name(tmp_path, first, second):
    from glossdeck.model import name_key

    assert name_key(first) == name_key(second)
    term = ("term: {}\ndefinition: d.\ncitations:\n  - source: starter-pack\n"
            "    quote: Alignment is an unsolved problem.\n")
    result = check_names(tmp_path, {"first": term.format(json.dumps(first)), "second": term.format(json.dumps(second))})
    assert result.exit_code == 1, result.output
    assert f"glossary/terms/first.yaml:1: error: name `{first}` is already used by term `second`" in result.output


def test_add_refuses_a_hidden_character_in_any_name_and_writes_nothing(tmp_path):
    root = make_project(tmp_path / "p")
    base = ["add", "--definition", "A model that behaves well in training only.", "--cite", "starter-pack",
            "an intelligent mesa-optimizer could deceive its base optimizer", "--project", str(root)]
    for extra, message in [
        (["--term", "deceptive\u200b alignment"], "`term` in term `deceptive-alignment` contains an invisible "
                                                  "character"),
        (["--term", "deceptive alignment", "--alias", "DA\u00ad"], "`aliases` in term `deceptive-alignment` contains "
                                                                  "an invisible character, U+00AD SOFT HYPHEN"),
        (["--term", "deceptive alignment", "--tag", "inner\talignment"], "`tags` in term `deceptive-alignment` "
                                                                        "contains a control character"),
        (["--term", "deceptive alignment", "--alias", "mesa\u200boptimizer"], "the name `mesa\u200boptimizer` is "
                                                                             "already used by term `mesa-optimizer`"),
    ]:
        before = snapshot(root)
        result = CliRunner().invoke(main, base + extra)
        assert result.exit_code == 1, result.output
        assert message in result.output, result.output
        assert "Traceback" not in result.output
        assert snapshot(root) == before


# --- find and check agree -------------------------------------------------------------------------------------


def shipped_seeds():
    from glossdeck import authoring
    from tests.conftest import REPO

    return authoring.load_seeds_for(REPO)


def spans_of(seed, rng, count: int) -> list[str]:
    """Random runs of 4 to 14 whole words of the seed, as check would be given them."""
    words = sorted({seed.whole_words(*m.span()) for m in re.finditer(r"\w+", seed.text)})
    spans = []
    for _ in range(count):
        first = rng.randrange(len(words) - 15)
        spans.append(seed.text[words[first][0] : words[first + rng.randrange(3, 14)][1]])
    return spans


def assert_find_finds_every_match(seeds, seed, quote):
    from glossdeck import authoring, citations

    matches = citations.find_all(seed, quote)
    assert matches, quote
    hits = {(h.location.start, h.location.end): h for h in authoring.find(seeds, quote, seed.source.id)}
    for match in matches:
        location = citations.locate(seed, match)
        hit = hits.get((location.start, location.end))
        assert hit is not None, (seed.source.id, quote)
        assert hit.match == quote  # the highlight covers exactly the match
        start = match.start
        assert seed.text[start - len(hit.before) : start] == hit.before
        assert seed.text[match.end : match.end + len(hit.after)] == hit.after
    return hits


def test_find_finds_whatever_check_accepts_in_every_seed():
    import random

    from glossdeck import citations
    from glossdeck.errors import Problems
    from glossdeck.model import Term

    glossary, seeds = shipped_seeds()
    for seed in seeds.values():
        rng = random.Random(seed.source.id)
        suggested = []
        for quote in spans_of(seed, rng, 60):
            hits = assert_find_finds_every_match(seeds, seed, quote)
            match = citations.find_all(seed, quote)[0]
            if citations.refusal_at(seed, match, seed.speaker_at(seed.raw_span(match.start, match.end)[0])) is None:
                location = citations.locate(seed, match)
                suggested.append(hits[(location.start, location.end)].citation)
        # and the citation find suggests for each is one check accepts
        problems = Problems()
        term = Term(id="found", term="found", definition="d", citations=tuple(suggested))
        import dataclasses

        resolved = citations.resolve(dataclasses.replace(glossary, terms=(term,)), seeds, problems)
        assert problems.items == [], [str(p) for p in problems.items[:3]]
        assert all(c.location for c in resolved.terms[0].citations)
        assert len(suggested) > 30, seed.source.id


TRICKY = ["straße", "STRASSE", "İstanbul", "ﬁnd", "ﬁne", "ΣΊΣΥΦΟΣ", "σίσυφος", "ὈΔΥΣΣΕΎΣ", "ǰet", "ŉ", "ẞ", "ﬀ",
          "Å", "Ǆemal", "ǅ", "the", "phrase", "we", "want", "and", "at", "last", "İ", "ς", "ΐ", "Kelvin", "K"]


def tricky_seed(rng, markdown: bool = False):
    from glossdeck.model import Source
    from glossdeck.seeds import Seed

    words = [rng.choice(TRICKY) for _ in range(400)]
    source = Source(id="tricky", file="t.txt", sha256="", title="T", author="A",
                    format="markdown" if markdown else "text")
    return Seed(source, " ".join(words) + ".\n")


@pytest.mark.parametrize("trial", range(6))
def test_find_agrees_with_check_whatever_letters_come_before(trial):
    import random

    rng = random.Random(trial)
    seed = tricky_seed(rng, markdown=trial % 2 == 1)
    seeds = {"tricky": seed}
    from glossdeck import authoring

    for quote in spans_of(seed, rng, 40):
        assert_find_finds_every_match(seeds, seed, quote)
        # any spelling of the phrase that folds to the same letters finds it too, highlighted exactly
        for variant in (quote.upper(), quote.lower(), quote.casefold()):
            for hit in authoring.find(seeds, variant):
                assert hit.match.casefold() == quote.casefold() or hit.match.casefold() == variant.casefold()
                assert seed.raw[hit.location.start : hit.location.end] == hit.match


@pytest.mark.parametrize("before", ["ß", "İİİ", "ﬁﬁ", "ς", "ΐ", "ǰ", "ŉ", "ẞẞ", "Straße İstanbul ﬁne"])
def test_the_highlight_covers_exactly_the_match(tmp_path, before):
    seed = f"{before} so then the phrase we want here ends the line.\n"
    root = with_seed(make_project(tmp_path / "p"), seed)
    result = CliRunner().invoke(main, ["find", "THE PHRASE WE WANT", "--project", str(root)], color=True)
    assert result.exit_code == 0, result.output
    highlighted = result.output.split("\x1b[4m", 1)[1].split("\x1b[0m", 1)[0]
    assert highlighted == "the phrase we want"
    assert f"…{before} so then \x1b[" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("phrase, found", [
    ("strasse", ["straße", "STRASSE"]),
    ("STRAẞE", ["straße", "STRASSE"]),
    ("ﬁnd", ["find", "ﬁnd"]),
    ("σίσυφος", ["ΣΊΣΥΦΟΣ", "σίσυφοσ", "σίσυφος"]),
])
def test_find_folds_case_to_whole_characters_and_words(phrase, found):
    from glossdeck import authoring
    from glossdeck.model import Source
    from glossdeck.seeds import Seed

    text = "at straße and STRASSE and stras se and find and ﬁnd and ΣΊΣΥΦΟΣ and σίσυφοσ and σίσυφος and ßtrasse.\n"
    seed = Seed(Source(id="t", file="t.txt", sha256="", title="T", author="A"), text)
    hits = authoring.find({"t": seed}, phrase)
    assert [h.match for h in hits] == found
    # never half of a folded letter (the "s" of "ß"), nor part of a word
    assert [h.match for h in authoring.find({"t": seed}, "s")] == []
    assert [h.match for h in authoring.find({"t": seed}, "trasse")] == []
