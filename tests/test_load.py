"""load: YAML files become located records, and unreadable files become clear problems."""

from pathlib import Path

import pytest

from glossdeck.load import MAX_FILE_BYTES, load_yaml


def load(tmp_path: Path, content: str | bytes):
    path = tmp_path / "term.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return load_yaml(path, Path("term.yaml"))


def test_records_remember_lines(tmp_path):
    data, problems = load(tmp_path, "term: x\n\naliases:\n  - a\n  - b\n")
    assert problems == []
    assert data == {"term": "x", "aliases": ["a", "b"]}
    assert data.line_of("aliases") == 3
    assert data["aliases"].item_lines == [4, 5]


def test_syntax_error_names_its_line(tmp_path):
    _, problems = load(tmp_path, "term: x\ndefinition: [unclosed\nrelated: []\n")
    first_line = str(problems[0]).splitlines()[0]
    # libyaml and pure-Python PyYAML word the problem differently; both name the lines.
    assert first_line.startswith("term.yaml:3: error: YAML syntax error: ")
    assert first_line.endswith("',' or ']' (while parsing a flow sequence that starts on line 2)") or \
        "(while parsing a flow sequence that starts on line 2)" in first_line


def test_tab_indentation_is_refused_with_its_line(tmp_path):
    _, problems = load(tmp_path, "term: x\naliases:\n\t- a\n")
    assert str(problems[0]) == ("term.yaml:3: error: line is indented with a tab\n"
                                "    hint: YAML indentation must use spaces; replace the tab with spaces")


def test_anchors_and_aliases_are_refused(tmp_path):
    _, problems = load(tmp_path, "term: &name x\naliases: [*name]\n")
    assert problems[0].line == 1
    assert problems[0].message == "YAML anchors and aliases (&name, *name) are not allowed"


def test_non_utf8_is_refused_with_its_line(tmp_path):
    _, problems = load(tmp_path, b"term: x\ndefinition: caf\xe9\n")
    assert (problems[0].line, problems[0].message) == (2, "not valid UTF-8 (byte 0xe9)")


def test_duplicate_key_is_reported(tmp_path):
    _, problems = load(tmp_path, "term: x\nterm: y\n")
    assert problems[0].line == 2
    assert problems[0].message == "key `term` appears twice (first on line 1)"


def test_very_large_file_is_refused(tmp_path):
    _, problems = load(tmp_path, "definition: " + "x" * MAX_FILE_BYTES + "\n")
    assert problems[0].message.startswith("file is 256 KiB, larger than the 256 KiB limit")


def test_empty_file_is_none(tmp_path):
    assert load(tmp_path, "") == (None, [])


ANCHOR_CASES = ["term: &a x\n", "aliases: [&a x]\n", "aliases: [x, &a y]\n", "aliases:\n  - &a x\n",
                "aliases:\n- - &a x\n", "term: !!str &a x\n", "? &a k\n: v\n", "--- &a\nterm: x\n",
                "t: x\nd: *a\n", "views:\n  - holder: *a\n", "m: {a: &b c}\n", "term:\n  &a x\n", "&a x\n",
                "term: x\ndefinition: an *emphasis*, **strong** & more\n", "definition: >-\n  *lead* words\n"]


@pytest.mark.parametrize("text", ANCHOR_CASES)
def test_anchors_are_found_wherever_a_node_can_start(text):
    """The quick test that skips most files finds every anchor or alias the YAML parser itself sees."""
    import yaml

    from glossdeck.load import _anchor_line

    exact = None
    try:
        exact = next((event.start_mark.line + 1 for event in yaml.parse(text, Loader=yaml.SafeLoader)
                      if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)), None)
        found = _anchor_line(text)
    except yaml.YAMLError:  # an alias to no anchor: a syntax error either way
        return
    assert found == exact


@pytest.mark.parametrize("value, message", [
    ("2023-02-30", "`2023-02-30` reads as a date or time, but is not one (day is out of range for month)"),
    ("2023-13-01", "`2023-13-01` reads as a date or time, but is not one (month must be in 1..12)"),
    ("0000-01-01", "`0000-01-01` reads as a date or time, but is not one (year 0 is out of range)"),
    ("2001-01-01 25:00:00", "`2001-01-01 25:00:00` reads as a date or time, but is not one (hour must be in 0..23)"),
    ("!!python/object:os.system x", "the tag `!!python/object:os.system` is not one glossdeck reads"),
    ("!custom x", "the tag `!custom` is not one glossdeck reads"),
    ("!!int x", "`!!int x` cannot be read as `!!int`"),
    ("!!float abc", "`!!float abc` cannot be read as `!!float`"),
    ("!!bool maybe", "`!!bool maybe` cannot be read as `!!bool`"),
    ("!!timestamp 2023-02-30", "`2023-02-30` reads as a date or time, but is not one"),
])
def test_a_scalar_yaml_cannot_construct_is_a_problem_at_its_line(tmp_path, value, message):
    """Every way a scalar's form or tag fails to make a value is the file's problem, never a crash."""
    data, problems = load(tmp_path, f"term: x\ndate: {value}\naliases: [a]\n")
    assert [(p.line, p.severity) for p in problems] == [(2, "error")], problems
    assert problems[0].message.startswith(message) and problems[0].hint
    assert data["term"] == "x" and data["aliases"] == ["a"]  # the rest of the file is still read


def test_a_bad_date_in_sources_is_one_clear_error_from_check(tmp_path):
    from click.testing import CliRunner

    from conftest import make_project
    from glossdeck.cli import main

    root = make_project(tmp_path / "project")
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("date: 2023-03-21", "date: 2023-02-30"),
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "sources.yaml:" in result.output and "`2023-02-30` reads as a date or time, but is not one" in result.output
