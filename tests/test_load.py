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
