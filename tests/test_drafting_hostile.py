"""`glossdeck draft` fed as a careless or hostile user would: files that are not proposals, text that is not text,
proposals that collide, a disk that fills up, and quotes nudged to get a word written that the source does not
have there. Each is one clear problem at its file and line; nothing unverified is ever written."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import make_project
from glossdeck import authoring, drafting, proposals, writer
from glossdeck.cli import main
from glossdeck.drafting import REFUSED, REPAIRED, VERIFIED, ProposedQuote
from test_drafting import CURLY, GOOD, _files, _proposal

SENTENCE = "If the AI was a black box, SGD and backpropagation wouldn’t work."


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("hostile-drafts") / "project")


@pytest.fixture(scope="module")
def seeds(root):
    return authoring.load_seeds_for(root)


def _draft(root: Path, file: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["draft", str(file), "--project", str(root), *args])


def _line(**fields: Any) -> str:
    return json.dumps(_proposal([GOOD], **fields), ensure_ascii=False)


# --- files that are not what they should be ----------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
LAUGHS = "a: &a [lol, lol]\nb: &b [*a, *a]\nc: [*b, *b]\n"
BAD_FILES = [  # (name, bytes, what the output must say)
    ("latin1.yaml", "term: café\n".encode("latin-1"), "latin1.yaml:1: error: not valid UTF-8 (byte 0xe9)"),
    ("utf16.yaml", "term: x\n".encode("utf-16"), "utf16.yaml:1: error: not valid UTF-8 (byte 0xff)"),
    ("empty.yaml", b"", "empty.yaml: error: holds no proposal"),
    ("comments.yaml", b"# nothing but a comment\n", "comments.yaml: error: holds no proposal"),
    ("empty.jsonl", b"\n\n  \n", "empty.jsonl: error: holds no proposal"),
    ("twice.yaml", b"term: a\nterm: b\n", "twice.yaml:2: error: key `term` appears twice (first on line 1)"),
    ("twice.jsonl", b'{"term": "a", "term": "b"}\n', "twice.jsonl:1: error: key `term` appears twice in this object"),
    ("laughs.yaml", LAUGHS.encode(), "laughs.yaml:1: error: YAML anchors and aliases (&name, *name) are not allowed"),
    ("deep.jsonl", DEEP.encode(), "deep.jsonl:1: error: not JSON this reader can follow: nested too deeply"),
    ("deep.yaml", f"term: {DEEP}\n".encode(), "deep.yaml:1: error: YAML syntax error"),
    ("nan.jsonl", b'{"term": NaN}\n', "nan.jsonl:1: error: not JSON: `NaN` is not a JSON value"),
    ("notjson.jsonl", b"{'term': 'x'}\n", "notjson.jsonl:1: error: not JSON: Expecting property name"),
    ("badutf8.jsonl", b'{"term": "caf\xe9"}\n', "badutf8.jsonl:1: error: not valid UTF-8 (byte 0xe9)"),
    ("huge.jsonl", b'{"term": "' + b"x" * 300_000 + b'"}\n',
     "huge.jsonl:1: error: line is 292 KiB, larger than the 256 KiB a proposal may be"),
    ("date.yaml", b"term: x\ngloss: 2023-02-30\n", "date.yaml:2: error: `2023-02-30` reads as a date or time"),
    ("tag.yaml", b"term: !!python/object:os.system x\n",
     "tag.yaml:1: error: the tag `!!python/object:os.system` is not one glossdeck reads"),
    ("types.yaml", b"term: 1\ndefinition: true\naliases: [1, null]\ncitations: [{source: 3, quote: 4.5}]\n",
     "types.yaml:1: error: `term` must be text, not a number"),
    ("types.jsonl", b'[1, 2]\n"text"\nnull\n', "types.jsonl:3: error: a proposal must be a mapping of fields, not "
     "NoneType"),
]


@pytest.mark.parametrize("name, data, said", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_file_that_holds_no_good_proposal_is_a_clear_error(root, tmp_path, name, data, said):
    file = tmp_path / name
    file.write_bytes(data)
    before = _files(root)
    result = _draft(root, file, "--write")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert said.replace(name, str(file), 1) in result.output, result.output
    assert len(result.output) < 5000  # a 300 KB line, or 100,000 brackets, are not echoed back
    assert _files(root) == before


def test_a_file_too_large_for_any_draft_is_refused_before_it_is_parsed(root, tmp_path):
    file = tmp_path / "large.jsonl"
    file.write_bytes((_line() + "\n").encode() * (proposals.MAX_DRAFT_BYTES // len(_line()) + 10))
    result = _draft(root, file)
    assert result.exit_code == 1 and "MiB, larger than the 16 MiB a file of proposals may be" in result.output


def test_a_directory_is_a_usage_error(root, tmp_path):
    result = _draft(root, tmp_path)
    assert result.exit_code == 2 and "is a directory" in result.output


def test_a_byte_order_mark_is_read_past(root, tmp_path):
    for name, text in (("bom.yaml", json.dumps(_proposal([GOOD]))), ("bom.jsonl", _line())):
        file = tmp_path / name
        file.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8") + b"\n")
        result = _draft(root, file, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)[0]["writable"] is True


def test_every_bad_line_of_json_lines_is_told_and_the_good_ones_judged(root, tmp_path):
    file = tmp_path / "mixed.jsonl"
    file.write_bytes(b"\n".join([_line().encode(), b'{"term": "caf\xe9"}', b"{bad", b'{"term": 5}',
                                 _line(term="Statistical-Mirror").encode()]) + b"\n")
    result = _draft(root, file, "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and [r["where"].rsplit(":", 1)[1] for r in report] == ["1", "2", "3", "4", "5"]
    assert [bool(r.get("writable")) for r in report] == [True, False, False, False, False]
    assert [e["line"] for r in report[1:4] for e in r["errors"]] == [2, 3, 4]
    assert any("`statistical-mirror` is proposed twice" in p["message"] for p in report[4]["problems"])


# --- text that is not text ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, said", [
    ("term", "red \x1b[31mALERT", "`term` contains the control character \\x1b"),
    ("definition", "bell \x07 here", "`definition` contains the control character \\x07"),
    ("gloss", "bidi \u202e reversed", "`gloss` contains the control character U+202E"),
    ("aliases", ["title \x1b]0;pwned\x07"], "an item of `aliases` contains the control character \\x1b"),
    ("term", "half \ud800 pair", "`term` contains U+D800, half of a surrogate pair on its own, which is not text"),
    ("definition", "not \ufffe text", "`definition` contains U+FFFE, a Unicode noncharacter, which is not text"),
    ("citations", [{**GOOD, "quote": GOOD["quote"] + "\x1b[2J"}], "citation 1: `quote` contains the control "
     "character \\x1b"),
    ("citations", [{**GOOD, "source": "debate\x1b[31m"}], "citation 1: `source` contains the control character"),
    ("x\x1b]0;pwned\x07", 1, "unknown field `x\\x1b]0;pwned\\x07` in a proposal"),
])
def test_text_that_is_not_text_is_refused_where_it_enters_and_never_echoed(root, tmp_path, field, value, said):
    """A draft's text reaches the terminal (the verdicts) and the glossary: a control character is refused where
    the proposal is read, in every field, and no message carries it."""
    file = tmp_path / "control.jsonl"
    data = _proposal([GOOD])
    data[field] = value
    file.write_text(json.dumps(data) + "\n", encoding="utf-8")  # ensure_ascii: the JSON escapes them
    result = _draft(root, file, "--write")
    assert result.exit_code == 1 and f"control.jsonl:1: error: {said}" in result.output, result.output
    assert not any(ch in result.output for ch in "\x1b\x07\u202e"), result.output
    assert not (root / "glossary" / "terms" / "statistical-mirror.yaml").exists()


def test_a_name_too_long_for_a_file_is_said_in_a_line_not_echoed(root, tmp_path):
    file = tmp_path / "long.jsonl"
    file.write_text(_line(term="word " * 50_000) + "\n", encoding="utf-8")
    result = _draft(root, file, "--write")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"the term's id is 249999 characters long; a term's id names its file, at most " \
           f"{authoring.MAX_ID_CHARS} characters" in " ".join(result.output.split())
    assert len(result.output) < 5000


# --- proposals that collide, a disk that fills up -----------------------------------------------------------------

def test_two_drafts_of_one_term_cannot_both_be_writable(tmp_path):
    """Without --write, each proposal is judged as if the ones before it had been written: the report and the exit
    status say what --write would do."""
    root = make_project(tmp_path / "project")
    file = tmp_path / "same.jsonl"
    lines = [_proposal([GOOD]), _proposal([CURLY], term="Statistical  Mirror"),
             _proposal([GOOD], term="mirror view", aliases=["black box argument"], related=["statistical-mirror"]),
             _proposal([GOOD], term="black box argument")]
    file.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in lines) + "\n", encoding="utf-8")
    dry = json.loads(_draft(root, file, "--accept-repairs", "--format", "json").stdout)
    assert [r["writable_with_repairs"] for r in dry] == [True, False, True, False]
    assert "is proposed twice" in " ".join(p["message"] for p in dry[1]["problems"])
    assert "an earlier proposal has it" in " ".join(p["hint"] for p in dry[3]["problems"])
    wet = _draft(root, file, "--write", "--accept-repairs", "--format", "json")
    assert wet.exit_code == 1
    assert [r["written"] is not None for r in json.loads(wet.stdout)] == [True, False, True, False]
    assert CliRunner().invoke(main, ["check", "--project", str(root)]).exit_code == 0


def test_a_full_disk_stops_one_term_and_the_report_still_tells_the_ones_written(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    file = tmp_path / "three.jsonl"
    file.write_text("\n".join(_line(term=name) for name in ("mirror one", "mirror two", "mirror three")) + "\n",
                    encoding="utf-8")
    real, calls = writer.tempfile.mkstemp, []

    def mkstemp(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["dir"])
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(kwargs["dir"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(writer.tempfile, "mkstemp", mkstemp)
    result = _draft(root, file, "--write")
    assert result.exit_code == 1 and "Traceback" not in result.output
    terms = root / "glossary" / "terms"
    assert (terms / "mirror-one.yaml").exists() and not (terms / "mirror-two.yaml").exists()
    assert (terms / "mirror-three.yaml").exists()
    assert f"wrote {terms / 'mirror-one.yaml'}" in result.output and f"wrote {terms / 'mirror-three.yaml'}" in \
        result.output
    assert "No space left on device" in result.output and "free some space" in result.output
    assert not [p for p in terms.iterdir() if p.name.startswith(".")]  # no temporary file left behind


# --- a repair never writes a word the source does not have there ---------------------------------------------------

@pytest.mark.parametrize("quote, differs", [
    ("If the AI was a blackbox, SGD and backpropagation wouldn’t work.", "“blackbox” for “black box”"),
    ("If the AI was a black box, SGD and back propagation wouldn’t work.", "“back propagation” for “backpropagation”"),
    ("If the AI wasa black box, SGD and backpropagation wouldn’t work.", "“wasa” for “was a”"),
    ("If the AI was a black box, SGD and backpropagation would n’t work.", "“would n” for “wouldn”"),
    ("IF THE AI WAS A BLACKBOX, SGD AND BACKPROPAGATION WOULDN'T WORK.", "“blackbox” for “black box”"),
])
def test_a_word_joined_or_split_is_refused_not_repaired(seeds, quote, differs):
    glossary, seed_map = seeds
    verdict = drafting.judge(glossary, seed_map, ProposedQuote("optimism", quote))
    assert verdict.status == REFUSED and verdict.citation is None
    assert f"its words differ from the source's there ({differs})" in verdict.reason


@pytest.mark.parametrize("source, speaker", [("optimism", "Doomer"), ("optimism", "Noosphere89"),
                                             ("objections", "Eliezer Yudkowsky")])
def test_a_speaker_for_a_source_that_is_no_dialogue_is_refused(seeds, source, speaker):
    """glossdeck can check a speaker only in a dialogue: elsewhere it would be written unchecked."""
    glossary, seed_map = seeds
    quote = SENTENCE if source == "optimism" else "Eliezer Yudkowsky's appearance on the Bankless podcast , where"
    verdict = drafting.judge(glossary, seed_map, ProposedQuote(source, quote, speaker))
    assert verdict.status == REFUSED and f"`{source}` is not a dialogue" in verdict.reason
    assert drafting.judge(glossary, seed_map, ProposedQuote(source, quote)).status == VERIFIED


def _mutations(sentence: str) -> list[str]:
    """Ways a model drifts from a sentence: each a single change, some near misses and some not."""
    words = sentence.split()
    out = [sentence.upper(), sentence.lower(), sentence.replace("’", "'"), sentence.rstrip(".") + "!",
           "Indeed, " + sentence, sentence + " Indeed", "Not " + sentence, sentence + " Not at all.",
           " ".join(words[1:]), " ".join(words[:-1]), sentence.replace(", ", " , "), sentence.replace(" ", "  ")]
    for i in range(1, len(words)):
        out.append(" ".join(words[:i - 1] + [words[i - 1] + words[i]] + words[i + 1:]))  # two words joined
        out.append(" ".join(words[:i] + ["not"] + words[i:]))  # a word slipped in
        out.append(" ".join(words[:i] + words[i + 1:]))  # a word left out
    for i, word in enumerate(words):
        if len(word) > 3:
            out.append(" ".join(words[:i] + [word[:2] + " " + word[2:]] + words[i + 1:]))  # a word split
    return out


@pytest.mark.parametrize("source, sentence", [
    ("optimism", SENTENCE),
    ("debate", "What we're seeing with these systems is a statistical mirror of human common sense"),
    ("objections", "Eliezer Yudkowsky's appearance on the Bankless podcast , where he argued"),
    ("starter-pack", "A corrigible AI is an AI that allows itself to be corrected"),
])
def test_no_drift_gets_a_word_written_that_the_source_does_not_have(seeds, source, sentence):
    """Every drifted quote that is not refused comes back as the source's own characters, which `check` finds, and
    with the proposal's own words (case aside) but for at most one word at one edge: nothing else changes."""
    glossary, seed_map = seeds
    speaker = "Simplicia" if source == "debate" else None
    judged = 0
    for proposed in _mutations(sentence):
        verdict = drafting.judge(glossary, seed_map, ProposedQuote(source, proposed, speaker))
        if verdict.status == REFUSED:
            assert verdict.citation is None
            continue
        judged += 1
        citation, problems = authoring.verify_citation(glossary, seed_map, verdict.citation)
        assert problems == [] and citation.location is not None, (proposed, verdict)
        said, written = drafting._words(proposed), drafting._words(verdict.citation.quote)
        assert written in (said, said[1:], said[:-1]), (proposed, verdict.citation.quote)
        assert (verdict.status == VERIFIED) == (verdict.changes == ()), verdict
        assert verdict.status in (VERIFIED, REPAIRED)
    assert judged >= 5  # the near misses among them were repaired, not all refused


def test_a_ten_thousand_word_quote_is_judged_and_told_in_a_few_lines(root, seeds, tmp_path):
    """The essay's first 10,000 words with its straight quotes curled: a near miss of the whole essay, judged (the
    quote limit then refuses it) and reported in a screenful; the JSON report keeps every change."""
    _, seed_map = seeds
    words = seed_map["objections"].text.split()[:10_000]
    file = tmp_path / "long-quote.jsonl"
    quote = " ".join(words).replace('"', "“")
    file.write_text(json.dumps(_proposal([{"source": "objections", "quote": quote}])) + "\n", encoding="utf-8")
    result = _draft(root, file)
    assert result.exit_code == 1 and "is 10,000 words long; the limit is 60" in " ".join(result.output.split())
    assert len(result.output) < 5000 and "more changes (--format json lists them all)" in result.output
    report = json.loads(_draft(root, file, "--format", "json").stdout)[0]
    assert report["quotes"][0]["verdict"] == REPAIRED and len(report["quotes"][0]["changes"]) > 12
