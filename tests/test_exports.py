"""The formats other tools read, each read back by the library its consumers use: Hypothesis selectors anchored
in the source text and in Chromium, SKOS with rdflib, TBX with translate-toolkit, CSL-JSON with citeproc-py, and the
site's schema.org data with extruct."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest
from browser import Browser
from click.testing import CliRunner
from conftest import REPO, make_project

from glossdeck import pipeline
from glossdeck.cli import main
from glossdeck.exports import FORMATS, csl, hypothesis, render, skos, tbx
from glossdeck.markup import to_plain
from glossdeck.render import addresses

# Text a glossary may hold that each format must carry as text: its own syntax characters among them.
HOSTILE_TERM = """\
term: "x</script><!-- & \\"q\\" ]]> 'a' \\\\ <b>"
aliases: ["a & b <c>", "\\"quoted\\" \\\\ ]]>"]
gloss: A gloss with </script><script>alert(1)</script> and \\"quotes\\" & ]]> in it.
definition: |-
  A definition over two lines, with @prefix skos: . and \\"quotes\\",
  a backslash \\\\ and </script> and <!-- and ]]> and & and ' too.
related: [corrigibility]
citations:
  - source: starter-pack
    quote: A corrigible AI is an AI that allows itself to be corrected
"""


@pytest.fixture(scope="module")
def shipped_glossary():
    glossary, _ = pipeline.check(REPO)
    return glossary


@pytest.fixture(scope="module")
def browser():
    chrome = Browser()
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hostile") / "project", terms={"hostile": HOSTILE_TERM})
    glossary, _ = pipeline.check(root)
    return glossary


# --- Hypothesis ---------------------------------------------------------------------------------------------------


def test_every_quote_of_a_source_with_an_address_is_an_annotation(shipped_glossary):
    data = json.loads(hypothesis.to_text(shipped_glossary))
    with_address = [(t, c) for t in shipped_glossary.terms for c in t.all_citations
                    if shipped_glossary.sources[c.source].url is not None]
    assert len(data["annotations"]) == len(with_address) > 100
    assert {a["uri"] for a in data["annotations"]} == {s.url for s in shipped_glossary.sources.values() if s.url}
    for annotation, (term, citation) in zip(data["annotations"], with_address):
        assert annotation["tags"][0] == term.term
        shown = hypothesis.as_text  # the text is Markdown: glossary text in it is written to show as itself
        assert annotation["text"].startswith(f"**{shown(term.term)}**: {shown(to_plain(term.gloss))}")
        assert annotation["target"][0]["source"] == annotation["uri"]
        assert annotation["document"]["title"] == [shipped_glossary.sources[citation.source].title]
    assert len({a["id"] for a in data["annotations"]}) == len(data["annotations"])


def test_every_selector_anchors_exactly_once_in_its_source(shipped_glossary):
    data = json.loads(hypothesis.to_text(shipped_glossary))
    by_uri = {s.url: s for s in shipped_glossary.sources.values() if s.url}
    for annotation in data["annotations"]:
        selector = annotation["target"][0]["selector"][0]
        assert selector["type"] == "TextQuoteSelector"
        visible = addresses.visible_text(addresses.seed_of(shipped_glossary, by_uri[annotation["uri"]]))
        whole = selector["prefix"] + selector["exact"] + selector["suffix"]
        assert visible.count(whole) == 1, selector
        at = visible.index(whole)
        assert len(selector["prefix"]) >= hypothesis.CONTEXT_CHARS or at == 0  # as much as the text has
        assert len(selector["suffix"]) >= hypothesis.CONTEXT_CHARS or at + len(whole) == len(visible)


def test_a_selectors_exact_text_is_the_quote_as_a_reader_sees_it(shipped_glossary):
    every = [(t, c) for t in shipped_glossary.terms for c in t.all_citations
             if shipped_glossary.sources[c.source].url is not None]
    for term, citation in every:
        exact = hypothesis.selector(shipped_glossary, citation)["exact"]
        if not citation.location.elided:
            fold = str.maketrans("‘’“”", "''\"\"")
            assert " ".join(exact.translate(fold).split()) == " ".join(citation.quote.translate(fold).split())
        else:
            assert exact.startswith(citation.pieces[0][:10]) and exact.endswith(citation.pieces[-1][-10:])


def test_quotes_from_drafts_are_marked(shipped_glossary):
    data = json.loads(hypothesis.to_text(shipped_glossary))
    drafts = {s.url for s in shipped_glossary.sources.values() if s.draft}
    assert drafts  # the starter pack and the debate are drafts of their published pages
    for annotation in data["annotations"]:
        marked = hypothesis.DRAFT_TAG in annotation["tags"]
        assert marked == (annotation["uri"] in drafts)
        assert ("Quoted from a draft" in annotation["text"]) == marked


def test_with_a_site_every_source_has_a_page_and_each_note_links_its_term(tmp_path):
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_url: https://example.org/g/\n", encoding="utf-8")
    glossary, _ = pipeline.check(root)
    data = json.loads(hypothesis.to_text(glossary))
    cited = {c.source for t in glossary.terms for c in t.all_citations}
    assert "https://example.org/g/sources/optimism.html" in {a["uri"] for a in data["annotations"]}
    assert len(data["annotations"]) == sum(len(t.all_citations) for t in glossary.terms) and "optimism" in cited
    for annotation in data["annotations"]:
        term = next(t for t in glossary.terms if t.term == annotation["tags"][0])
        assert f"(https://example.org/g/terms/{term.id}.html)" in annotation["text"]


def test_chromium_finds_each_selector_where_the_quote_is(browser, shipped_glossary, tmp_path):
    """The selector as a text fragment (prefix-,exact,-suffix), followed by Chromium in a page holding the source's
    text as a reader sees it (in one block, as a page whose paragraphs we do not know), scrolls to the quoted
    passage and not to another occurrence: every elided quote, every one whose words occur elsewhere, a sample."""
    import html

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    every = [c for t in shipped_glossary.terms for c in t.all_citations
             if shipped_glossary.sources[c.source].url is not None]
    page = browser.page(width=1000, height=700)
    in_view = "() => { const r = document.getElementById('quoted').getBoundingClientRect(); return r.top >= 0 && " \
              "r.top <= window.innerHeight; }"
    missed, tried, repeated = [], 0, 0
    for index, citation in enumerate(every):
        selector = hypothesis.selector(shipped_glossary, citation)
        visible = addresses.visible_text(addresses.seed_of(shipped_glossary, shipped_glossary.sources[citation.source]))
        elsewhere = visible.count(selector["exact"]) > 1
        if not (citation.location.elided or elsewhere or index % 10 == 0):
            continue
        repeated += elsewhere
        begin = visible.index(selector["prefix"] + selector["exact"] + selector["suffix"]) + len(selector["prefix"])
        end = begin + len(selector["exact"])
        body = (html.escape(visible[:begin]) + '<mark id="quoted">' + html.escape(visible[begin:end]) + "</mark>"
                + html.escape(visible[end:]))
        standin = tmp_path / f"{citation.source}-{index}.html"
        standin.write_text(f'<!doctype html><html lang="en"><body style="font-size:20px"><p>{body}</p></body></html>',
                           encoding="utf-8")
        page.goto(standin.as_uri())
        if page.evaluate(in_view):
            continue  # in view without the fragment too: it would prove nothing
        parts = [selector["prefix"].strip(), selector["exact"], selector["suffix"].strip()]
        encoded = [urllib.parse.quote(p, safe="").replace("-", "%2D") for p in parts]
        fragment = "#:~:text=" + (f"{encoded[0]}-," if parts[0] else "") + encoded[1] + \
                   (f",-{encoded[2]}" if parts[2] else "")
        page.goto("about:blank")  # a fragment is followed on a new navigation, not within one page
        page.goto(standin.as_uri() + fragment)
        tried += 1
        try:
            page.wait_for_function(in_view, timeout=3000)
        except PlaywrightTimeout:
            missed.append(citation.quote[:60])
    page.close()
    assert tried >= 10 and repeated >= 1 and missed == []


# --- SKOS ---------------------------------------------------------------------------------------------------------


def _graph(text: str):
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    return graph


def test_skos_has_a_concept_per_term_with_its_labels_and_notes(shipped_glossary):
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, SKOS

    graph = _graph(skos.to_text(shipped_glossary))
    scheme = URIRef(skos.scheme_iri(shipped_glossary))
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(shipped_glossary.terms)
    for term in shipped_glossary.terms:
        concept = URIRef(skos.concept_iri(shipped_glossary, term.id))
        assert set(graph.objects(concept, SKOS.prefLabel)) == {Literal(term.term, lang="en")}
        assert set(graph.objects(concept, SKOS.altLabel)) == {Literal(a, lang="en") for a in term.aliases}
        assert set(graph.objects(concept, SKOS.definition)) == {Literal(to_plain(term.definition), lang="en")}
        assert set(graph.objects(concept, SKOS.scopeNote)) == {Literal(to_plain(term.gloss), lang="en")}
        assert set(graph.objects(concept, SKOS.related)) == {
            URIRef(skos.concept_iri(shipped_glossary, r)) for r in term.related}
        assert (concept, SKOS.inScheme, scheme) in graph and (scheme, SKOS.hasTopConcept, concept) in graph


def test_skos_carries_hostile_text_as_text(hostile):
    from rdflib import Literal, URIRef
    from rdflib.namespace import SKOS

    graph = _graph(skos.to_text(hostile))
    term = hostile.term("hostile")
    concept = URIRef(skos.concept_iri(hostile, "hostile"))
    assert set(graph.objects(concept, SKOS.prefLabel)) == {Literal(term.term, lang="en")}
    assert set(graph.objects(concept, SKOS.altLabel)) == {Literal(a, lang="en") for a in term.aliases}
    assert set(graph.objects(concept, SKOS.definition)) == {Literal(to_plain(term.definition), lang="en")}
    assert "\n" in to_plain(term.definition) or "  " not in to_plain(term.definition)


def test_skos_uses_the_sites_pages_as_concepts_when_published(tmp_path):
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_url: https://example.org/g/\n", encoding="utf-8")
    glossary, _ = pipeline.check(root)
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    graph = _graph(skos.to_text(glossary))
    assert (URIRef("https://example.org/g/terms/corrigibility.html"), RDF.type, SKOS.Concept) in graph


# --- TBX ----------------------------------------------------------------------------------------------------------


def _termbase(text: str, tmp_path: Path):
    from translate.storage import tbx as tbx_storage

    path = tmp_path / "glossary.tbx"
    path.write_text(text, encoding="utf-8")
    return tbx_storage.tbxfile.parsefile(str(path))


def test_tbx_has_an_entry_per_term_with_its_synonyms_and_definition(shipped_glossary, tmp_path):
    store = _termbase(tbx.to_text(shipped_glossary), tmp_path)
    assert len(store.units) == len(shipped_glossary.terms)
    for unit, term in zip(store.units, shipped_glossary.terms):
        assert unit.getid() == tbx.entry_id(term.id)
        names = [(t.text, t.administrative_status) for t in unit.get_source_terms()]
        assert names == [(term.term, "preferredTerm-admn-sts")] + [(a, "admittedTerm-admn-sts")
                                                                   for a in term.aliases]
        notes = {n.category: n.text for n in unit.get_source_terms()[0].notes}
        assert notes["definition"] == to_plain(term.definition)
        assert to_plain(term.gloss) in unit.getnotes()


def test_tbx_is_well_formed_with_hostile_text(hostile, tmp_path):
    import xml.etree.ElementTree as ElementTree

    text = tbx.to_text(hostile)
    ElementTree.fromstring(text.encode("utf-8"))
    store = _termbase(text, tmp_path)
    term = hostile.term("hostile")
    unit = next(u for u in store.units if u.getid() == tbx.entry_id("hostile"))
    assert [t.text for t in unit.get_source_terms()] == [term.term, *term.aliases]
    assert {n.category: n.text for n in unit.get_source_terms()[0].notes}["definition"] == to_plain(term.definition)


# --- CSL-JSON -----------------------------------------------------------------------------------------------------


def _bibliography(items: list[dict]) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_csl_sources_format_as_a_bibliography(shipped_glossary):
    items = json.loads(csl.to_text(shipped_glossary))
    assert [i["id"] for i in items] == list(shipped_glossary.sources)
    entries = " ".join(_bibliography(items))
    assert "Pope, Q. (2023)" in entries and "van Asseldonk, R. (2024)" in entries
    assert "Davis, Z.M. (2023)" in entries and "Noosphere89 (after September 2023)" in entries
    assert "My Objections to “We’re All Gonna Die with Eliezer Yudkowsky”" in entries
    assert "https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack" in entries


@pytest.mark.parametrize("written, expected", [
    ("Quintin Pope", {"given": "Quintin", "family": "Pope"}),
    ("Zack M. Davis", {"given": "Zack M.", "family": "Davis"}),
    ("Ruud van Asseldonk", {"given": "Ruud", "non-dropping-particle": "van", "family": "Asseldonk"}),
    ("Ursula von der Leyen", {"given": "Ursula", "non-dropping-particle": "von der", "family": "Leyen"}),
    ("Noosphere89", {"literal": "Noosphere89"}),
    ("glossdeck contributors", {"literal": "glossdeck contributors"}),
    ("The Federalist", {"given": "The", "family": "Federalist"}),
    # as bibliographies write names: family first, after a comma; a suffix kept apart
    ("Pope, Quintin", {"given": "Quintin", "family": "Pope"}),
    ("van Asseldonk, Ruud", {"given": "Ruud", "non-dropping-particle": "van", "family": "Asseldonk"}),
    ("Martin Luther King, Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    ("Martin Luther King Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    # what does not read as one person's name stays as written
    ("Zack M. Davis and Quintin Pope", {"literal": "Zack M. Davis and Quintin Pope"}),
    ("Pope, Quintin, PhD", {"literal": "Pope, Quintin, PhD"}),
    ("King, Jr.", {"literal": "King, Jr."}),
])
def test_csl_names(written, expected):
    assert csl.name(written) == expected


def test_a_name_written_family_first_formats_as_that_person(tmp_path):
    items = [{"id": "a", "type": "webpage", "title": "T", "author": [csl.name("Pope, Quintin")],
              "issued": csl.date("2023-03-21")}]
    assert _bibliography(items)[0].startswith("Pope, Q. (2023)")


@pytest.mark.parametrize("written, expected", [
    ("2023-03-21", {"date-parts": [[2023, 3, 21]]}), ("2023-10", {"date-parts": [[2023, 10]]}),
    ("1863", {"date-parts": [[1863]]}), ("after September 2023", {"literal": "after September 2023"}),
    ("2023-3-5", {"literal": "2023-3-5"}), ("2023-03-21T10:00:00", {"literal": "2023-03-21T10:00:00"}),
])
def test_csl_dates(written, expected):
    assert csl.date(written) == expected


@pytest.mark.parametrize("written", ["2023-13", "2023-00", "2023-02-30", "2023-06-31", "0000"])
def test_a_date_written_as_a_date_that_does_not_exist_is_refused_where_it_enters(tmp_path, written):
    """CSL would read month 13 as spring: a date in ISO form must be a real one, or `check` says so."""
    root = make_project(tmp_path / "project")
    sources = root / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("date: 2023-03-21", f'date: "{written}"'),
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "csl", "--project", str(root)])
    assert result.exit_code == 1 and result.stdout == ""
    assert f"`date: {written}` in source `objections` is written as a date, but there is no such date" in \
        result.output


# --- schema.org on the site ---------------------------------------------------------------------------------------


def _json_ld(page: Path) -> list[dict]:
    import extruct

    html = page.read_text(encoding="utf-8")
    return extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]


def test_every_term_page_carries_its_defined_term(shipped):
    glossary, _ = pipeline.check(shipped["root"])
    site = shipped["html"]
    for term in glossary.terms:
        found = _json_ld(site / addresses.term_page(term.id))
        assert len(found) == 1, term.id
        data = found[0]
        assert data["@type"] == "DefinedTerm" and data["name"] == term.term
        assert data.get("alternateName", []) == list(term.aliases)
        assert data["description"] == to_plain(term.definition)
        assert data["inDefinedTermSet"] == {"@type": "DefinedTermSet", "name": glossary.settings.title,
                                            "description": glossary.settings.subtitle}


def test_defined_term_cannot_close_its_script(tmp_path):
    root = make_project(tmp_path / "project", terms={"hostile": HOSTILE_TERM})
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    page = site / addresses.term_page("hostile")
    html = page.read_text(encoding="utf-8")
    block = html[html.index('<script type="application/ld+json">'):]
    block = block[:block.index("</script>")]
    assert "<" not in block[1:] and "&" not in block  # nothing that could end or reinterpret the element
    glossary, _ = pipeline.check(root)
    term = glossary.term("hostile")
    data = _json_ld(page)[0]
    assert data["name"] == term.term and data["alternateName"] == list(term.aliases)
    assert data["description"] == to_plain(term.definition)


def test_a_published_site_gives_addresses(tmp_path):
    root = make_project(tmp_path / "project")
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_url: https://example.org/g/\n", encoding="utf-8")
    site = pipeline.build(root, out=tmp_path / "out", targets=("html",)).outputs["html"]
    data = _json_ld(site / addresses.term_page("corrigibility"))[0]
    assert data["url"] == data["@id"] == "https://example.org/g/terms/corrigibility.html"
    assert data["inDefinedTermSet"]["url"] == "https://example.org/g/"


# --- every format -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_glossary_same_bytes_and_stdout_by_default(fmt, tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    first = CliRunner().invoke(main, ["export", "--format", fmt, "--project", str(root)])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    second = CliRunner().invoke(main, ["export", "--format", fmt, "--project", str(root)])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.stdout == second.stdout and first.stdout
    glossary, _ = pipeline.check(root)
    assert first.stdout == render(glossary, fmt)
    out = tmp_path / f"glossary.{fmt}"
    written = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out),
                                                        "--project", str(root)])
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == first.stdout
