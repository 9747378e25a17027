"""`glossdeck source edit` and `source remove`: a source's details corrected with the checks of `source add`, or the
source taken out while no term cites it; each atomic (issue 20: no command could correct or remove a source)."""

import errno
import os
import shutil
from pathlib import Path

import pytest

from glossdeck import pipeline
from tests.test_init import snapshot
from tests.test_sourcing import DIALOGUE, GETTYSBURG, run

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cited(blank, tmp_path) -> Path:
    essay = tmp_path / "republic.txt"
    essay.write_text(DIALOGUE)
    assert run(blank, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title", "Republik",
               "--yes").exit_code == 0
    assert run(blank, "source", "add", str(GETTYSBURG), "--id", "gettysburg", "--author", "Abraham Lincoln",
               "--title", "The Gettysburg Address", "--yes").exit_code == 0
    result = run(blank, "add", "--term", "justice as advantage", "--definition", "d.", "--gloss", "g.", "--cite",
                 "republic", "justice is nothing other than the advantage of the stronger")
    assert result.exit_code == 0, result.output
    return blank


def test_edit_corrects_the_details_and_keeps_the_rest(cited):
    before = (cited / "glossary" / "sources.yaml").read_text()
    result = run(cited, "source", "edit", "republic", "--title", "The Republic, Book I", "--date", "c. 375 BC",
                 "--url", "https://www.gutenberg.org/ebooks/1497", "--venue", "Athens")
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(cited)[0].sources["republic"]
    assert (source.title, source.date, source.url, source.venue) == (
        "The Republic, Book I", "c. 375 BC", "https://www.gutenberg.org/ebooks/1497", "Athens")
    assert source.speakers == ("Thrasymachus", "Socrates") and source.headings == ("On Justice",)
    after = (cited / "glossary" / "sources.yaml").read_text()
    assert after.split("republic:")[0] == before.split("republic:")[0]  # comments and other entries as they were
    assert after.split("gettysburg:")[1] == before.split("gettysburg:")[1]
    glossary, _ = pipeline.check(cited)
    assert "The Republic, Book I" in glossary.sources["republic"].title


def test_edit_dry_run_prints_the_entry_and_writes_nothing(cited):
    before = snapshot(cited)
    result = run(cited, "source", "edit", "republic", "--author", "Plato of Athens", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "republic:\n" in result.output and "  author: Plato of Athens\n" in result.output
    assert snapshot(cited) == before


def test_edit_takes_out_an_optional_detail(cited):
    assert run(cited, "source", "edit", "republic", "--date", "375 BC").exit_code == 0
    assert run(cited, "source", "edit", "republic", "--date", "").exit_code == 0
    assert "date" not in (cited / "glossary" / "sources.yaml").read_text().split("republic:")[1].split("gettysburg")[0]


@pytest.mark.parametrize("options, message", [
    (("--title", ""), "--title cannot be empty"),
    (("--author", "Pla\u200bto"), "contains an invisible character"),
    (("--url", "javascript:alert(1)"), "`url`"),
    (("--speakers", "Glaucon"), "speaker 'Glaucon' opens no turn in the text"),
    (("--heading", "On Injustice"), "heading 'On Injustice' is not in the text"),
    (("--speakers", "Socrates"), "`Thrasymachus` is not a speaker of `republic`"),
    ((), "nothing to change"),
])
def test_edit_refuses_what_add_refuses_and_what_would_break_a_quote(cited, options, message):
    before = snapshot(cited)
    result = run(cited, "source", "edit", "republic", *options)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output and "nothing written" in result.output
    assert snapshot(cited) == before


def test_edit_can_say_a_source_is_no_dialogue(cited):
    result = run(cited, "source", "edit", "republic", "--no-speakers")
    assert result.exit_code == 0, result.output
    assert pipeline.load_glossary(cited)[0].sources["republic"].speakers == ()
    pipeline.check(cited)  # the quote keeps its `speaker:`, now one person quoted in a text


def test_edit_of_an_unknown_source_names_the_known_ones(cited):
    result = run(cited, "source", "edit", "republik", "--title", "X")
    assert result.exit_code == 1 and "unknown source `republik`" in result.output
    assert "known: gettysburg, republic" in result.output


def test_edit_of_a_shipped_source_whose_version_spans_lines(tmp_path):
    for part in ("glossary", "seeds"):
        shutil.copytree(REPO / part, tmp_path / part)
    result = run(tmp_path, "source", "edit", "optimism", "--venue", "LessWrong (a draft)")
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(tmp_path)
    assert glossary.sources["optimism"].venue == "LessWrong (a draft)"
    assert glossary.sources["optimism"].version.startswith("The text as received")


def test_remove_refuses_while_terms_cite_the_source_and_names_them(cited):
    before = snapshot(cited)
    result = run(cited, "source", "remove", "republic")
    assert result.exit_code == 1
    assert "justice-as-advantage.yaml:" in result.output and "term `justice-as-advantage` cites `republic`" \
        in result.output and "1 term still cites `republic`" in result.output
    assert snapshot(cited) == before


def test_remove_takes_out_the_entry_and_the_seed(cited):
    result = run(cited, "source", "remove", "gettysburg", "--dry-run")
    assert result.exit_code == 0 and (cited / "seeds" / "gettysburg.txt").exists()
    result = run(cited, "source", "remove", "gettysburg")
    assert result.exit_code == 0, result.output
    assert not (cited / "seeds" / "gettysburg.txt").exists()
    assert sorted(p.name for p in (cited / "seeds").iterdir()) == [".keep", "republic.txt"]
    assert list(pipeline.load_glossary(cited)[0].sources) == ["republic"]
    pipeline.check(cited)


def test_remove_changes_neither_file_when_sources_yaml_cannot_be_written(cited, monkeypatch):
    from glossdeck import writer

    real = writer._write_file

    def full_disk(fd: int, path: Path, data: bytes) -> None:
        if path.name.startswith(".sources.yaml."):  # the staged copy that would replace sources.yaml
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(fd, path, data)

    monkeypatch.setattr(writer, "_write_file", full_disk)
    before = snapshot(cited)
    result = run(cited, "source", "remove", "gettysburg")
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert snapshot(cited) == before  # the seed is back in place, no file left aside


@pytest.mark.parametrize("file", ["../glossary/glossary.yaml", "{victim}", "sub/seed.txt", "..", "a\\\\b.txt"])
@pytest.mark.parametrize("command", [("source", "remove", "outside"), ("source", "update", "outside", "{new}"),
                                     ("check",)])
def test_a_source_file_outside_seeds_is_refused_by_every_command(cited, tmp_path, file, command):
    """`file:` names a file in seeds/ and nothing else: a path out of it would let one line of sources.yaml make
    `source remove` delete, or `source update` overwrite, any file the user can write."""
    victim = tmp_path / "victim.txt"
    victim.write_text("not the glossary's\n", encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text("A new text of some words.\n", encoding="utf-8")
    sources = cited / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + f"outside:\n  file: '{file.format(victim=victim)}'\n"
                       f"  sha256: '{'a' * 64}'\n  title: Outside\n  author: Nobody\n", encoding="utf-8")
    before = snapshot(cited)
    result = run(cited, *(part.format(new=new) for part in command))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is not the name of a file in seeds/" in result.output and "sources.yaml:" in result.output
    assert snapshot(cited) == before and victim.read_text(encoding="utf-8") == "not the glossary's\n"


@pytest.mark.parametrize("file", ["../../victim.txt", "{victim}"])
def test_find_never_reads_a_source_file_outside_seeds(cited, tmp_path, file):
    victim = tmp_path / "victim.txt"
    victim.write_text("words only the victim file holds\n", encoding="utf-8")
    sources = cited / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + f"outside:\n  file: '{file.format(victim=victim)}'\n"
                       f"  sha256: '{'a' * 64}'\n  title: Outside\n  author: Nobody\n", encoding="utf-8")
    result = run(cited, "find", "only the victim file holds")
    assert "Traceback" not in result.output and "source: outside" not in result.output


@pytest.mark.parametrize("command", [("source", "remove", "gettysburg"),
                                     ("source", "edit", "gettysburg", "--title", "Another title"),
                                     ("source", "update", "gettysburg", "{new}")])
@pytest.mark.parametrize("broken", ["term: 'unclosed\n", "- a list\n- not a term\n", "\t tabbed: yes\n"])
def test_a_source_is_not_changed_while_a_term_file_cannot_be_read(cited, tmp_path, command, broken):
    """A term file that cannot be read may cite the source: nothing could say what removing or changing it breaks."""
    new = tmp_path / "new.txt"
    new.write_text(GETTYSBURG.read_text(encoding="utf-8") + "\nA line added at the end.\n", encoding="utf-8")
    (cited / "glossary" / "terms" / "broken.yaml").write_text(broken + "citations:\n  - source: gettysburg\n",
                                                                encoding="utf-8")
    before = snapshot(cited)
    result = run(cited, *(part.format(new=new) for part in command))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "broken.yaml: error: this term file could not be read, so whether it cites `gettysburg` cannot be told" \
        in result.output
    assert snapshot(cited) == before
