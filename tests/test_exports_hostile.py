"""Every export of a glossary that holds hostile text in every field a format carries (settings, sources, terms):
read back by each format's consumer with every value intact; what no format can carry refused where it enters;
and `export -o` into places it must not write."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_project
from glossdeck import pipeline
from glossdeck.cli import main
from glossdeck.exports import csl, hypothesis, render, skos, tbx
from glossdeck.markup import to_plain
from test_exports import HOSTILE_TERM, _bibliography, _graph, _termbase

# Syntax of every format at once: Turtle (""" \ > @ <iri>), XML (]]> & < '), JSON in HTML (</script <!--), Markdown.
NASTY = '""" \\ > @en <urn:x> ]]> & <b> \' </script> <!-- *em* [a](https://e.example) é ß'
SETTINGS = f"""\
title: {json.dumps("Title " + NASTY)}
subtitle: {json.dumps("Subtitle " + NASTY)}
author: {json.dumps("Author " + NASTY)}
language: en-GB
deck_name: Test Glossary
output_base: test-glossary
id: "old id>with \\"quotes\\" {{}}|^`\\\\ and é"
note_type_id: 1607392319
"""
# The id of a glossary made before ids had a rule: any one-line text, kept forever (it keys the Anki notes).


def _hostile_sources(root: Path) -> None:
    path = root / "glossary" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in [
        ("title: AI alignment starter pack", f"title: {json.dumps('Starter ' + NASTY)}"),
        ("author: Ruud van Asseldonk", 'author: "van Asseldonk, Ruud"'),
        ("venue: personal blog", f"venue: {json.dumps('blog ' + NASTY)}"),
        ("version: A pre-publication draft; about 18 lines differ from the published post.",
         f"version: {json.dumps('Draft ' + NASTY)}"),
        ("url: https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack",
         "url: https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack?x=1&y=%3C%3E#section"),
        ("date: 2024-06-09", 'date: "Summer, 2024 (or so) <b>"'),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("everywhere") / "project", terms={"hostile": HOSTILE_TERM},
                        files={"glossary/glossary.yaml": SETTINGS})
    _hostile_sources(root)
    glossary, _ = pipeline.check(root)
    return glossary


# Turtle's IRIREF: no control, space, <, >, ", {, }, |, ^, ` or backslash.
_IRIREF = re.compile(r'[^\x00-\x20<>"{}|^`\\]*')


def test_skos_of_hostile_settings_parses_with_every_value(everywhere):
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, RDF, SKOS

    text = skos.to_text(everywhere)
    outside_literals = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    iris = re.findall(r"<([^>\n]*)>", outside_literals)
    assert iris and all(_IRIREF.fullmatch(iri) for iri in iris), [i for i in iris if not _IRIREF.fullmatch(i)]
    graph = _graph(text)
    scheme = URIRef(skos.scheme_iri(everywhere))
    settings = everywhere.settings
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert set(graph.objects(scheme, DCTERMS.title)) == {Literal(settings.title, lang="en-GB")}
    assert set(graph.objects(scheme, DCTERMS.description)) == {Literal(settings.subtitle, lang="en-GB")}
    assert set(graph.objects(scheme, DCTERMS.creator)) == {Literal(settings.author)}
    assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == len(everywhere.terms)
    assert str(scheme).startswith("urn:glossdeck:old%20id%3Ewith%20%22quotes%22")


def test_skos_iri_of_an_id_by_the_rule_is_unchanged(tmp_path):
    root = make_project(tmp_path / "project")
    glossary, _ = pipeline.check(root)
    assert skos.scheme_iri(glossary) == "urn:glossdeck:test-glossary"
    assert skos.concept_iri(glossary, "corrigibility") == "urn:glossdeck:test-glossary:corrigibility"


def test_tbx_of_hostile_settings_is_well_formed_with_every_value(everywhere, tmp_path):
    text = tbx.to_text(everywhere)
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.find("./martifHeader/fileDesc/titleStmt/title").text == everywhere.settings.title
    description = root.find("./martifHeader/fileDesc/sourceDesc/p").text
    assert description == f"{everywhere.settings.subtitle} ({everywhere.settings.author})"
    store = _termbase(text, tmp_path)
    term = everywhere.term("hostile")
    unit = next(u for u in store.units if u.getid() == tbx.entry_id("hostile"))
    assert [t.text for t in unit.get_source_terms()] == [term.term, *term.aliases]


def test_csl_of_hostile_sources_formats_every_value(everywhere):
    items = {item["id"]: item for item in json.loads(csl.to_text(everywhere))}
    source = everywhere.sources["starter-pack"]
    item = items["starter-pack"]
    assert item["title"] == source.title and item["container-title"] == source.venue
    assert item["URL"] == source.url and item["issued"] == {"literal": source.date}
    assert item["author"] == [{"family": "Asseldonk", "given": "Ruud", "non-dropping-particle": "van"}]
    assert source.version in item["note"]
    entry = next(e for e in _bibliography(list(items.values())) if "Starter" in e)
    assert "van Asseldonk, R." in entry and "Summer, 2024 (or so) <b>" in entry


def test_json_and_hypothesis_of_hostile_settings_read_back(everywhere):
    data = json.loads(render(everywhere, "json"))
    assert data["settings"]["title"] == everywhere.settings.title and data["settings"]["id"] == everywhere.settings.id
    sources = {s["id"]: s for s in data["sources"]}
    assert sources["starter-pack"]["version"] == everywhere.sources["starter-pack"].version
    annotations = json.loads(hypothesis.to_text(everywhere))["annotations"]
    quoted = [a for a in annotations if a["document"]["title"] == [everywhere.sources["starter-pack"].title]]
    assert quoted and all(a["uri"] == "https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack?x=1&y=%3C%3E"
                          for a in quoted)  # the page, without the fragment: a fragment is no page of its own


# --- what no format can carry is refused where it enters ---------------------------------------------------------

NOT_TEXT = ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff"]
FIELDS = [  # (file, the line to replace, the new line with {char}, what the message names)
    ("glossary/terms/corrigibility.yaml", "gloss: An AI system's willingness", 'gloss: "An AI {char}" #', "`gloss`"),
    ("glossary/terms/corrigibility.yaml", "tags: [corrigibility]", 'tags: ["corr {char}"]', "`tags`"),
    ("glossary/glossary.yaml", "subtitle: A small glossary for glossdeck's tests", 'subtitle: "Small {char}"',
     "`subtitle`"),
    ("glossary/sources.yaml", "venue: personal blog", 'venue: "blog {char}"', "`venue`"),
    ("glossary/sources.yaml", "version: The version after its later edits.", 'version: "After {char} edits."',
     "`version`"),
    ("glossary/sources.yaml", "date: 2023-03-21", 'date: "March {char} 2023"', "`date`"),
]


@pytest.mark.parametrize("char", NOT_TEXT, ids=[f"U+{ord(c):04X}" for c in NOT_TEXT])
@pytest.mark.parametrize("file, old, new, named", FIELDS, ids=[f[3].strip("`") for f in FIELDS])
def test_a_noncharacter_is_refused_in_every_text_before_any_export(tmp_path, char, file, old, new, named):
    """XML 1.0 cannot carry U+FFFE or U+FFFF (the TBX would not parse); no text holds a noncharacter."""
    root = make_project(tmp_path / "project")
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    escaped = f"\\u{ord(char):04X}" if ord(char) < 0x10000 else f"\\U{ord(char):08X}"
    path.write_text(text.replace(old, new.format(char=escaped), 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "tbx", "--project", str(root)])
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert f"contains U+{ord(char):04X}, a Unicode noncharacter, which is not text" in result.output
    assert named in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("site_url, message", [
    ("https://example.org/a>b/", "contains an angle bracket"),
    ('https://example.org/a"b/', "contains a double quote"),
    ("https://example.org/{x}/", "contains `{`"),
    ("https://example.org/a\\b/", "contains a backslash"),
    ("https://example.org/é/", "contains `é`"),
    ("https://example.org:99999/", "has a port that is not a number from 0 to 65535"),
    ("https://example.org:http/", "has a port that is not a number from 0 to 65535"),
    ("https://user@example.org/", "is not the address of a web folder"),
    ("https://example.org/g/?q=1", "is not the address of a web folder"),
    ("javascript:alert(1)//", "is a `javascript:` address"),
])
def test_site_url_goes_by_the_one_address_rule(tmp_path, site_url, message):
    """The site's address becomes every concept's IRI (SKOS), each annotation's link (Hypothesis) and the site's
    links: one that could end an IRI or an attribute is refused where it enters."""
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    before = settings.read_text(encoding="utf-8")
    settings.write_text(before + f"site_url: {json.dumps(site_url)}\n", encoding="utf-8")
    line = before.count("\n") + 1  # the line just added
    result = CliRunner().invoke(main, ["export", "--format", "skos", "--project", str(root)])
    assert result.exit_code == 1 and result.stdout == ""
    assert f"glossary.yaml:{line}: error: " in result.output and message in result.output, result.output


def test_an_ipv6_site_url_makes_iris_turtle_reads(tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    root = make_project(tmp_path / "project", files={"glossary/glossary.yaml": (
        "title: T\nid: test-glossary\nnote_type_id: 1607392319\nsite_url: http://[::1]:8080/g/\n")})
    glossary, _ = pipeline.check(root)
    graph = _graph(skos.to_text(glossary))
    assert (URIRef("http://[::1]:8080/g/terms/corrigibility.html"), RDF.type, SKOS.Concept) in graph


# --- Hypothesis: the annotation's text as the client renders it ---------------------------------------------------

MARKUP_TERM = """\
term: "[a](https://e.example) <b>b</b> $$x^2$$ \\\\(y\\\\) *e* _u_ ~~s~~ `c` ![i](x.png)"
aliases: ["www.evil.example", "mail a@evil.example"]
gloss: >-
  Visit www.example.org or https://evil.example/x or mail a@evil.example;
  <img src=x onerror=alert(1)> <a href="https://evil.example">here</a> &amp; &lt;b&gt; $$ \\\\frac{1}{2} $$
  and \\\\(z\\\\) \\~\\~gone\\~\\~ <!-- hidden --> ]]> \\\\ backslash.
definition: A definition.
citations:
  - source: starter-pack
    quote: A corrigible AI is an AI that allows itself to be corrected
"""


def test_hypothesis_shows_glossary_text_as_text_in_the_clients_renderer(tmp_path):
    """Each annotation's text rendered as the Hypothesis client renders it (showdown with its options, then
    DOMPurify, in Chromium): the term, gloss, draft note and link read exactly as the glossary's text, with no link,
    image, emphasis or HTML element made of it, and nothing the client would hand to KaTeX as math."""
    from browser import Browser, node_script

    root = make_project(tmp_path / "project", terms={"markup": MARKUP_TERM},
                        files={"glossary/glossary.yaml": SETTINGS + "site_url: https://example.org/g(1)/\n"})
    _hostile_sources(root)
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("  format: markdown\n",
                                                                   "  format: markdown\n  draft: true\n", 1))
    glossary, _ = pipeline.check(root)
    annotations = json.loads(hypothesis.to_text(glossary))["annotations"]
    expected = []
    for annotation in annotations:
        term = next(t for t in glossary.terms if t.term == annotation["tags"][0])
        source = next(s for s in glossary.sources.values() if [s.title] == annotation["document"]["title"])
        lines = [f"{term.term}: {' '.join(to_plain(term.gloss or term.definition).split())}"]
        if hypothesis.DRAFT_TAG in annotation["tags"]:
            lines.append(" ".join(f"Quoted from a draft of this page (glossdeck's copy of “{source.title}”): the "
                                  "published words may differ, and the highlight may be missing or approximate."
                                  .split()))
        lines.append(" ".join(f"{term.term} in the {glossary.settings.title}".split()))
        expected.append(lines)
        assert "$$" not in annotation["text"] and "\\(" not in annotation["text"]  # KaTeX's delimiters
    assert any(hypothesis.DRAFT_TAG in a["tags"] for a in annotations)
    assert "markup" in {t.id for t in glossary.terms}

    chrome = Browser()
    try:
        page = chrome.page()
        blank = tmp_path / "blank.html"
        blank.write_text("<!doctype html><title>annotations</title>", encoding="utf-8")
        page.goto(blank.as_uri())
        for script in ("showdown/dist/showdown.min.js", "dompurify/dist/purify.min.js"):
            page.add_script_tag(path=str(node_script(script)))
        rendered = page.evaluate("""texts => texts.map(text => {
            const converter = new showdown.Converter({  // the client's options (src/sidebar/render-markdown.ts)
                simplifiedAutoLink: true, excludeTrailingPunctuationFromURLs: true, literalMidWordUnderscores: true,
                strikethrough: true});
            const box = document.createElement('div');
            box.innerHTML = DOMPurify.sanitize(converter.makeHtml(text));
            return {paragraphs: [...box.querySelectorAll('p')].map(p => p.textContent),
                    elements: [...box.querySelectorAll('*')].map(e => e.tagName),
                    links: [...box.querySelectorAll('a')].map(a => a.getAttribute('href'))};
        })""", [a["text"] for a in annotations])
    finally:
        chrome.close()
    for annotation, lines, shown in zip(annotations, expected, rendered):
        assert shown["paragraphs"] == lines, annotation["text"]
        assert sorted(set(shown["elements"])) == ["A", "P", "STRONG"], shown
        term_id = next(t.id for t in glossary.terms if t.term == annotation["tags"][0])
        assert shown["links"] == [f"https://example.org/g%281%29/terms/{term_id}.html"]


# --- export -o into places it must not write ----------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("where, message", [
    ("fifo", "is not a file but a device, a pipe or a socket"),
    ("link-to-fifo", "is not a file but a device, a pipe or a socket"),
    ("a-file/out.json", "cannot write this file: Not a directory"),
    ("project/glossary/out.json", "inside the project's glossary/ or seeds/ folder"),
    ("project/glossary/terms/corrigibility.yaml", "inside the project's glossary/ or seeds/ folder"),
    ("project/seeds/000_25fc0cdaa2772cd9.txt", "inside the project's glossary/ or seeds/ folder"),
])
def test_export_to_a_place_it_must_not_write_changes_nothing(tmp_path, where, message):
    """`-o /dev/null` or `-o /dev/stdout` used to replace the device with a file (as root, for everyone):
    a device, a pipe or a socket is refused like a folder, and nothing anywhere changes."""
    import os

    root = make_project(tmp_path / "project")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link-to-fifo").symlink_to(tmp_path / "fifo")
    (tmp_path / "a-file").write_text("in the way", encoding="utf-8")
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["export", "--project", str(root), "-o", str(tmp_path / where)])
    assert result.exit_code == 1 and message in result.output and "nothing written" in result.output, result.output
    assert _tree(tmp_path) == before
    assert (tmp_path / "fifo").is_fifo() and (tmp_path / "link-to-fifo").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "fifo", "link-to-fifo", "project"]


@pytest.mark.parametrize("language", ["en_US", "english", "en US", 'en"@x', "x>y", "de"])
def test_a_language_tag_turtle_and_xml_could_not_carry_is_refused(tmp_path, language):
    """The settings' language becomes Turtle's @tag and TBX's xml:lang: only the tags the booklet supports enter."""
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("language: en", f"language: {json.dumps(language)}"), encoding="utf-8")
    for fmt in ("skos", "tbx"):
        result = CliRunner().invoke(main, ["export", "--format", fmt, "--project", str(root)])
        assert result.exit_code == 1 and result.stdout == "" and "is not supported" in result.output


def test_a_glossary_with_every_optional_value_left_out_exports_in_every_format(tmp_path):
    from rdflib.namespace import DCTERMS

    root = make_project(tmp_path / "project", files={"glossary/glossary.yaml": "title: Bare\nid: bare\n"})
    sources = root / "glossary" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    for line in ("  subtitle: Or, why we probably don’t need to worry about AI.\n", "  date: after September 2023\n",
                 "  venue: LessWrong\n", "  venue: personal blog\n", "  date: 2024-06-09\n"):
        text = text.replace(line, "", 1)
    sources.write_text(text, encoding="utf-8")
    glossary, _ = pipeline.check(root)
    graph = _graph(skos.to_text(glossary))
    assert list(graph.objects(None, DCTERMS.description)) == [] and list(graph.objects(None, DCTERMS.creator)) == []
    assert ElementTree.fromstring(tbx.to_text(glossary).encode()).find(
        "./martifHeader/fileDesc/sourceDesc/p").text == "Bare"
    items = {i["id"]: i for i in json.loads(csl.to_text(glossary))}
    assert "issued" not in items["starter-pack"] and "container-title" not in items["optimism"]
    assert _bibliography(list(items.values()))
    assert json.loads(hypothesis.to_text(glossary))["annotations"]
