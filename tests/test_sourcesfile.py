"""sourcesfile: sources.yaml edited with PyYAML's emitter; awkward values round-trip, the rest of the file stays as it
was written (issue 18: `source update` failed with a YAML error on every source whose `version:` spans lines)."""

import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from glossdeck import pipeline, sourcesfile
from glossdeck.cli import main
from tests.test_init import snapshot

REPO = Path(__file__).resolve().parent.parent
SHIPPED = (REPO / "glossary" / "sources.yaml").read_text(encoding="utf-8")
# Values that a string-joining writer gets wrong: YAML's other types, its syntax, line breaks, quotes, Unicode.
AWKWARD = ["yes", "no", "null", "~", "true", "1863", "0x1F", "1.5e+3", "2023-03-21", "12:30", "- a list?",
           "# not a comment", "key: value", "a: b # c", "'single'", '"double"', "back\\slash", "tab\there",
           "two\nlines", "trailing newline\n", "  leading spaces", "trailing spaces  ", "", "@at", "`tick`",
           "%percent", "&anchor", "*alias", "!tag", "{flow}", "[flow]", "Zoë — “curly” ‘quotes’ …", "日本語の題",
           "emoji 🙂", "a very long value " * 20, ">", "|", "?", "-", ":", "=", "<<"]


def _entry(text: str, source_id: str) -> dict:
    return yaml.safe_load(text)[source_id]


@pytest.mark.parametrize("value", AWKWARD)
def test_an_awkward_value_round_trips_and_nothing_else_changes(value):
    new = sourcesfile.set_fields(SHIPPED, "debate", {"version": value})
    assert _entry(new, "debate")["version"] == value
    old_data, new_data = yaml.safe_load(SHIPPED), yaml.safe_load(new)
    old_data["debate"]["version"] = value
    assert new_data == old_data  # every other entry, and every other key of this one, reads as before
    kept = [line for line in SHIPPED.splitlines() if line.startswith("#") or line.startswith("  headings:  #")]
    for line in kept:  # the comments are still there, word for word
        assert line in new.splitlines()


@pytest.mark.parametrize("value", AWKWARD)
def test_a_new_entry_with_awkward_values_round_trips(value):
    fields = {"file": "x.txt", "sha256": "0" * 64, "title": value or "t", "author": value or "a", "url": None,
              "format": "text", "headings": [value, value + " again"], "speakers": [value or "s", "Ann"]}
    new = sourcesfile.add_entry(SHIPPED, "new-one", fields)
    assert _entry(new, "new-one") == fields
    assert new.startswith(SHIPPED)  # appended; the file before it untouched


def test_a_value_spanning_lines_is_replaced_whole_and_keys_keep_their_order():
    new = sourcesfile.set_fields(SHIPPED, "optimism", {"version": "One line now.", "sha256": "f" * 64})
    lines = new.splitlines()
    at = lines.index("  version: One line now.")
    assert lines[at + 1] == "  format: text"  # the folded block's other lines are gone
    assert lines[at - 8] == "  sha256: " + "f" * 64
    assert len(lines) == len(SHIPPED.splitlines()) - 3  # "version: >-" and its three lines became one


def test_keys_are_added_after_the_entry_and_removed_without_touching_the_next():
    new = sourcesfile.set_fields(SHIPPED, "starter-pack", {"speakers": ["Ann", "Bob"], "venue": None})
    entry = _entry(new, "starter-pack")
    assert entry["speakers"] == ["Ann", "Bob"] and "venue" not in entry
    assert _entry(new, "debate") == _entry(SHIPPED, "debate")
    assert "  speakers:\n  - Ann\n  - Bob\ndebate:\n" in new or "  speakers:\n    - Ann\n    - Bob\ndebate:\n" in new


def test_a_list_followed_by_another_key_is_replaced_alone():
    text = "one:\n  file: a.txt\n  speakers:\n    - Ann\n    - Bob\n  headings:\n    - Start\ntwo:\n  file: b.txt\n"
    assert yaml.safe_load(sourcesfile.set_fields(text, "one", {"speakers": None})) == {
        "one": {"file": "a.txt", "headings": ["Start"]}, "two": {"file": "b.txt"}}
    assert yaml.safe_load(sourcesfile.set_fields(text, "one", {"speakers": ["Cy"], "headings": None})) == {
        "one": {"file": "a.txt", "speakers": ["Cy"]}, "two": {"file": "b.txt"}}


def test_an_entry_is_removed_with_its_lines_only():
    new = sourcesfile.remove_entry(SHIPPED, "objections")
    data = yaml.safe_load(new)
    assert list(data) == ["optimism", "starter-pack", "debate"]
    assert data["optimism"] == yaml.safe_load(SHIPPED)["optimism"]
    assert "inline in this single-line text" not in new  # the entry's own comment went with it
    assert new.startswith("# The four source essays.")


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


@pytest.fixture
def shipped(tmp_path) -> Path:
    for part in ("glossary", "seeds"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path


def test_update_of_a_shipped_source_whose_version_spans_lines(shipped, tmp_path):
    seed = shipped / "seeds" / "004_bce81a884f985e50.txt"
    corrected = tmp_path / "debate.md"
    corrected.write_bytes(seed.read_bytes().replace(b"Simplicia", b"Simplicia", 1) + b"\n")
    result = run(shipped, "source", "update", "debate", str(corrected))
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(shipped)[0].sources["debate"]
    assert source.sha256 == hashlib.sha256(corrected.read_bytes()).hexdigest()
    assert source.version.startswith("An early draft (October 2023)")  # a text file: its version kept
    pipeline.check(shipped)


@pytest.mark.parametrize("failing", ["glossary/sources.yaml", "seeds/004_bce81a884f985e50.txt"])
def test_update_writes_neither_file_when_one_cannot_be_written(shipped, tmp_path, monkeypatch, failing):
    from glossdeck import writer

    seed = shipped / "seeds" / "004_bce81a884f985e50.txt"
    corrected = tmp_path / "debate.md"
    corrected.write_bytes(seed.read_bytes() + b"\n")
    before = snapshot(shipped)
    real = writer._write_file
    target = shipped / failing

    def full_disk(fd: int, path: Path, data: bytes) -> None:
        if path.parent == target.parent and path.name.startswith(f".{target.name}."):  # the staged copy of it
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(fd, path, data)

    monkeypatch.setattr(writer, "_write_file", full_disk)
    result = run(shipped, "source", "update", "debate", str(corrected))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{failing}: error: cannot write this file: No space left on device" in result.output
    assert "nothing written" in result.output
    assert snapshot(shipped) == before  # neither file replaced, no temporary file left
