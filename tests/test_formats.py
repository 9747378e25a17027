"""formats: how `source add` reads a text file in each encoding it may come in (issue 18: a BOM hid the first
heading; UTF-16 was reported as "holds NUL bytes")."""

import codecs
import hashlib

import pytest

from glossdeck import pipeline
from tests.test_init import snapshot
from tests.test_sourcing import DIALOGUE, run

# A text whose first line is a heading: the byte-order mark must not hide it.
ESSAY = "Of Studies\n\nReading maketh a full man; conference a ready man; and writing an exact man. — Bacon\n"


@pytest.mark.parametrize("encoding, mark, named", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
])
def test_utf16_and_utf32_with_a_byte_order_mark_are_written_as_utf8_and_say_so(blank, tmp_path, encoding, mark, named):
    essay = tmp_path / "studies.txt"
    essay.write_bytes(mark + ESSAY.encode(encoding))
    result = run(blank, "source", "add", str(essay), "--id", "studies", "--author", "Francis Bacon", "--title",
                 "Of Studies (essay)", "--yes")
    assert result.exit_code == 0, result.output
    seed = (blank / "seeds" / "studies.txt").read_bytes()
    assert seed == ESSAY.encode("utf-8")  # the mark gone, the text in UTF-8
    source = pipeline.load_glossary(blank)[0].sources["studies"]
    assert source.headings == ("Of Studies",)  # the first line is found as a heading
    assert source.sha256 == hashlib.sha256(seed).hexdigest()
    assert source.version == f"Converted to UTF-8 from {named}; the byte-order mark dropped."
    assert run(blank, "add", "--term", "full man", "--definition", "d.", "--gloss", "g.", "--cite", "studies",
               "Reading maketh a full man").exit_code == 0


def test_a_utf8_byte_order_mark_is_kept_and_hides_no_heading(blank, tmp_path):
    essay = tmp_path / "studies.txt"
    essay.write_bytes(codecs.BOM_UTF8 + ESSAY.replace("\n", "\r\n").encode())
    result = run(blank, "source", "add", str(essay), "--id", "studies", "--author", "Francis Bacon", "--title",
                 "Of Studies (essay)", "--yes")
    assert result.exit_code == 0, result.output
    assert (blank / "seeds" / "studies.txt").read_bytes() == essay.read_bytes()  # byte for byte, as promised
    source = pipeline.load_glossary(blank)[0].sources["studies"]
    assert source.headings == ("Of Studies",) and source.version == ""
    assert run(blank, "add", "--term", "full man", "--definition", "d.", "--gloss", "g.", "--cite", "studies",
               "Reading maketh a full man").exit_code == 0
    pipeline.check(blank)


@pytest.mark.parametrize("encoding, named, iconv", [
    ("utf-16-le", "UTF-16 (little-endian)", "UTF-16LE"),
    ("utf-16-be", "UTF-16 (big-endian)", "UTF-16BE"),
    ("utf-32-le", "UTF-32 (little-endian)", "UTF-32LE"),
    ("utf-32-be", "UTF-32 (big-endian)", "UTF-32BE"),
])
def test_utf16_and_utf32_without_a_mark_are_named_with_the_command_to_convert(blank, tmp_path, encoding,
                                                                             named, iconv):
    essay = tmp_path / "studies.txt"
    essay.write_bytes(ESSAY.encode(encoding))
    before = snapshot(blank)
    result = run(blank, "source", "add", str(essay), "--id", "studies", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"studies.txt: error: is {named} text; glossdeck reads seeds as UTF-8" in result.output
    assert f"convert it: `iconv -f {iconv} -t UTF-8 studies.txt > converted`, then add the converted file" \
        in result.output
    assert snapshot(blank) == before


def test_a_mark_that_lies_is_refused(blank, tmp_path):
    essay = tmp_path / "studies.txt"
    essay.write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8 \x00")  # a lone surrogate: no UTF-16 text
    result = run(blank, "source", "add", str(essay), "--id", "studies", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 1
    assert "begins with the byte-order mark of UTF-16 (little-endian), but is not valid UTF-16 (little-endian)" \
        in result.output and "Traceback" not in result.output


def test_a_utf16_dialogue_gets_its_speakers(blank, tmp_path):
    essay = tmp_path / "republic.txt"
    essay.write_bytes(codecs.BOM_UTF16_LE + DIALOGUE.encode("utf-16-le"))
    result = run(blank, "source", "add", str(essay), "--id", "republic", "--author", "Plato", "--title", "Republic",
                 "--yes")
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(blank)[0].sources["republic"]
    assert source.speakers == ("Thrasymachus", "Socrates") and source.headings == ("On Justice",)


@pytest.mark.parametrize("fixture", ["pdfs/fop-valgrind-core.pdf", "pages/texinfo-overview.html",
                                     "epubs/pandoc-node-contributing.epub"])
@pytest.mark.parametrize("length", [20, 120, 250])  # 255 bytes is the longest name most file systems allow
def test_a_long_file_name_never_makes_the_note_on_its_origin_too_long(blank, tmp_path, fixture, length):
    """The note on a converted text's origin names its file; however long the name, the note stays within the
    limit of `version`, so `source add` never fails on a field the user did not write."""
    from pathlib import Path

    from glossdeck.limits import FIELD

    original = Path(__file__).parent / "fixtures" / fixture
    suffix = original.suffix
    copy = tmp_path / ("x" * (length - len(suffix)) + suffix)
    copy.write_bytes(original.read_bytes())
    result = run(blank, "source", "add", str(copy), "--id", "long", "--author", "Somebody", "--title", "Long", "--yes")
    assert result.exit_code == 0, result.output
    version = pipeline.load_glossary(blank)[0].sources["long"].version
    assert len(version) <= FIELD.most
    if length == 20:
        assert copy.name in version  # a name that fits is given whole
    else:  # a longer one is cut in its middle, its start and end kept
        assert copy.name not in version and "…" in version
        assert copy.name[:8] in version and copy.name[-8:] in version
    assert run(blank, "source", "list").exit_code == 0  # the entry written is one every command reads


@pytest.mark.parametrize("fixture", ["pdfs/fop-valgrind-core.pdf", "pages/texinfo-overview.html",
                                     "epubs/pandoc-node-contributing.epub"])
def test_a_file_name_with_a_line_break_in_it_is_named_without_it(blank, tmp_path, fixture):
    from pathlib import Path

    original = Path(__file__).parent / "fixtures" / fixture
    copy = tmp_path / f"odd\r\nname\t{original.suffix}"
    copy.write_bytes(original.read_bytes())
    result = run(blank, "source", "add", str(copy), "--id", "odd", "--author", "Somebody", "--title", "Odd", "--yes")
    assert result.exit_code == 0, result.output
    assert f"odd??name?{original.suffix}" in pipeline.load_glossary(blank)[0].sources["odd"].version
