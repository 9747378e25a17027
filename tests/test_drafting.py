"""Drafted quotes triaged against the four essays: verified, repaired (each change shown) or refused; nothing
unverified is ever written, by `glossdeck draft` or through the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_project

from glossdeck import drafting
from glossdeck.cli import main
from glossdeck.drafting import REFUSED, REPAIRED, VERIFIED, ProposedQuote

# (kind, source, proposed quote, speaker, verdict, the source's exact words for a verified or repaired quote)
ADVERSARIAL = [
    # as written in the essay
    ("exact", "optimism", "If the AI was a black box, SGD and backpropagation wouldn’t work.", None, VERIFIED, None),
    ("exact", "debate", "What we're seeing with these systems is a statistical mirror of human common sense", None,
     VERIFIED, None),
    ("exact, spaces as in the essay", "objections",
     "Eliezer Yudkowsky's appearance on the Bankless podcast , where he argued", None, VERIFIED, None),
    ("exact, elided", "optimism", "The central analogy here is that optimizing apes … doesn’t make the resulting "
     "humans optimize mentally for IGF.", None, VERIFIED, None),
    # drifted punctuation: a near miss, repaired to the essay's characters
    ("straight for curly", "optimism", "If the AI was a black box, SGD and backpropagation wouldn't work.", None,
     REPAIRED, "If the AI was a black box, SGD and backpropagation wouldn’t work."),
    ("straight for curly", "optimism",
     "Steven Byrnes raised the concern that if you don't know how to do the manipulation", None, REPAIRED,
     "Steven Byrnes raised the concern that if you don’t know how to do the manipulation"),
    ("dash typed as --", "debate", "when LLMs fail to faithfully mimic humans--for example, the way base models",
     None, REPAIRED, "when LLMs fail to faithfully mimic humans—for example, the way base models"),
    ("dash typed as a spaced hyphen", "debate",
     "when LLMs fail to faithfully mimic humans - for example, the way base models", None, REPAIRED,
     "when LLMs fail to faithfully mimic humans—for example, the way base models"),
    ("space before a comma dropped", "objections",
     "Eliezer Yudkowsky's appearance on the Bankless podcast, where he argued", None, REPAIRED,
     "Eliezer Yudkowsky's appearance on the Bankless podcast , where he argued"),
    ("first letter capitalised", "debate", "We don't even know how to make AI \"corrigible\"", "Doomer",
     REPAIRED, "we don't even know how to make AI \"corrigible\""),
    ("a capital mid-sentence", "debate", "we don't even know how to make AI \"Corrigible\"", "Doomer", REPAIRED,
     "we don't even know how to make AI \"corrigible\""),
    ("a full stop added at the end", "optimism",
     "Steven Byrnes raised the concern that if you don’t know how to do the manipulation.", None, REPAIRED,
     "Steven Byrnes raised the concern that if you don’t know how to do the manipulation"),
    ("one stray word at the start", "optimism",
     "Indeed, Steven Byrnes raised the concern that if you don’t know how to do the manipulation", None, REPAIRED,
     "Steven Byrnes raised the concern that if you don’t know how to do the manipulation"),
    # invented tails, changed words, stitched sentences: refused
    ("invented tail", "debate",
     "What we're seeing with these systems is a statistical mirror of human common sense, which proves alignment "
     "is solved", None, REFUSED, None),
    ("invented tail", "optimism", "If the AI was a black box, SGD and backpropagation wouldn’t work, and neither "
     "would interpretability.", None, REFUSED, None),
    ("invented two words at the end", "optimism",
     "Steven Byrnes raised the concern that if you don’t know how to do the manipulation at all", None, REFUSED,
     None),
    ("a word changed in the middle", "optimism",
     "If the AI was a white box, SGD and backpropagation wouldn’t work.", None, REFUSED, None),
    ("a word changed in the middle", "debate", "Humanity has made great progress on the alignment problem.",
     "Doomer", REFUSED, None),
    ("stitched from two places", "debate",
     "a statistical mirror of human common sense, which uses an LLM to generate", None, REFUSED, None),
    ("stitched from two places", "optimism", "If the AI was a black box, SGD and backpropagation would lead to "
     "instant failure at best.", None, REFUSED, None),
    # the right words from the wrong mouth, or from a passage that is nobody's position
    ("swapped speaker", "debate", "a simulation of an agent is an agent", "Doomer", REFUSED, None),
    ("swapped speaker", "debate", "Humanity has made no progress on the alignment problem.", "Simplicia", REFUSED,
     None),
    ("a speaker the essay lacks", "debate", "Humanity has made no progress on the alignment problem.", "Yudkowsky",
     REFUSED, None),
    ("a TODO note", "debate", "I read a blog 15 years ago that suggested that", None, REFUSED, None),
    ("a TODO note, with punctuation drift", "debate", "I read a blog 15 years ago that suggested that...", None,
     REFUSED, None),
    ("an unknown source", "essays", "If the AI was a black box, SGD and backpropagation wouldn’t work.", None,
     REFUSED, None),
    ("too short to verify", "optimism", "black box", None, REFUSED, None),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("drafting") / "project")


@pytest.fixture(scope="module")
def judged(root):
    from glossdeck import authoring

    glossary, seeds = authoring.load_seeds_for(root)
    return [drafting.judge(glossary, seeds, ProposedQuote(source, quote, speaker))
            for _, source, quote, speaker, _, _ in ADVERSARIAL]


@pytest.mark.parametrize("index", range(len(ADVERSARIAL)), ids=[f"{i}-{c[0]}" for i, c in enumerate(ADVERSARIAL)])
def test_each_drafted_quote_gets_its_verdict(judged, index):
    kind, source, quote, speaker, expected, exact = ADVERSARIAL[index]
    verdict = judged[index]
    assert verdict.status == expected, (kind, verdict)
    if expected == REFUSED:
        assert verdict.reason and verdict.citation is None
    else:
        assert verdict.citation is not None and verdict.location
        assert verdict.citation.quote == (exact or " ".join(quote.split()).replace(" … ", " … "))
    if expected == REPAIRED:
        assert verdict.changes  # every repair is shown


def test_a_refused_quote_not_in_the_source_names_the_nearest_passages(judged):
    tail = judged[[c[0] for c in ADVERSARIAL].index("invented tail")]
    assert tail.nearest and "statistical mirror of human common sense" in tail.nearest[0]


def test_repairs_are_shown_word_by_word(judged):
    curly = judged[[c[0] for c in ADVERSARIAL].index("straight for curly")]
    assert curly.changes == ("“wouldn't” → “wouldn’t”",)
    stray = judged[[c[0] for c in ADVERSARIAL].index("one stray word at the start")]
    assert stray.changes == ("left out “Indeed,”: not in the source there",)


def test_a_swapped_speaker_names_the_one_who_says_it(judged):
    swapped = judged[[c[0] for c in ADVERSARIAL].index("swapped speaker")]
    assert "Simplicia" in swapped.reason


def _proposal(citations, **fields):
    return {"term": "statistical mirror", "gloss": "A picture of language models as reflecting the ordinary "
            "reasoning found in their training text.", "definition": "The view that language models reflect human "
            "common sense learned from their training data rather than optimize an alien goal.",
            "citations": citations, **fields}


GOOD = {"source": "debate", "quote": "What we're seeing with these systems is a statistical mirror of human common "
        "sense", "speaker": "Simplicia"}
CURLY = {"source": "optimism", "quote": "If the AI was a black box, SGD and backpropagation wouldn't work."}
TAIL = {"source": "optimism", "quote": "If the AI was a black box, SGD and backpropagation wouldn’t work, and "
        "neither would interpretability."}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in (root / "glossary").rglob("*") if p.is_file()
            and p.name != ".glossdeck.lock"}


def test_the_term_is_checked_as_check_would(tmp_path):
    root = make_project(tmp_path / "project")
    found = drafting.triage(root, drafting.proposal_from(_proposal([GOOD], aliases=["mesa-optimizer"])))
    assert [v.status for v in found.verdicts] == [VERIFIED]
    assert any("`mesa-optimizer` is already used by term `mesa-optimizer`" in p.message for p in found.problems)
    assert not found.writable(accept_repairs=True)
    named = drafting.triage(root, drafting.proposal_from(_proposal([GOOD], gloss="A statistical mirror, really.")))
    assert any(p.severity == "warning" and "gloss" in p.message for p in named.problems)


@pytest.mark.parametrize("quotes, accept, written", [
    ([GOOD], False, True), ([GOOD, CURLY], False, False), ([GOOD, CURLY], True, True), ([GOOD, TAIL], True, False),
    ([TAIL], True, False), ([], True, False),
])
def test_only_a_term_whose_every_quote_is_the_sources_words_is_written(tmp_path, quotes, accept, written):
    root = make_project(tmp_path / "project")
    before = _files(root)
    found = drafting.triage(root, drafting.proposal_from(_proposal(quotes)))
    if not written:
        with pytest.raises(drafting.GlossdeckError):
            drafting.write(root, found, accept)
        assert _files(root) == before
        return
    path = drafting.write(root, found, accept)
    text = path.read_text(encoding="utf-8")
    assert "wouldn’t work." in text if CURLY in quotes else "wouldn't" not in text
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bad, message", [
    ({"term": 3}, "`term` must be text, not a number"),
    ({"gloss": "x"}, "`term` is missing"),
    (_proposal([GOOD], glos="typo"), "unknown field `glos`"),
    (_proposal([GOOD], level="basic"), "`level` must be one of core, standard, extra"),
    (_proposal({"source": "debate"}), "`citations` must be a list"),
    (_proposal([{"source": "debate"}]), "citation 1: `quote` is missing"),
    (_proposal([{"source": "debate", "quote": "x", "page": 3}]), "unknown field `page` in citation 1"),
    (_proposal([GOOD], aliases="one"), "`aliases` must be a list of texts"),
    (["not a mapping"], "must be a mapping of fields"),
])
def test_a_malformed_proposal_is_one_clear_problem(bad, message):
    with pytest.raises(drafting.GlossdeckError) as caught:
        drafting.proposal_from(bad)
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


# --- glossdeck draft ----------------------------------------------------------------------------------------------


def test_draft_judges_a_file_and_writes_nothing_without_write(tmp_path):
    root = make_project(tmp_path / "project")
    file = tmp_path / "proposals.yaml"
    file.write_text(yaml.safe_dump([_proposal([GOOD]), _proposal([TAIL], term="invented")], allow_unicode=True),
                    encoding="utf-8")
    before = _files(root)
    result = CliRunner().invoke(main, ["draft", str(file), "--project", str(root)])
    assert result.exit_code == 1
    assert "verified: debate:" in result.output and "refused: optimism:" in result.output
    assert "can be written as it stands (--write)" in result.output
    assert "nearest: optimism:" in result.output
    assert _files(root) == before


def test_draft_writes_only_the_verified_ones(tmp_path):
    root = make_project(tmp_path / "project")
    file = tmp_path / "proposals.jsonl"
    lines = [_proposal([GOOD]), _proposal([CURLY], term="black box argument"), _proposal([TAIL], term="invented"),
             {"term": 5}]
    file.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in lines) + "\n\nnot json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["draft", str(file), "--write", "--format", "json", "--project", str(root)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [r.get("written") is not None for r in report] == [True, False, False, False, False]
    assert report[1]["quotes"][0]["verdict"] == REPAIRED and report[1]["writable_with_repairs"]
    assert "must be text" in report[3]["errors"][0]["message"] and report[4]["where"].endswith(":6")
    terms = root / "glossary" / "terms"
    assert (terms / "statistical-mirror.yaml").exists() and not (terms / "black-box-argument.yaml").exists()
    again = CliRunner().invoke(main, ["draft", str(file), "--write", "--accept-repairs", "--project", str(root)])
    assert (terms / "black-box-argument.yaml").exists() and not (terms / "invented.yaml").exists()
    assert "already exists" in again.output  # the first term was written before: nothing is written twice
    assert CliRunner().invoke(main, ["check", "--project", str(root)]).exit_code == 0


def test_draft_exits_0_when_every_proposal_stands(tmp_path):
    root = make_project(tmp_path / "project")
    file = tmp_path / "one.yaml"
    file.write_text(yaml.safe_dump(_proposal([GOOD]), allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["draft", str(file), "--project", str(root)])
    assert result.exit_code == 0, result.output
