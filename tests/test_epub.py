"""The EPUB reader's edition: checked by EPUBCheck, laid out by a real reading system (MuPDF), its files read back."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO, TIMESTAMP, make_project
from glossdeck import markup, mentions, pipeline
from glossdeck.cli import main
from glossdeck.model import Glossary
from glossdeck.render import epub, fonts
from glossdeck.render.epub import xhtml
from glossdeck.render.addresses import passage_anchor
from tools import epubcheck, tool

SCREENSHOTS = REPO / "build" / "epub-screenshots"
NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
      "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Book:
    glossary: Glossary
    path: Path
    files: dict[str, bytes]  # every entry of the zip, by its name
    site: Path | None = None

    def xml(self, name: str) -> ET.Element:
        return ET.fromstring(self.files[f"OEBPS/{name}"])


def build_book(root: Path, out: Path, *targets: str) -> Book:
    result = pipeline.build(root, out=out, targets=("epub", *targets), timestamp=TIMESTAMP)
    path = result.outputs["epub"]
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return Book(result.glossary, path, files, result.outputs.get("html"))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The shipped glossary's EPUB (and its site, to compare passage anchors with)."""
    root = tmp_path_factory.mktemp("epub") / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    return build_book(root, root / "build", "html")


def run_epubcheck(path: Path) -> str:
    done = subprocess.run([*epubcheck(), str(path)], capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


def test_epubcheck_finds_no_error_and_no_warning(book):
    report = run_epubcheck(book.path)
    assert "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" in report, report[-3000:]
    assert "No errors or warnings detected." in report


def test_epubcheck_finds_nothing_in_another_glossarys_book_either(tmp_path):
    """A glossary of other texts (a plain-text speech and a Markdown document), with its own settings."""
    root = Path(shutil.copytree(FIXTURES / "other", tmp_path / "other"))
    report = run_epubcheck(build_book(root, tmp_path / "out").path)
    assert "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" in report, report[-3000:]


# --- the container and the package ------------------------------------------------------------------------------


def test_the_mimetype_comes_first_stored_as_readers_look_for_it(book):
    data = book.path.read_bytes()
    # The OCF's magic: the first local header names `mimetype`, stored, with no extra field, then its content.
    name_length, extra_length = struct.unpack("<HH", data[26:30])
    assert data[:4] == b"PK\x03\x04" and struct.unpack("<H", data[8:10])[0] == 0  # stored
    assert (name_length, extra_length) == (8, 0)
    assert data[30:58] == b"mimetypeapplication/epub+zip"
    with zipfile.ZipFile(book.path) as archive:
        names = archive.namelist()
    assert names[:2] == ["mimetype", "META-INF/container.xml"]
    assert names[2:] == sorted(names[2:])
    container = ET.fromstring(book.files["META-INF/container.xml"])
    [rootfile] = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    assert rootfile.get("full-path") == "OEBPS/content.opf"


def test_the_manifest_lists_every_file_and_the_spine_reads_title_essays_glossary(book):
    package = book.xml("content.opf")
    items = {item.get("id"): item for item in package.iterfind("opf:manifest/opf:item", NS)}
    listed = {f"OEBPS/{item.get('href')}" for item in items.values()}
    assert listed == set(book.files) - {"mimetype", "META-INF/container.xml", "OEBPS/content.opf"}
    spine = [items[ref.get("idref")].get("href") for ref in package.iterfind("opf:spine/opf:itemref", NS)]
    essays = [f"essay-{s}.xhtml" for s in book.glossary.sources]
    assert spine == ["title.xhtml", *essays, "glossary.xhtml"]
    assert [i.get("href") for i in items.values() if i.get("properties") == "nav"] == ["nav.xhtml"]
    fonts_listed = {i.get("href"): i.get("media-type") for i in items.values() if i.get("href").endswith(".ttf")}
    assert fonts_listed == {f"fonts/{file}": "font/ttf" for file in fonts.FACES.values()}


def test_the_metadata_names_the_book_for_good(book, project, tmp_path):
    package = book.xml("content.opf")
    meta = package.find("opf:metadata", NS)
    assert meta is not None
    identifier = meta.findtext("dc:identifier", namespaces=NS)
    assert identifier == f"urn:uuid:{uuid.uuid5(epub.IDENTIFIER_NAMESPACE, 'alignment-glossary')}"
    assert meta.findtext("dc:title", namespaces=NS) == "AI Alignment Glossary"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:creator", namespaces=NS) == "glossdeck contributors"
    assert meta.findtext("opf:meta[@property='dcterms:modified']", namespaces=NS) == "2000-01-01T00:00:00Z"
    # The identifier comes from the glossary's id: a new release with other terms is the same book, a new edition.
    other = build_book(project, tmp_path / "a").xml("content.opf").findtext("opf:metadata/dc:identifier",
                                                                            namespaces=NS)
    definition = project / "glossary" / "terms" / "corrigibility.yaml"
    definition.write_text(definition.read_text().replace("definition: ", "definition: Briefly, ", 1))
    again = build_book(project, tmp_path / "b").xml("content.opf").findtext("opf:metadata/dc:identifier",
                                                                            namespaces=NS)
    assert other == again != identifier


# --- links and anchors -------------------------------------------------------------------------------------------


def _ids(element: ET.Element) -> set[str]:
    return {str(e.get("id")) for e in element.iter() if e.get("id")}


def test_every_file_is_well_formed_and_every_link_inside_the_book_leads_somewhere(book):
    documents = {name[len("OEBPS/"):]: ET.fromstring(data) for name, data in book.files.items()
                 if name.endswith((".xhtml", ".opf", ".ncx"))}
    ids = {name: _ids(root) for name, root in documents.items()}
    checked = 0
    for name, root in documents.items():
        folder = name.rpartition("/")[0]
        for element in root.iter():
            for attribute in ("href", "src"):
                address = element.get(attribute)
                if address is None or urlsplit(address).scheme in ("http", "https"):
                    continue
                path, _, fragment = unquote(address).partition("#")
                target = f"{folder}/{path}".lstrip("/") if path else name
                assert f"OEBPS/{target}" in book.files, (name, address)
                assert not fragment or fragment in ids[target], (name, address)
                checked += 1
    assert checked > 2000


def test_every_cited_passage_is_anchored_with_the_sites_id_and_every_quote_leads_to_it(book):
    chapters = {s: _ids(book.xml(f"essay-{s}.xhtml")) for s in book.glossary.sources}
    glossary = book.files["OEBPS/glossary.xhtml"].decode()
    for term in book.glossary.terms:
        for citation in term.all_citations:
            assert citation.location is not None
            anchor = passage_anchor(citation.location)
            assert anchor in chapters[citation.source]
            assert f'href="essay-{citation.source}.xhtml#{anchor}"' in glossary
    assert book.site is not None
    for source in book.glossary.sources:  # the same ids as the site's source pages: one address scheme for both
        site_ids = set(re.findall(r'id="(q\d+-\d+)"', (book.site / "sources" / f"{source}.html").read_text()))
        assert {i for i in chapters[source] if re.fullmatch(r"q\d+-\d+", i)} == site_ids != set()


def test_the_glossary_has_an_entry_per_term_and_each_passage_links_back_to_its_citers(book):
    glossary = book.xml("glossary.xhtml")
    terms = glossary.findall(".//x:dt", NS)
    assert [dt.get("id") for dt in terms] == [f"t-{t.id}" for t in book.glossary.terms]
    assert all(dt.get(EPUB_TYPE) == "glossterm" for dt in terms)
    [section] = [e for e in glossary.iter(f"{{{NS['x']}}}section") if e.get(EPUB_TYPE) == "glossary"]
    [entries] = section.findall("x:dl", NS)
    pairs = list(zip(entries[0::2], entries[1::2]))
    assert len(pairs) == len(book.glossary.terms) and all(dd.get(EPUB_TYPE) == "glossdef" for _, dd in pairs)
    for term, (dt, dd) in zip(book.glossary.terms, pairs):
        said = " ".join(" ".join(dd.itertext()).split())
        assert "".join(dt.itertext()) == term.term
        assert " ".join(markup.to_plain(term.gloss).split()) in said
        assert " ".join(markup.to_plain(term.definition).split()) in " ".join("".join(dd.itertext()).split())
        assert all(f"“{' '.join(c.display.split())}”" in said for c in term.all_citations)
    chapter = book.files["OEBPS/essay-starter-pack.xhtml"].decode()
    assert 'class="cited-by"> (cited in <a class="backlink" href="glossary.xhtml#t-mesa-optimizer">' in chapter


def test_the_nav_document_and_the_ncx_list_every_essay_its_sections_and_the_glossary(book):
    nav = book.xml("nav.xhtml")
    [toc] = [n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "toc"]
    top = [li.find("x:a", NS) for li in toc.findall("x:ol/x:li", NS)]
    assert [a.get("href") for a in top if a is not None] == [
        "title.xhtml", *(f"essay-{s}.xhtml" for s in book.glossary.sources), "glossary.xhtml"]
    sections = toc.findall("x:ol/x:li[2]/x:ol/x:li/x:a", NS)
    assert len(sections) == len(book.glossary.sources["optimism"].headings) == 8
    ncx = book.xml("toc.ncx")
    points = ncx.findall(".//ncx:navPoint", NS)
    assert [int(p.get("playOrder", 0)) for p in points] == list(range(1, len(points) + 1))
    assert len(points) == len(toc.findall(".//x:a", NS))


# --- notes: a term's first mention in each section -------------------------------------------------------------

X = f"{{{NS['x']}}}"
NEVER_AROUND_A_NOTE = {f"{X}{tag}" for tag in ("mark", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "a")}


def test_a_terms_first_mention_in_a_section_refers_to_its_note(book):
    finder = mentions.Finder(book.glossary.terms)
    total = 0
    for source in book.glossary.sources:
        chapter = book.xml(f"essay-{source}.xhtml")
        parents = {child: parent for parent in chapter.iter() for child in parent}
        notes = {aside.get("id"): aside for aside in chapter.iter(f"{X}aside")}
        references = [a for a in chapter.iter(f"{X}a") if a.get(EPUB_TYPE) == "noteref"]
        assert all(aside.get(EPUB_TYPE) == "footnote" for aside in notes.values())
        # every reference has its note, in the same file, and every note is referred to
        assert {str(a.get("href")).removeprefix("#") for a in references} == set(notes) != set()
        ids = [a.get("id") for a in references]
        assert len(ids) == len(set(ids))  # a term once per section: its id is its section and its term
        for reference in references:
            term_id = str(reference.get("href")).removeprefix("#note-")
            words = "".join(reference.itertext())
            assert [found for *_, found in finder.find(words)] == [term_id], words  # the words name the term
            assert reference.get("id", "").endswith(f"-{term_id}")
            at = parents[reference]
            while at is not chapter:  # never inside a quote's highlight, a heading, code or the essay's own link
                assert at.tag not in NEVER_AROUND_A_NOTE, (source, words)
                at = parents[at]
            note = notes[f"note-{term_id}"]
            term = book.glossary.term(term_id)
            said = " ".join("".join(note.itertext()).split())
            assert said.startswith(f"{term.term}: {' '.join(markup.to_plain(term.gloss).split())}")
            assert note.find(f".//{X}a").get("href") == f"glossary.xhtml#t-{term_id}"
        total += len(references)
    assert total > 100


def test_the_mentions_referred_to_are_those_the_site_links_with_the_same_ids(book):
    assert book.site is not None
    for source in book.glossary.sources:
        chapter = book.files[f"OEBPS/essay-{source}.xhtml"].decode()
        page = (book.site / "sources" / f"{source}.html").read_text(encoding="utf-8")
        ours = re.findall(r'<a class="mention" id="(m\d+-[a-z0-9-]+)" epub:type="noteref"', chapter)
        assert ours == re.findall(r'<a class="term mention" id="(m\d+-[a-z0-9-]+)"', page) != []


def test_the_first_mention_is_the_one_referred_to(book):
    chapter = book.files["OEBPS/essay-starter-pack.xhtml"].decode()
    body = chapter[chapter.index("</header>"):]
    first = body.index('<a class="mention" id="m0-ai-alignment" epub:type="noteref" href="#note-ai-alignment">'
                       "AI alignment</a>")
    assert "AI alignment" not in body[:first]
    # "superintelligence" first appears inside a quoted passage, so its first mention outside one is referred to
    passage = body.index("a misaligned superintelligence")
    assert body.index('href="#note-superintelligence"') > passage


def test_the_glossary_leads_to_where_each_essay_first_names_a_term(book):
    glossary = book.files["OEBPS/glossary.xhtml"].decode()
    entry = glossary[glossary.index('<dt id="t-ai-alignment"'):]
    named = entry[entry.index('<p class="named-in">'):entry.index("</p>", entry.index('<p class="named-in">'))]
    assert '<a href="essay-starter-pack.xhtml#m0-ai-alignment"><cite>AI alignment starter pack</cite></a>' in named
    assert named.count("<a ") == len(book.glossary.sources)  # every essay names it


@pytest.mark.parametrize("html, expected", [
    ('<a class="term mention" id="m0-x" href="../terms/x.html" data-term="x">Xs</a> rest',
     '<a class="mention" id="m0-x" epub:type="noteref" href="#note-x">Xs</a> rest'),
    ('<a class="term" href="../terms/x.html" data-term="x">X</a>', '<a class="term" href="../terms/x.html">X</a>'),
])
def test_a_linked_mention_becomes_a_reference_to_its_note(html, expected):
    converted = xhtml.from_html(html, lambda term_id: f"note-{term_id}")
    assert converted.text == expected
    assert converted.noted == ([("m0-x", "x")] if "noteref" in expected else [])


# --- a real reading system ---------------------------------------------------------------------------------------

LINKS_SCRIPT = """
var doc = new Document(scriptArgs[0]);
doc.layout(400, 600, 11);
var pages = doc.countPages(), links = [], outline = doc.loadOutline();
for (var i = 0; i < pages; i++) {
  var found = doc.loadPage(i).getLinks();
  for (var j = 0; j < found.length; j++) {
    var uri = found[j].uri;
    if (!/^https?:/.test(uri)) links.push([uri, doc.resolveLink(uri).chapter]);
  }
}
function titles(items) { var out = []; for (var k = 0; k < items.length; k++) out.push(items[k].title); return out; }
print(JSON.stringify({pages: pages, links: links, outline: titles(outline || [])}));
"""


def test_mupdf_lays_the_book_out_in_the_shipped_fonts_and_follows_every_link(book, tmp_path):
    """MuPDF (the engine of SumatraPDF, and of KOReader's dictionary pop-ups) reads the EPUB as a reader would."""
    mutool = tool("mutool", "mupdf-tools")
    script = tmp_path / "links.js"
    script.write_text(LINKS_SCRIPT, encoding="utf-8")
    done = subprocess.run([mutool, "run", str(script), str(book.path)], capture_output=True, text=True,
                          timeout=300, check=True)
    laid_out = json.loads(done.stdout.strip().splitlines()[-1])
    assert laid_out["pages"] > 100
    assert len(laid_out["links"]) > 2000 and [uri for uri, chapter in laid_out["links"] if chapter < 0] == []
    titles = [s.title for s in book.glossary.sources.values()]
    assert laid_out["outline"] == [book.glossary.settings.title, *titles, "Glossary"]
    # The text is set in the embedded Charis SIL, its italic and bold too (MuPDF has no such font of its own).
    faces: set[str] = set()
    for page in (1, 3, laid_out["pages"] - 5):
        text = subprocess.run([mutool, "draw", "-F", "stext", "-o", "-", str(book.path), str(page)],
                              capture_output=True, text=True, timeout=120, check=True).stdout
        faces.update(re.findall(r'<font name="([^"]+)"', text))
    assert {"Charis SIL Regular", "Charis SIL Italic", "Charis SIL Bold"} <= faces, faces
    assert all(face.startswith("Charis SIL") for face in faces if "Mono" not in face and "Courier" not in face)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # pages to look at: title, an essay, the glossary
    for page in (1, 3, laid_out["pages"] - 5):
        subprocess.run([mutool, "draw", "-r", "96", "-o", str(SCREENSHOTS / f"page-{page}.png"), str(book.path),
                        str(page)], capture_output=True, timeout=120, check=True)


# --- the same bytes ------------------------------------------------------------------------------------------------


def test_the_same_glossary_gives_the_same_bytes_dated_by_source_date_epoch(project, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = pipeline.build(project, out=tmp_path / "one", targets=("epub",)).outputs["epub"]
    second = pipeline.build(project, out=tmp_path / "two", targets=("epub",), timestamp=TIMESTAMP + 99)
    assert first.read_bytes() == second.outputs["epub"].read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in archive.read("OEBPS/content.opf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(TIMESTAMP))
    dated = pipeline.build(project, out=tmp_path / "three", targets=("epub",)).outputs["epub"]
    with zipfile.ZipFile(dated) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in archive.read("OEBPS/content.opf")


def test_build_epub_writes_the_book_named_for_the_glossary(project):
    result = CliRunner().invoke(main, ["build", "epub", "--project", str(project)])
    assert result.exit_code == 0, result.output
    path = project / "build" / "test-glossary.epub"
    assert result.stdout.splitlines() == [f"wrote {path}"]
    assert CliRunner().invoke(main, ["build", "epub", "--project", str(project)]).stdout.splitlines() == [
        f"unchanged: {path}"]


def test_the_fonts_are_the_shipped_files_unchanged_with_their_licence(book):
    for file in fonts.FACES.values():
        shipped = (fonts.FONT_DIR / file).read_bytes()
        assert hashlib.sha256(book.files[f"OEBPS/fonts/{file}"]).digest() == hashlib.sha256(shipped).digest()
    assert book.files["OEBPS/fonts/OFL.txt"] == (fonts.FONT_DIR / "OFL.txt").read_bytes()
    css = book.files["OEBPS/css/epub.css"].decode()
    assert css.count("@font-face") == 4 and 'src: url("../fonts/CharisSIL-BoldItalic.ttf")' in css


# --- bad input -----------------------------------------------------------------------------------------------------


def test_a_seed_with_characters_xml_cannot_carry_still_makes_well_formed_chapters(tmp_path):
    """A form feed between the pages of an old text file, a stray control character: a reader sees nothing there,
    and XML may not hold them, so each becomes a space."""
    root = make_project(tmp_path / "project")
    seed = root / "seeds" / "004_bce81a884f985e50.txt"
    old = hashlib.sha256(seed.read_bytes()).hexdigest()
    seed.write_bytes(seed.read_bytes() + b"\n\nA later page\x0c of the essay,\x01 with \x1b[1mcontrols\x1b[0m.\n")
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text().replace(old, hashlib.sha256(seed.read_bytes()).hexdigest()))
    chapter = build_book(root, tmp_path / "out").files["OEBPS/essay-debate.xhtml"]
    text = "".join(ET.fromstring(chapter).itertext())
    assert "A later page  of the essay,  with  [1mcontrols [0m." in text


@pytest.mark.parametrize("html, expected", [
    ("<p>a<br>b<hr></p>", "<p>a<br/>b<hr/></p>"),
    ("<p>x &amp; y &lt;z&gt; &quot;q&quot; &nbsp;</p>", "<p>x &#38; y &#60;z&#62; \"q\" \u00a0</p>"),
    ('<a href="#" class="dead-link" aria-disabled="true">t</a>', '<span class="dead-link">t</span>'),
    ('<mark class="passage" data-q="q1-2">m</mark>', '<mark class="passage">m</mark>'),
    ('<a href="https://e.org/?a=1&amp;b=2" rel="external">l</a>',
     '<a href="https://e.org/?a=1&#38;b=2" rel="external">l</a>'),
    ("<p><em>open</p>", "<p><em>open</em></p>"),
    ("stray</span> end", "stray end"),
    ("<p>unclosed", "<p>unclosed</p>"),
    ('<p>a <span class="anchor" id="q1-9"></span><mark class="passage">b</mark></p>',
     '<p>a <mark id="q1-9" class="passage">b</mark></p>'),
    ('<span class="anchor" id="q1-5"></span><span class="anchor" id="q1-9"></span><em><mark>b</mark></em>',
     '<em><span id="q1-9"></span><mark id="q1-5">b</mark></em>'),
    ('<p><span class="anchor" id="q3-3"></span>text</p>', '<p><span id="q3-3"></span>text</p>'),
    ('<p><span class="anchor" id="q3-3"></span></p>', '<p></p><span id="q3-3"></span>'),
])
def test_html_becomes_well_formed_xhtml(html, expected):
    converted = xhtml.from_html(html).text
    assert converted == expected
    ET.fromstring(f"<div>{converted}</div>")


def test_a_word_longer_than_the_page_wraps_inside_it(tmp_path):
    """A long unbroken word (an address, a hash, a run of letters) breaks where it must instead of running off the
    page: every line MuPDF lays out on a 360-point page ends within it."""
    root = make_project(tmp_path / "project")
    term = root / "glossary" / "terms" / "corrigibility.yaml"
    word = "Super" + "z" * 200
    text = term.read_text(encoding="utf-8")
    assert "definition: >-\n" in text
    term.write_text(text.replace("definition: >-\n", f"definition: >-\n  {word} and\n", 1), encoding="utf-8")
    book = build_book(root, tmp_path / "out")
    stext = subprocess.run([tool("mutool", "mupdf-tools"), "draw", "-q", "-F", "stext", "-W", "360", "-H", "640",
                            "-o", "-", str(book.path)], capture_output=True, text=True, check=True).stdout
    assert word in "".join(re.findall(r' c="([^"]+)"', stext))  # the word was laid out, whole
    right_edges = [float(box.split()[2]) for box in re.findall(r'<line bbox="([^"]+)"', stext)]
    assert right_edges and max(right_edges) <= 360
