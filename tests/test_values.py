"""Every value from glossary.yaml, the command line, the environment or notes.lock: one rule, a message, no crash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from glossdeck import deckstate, pipeline
from glossdeck.cli import main
from tests.conftest import make_project

SETTINGS = "title: Test Glossary\nlanguage: en\ndeck_name: Test Glossary\noutput_base: test-glossary\n"


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, [*args, "--project", str(root)], env=env)


def with_setting(tmp_path: Path, text: str) -> Path:
    """The fixture project with one setting given (or replaced) on the last line of glossary.yaml."""
    key = text.split(":")[0]
    settings = "".join(line for line in SETTINGS.splitlines(keepends=True) if not line.startswith(key + ":"))
    return make_project(tmp_path / "p", files={"glossary/glossary.yaml": settings + text + "\n"})


def refused_by_check_and_build(root: Path, expected: str, target: str = "cards", line: int = 0) -> None:
    """The same message from `check` and from `build`, exit 1, and the build writes nothing.

    The setting under test is on `line` of glossary.yaml (default: the last line).
    """
    line = line or len((root / "glossary" / "glossary.yaml").read_text(encoding="utf-8").splitlines())
    wanted = f"{root}/glossary/glossary.yaml:{line}: error: {expected}"
    checked = run(root, "check")
    assert checked.exit_code == 1 and wanted in checked.output, checked.output
    before = snapshot(root)
    built = run(root, "build", target)
    assert built.exit_code == 1 and wanted in built.output, built.output
    assert built.output.rstrip().endswith("; nothing written.")
    assert snapshot(root) == before


CARD_SIZES_REFUSED = {
    "nanx85": "not two numbers", "infx85": "not two numbers", "-infx85": "not two numbers",
    "1e309x85": "not two numbers", "1e2x85": "not two numbers", "9" * 400 + "x85": "not two numbers",
    "60x85x10": "not two numbers", "60,85": "not two numbers", "x85": "not two numbers", "60x": "not two numbers",
    "": "not two numbers", "٦٠x٨٥": "not two numbers", "６０x８５": "not two numbers", "6_0x85": "not two numbers",
    "-60x85": "each side of a card must be from 20 to 300 mm", "60x-85": "each side",
    "0x85": "each side", "60x0": "each side", "19.9x85": "each side", "9999x85": "each side",
    "1e300x85": "not two numbers",
}


@pytest.mark.parametrize("value", sorted(CARD_SIZES_REFUSED))
def test_bad_card_size(tmp_path, value):
    root = with_setting(tmp_path, f"card_size: {json.dumps(value)}")
    refused_by_check_and_build(root, f"`card_size: {value}`: {CARD_SIZES_REFUSED[value]}")
    result = run(make_project(tmp_path / "q"), "build", "cards", "--card-size", value)
    assert result.exit_code == 2
    assert f"Invalid value for '--card-size': {value!r}: {CARD_SIZES_REFUSED[value]}" in result.output


@pytest.mark.parametrize("value, size", [("63x88", [63, 88]), (" 63 x 88 ", [63, 88]), ("63X88", [63, 88]),
                                         ("63×88", [63, 88]), ("60.5x85.25", [60.5, 85.25]), ("+20x250", [20, 250])])
def test_good_card_size(tmp_path, value, size):
    root = with_setting(tmp_path, f"card_size: {json.dumps(value)}")
    result = run(root, "export")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["settings"]["card_size_mm"] == size


def test_a_card_must_fit_its_paper_and_layout(tmp_path):
    root = with_setting(tmp_path, "card_size: 150x85")
    assert run(root, "check").exit_code == 0  # one column of them fits on A4
    root = make_project(tmp_path / "fold", files={"glossary/glossary.yaml": SETTINGS + "card_size: 150x85\n"
                                                  "card_layout: fold\n"})
    refused_by_check_and_build(root, "a 150×85 mm card does not fit on A4 paper with room for crop marks", line=5)
    result = run(make_project(tmp_path / "q"), "build", "cards", "--card-size", "150x85", "--fold")
    assert result.exit_code == 1 and "a 150×85 mm card does not fit on A4 paper" in result.output
    assert "; nothing written." in result.output


OFFSETS_REFUSED = {
    "nan,0": "not two numbers", "inf,0": "not two numbers", "-inf,0": "not two numbers", "1e309,0": "not two numbers",
    "0,0,0": "not two numbers", "": "not two numbers", "٠,٠": "not two numbers", "0;0": "not two numbers",
    "0x0": "not two numbers", "25,0": "a back offset is at most 20 mm each way",
    "0,-20.5": "a back offset is at most 20 mm", "99999999,0": "a back offset is at most 20 mm",
}


@pytest.mark.parametrize("value", sorted(OFFSETS_REFUSED))
def test_bad_back_offset(tmp_path, value):
    root = with_setting(tmp_path, f"card_back_offset: {json.dumps(value)}")
    refused_by_check_and_build(root, f"`card_back_offset: {value}`: {OFFSETS_REFUSED[value]}")
    result = run(make_project(tmp_path / "q"), "build", "cards", "--back-offset", value)
    assert result.exit_code == 2
    assert f"Invalid value for '--back-offset': {value!r}: {OFFSETS_REFUSED[value]}" in result.output


@pytest.mark.parametrize("value, offset", [("1.5,-0.5", [1.5, -0.5]), ("-20, 20", [-20, 20]), ("0,0", [0, 0])])
def test_good_back_offset(tmp_path, value, offset):
    root = with_setting(tmp_path, f"card_back_offset: {json.dumps(value)}")
    result = run(root, "export")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["settings"]["card_back_offset_mm"] == offset


@pytest.mark.parametrize("text, expected", [
    ("card_back_offset: 0", "`card_back_offset` in glossary settings is the number 0, not text"),
    ("paper: A5", "`paper: A5` is not one of: a5, half-letter"),
    ("paper: a3", "`paper: a3` is not one of: a5, half-letter"),
    ("paper: ''", "`paper: ` is not one of: a5, half-letter"),
    ("cards_paper: A4", "`cards_paper: A4` is not one of: a4, letter"),
    ("card_flip: both", "`card_flip: both` is not one of: long, short"),
    ("card_layout: Fold", "`card_layout: Fold` is not one of: duplex, fold"),
    ("language: de", "language `de` is not supported"),
    ("language: EN", "language `EN` is not supported"),
    ("language: en_US", "language `en_US` is not supported"),
    ("language: fr-FR", "language `fr-FR` is not supported"),
    ("language: ''", "`language` is empty"),
    ("output_base: ../x", "output_base '../x' is not a plain file name"),
    ("output_base: .hidden", "output_base '.hidden' is not a plain file name"),
    ("output_base: a/b", "output_base 'a/b' is not a plain file name"),
    ("output_base: -x", "output_base '-x' is not a plain file name"),
    ("output_base: a b", "output_base 'a b' is not a plain file name"),
    ("output_base: ünï", "output_base 'ünï' is not a plain file name"),
    (f"output_base: {'x' * 101}", f"output_base '{'x' * 101}' is not a plain file name"),
    ("output_base: ''", "`output_base` is empty"),
    ("deck_name: ''", "`deck_name` is empty"),
    ("id: ''", "`id` is empty"),
    ('id: "two\\nlines"', "`id` holds a line break or another control character"),
    ('author: "bell\\a"', "`author` in glossary settings contains the control character \\x07"),
])
def test_bad_settings(tmp_path, text, expected):
    refused_by_check_and_build(with_setting(tmp_path, text), expected, target="deck")


def test_unsupported_language_lists_the_supported_ones(tmp_path):
    result = run(with_setting(tmp_path, "language: de"), "check")
    assert "hint: the booklet's labels are English; write one of: en, en-GB, en-US" in result.output


@pytest.mark.parametrize("language", ["en-GB", "en-US"])
def test_supported_languages_build(tmp_path, language):
    root = with_setting(tmp_path, f"language: {language}")
    result = run(root, "build", "booklet", "cards")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value, expected", [
    ("abc", "SOURCE_DATE_EPOCH='abc' is not a whole number of seconds"),
    ("1.5", "SOURCE_DATE_EPOCH='1.5' is not a whole number of seconds"),
    ("1e9", "SOURCE_DATE_EPOCH='1e9' is not a whole number of seconds"),
    ("", "SOURCE_DATE_EPOCH='' is not a whole number of seconds"),
    (" 1700000000", "SOURCE_DATE_EPOCH=' 1700000000' is not a whole number of seconds"),
    ("١٧٠٠٠٠٠٠٠٠", "SOURCE_DATE_EPOCH='١٧٠٠٠٠٠٠٠٠' is not a whole number of seconds"),
    ("1_700_000_000", "is not a whole number of seconds"),
    ("9" * 25, "is not a whole number of seconds"),
    ("-1", "SOURCE_DATE_EPOCH=-1 is outside the times a deck can carry (1980-01-01 to 2100-01-01 UTC)"),
    ("0", "SOURCE_DATE_EPOCH=0 is outside the times a deck can carry"),
    ("315532799", "SOURCE_DATE_EPOCH=315532799 is outside"),
    ("4102444800", "SOURCE_DATE_EPOCH=4102444800 is outside"),
    ("99999999999999999999", "is outside"),
])
@pytest.mark.parametrize("target", ["deck", "booklet"])
def test_bad_source_date_epoch(project, value, expected, target):
    before = snapshot(project)
    result = run(project, "build", target, env={"SOURCE_DATE_EPOCH": value})
    assert result.exit_code == 1
    assert "glossdeck: error: SOURCE_DATE_EPOCH=" in result.output and expected in result.output
    assert "hint: set it to a Unix time in whole seconds" in result.output
    assert snapshot(project) == before


@pytest.mark.parametrize("value", ["315532800", "1700000000", "4102444799"])
def test_good_source_date_epoch_is_read_back(project, value):
    assert run(project, "build", "deck", env={"SOURCE_DATE_EPOCH": value}).exit_code == 0
    assert run(project, "check").exit_code == 0
    state, problems = deckstate.load(project)
    assert not problems and {e.mtime for e in state.entries.values()} == {int(value)}


def test_a_clock_outside_the_range(project, monkeypatch):
    from glossdeck import pipeline

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(pipeline.time, "time", lambda: 12.0)  # a machine whose clock was reset to 1970
    result = run(project, "build", "deck")
    assert result.exit_code == 1 and "glossdeck: error: the clock says 12, outside the times" in result.output


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p")
    assert run(root, "build", "deck", env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    return root


DIGEST = "0123456789abcdef"
LOCK_LINES_REFUSED = {
    "garbage": "the time '' is not a whole number of seconds",
    f'x abc {DIGEST} "X"': "the time 'abc' is not a whole number of seconds",
    f'x -5 {DIGEST} "X"': "the time '-5' is not a whole number of seconds",
    f'x 1.5 {DIGEST} "X"': "the time '1.5' is not a whole number of seconds",
    f'x 0 {DIGEST} "X"': "the time 0 is outside the times a deck can carry (1980 to 2107)",
    f'x 99999999999 {DIGEST} "X"': "the time 99999999999 is outside",
    'x 1700000000 xyz "X"': "the hash 'xyz' is not 16 hexadecimal digits",
    f"x 1700000000 {DIGEST} X": 'the term is not a quoted "name"',
    f"x 1700000000 {DIGEST} 12": 'the term is not a quoted "name"',
    f'x 1700000000 {DIGEST} "X': 'the term is not a quoted "name"',
    f'x 1700000000 {DIGEST} "X" retiredd': "unexpected 'retiredd' after the term (only `retired` may follow it)",
    f'"x 1700000000 {DIGEST} "X"': "cannot read this line of the deck state: the time 'X\"' is not",
    '"x': "the quoted id does not end",
    f' 1700000000 {DIGEST} "X"': "no id",
}


@pytest.mark.parametrize("line", sorted(LOCK_LINES_REFUSED))
def test_bad_lock_line(locked, line):
    lock = locked / "glossary" / "notes.lock"
    number = len(lock.read_text().splitlines()) + 1
    lock.write_text(lock.read_text() + line + "\n")
    before = snapshot(locked)
    for command in ("check", "build"):
        result = run(locked, command)
        assert result.exit_code == 1
        assert f"{locked}/glossary/notes.lock:{number}: error: cannot read this line of the deck state" in \
            result.output
        assert LOCK_LINES_REFUSED[line] in result.output
        assert "hint: expected `id time hash \"Term\"`" in result.output
    assert snapshot(locked) == before


def test_duplicate_lock_line(locked):
    lock = locked / "glossary" / "notes.lock"
    lines = lock.read_text().splitlines()
    first = next(i for i, line in enumerate(lines, start=1) if line.startswith("corrigibility "))
    lock.write_text("\n".join(lines + [lines[first - 1]]) + "\n")
    result = run(locked, "check")
    assert result.exit_code == 1
    assert (f"notes.lock:{len(lines) + 1}: error: `corrigibility` is recorded twice (first on line {first})"
            in result.output)


def test_lock_not_utf8(locked):
    lock = locked / "glossary" / "notes.lock"
    lock.write_bytes(lock.read_bytes() + b'x 1700000000 0123456789abcdef "\xff"\n')
    last = lock.read_bytes().count(b"\n")
    result = run(locked, "build")
    assert result.exit_code == 1
    assert f"notes.lock:{last}: error: the deck state is not UTF-8 text" in result.output


def test_lock_edited_on_windows_still_reads(locked):
    lock = locked / "glossary" / "notes.lock"
    before = deckstate.load(locked)
    lock.write_bytes(b"\xef\xbb\xbf" + lock.read_bytes().replace(b"\n", b"\r\n"))
    assert deckstate.load(locked) == before
    assert run(locked, "check").exit_code == 0


NAMES = ['say "hi"', "back\\slash", "# not a comment", "ends retired", "quote’s “curly” ‘marks’",
         "x 1700000000 0123456789abcdef", "naïve Ωmega", "[bracketed] {braced}"]
# Names with line or paragraph separators, tabs and other control characters are refused where they
# enter (test_quote_integrity), so they never reach the lock; the lock still quotes any odd key (ODD_KEYS).
REFUSED = ["line\u2028sep", "para\u2029sep", "next\x85line", "tab\there", "del\x7fete", "c1\x9bcontrol",
           "form\x0cfeed", "record\x1eseparator"]


def test_whatever_check_accepts_build_records_and_reads_back(tmp_path):
    terms = {f"weird-{i}": yaml.safe_dump({"term": name, "definition": "A term with an awkward name."},
                                          allow_unicode=True) for i, name in enumerate(NAMES)}
    root = make_project(tmp_path / "p", terms=terms)
    checked = run(root, "check")
    assert checked.exit_code == 0, checked.output  # check accepts every one of these names
    assert run(root, "build", "deck", env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    state, problems = deckstate.load(root)
    assert not problems
    glossary, _ = pipeline.check(root)
    assert {state.entries[t.id].name for t in glossary.terms if t.id.startswith("weird-")} == \
        {t.term for t in glossary.terms if t.id.startswith("weird-")}
    assert {state.entries[f"weird-{i}"].name for i in range(len(NAMES))} == set(NAMES)
    text = (root / "glossary" / "notes.lock").read_text(encoding="utf-8")
    assert len(text.split("\n")) == len(text.splitlines()) + 1  # no line holds a character that breaks lines
    assert "\ncorrigibility 1700000000 " in text
    rebuilt = run(root, "build", "deck", env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert rebuilt.exit_code == 0 and (root / "glossary" / "notes.lock").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name", REFUSED)
def test_a_name_that_would_break_a_line_never_reaches_the_lock(tmp_path, name):
    root = make_project(tmp_path / "p", terms={"weird": yaml.safe_dump({"term": name, "definition": "d"})})
    result = run(root, "build", "deck")
    assert result.exit_code == 1 and "control character" in result.output
    lock = root / "glossary" / "notes.lock"
    assert not lock.exists() or "weird" not in lock.read_text(encoding="utf-8")


def test_command_line_choices_are_the_settings_choices():
    from glossdeck import validate

    options = {option.name: option for option in main.commands["build"].params}
    for option, key in (("paper", "paper"), ("cards_paper", "cards_paper"), ("flip", "card_flip")):
        assert tuple(options[option].type.choices) == validate.CHOICES[key]


ODD_KEYS = ["old id", "#old", '"quoted"', "old\u2028id", "tab\tid", "", "@model2"]


@pytest.mark.parametrize("old_id", [key for key in ODD_KEYS if key] + ["@model", "Old-Id"])
def test_an_old_id_must_be_a_term_id(tmp_path, old_id):
    text = yaml.safe_dump({"term": "renamed", "definition": "d", "renamed_from": [old_id]}, allow_unicode=True)
    result = run(make_project(tmp_path / "p", terms={"renamed": text}), "check")
    assert result.exit_code == 1 and f"error: `renamed_from: {old_id}` is not a term id" in result.output


def test_the_lock_reads_back_any_key_it_writes():
    """Term ids are plain, but the format does not depend on it: an odd key is written quoted."""
    entries = {key: deckstate.Entry(1_700_000_000 + i, "0123456789abcdef", f"name {i}", retired=i % 2 == 1)
               for i, key in enumerate(ODD_KEYS[:-2] + ["plain-id", deckstate.MODEL_KEY])}
    text = deckstate.DeckState(entries).to_text()
    assert '\n"old id" 1700000000 ' in text and '\n"#old" ' in text and '\n"old\\u2028id" ' in text
    assert "\nplain-id 1700000005 " in text and "\n@model 1700000006 " in text
    assert [deckstate._entry(line) for line in text.splitlines() if not line.startswith("#")] == \
        sorted(entries.items(), key=lambda item: (item[0] != deckstate.MODEL_KEY, item[0]))
