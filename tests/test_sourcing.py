"""sourcing and `glossdeck source add/list/update`: seeds copied byte for byte, entries checked as `check`
checks them, and every refusal leaves every file as it was."""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from glossdeck import pipeline, project
from glossdeck.cli import main
from tests.conftest import FIXTURES
from tests.test_init import snapshot

GETTYSBURG = FIXTURES / "other" / "seeds" / "gettysburg.txt"
DIALOGUE = """\
On Justice

Thrasymachus: I say that justice is nothing other than the advantage of the stronger.

Socrates: And do you hold that the rulers of a state are never mistaken in what they command?

Thrasymachus: They are liable to err, no doubt, like anyone else.

Socrates: Then the rulers sometimes command what is not to their own advantage.
"""
PAGE = """\
<!DOCTYPE html><html><head><meta charset="utf-8"><title>On Liberty, chapter two</title>
<script>var tracking = "do not quote me";</script><style>body { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/about">About this site</a></nav>
<article><h1>Of the Liberty of Thought and Discussion</h1>
<p>If all mankind minus one were of one opinion, mankind would be no more justified in silencing that one
person, than he, if he had the power, would be justified in silencing <em>mankind</em>.</p></article>
<footer>Copyright notice of the site</footer></body></html>
"""


@pytest.fixture
def root(tmp_path) -> Path:
    project.init(tmp_path / "g", "Test Readings")
    return tmp_path / "g"


def run(root: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--project", str(root), *args], input=stdin)


def test_add_copies_the_text_byte_for_byte_and_writes_a_valid_entry(root):
    result = run(root, "source", "add", str(GETTYSBURG), "--id", "gettysburg", "--author", "Abraham Lincoln",
                 "--title", "The Gettysburg Address", "--date", "1863-11-19", "--yes")
    assert result.exit_code == 0, result.output
    seed = root / "seeds" / "gettysburg.txt"
    assert seed.read_bytes() == GETTYSBURG.read_bytes()
    glossary, problems = pipeline.load_glossary(root)
    assert not problems.errors
    source = glossary.sources["gettysburg"]
    assert source.sha256 == hashlib.sha256(GETTYSBURG.read_bytes()).hexdigest()
    assert (source.format, source.author, source.date) == ("text", "Abraham Lincoln", "1863-11-19")
    # the first line is a heading; the signature lines end in full stops and are not
    assert source.headings == ("Address delivered at the dedication of the Cemetery at Gettysburg",)
    assert "# One entry per text" in (root / "glossary" / "sources.yaml").read_text()  # comments kept
    result = run(root, "add", "--term", "new birth of freedom", "--gloss", "Liberty renewed after the war.",
                 "--definition", "A renewal of liberty.", "--cite", "gettysburg",
                 "that this nation, under God, shall have a new birth of freedom")
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(root)
    location = glossary.terms[0].citations[0].location
    assert location.heading == "Address delivered at the dedication of the Cemetery at Gettysburg"
    listed = run(root, "source", "list")
    assert "gettysburg  Abraham Lincoln, “The Gettysburg Address” (gettysburg.txt; 1 term)" in listed.output


def test_markdown_is_detected_and_its_title_taken(root, tmp_path):
    essay = tmp_path / "essay.md"
    essay.write_text("# Of Studies\n\nReading maketh a full man; conference a ready man; and writing an exact man.\n")
    assert run(root, "source", "add", str(essay), "--id", "studies", "--author", "Francis Bacon", "--yes"
               ).exit_code == 0
    source = pipeline.load_glossary(root)[0].sources["studies"]
    assert (source.format, source.title, source.file, source.headings) == ("markdown", "Of Studies", "studies.md", ())


def test_a_dialogue_gets_its_speakers_and_quotes_must_name_the_right_one(root, tmp_path):
    essay = tmp_path / "republic.txt"
    essay.write_text(DIALOGUE)
    result = run(root, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title",
                 "The Republic, Book I (excerpt)", "--yes")
    assert result.exit_code == 0, result.output
    assert "Speakers (every quote must name one): Thrasymachus, Socrates" in result.output
    source = pipeline.load_glossary(root)[0].sources["republic"]
    assert source.speakers == ("Thrasymachus", "Socrates") and source.headings == ("On Justice",)
    quote = "justice is nothing other than the advantage of the stronger"
    result = run(root, "add", "--term", "justice as advantage", "--definition", "d.", "--gloss", "g.",
                 "--cite", "republic", quote, "--speaker", "Socrates")
    assert result.exit_code == 1 and "quote is spoken by Thrasymachus, not Socrates" in result.output
    result = run(root, "add", "--term", "justice as advantage", "--definition", "d.", "--gloss", "g.",
                 "--cite", "republic", quote)  # the speaker is found where the quote stands
    assert result.exit_code == 0, result.output
    assert "speaker: Thrasymachus" in (root / "glossary" / "terms" / "justice-as-advantage.yaml").read_text()
    pipeline.check(root)


def test_a_saved_web_page_becomes_markdown_with_its_origin(root, tmp_path):
    page = tmp_path / "on-liberty.html"
    page.write_text(PAGE)
    assert run(root, "source", "add", str(page), "--id", "on-liberty", "--author", "John Stuart Mill", "--yes"
               ).exit_code == 0
    source = pipeline.load_glossary(root)[0].sources["on-liberty"]
    seed = (root / "seeds" / "on-liberty.md").read_text()
    assert (source.format, source.title) == ("markdown", "On Liberty, chapter two")
    assert seed.startswith("# Of the Liberty of Thought and Discussion\n")
    assert "silencing *mankind*." in seed
    for chrome in ("tracking", "color: red", "About this site", "Copyright"):
        assert chrome not in seed
    assert "from the saved web page on-liberty.html (SHA-256 " + hashlib.sha256(PAGE.encode()).hexdigest() \
        in source.version and "trafilatura" in source.version and "markdownify" in source.version
    result = run(root, "add", "--term", "silencing", "--definition", "d.", "--gloss", "g.", "--cite", "on-liberty",
                 "would be no more justified in silencing that one person")
    assert result.exit_code == 0, result.output


def test_headings_are_confirmed_on_a_terminal(root, tmp_path, monkeypatch):
    monkeypatch.setattr("glossdeck.cli._interactive", lambda: True)
    essay = tmp_path / "republic.txt"
    essay.write_text(DIALOGUE)
    # decline the list, then decline its one heading, keep the speakers, then write
    result = run(root, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title", "Republic",
                 stdin="n\nn\ny\ny\n")
    assert result.exit_code == 0, result.output
    assert pipeline.load_glossary(root)[0].sources["republic"].headings == ()


def test_declining_writes_nothing(root, tmp_path, monkeypatch):
    monkeypatch.setattr("glossdeck.cli._interactive", lambda: True)
    essay = tmp_path / "republic.txt"
    essay.write_text(DIALOGUE)
    before = snapshot(root)
    result = run(root, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title", "Republic",
                 stdin="y\ny\nn\n")
    assert result.exit_code == 1 and "Nothing written." in result.output
    assert snapshot(root) == before


def _bad_file(tmp_path: Path, case: str) -> Path:
    path = tmp_path / {"latin-1": "essay.txt", "binary": "essay.txt", "empty": "essay.txt",
                       "empty page": "page.html", "script-only page": "page.htm", "missing": "nope.txt",
                       "folder": "adir"}[case]
    if case == "latin-1":
        path.write_bytes("Caf\xe9 society and its discontents, at length.\n".encode("latin-1"))
    elif case == "binary":
        path.write_bytes(b"PK\x03\x04\x00\x00binary")
    elif case == "empty":
        path.write_text("  \n\n")
    elif case == "empty page":
        path.write_text("<!doctype html><html><head><title>Saved</title></head><body>  </body></html>")
    elif case == "script-only page":
        path.write_text("<html><body><nav>Home About Contact Login</nav><script>var a = 'one two three four';"
                        "</script></body></html>")
    elif case == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("case, message", [
    ("latin-1", "is not valid UTF-8 (byte 0xe9)"),
    ("binary", "holds a NUL byte, which no text has"),
    ("empty", "is empty"),
    ("empty page", "this web page has no text to quote"),
    ("script-only page", "this web page has no text to quote"),
    ("missing", "file not found"),
    ("folder", "is a folder"),
])
def test_bad_files_are_refused(root, tmp_path, case, message):
    bad = _bad_file(tmp_path, case)
    before = snapshot(root)
    result = run(root, "source", "add", str(bad), "--id", "essay", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output and "nothing written" in result.output
    assert snapshot(root) == before


@pytest.mark.parametrize("case, message", [
    ("duplicate id", "source `gettysburg` already exists"),
    ("bad id", "'Gettysburg Address' is not a valid source id"),
    ("id with a slash", "'../escape' is not a valid source id"),
    ("seed file in the way", "a file of that name is already in seeds/"),
    ("same text twice", "this text is already the seed of source `gettysburg`"),
    ("no author", "missing --author"),
    ("no title", "missing --title"),
    ("no terminal, no --yes", "no terminal to confirm the proposed headings and speakers"),
    ("broken sources.yaml", "YAML syntax error"),
])
def test_bad_entries_are_refused(root, tmp_path, case, message):
    assert run(root, "source", "add", str(GETTYSBURG), "--id", "gettysburg", "--author", "Abraham Lincoln",
               "--title", "The Gettysburg Address", "--yes").exit_code == 0
    other = tmp_path / "other.txt"
    other.write_text("Another text entirely, of several words.\n")
    args = {"id": "second", "file": str(other), "author": "Someone", "title": "Another", "yes": True}
    if case == "duplicate id":
        args["id"] = "gettysburg"
    elif case == "bad id":
        args["id"] = "Gettysburg Address"
    elif case == "id with a slash":
        args["id"] = "../escape"
    elif case == "seed file in the way":
        (root / "seeds" / "second.txt").write_text("left here by hand\n")
    elif case == "same text twice":
        args["file"] = str(GETTYSBURG)
    elif case == "no author":
        args["author"] = ""
    elif case == "no title":
        args["title"] = ""
    elif case == "no terminal, no --yes":
        args["yes"] = False
    else:
        with open(root / "glossary" / "sources.yaml", "a") as handle:
            handle.write("oops: [unclosed\n")
    before = snapshot(tmp_path)
    command = ["source", "add", args["file"], "--id", args["id"], "--author", args["author"], "--title", args["title"]]
    result = run(root, *command, *(["--yes"] if args["yes"] else []))
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output and "nothing written" in result.output
    assert snapshot(tmp_path) == before


@pytest.fixture
def cited(root) -> Path:
    assert run(root, "source", "add", str(GETTYSBURG), "--id", "gettysburg", "--author", "Abraham Lincoln",
               "--title", "The Gettysburg Address", "--yes").exit_code == 0
    for term, quote in (("new birth of freedom", "that this nation, under God, shall have a new birth of freedom"),
                        ("unfinished work", "to be dedicated here to the unfinished work")):
        result = run(root, "add", "--term", term, "--definition", "d.", "--gloss", "g.", "--cite", "gettysburg",
                     quote)
        assert result.exit_code == 0, result.output
    return root


def test_update_that_keeps_every_quote_is_written(cited, tmp_path):
    corrected = tmp_path / "corrected.txt"
    corrected.write_bytes(GETTYSBURG.read_bytes().replace(b"battle-field", b"battlefield"))
    result = run(cited, "source", "update", "gettysburg", str(corrected))
    assert result.exit_code == 0, result.output
    assert (cited / "seeds" / "gettysburg.txt").read_bytes() == corrected.read_bytes()
    assert pipeline.load_glossary(cited)[0].sources["gettysburg"].sha256 == \
        hashlib.sha256(corrected.read_bytes()).hexdigest()
    pipeline.check(cited)


def test_update_reports_every_broken_quote_term_by_term_and_writes_nothing(cited, tmp_path):
    corrected = tmp_path / "corrected.txt"
    corrected.write_bytes(GETTYSBURG.read_bytes().replace(b"new birth", b"fresh birth")
                          .replace(b"unfinished work", b"unfinished task"))
    before = snapshot(cited)
    result = run(cited, "source", "update", "gettysburg", str(corrected))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "new-birth-of-freedom.yaml:" in result.output and "unfinished-work.yaml:" in result.output
    assert result.output.count("quote not found in `gettysburg`") == 2
    assert "2 quotes would no longer resolve in the new text of `gettysburg`" in result.output
    assert snapshot(cited) == before
    forced = run(cited, "source", "update", "gettysburg", str(corrected), "--force")
    assert forced.exit_code == 0 and "2 quote(s) to fix" in forced.output
    assert (cited / "seeds" / "gettysburg.txt").read_bytes() == corrected.read_bytes()


@pytest.mark.parametrize("case, message", [
    ("unknown id", "unknown source `gettysberg`"),
    ("same text", "this is already the text of `gettysburg`"),
    ("not UTF-8", "is not valid UTF-8"),
    ("heading gone", "heading 'Address delivered at the dedication of the Cemetery at Gettysburg' of `gettysburg` "
                     "is not in the new text"),
    ("missing file", "file not found"),
])
def test_bad_updates_are_refused(cited, tmp_path, case, message):
    new = tmp_path / "new.txt"
    source_id = "gettysburg"
    if case == "unknown id":
        source_id = "gettysberg"
        new.write_bytes(GETTYSBURG.read_bytes())
    elif case == "same text":
        new.write_bytes(GETTYSBURG.read_bytes())
    elif case == "not UTF-8":
        new.write_bytes(GETTYSBURG.read_bytes() + b"\xff")
    elif case == "heading gone":
        new.write_bytes(GETTYSBURG.read_bytes().replace(b"Address delivered", b"Remarks delivered"))
    before = snapshot(tmp_path)
    result = run(cited, "source", "update", source_id, str(new), "--force")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_a_file_already_in_seeds_under_its_name_is_registered_in_place(root):
    (root / "seeds" / "gettysburg.txt").write_bytes(GETTYSBURG.read_bytes())
    result = run(root, "source", "add", str(root / "seeds" / "gettysburg.txt"), "--id", "gettysburg",
                 "--author", "Abraham Lincoln", "--title", "The Gettysburg Address", "--yes")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "seeds").iterdir()) == [".keep", "gettysburg.txt"]
    assert (root / "seeds" / "gettysburg.txt").read_bytes() == GETTYSBURG.read_bytes()
    assert pipeline.load_glossary(root)[0].sources["gettysburg"].sha256 == \
        hashlib.sha256(GETTYSBURG.read_bytes()).hexdigest()


def test_speakers_can_be_declined_on_a_terminal(root, tmp_path, monkeypatch):
    monkeypatch.setattr("glossdeck.cli._interactive", lambda: True)
    essay = tmp_path / "notes.txt"
    essay.write_text(DIALOGUE)
    result = run(root, "source", "add", str(essay), "--id", "notes", "--author", "Plato", "--title", "Republic",
                 stdin="y\nn\ny\n")  # headings yes, not a dialogue, write
    assert result.exit_code == 0, result.output
    assert pipeline.load_glossary(root)[0].sources["notes"].speakers == ()


def test_proposed_headings_stand_alone_and_are_found_where_they_stand():
    from glossdeck.sourcing import Text, propose_headings

    raw = ("An Essay\n\nWe begin with the Conclusion in mind, then argue.\n\nConclusion\n\nMethods\n\n"
           "Our methods were simple, and we describe them.\n\nA line of a paragraph\nthat goes on\n\n"
           "a lowercase line\n\nEnds with a colon:\n\nSeven words in this heading here now\n")
    assert propose_headings(Text(raw.encode(), raw, "text"), "An Essay") == (
        "Methods", "Seven words in this heading here now")


def test_a_web_page_in_another_encoding_becomes_utf8_markdown(root, tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace("mankind minus",
                                                                                      "mankind – minus")
                     .encode("cp1252"))
    assert run(root, "source", "add", str(page), "--id", "page", "--author", "Mill", "--yes").exit_code == 0
    assert "If all mankind – minus one" in (root / "seeds" / "page.md").read_text(encoding="utf-8")


def test_updating_a_web_page_source_records_the_new_pages_origin(root, tmp_path):
    page = tmp_path / "on-liberty.html"
    page.write_text(PAGE)
    assert run(root, "source", "add", str(page), "--id", "on-liberty", "--author", "Mill", "--yes").exit_code == 0
    assert run(root, "add", "--term", "silencing", "--definition", "d.", "--gloss", "g.", "--cite", "on-liberty",
               "would be no more justified in silencing that one person").exit_code == 0
    corrected = tmp_path / "on-liberty-2.html"
    corrected.write_text(PAGE.replace("<em>mankind</em>", "<em>all mankind</em>"))
    result = run(root, "source", "update", "on-liberty", str(corrected))
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(root)[0].sources["on-liberty"]
    assert "on-liberty-2.html (SHA-256 " + hashlib.sha256(corrected.read_bytes()).hexdigest() in source.version
    assert "silencing *all mankind*." in (root / "seeds" / "on-liberty.md").read_text()
    pipeline.check(root)
