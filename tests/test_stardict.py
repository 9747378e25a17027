"""The StarDict dictionary: looked up with sdcv (the engine inside KOReader), its files read back by the spec."""

from __future__ import annotations

import functools
import gzip
import html
import json
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, TIMESTAMP
from tools import tool
from glossdeck import markup, pipeline
from glossdeck.cli import main
from glossdeck.model import Glossary
from glossdeck.render import stardict


@pytest.fixture(scope="module")
def shipped_dictionary(tmp_path_factory: pytest.TempPathFactory) -> tuple[Glossary, Path, Path]:
    """The shipped glossary's dictionary, built by `build stardict`, and the folder its zip unpacks to."""
    root = tmp_path_factory.mktemp("stardict") / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    result = pipeline.build(root, targets=("stardict",), timestamp=TIMESTAMP)
    unpacked = root / "dict"
    with zipfile.ZipFile(result.outputs["stardict"]) as archive:
        archive.extractall(unpacked)
    return result.glossary, result.outputs["stardict"], unpacked


def lookup(data_dir: Path, words: list[str]) -> list[list[dict[str, str]]]:
    """What sdcv finds for each word by exact lookup, as KOReader asks it (JSON, one line per word)."""
    done = subprocess.run([tool("sdcv"), "--data-dir", str(data_dir), "--only-data-dir", "-n", "--utf8-output",
                           "--exact-search", "--json-output", *words],
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == len(words), done.stdout[:2000]
    return [json.loads(line) for line in lines]


def shown_text(definition: str) -> str:
    """An entry's HTML as a reader shows it: tags gone, characters decoded, spaces collapsed."""
    blocks = re.sub(r"</p>|<br/>|</?blockquote>", " ", definition)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def test_every_headword_and_alias_is_found_by_exact_lookup_with_its_gloss(shipped_dictionary):
    glossary, _, unpacked = shipped_dictionary
    asked = [(name, term) for term in glossary.terms for name in (term.term, *term.aliases)]
    assert len(asked) == len(glossary.terms) + sum(len(t.aliases) for t in glossary.terms) > 400
    for (name, term), found in zip(asked, lookup(unpacked, [name for name, _ in asked])):
        assert [hit["word"] for hit in found] == [term.term], name
        assert found[0]["dict"] == glossary.settings.title
        text = shown_text(found[0]["definition"])
        assert " ".join(markup.to_plain(term.gloss).split()) in text, name
        assert " ".join(markup.to_plain(term.definition).split()) in text, name
        quote = stardict.short_quote(term)
        assert quote is not None and f"“{' '.join(quote.display.split())}”" in text
        assert glossary.sources[quote.source].title in text
    assert lookup(unpacked, ["no such term", "mesa"]) == [[], []]  # exact lookup: no near misses


def test_a_lookup_on_the_terminal_shows_the_entry(shipped_dictionary):
    glossary, _, unpacked = shipped_dictionary
    done = subprocess.run([tool("sdcv"), "--data-dir", str(unpacked), "-x", "-n", "--utf8-output", "-e", "IGF"],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    assert "-->inclusive genetic fitness" in done.stdout
    term = glossary.term("inclusive-genetic-fitness")
    assert "IGF" in term.aliases and f"Also: {', '.join(term.aliases)}" in done.stdout
    assert '<a href="bword://natural selection">natural selection</a>' in done.stdout  # related, linked


def _strcmp(left: str, right: str) -> int:
    """StarDict's stardict_strcmp, as the spec gives it in C: g_ascii_strcasecmp, then strcmp, on UTF-8 bytes."""
    a, b = left.encode(), right.encode()
    folded = [bytes(c + 32 if 65 <= c <= 90 else c for c in s) for s in (a, b)]
    for x, y in ((folded[0], folded[1]), (a, b)):
        if x != y:
            return -1 if x < y else 1
    return 0


def test_the_order_is_the_one_the_spec_demands():
    names = ["éclair", "Zeta", "alpha", "beta", "ab", "Alpha", "a-b", "a b"]
    expected = ["a b", "a-b", "ab", "Alpha", "alpha", "beta", "Zeta", "éclair"]
    assert sorted(names, key=functools.cmp_to_key(_strcmp)) == expected  # the test's own reading of the spec
    assert sorted(names, key=stardict.stardict_order) == expected
    assert sorted(names) != expected  # Python's own order would put every capital first


def _entries(data: bytes, tail: int) -> list[tuple[str, tuple[int, ...]]]:
    """The (word, numbers) items of an .idx (tail 8: offset, size) or .syn (tail 4: index) file."""
    items, at = [], 0
    while at < len(data):
        end = data.index(b"\0", at)
        numbers = struct.unpack(">II" if tail == 8 else ">I", data[end + 1:end + 1 + tail])
        items.append((data[at:end].decode("utf-8"), numbers))
        at = end + 1 + tail
    return items


def test_the_files_are_as_the_format_describes(shipped_dictionary):
    glossary, archive, unpacked = shipped_dictionary
    base = "alignment-glossary"
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == [f"{base}/{base}.{ext}" for ext in ("css", "dict.dz", "idx", "ifo", "syn")]
    folder = unpacked / base
    ifo = (folder / f"{base}.ifo").read_text(encoding="utf-8").splitlines()
    assert ifo[:2] == ["StarDict's dict ifo file", "version=2.4.2"]
    fields = dict(line.split("=", 1) for line in ifo[1:])
    index, syn = (folder / f"{base}.idx").read_bytes(), (folder / f"{base}.syn").read_bytes()
    data = gzip.decompress((folder / f"{base}.dict.dz").read_bytes())  # gunzip reads a dictzip file too
    assert fields["bookname"] == glossary.settings.title and fields["sametypesequence"] == "h"
    assert int(fields["wordcount"]) == len(glossary.terms) and int(fields["idxfilesize"]) == len(index)
    # every other name, and every name with its apostrophes the other way ('/’), unless that form is a name itself
    forms = {(form, t.id) for t in glossary.terms for name in (t.term, *t.aliases)
             for form in stardict.lookup_forms(name)}
    assert int(fields["synwordcount"]) == len({(f, i) for f, i in forms if f != glossary.term(i).term})
    words = _entries(index, 8)
    assert [w for w, _ in words] == sorted((t.term for t in glossary.terms), key=functools.cmp_to_key(_strcmp))
    # the entries follow one another through the whole .dict, none left out, none overlapping
    assert [n[0] for _, n in words] == [sum(n[1] for _, n in words[:i]) for i in range(len(words))]
    assert sum(n[1] for _, n in words) == len(data)
    synonyms = _entries(syn, 4)
    assert [s for s, _ in synonyms] == sorted((s for s, _ in synonyms), key=functools.cmp_to_key(_strcmp))
    for alias, (number,) in synonyms:
        term = glossary.lookup(words[number][0])
        assert term is not None and (alias, term.id) in forms
    assert len(data) > 2 * stardict.CHUNK  # so the lookups above read several dictzip chunks at random


def test_the_dictzip_file_is_what_dictzip_itself_makes_and_reads_at_random(shipped_dictionary, tmp_path):
    _, _, unpacked = shipped_dictionary
    ours = (unpacked / "alignment-glossary" / "alignment-glossary.dict.dz").read_bytes()
    plain = gzip.decompress(ours)
    (tmp_path / "plain.dict").write_bytes(plain)
    subprocess.run([tool("dictzip"), str(tmp_path / "plain.dict")], check=True, timeout=60)
    theirs = (tmp_path / "plain.dict.dz").read_bytes()
    # dictzip also names the file and dates it in its header: beyond those, the same bytes
    extra = 12 + struct.unpack("<H", ours[10:12])[0]
    assert ours[3] == 0x04 and theirs[3] == 0x0C  # FEXTRA; theirs adds FNAME
    assert ours[10:extra] == theirs[10:extra]  # the random-access table
    assert ours[extra:] == theirs[theirs.index(b"\0", extra) + 1:]  # the chunks and the trailer
    chunks = range(0, len(plain), stardict.CHUNK)
    spans = [(0, len(plain)), (len(plain) - 5, 5)] + [(max(0, at - 40), 80) for at in chunks]
    for start, size in spans:  # dictd's own reader inflates only the chunks a span needs, each on its own
        done = subprocess.run([tool("dictzip"), "-d", "-c", "-s", str(start), "-e", str(size),
                               str(unpacked / "alignment-glossary" / "alignment-glossary.dict.dz")],
                              capture_output=True, check=True, timeout=60)
        assert done.stdout == plain[start:start + size] and not done.stderr, (start, size)


@pytest.mark.parametrize("size", [0, 1, 5, stardict.CHUNK, stardict.CHUNK + 1, 3 * stardict.CHUNK - 7])
def test_dictzip_of_any_length_gunzips_to_the_data(size):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    packed = stardict.dictzip(data)
    assert gzip.decompress(packed) == data
    count = struct.unpack("<H", packed[20:22])[0]
    assert count == max(1, -(-size // stardict.CHUNK))


def test_the_same_glossary_gives_the_same_bytes_dated_by_source_date_epoch(project, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = pipeline.build(project, out=tmp_path / "one", targets=("stardict",)).outputs["stardict"]
    second = pipeline.build(project, out=tmp_path / "two", targets=("stardict",), timestamp=TIMESTAMP)
    assert first.read_bytes() == second.outputs["stardict"].read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(TIMESTAMP))
    dated = pipeline.build(project, out=tmp_path / "three", targets=("stardict",)).outputs["stardict"]
    with zipfile.ZipFile(dated) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert all(info.external_attr >> 16 == 0o644 for info in archive.infolist())


def test_build_stardict_writes_the_zip_named_for_the_glossary(project):
    result = CliRunner().invoke(main, ["build", "stardict", "--project", str(project)])
    assert result.exit_code == 0, result.output
    path = project / "build" / "test-glossary-stardict.zip"
    assert result.stdout.splitlines() == [f"wrote {path}"]
    with zipfile.ZipFile(path) as archive:
        assert {Path(n).parent.as_posix() for n in archive.namelist()} == {"test-glossary"}
    again = CliRunner().invoke(main, ["build", "stardict", "--project", str(project)])
    assert again.stdout.splitlines() == [f"unchanged: {path}"]


def test_check_keeps_every_name_within_a_stardict_word():
    """The spec's limit (under 256 bytes) is one of check's limits on names; the renderer relies on it."""
    from glossdeck.limits import NAME_BYTES

    assert NAME_BYTES.most == stardict.MAX_WORD_BYTES and NAME_BYTES.unit == "bytes"


def test_a_name_is_found_as_a_reader_types_or_selects_it(project, tmp_path):
    """A typeset book gives ’ where the glossary writes ' (and a keyboard the reverse), and readers send composed
    (NFC) characters: each name is found either way. Quotes and ampersands in a name keep its links whole, and the
    description the readers show as HTML is escaped."""
    terms = project / "glossary" / "terms"
    quote = ("citations:\n  - source: starter-pack\n    quote: >-\n      A mesa-optimizer is what you get when the "
             "result of an optimization\n      process is itself an optimizer with an inner goal.\n")
    (terms / "genie.yaml").write_text('term: "the genie knows, but doesn\'t care"\n'
                                      'aliases: ["it\u2019s not its goal"]\n'
                                      "gloss: A gloss.\ndefinition: A definition.\n" + quote, encoding="utf-8")
    (terms / "naive.yaml").write_text('term: "nai\u0308ve cafe\u0301"\ngloss: Another gloss.\n'
                                      "definition: Another definition.\n" + quote, encoding="utf-8")
    (terms / "rd.yaml").write_text('term: "R&D <race> \\"fast\\""\ngloss: A third gloss.\n'
                                   "definition: A third definition.\n" + quote, encoding="utf-8")
    corrigibility = terms / "corrigibility.yaml"
    corrigibility.write_text(corrigibility.read_text(encoding="utf-8").replace("related: [", "related: [rd, ", 1),
                             encoding="utf-8")
    settings = project / "glossary" / "glossary.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(re.sub(r"(?m)^subtitle:.*$", 'subtitle: "A <b>bold</b> & <script>x</script> one"', text),
                        encoding="utf-8")
    result = pipeline.build(project, targets=("stardict",), timestamp=TIMESTAMP)
    with zipfile.ZipFile(result.outputs["stardict"]) as archive:
        archive.extractall(tmp_path / "dict")
    found = lookup(tmp_path / "dict", ["the genie knows, but doesn\u2019t care", "the genie knows, but doesn't care",
                                       "it's not its goal", "it\u2019s not its goal", "na\u00efve caf\u00e9",
                                       "R&D <race> \"fast\""])
    assert [[hit["word"] for hit in hits] for hits in found] == [
        ["the genie knows, but doesn't care"]] * 4 + [["na\u00efve caf\u00e9"], ['R&D <race> "fast"']]
    corrigible = lookup(tmp_path / "dict", ["corrigibility"])[0][0]["definition"]
    hrefs = re.findall(r'<a href="([^"]*)"', corrigible)
    assert "bword://R&amp;D &lt;race&gt; &quot;fast&quot;" in hrefs  # the whole name, its quotes escaped
    assert html.unescape(hrefs[hrefs.index("bword://R&amp;D &lt;race&gt; &quot;fast&quot;")]) == \
        'bword://R&D <race> "fast"'
    ifo = next((tmp_path / "dict").rglob("*.ifo")).read_text(encoding="utf-8")
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; one<br>" in ifo
