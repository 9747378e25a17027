"""citations: quotes are found verbatim (presentation forgiven) or reported with the nearest passage."""

import pytest

from glossdeck import pipeline
from glossdeck.errors import GlossdeckError
from tests.conftest import make_project

TERM = """\
term: test term
named_in_sources: false
gloss: A sentence used to test quotes.
definition: A term used to test quotes.
citations:
  - source: {source}
    quote: >-
      {quote}
{extra}"""


def check_quote(tmp_path, source, quote, extra=""):
    root = make_project(tmp_path / "p", terms={"test-term": TERM.format(source=source, quote=quote, extra=extra)})
    return pipeline.check(root)


def messages(tmp_path, source, quote, extra=""):
    with pytest.raises(GlossdeckError) as caught:
        check_quote(tmp_path, source, quote, extra)
    return [str(p) for p in caught.value.problems]


def citation(glossary):
    return glossary.term("test-term").citations[0]


def test_exact_quote_records_offset_line_and_heading(tmp_path):
    glossary, warnings = check_quote(tmp_path, "starter-pack", "Alignment is an unsolved problem.")
    loc = citation(glossary).location
    assert warnings == []
    assert (loc.line, loc.column, loc.heading) == (25, 1, "What is AI alignment?")
    assert loc.excerpt == "Alignment is an unsolved problem."


def test_markup_and_line_breaks_are_forgiven_and_mapped_back(tmp_path):
    quote = "We have techniques for building AI whose output matches what its human creators want to see"
    glossary, _ = check_quote(tmp_path, "starter-pack", quote)
    assert citation(glossary).location.excerpt == (
        "We have techniques for building <abbr>AI</abbr> whose _output_\nmatches what its human creators want to see"
    )


def test_curly_quotes_and_spaces_before_punctuation(tmp_path):
    glossary, _ = check_quote(tmp_path, "objections", "appearance on the Bankless podcast , where he argued")
    loc = citation(glossary).location
    assert loc.line == 1 and loc.start > 0
    glossary, _ = check_quote(tmp_path, "optimism", "I don't endorse this version, will reupload")
    assert citation(glossary).location.excerpt == "I don’t endorse this version, will reupload"


def test_elided_quote_needs_pieces_in_order(tmp_path):
    glossary, _ = check_quote(tmp_path, "starter-pack", "Alignment is an unsolved problem. … on a range of inputs")
    assert citation(glossary).location.excerpt.endswith("on a range of inputs")
    problems = messages(tmp_path, "starter-pack", "on a range of inputs … Alignment is an unsolved problem.")
    assert "error: every piece of the elided quote is in `starter-pack`, but not in this order" in problems[0]


def test_ambiguous_quote_says_how_to_fix(tmp_path):
    problems = messages(tmp_path, "optimism", "the sharp left turn")
    assert len(problems) == 1
    assert "error: quote occurs" in problems[0]
    assert "times in `optimism` (line " in problems[0]
    assert "add `occurrence: N` (1 = first) or `prefix:`" in problems[0]


def test_occurrence_picks_one(tmp_path):
    first, _ = check_quote(tmp_path, "optimism", "the sharp left turn", "    occurrence: 1\n")
    second, _ = check_quote(tmp_path, "optimism", "the sharp left turn", "    occurrence: 2\n")
    assert citation(first).location.start < citation(second).location.start


def test_not_found_shows_nearest_passage(tmp_path):
    problems = messages(tmp_path, "starter-pack", "Alignment is an unsolvable problem.")
    assert ("error: quote not found in `starter-pack`; the nearest passage (91% alike) is: "
            "“Alignment is an unsolved problem.”") in problems[0]


def test_quote_from_another_source_is_named(tmp_path):
    problems = messages(tmp_path, "optimism", "Alignment is an unsolved problem.")
    assert "quote not found in `optimism`, but it is in `starter-pack`" in problems[0]
    assert "hint: set `source: starter-pack`" in problems[0]


def test_wrong_speaker_is_caught(tmp_path):
    problems = messages(tmp_path, "debate", "Simplicia Optimistovna, you cannot be serious!",
                        "    speaker: Simplicia\n")
    assert "error: quote is spoken by Doomer, not Simplicia" in problems[0]


def test_todo_notes_cannot_be_cited(tmp_path):
    problems = messages(tmp_path, "debate", "I read a blog 15 years ago that suggested that",
                        "    speaker: Simplicia\n")
    assert "must not be cited: the author's notes to self, not anyone's position" in problems[0]


def test_too_short_quote(tmp_path):
    problems = messages(tmp_path, "debate", "Why not?", "    speaker: Simplicia\n")
    assert "error: quote is too short (2 words; at least 4)" in problems[0]


def test_a_heading_that_repeats_the_title_is_no_section(tmp_path):
    glossary, _ = check_quote(tmp_path, "debate", "Simplicia Optimistovna, you cannot be serious!",
                              "    speaker: Doomer\n")
    location = citation(glossary).location
    assert (location.line, location.heading) == (9, None)
    assert location.describe() == "¶ 3"  # turns are paragraphs; the image above is none


def test_an_elided_gap_is_at_most_400_characters_and_holds_a_word():
    from glossdeck.citations import MAX_ELISION_GAP, find_all
    from glossdeck.model import Source
    from glossdeck.seeds import Seed

    def seed_with_gap(gap: int) -> Seed:
        filler = "x" * (gap - 2)  # the gap is the space, the filler and the space after it
        text = f"one two three {filler} four five six"
        return Seed(Source(id="t", file="t.txt", sha256="", title="T", author="A"), text)

    quote = "one two three … four five six"
    assert len(seed_with_gap(MAX_ELISION_GAP).text) == len("one two three") + MAX_ELISION_GAP + len("four five six")
    match = find_all(seed_with_gap(MAX_ELISION_GAP), quote)[0]
    assert match.elided and match.pieces == ((0, 13), (13 + MAX_ELISION_GAP, 26 + MAX_ELISION_GAP))
    assert find_all(seed_with_gap(MAX_ELISION_GAP + 1), quote) == []
    bare = Seed(Source(id="t", file="t.txt", sha256="", title="T", author="A"), "one two three , four five six")
    assert find_all(bare, quote) == []  # only punctuation left out: nothing was elided
