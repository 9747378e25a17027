"""Nothing a glossary says runs anywhere: addresses, Anki's own markup, blanking and Markdown blocks."""

import dataclasses
import html
import io
import json
import re
import sqlite3
import zipfile
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from glossdeck import markup, pipeline
from glossdeck.cli import main
from glossdeck.deckstate import DeckState
from glossdeck.errors import GlossdeckError
from glossdeck.render.anki import FIELDS
from tests.conftest import TIMESTAMP, make_project

STARTER_URL = "url: https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack"
QUOTE = "citations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n"

DEFINITION, QUOTES, SOURCES = (FIELDS.index(name) for name in ("Definition", "Quotes", "Sources"))


def term_yaml(definition, aliases=(), term="widget", extra="", gloss=None):
    """A term file; every value is written as a JSON string, which YAML reads exactly."""
    glossed = f"gloss: {json.dumps(gloss)}\n" if gloss is not None else ""
    return (f"term: {json.dumps(term)}\naliases: {json.dumps(list(aliases))}\n{glossed}"
            f"definition: {json.dumps(definition)}\n{QUOTE}{extra}")


def view_yaml(summary):
    return (f"views:\n  - holder: Doomer\n    summary: {json.dumps(summary)}\n    citations:\n"
            "      - source: debate\n        quote: we don't even know how to make AI \"corrigible\"—willing to let "
            "us correct it\n        speaker: Doomer\n")


def errors(root):
    with pytest.raises(GlossdeckError) as caught:
        pipeline.check(root)
    base = str(root) + "/"
    return [str(p).replace(base, "") for p in caught.value.problems if p.severity == "error"]


def sources_with_url(root, url):
    path = root / "glossary" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    assert STARTER_URL in text
    path.write_text(text.replace(STARTER_URL, f"url: {json.dumps(url)}"), encoding="utf-8")
    return text.splitlines().index(f"  {STARTER_URL}") + 1


class _Visible(HTMLParser):
    """The text a browser shows for some HTML: character references decoded, styles and scripts left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html_text):
    parser = _Visible()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.parts)


def pdf_uris(data):
    reader = PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def pdf_text(data):
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def deck_fields(data):
    """Every note's fields as stored in the package, by term id."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        database = archive.read("collection.anki2")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.anki2"
        path.write_bytes(database)
        connection = sqlite3.connect(path)
        rows = connection.execute("select flds from notes").fetchall()
        connection.close()
    notes = [row[0].split("\x1f") for row in rows]
    return {fields[-1]: fields for fields in notes}


# --- Addresses: http(s) with a host, or #term-id; everything else is an error wherever it enters ---------------

BAD_ADDRESSES = [
    ("javascript:alert(1)", "is a `javascript:` address, not a web page"),
    ("JavaScript:alert(document.cookie)", "is a `JavaScript:` address"),
    ("JAVASCRIPT:alert(1)", "is a `JAVASCRIPT:` address"),
    (" javascript:alert(1)", "is a `javascript:` address"),
    ("java\tscript:alert(1)", "contains a tab"),
    ("\x01javascript:alert(1)", "contains the control character \\x01"),
    ("javascript\x00:alert(1)", "contains the control character \\x00"),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "is a `data:` address"),
    ("vbscript:msgbox(1)", "is a `vbscript:` address"),
    ("file:///etc/passwd", "is a `file:` address"),
    ("mailto:someone@example.org", "is a `mailto:` address"),
    ("ftp://example.org/file", "is a `ftp:` address"),
    ("relative/page.html", "is not a full web address"),
    ("//evil.example/x", "is not a full web address"),
    ("https:example.org", "names no host"),
    ("http://", "names no host"),
    ('http://example.org/"onmouseover="alert(1)', "contains a double quote"),
    ("http://example.org/<script>alert(1)</script>", "contains an angle bracket"),
    ("http://example.org/x>y", "contains an angle bracket"),
    ("https://example.org/caf\u00e9", "contains `é`"),
    ("https://example.org/\u202egnp.exe", "contains the control character"),
]


@pytest.mark.parametrize("address, message", BAD_ADDRESSES, ids=[repr(a) for a, _ in BAD_ADDRESSES])
def test_a_bad_source_url_is_an_error_at_its_line(tmp_path, address, message):
    root = make_project(tmp_path / "p")
    line = sources_with_url(root, address)
    found = errors(root)
    assert len(found) == 1, found
    assert found[0].startswith(f"glossary/sources.yaml:{line}: error: ")
    assert message in found[0] and ("(`url`)" in found[0] or "`url` in source `starter-pack`" in found[0])
    assert "\n    hint: " in found[0]


@pytest.mark.parametrize("address, message", BAD_ADDRESSES, ids=[repr(a) for a, _ in BAD_ADDRESSES])
def test_a_bad_link_in_a_definition_or_summary_is_an_error_at_its_line(tmp_path, address, message):
    # Markdown cannot hold a space, tab or control character in an address: such a link is no link,
    # and that is reported too; an entity (`&#x09;`) inside one is decoded, then refused like the character.
    link = f"See [the page]({address.replace(chr(9), '&#x09;')}) for more."
    root = make_project(tmp_path / "p", terms={"bad": term_yaml(link) + view_yaml(link)})
    found = errors(root)
    assert len(found) == 2, found
    definition, summary = found
    assert definition.startswith("glossary/terms/bad.yaml:3: error: ")
    assert summary.startswith("glossary/terms/bad.yaml:9: error: ")
    for problem, where in ((definition, ("the definition)", "`definition` in term")),
                           (summary, ("the summary)", "`summary` in a view"))):
        # markdown-it reads NUL as U+FFFD, as CommonMark says; it is refused all the same
        assert message in problem or "is not read as a link" in problem or "contains `\ufffd`" in problem, problem
        assert any(w in problem for w in where) and "\n    hint: " in problem


def test_markdown_whitespace_and_entities_do_not_smuggle_a_scheme(tmp_path):
    links = ("[x]( javascript:alert(1))", "[x](<javascript:alert(1)>)", "[x](java&#x09;script:alert(1))",
             "[x](&#x6A;avascript:alert(1))", "[x](\\javascript:alert(1))", "[x][1]\n\n[1]: javascript:alert(1)")
    for number, link in enumerate(links):
        root = make_project(tmp_path / f"p{number}", terms={"bad": term_yaml(link)})
        found = errors(root)
        assert found and all(p.startswith("glossary/terms/bad.yaml:3: error: ") for p in found), (link, found)


@pytest.mark.parametrize("address", ["https://example.org/a?b=1&c='d'#frag", "HTTP://EXAMPLE.ORG/Path",
                                     "https://example.org/caf%C3%A9", "http://127.0.0.1:8080/x_(y)"])
def test_good_addresses_pass_and_reach_every_output_exactly(tmp_path, address):
    root = make_project(tmp_path / "p", terms={"linked": term_yaml(f"See [the page]({address}) now.")})
    sources_with_url(root, address)
    pipeline.check(root)
    outputs = pipeline.build(root, timestamp=TIMESTAMP).outputs
    fields = deck_fields(outputs["deck"].read_bytes())["linked"]
    hrefs = re.findall(r'href="([^"]*)"', fields[DEFINITION] + fields[QUOTES] + fields[SOURCES])
    # each quote links to its passage: the source's address with a text fragment in place of its own fragment
    shown = {html.unescape(h).split("#:~:text=")[0] for h in hrefs}
    assert hrefs and shown <= {address, address.split("#")[0]}
    assert address in shown and any("#:~:text=" in h for h in hrefs)
    uris = pdf_uris(outputs["booklet"].read_bytes())
    assert uris.count(address) >= 2  # the definition's link and the source's address
    assert all(u.startswith(("https://", "http://", "HTTP://")) for u in uris)
    assert not pdf_uris(outputs["cards"].read_bytes())


def test_renderers_never_make_a_live_link_of_a_bad_address(tmp_path):
    """Belt and braces: even a glossary that skipped `check` gets no script link into any output."""
    from glossdeck.render import anki, booklet, cards

    glossary, _ = pipeline.check(make_project(tmp_path / "p"))
    bad = ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example", 'http://x.org/"a=b')
    sources = {k: dataclasses.replace(s, url=bad[0]) for k, s in glossary.sources.items()}
    definition = " ".join(f"[link {n}]({a})" for n, a in enumerate(bad)) + ' and [a term](#x"onclick="y).'
    terms = tuple(dataclasses.replace(t, definition=definition) for t in glossary.terms)
    glossary = dataclasses.replace(glossary, sources=sources, terms=terms)
    data = anki.render(glossary, DeckState({}), TIMESTAMP).data
    for fields in deck_fields(data).values():
        html_text = "".join(fields)
        assert "href" not in html_text and "onclick" not in html_text
        assert "link 0" in visible(fields[DEFINITION]) and "a term" in visible(fields[DEFINITION])
    for pdf in (booklet.render(glossary), cards.render(glossary)):
        reader = PdfReader(io.BytesIO(pdf))
        annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", []) or []]
        assert all("/A" not in a and "/Dest" in a for a in annotations)


def test_pdf_links_are_only_web_addresses_and_internal(built):
    reader = PdfReader(built["booklet"])
    kinds = set()
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None:
                kinds.add(str(action["/S"]))
                assert str(action["/URI"]).startswith("https://")
            else:
                assert annot.get("/Dest") is not None
    assert kinds == {"/URI"}


def test_links_in_citation_notes_stay_text(tmp_path):
    note = "[click](javascript:alert(1)) <a href='javascript:alert(2)'>x</a>"
    root = make_project(tmp_path / "p", terms={"noted": term_yaml("A plain definition.") +
                                                "    note: " + json.dumps(note) + "\n"})
    outputs = pipeline.build(root, timestamp=TIMESTAMP).outputs
    fields = deck_fields(outputs["deck"].read_bytes())["noted"]
    assert [h.split("#:~:text=")[0] for h in re.findall(r'href="([^"]*)"', fields[QUOTES])] == \
        ["https://ruudvanasseldonk.com/2024/ai-alignment-starter-pack"] * 2  # the quote's passage, the source
    assert note in visible(fields[QUOTES])
    assert pdf_uris(outputs["booklet"].read_bytes()).count("javascript:alert(1)") == 0
    assert "[click](javascript:alert(1))" in pdf_text(outputs["booklet"].read_bytes())


def test_check_and_add_refuse_a_script_link_and_write_nothing(tmp_path):
    root = make_project(tmp_path / "p")
    line = sources_with_url(root, "javascript:alert(1)")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    for args in (["check"], ["check", "--format", "json"], ["build"]):
        result = CliRunner().invoke(main, [*args, "--project", str(root)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "is a `javascript:` address, not a web page" in result.output
    assert json.loads(CliRunner().invoke(main, ["check", "--format", "json", "--project", str(root)]).output)[
        "problems"][0]["line"] == line
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    project = make_project(tmp_path / "q")
    result = CliRunner().invoke(main, [
        "add", "--term", "deceptive alignment", "--definition", "Behaves well, see [this](javascript:alert(1)).",
        "--cite", "starter-pack", "an intelligent mesa-optimizer could deceive its base optimizer",
        "--project", str(project)])
    assert result.exit_code == 1 and "is a `javascript:` address" in result.output
    assert not (project / "glossary" / "terms" / "deceptive-alignment.yaml").exists()


@pytest.mark.parametrize("field, text", [
    ("term", "red \x1b[31mALERT"), ("aliases", ["title \x1b]0;pwned\x07"]), ("definition", "bell \x07 here"),
    ("definition", "erase \x1b[2J all"), ("definition", "C1 \x9b31m CSI"), ("definition", "null \x00 byte"),
    ("definition", "delete \x7f it"), ("definition", "return \r over"),
])
def test_control_characters_in_text_are_errors_not_terminal_commands(tmp_path, field, text):
    fields = {"term": "widget", "aliases": [], "definition": "A definition.", field: text}
    yaml_text = "".join(f"{key}: {json.dumps(value)}\n" for key, value in fields.items()) + QUOTE
    root = make_project(tmp_path / "p", terms={"ctl": yaml_text})
    found = errors(root)
    line = list(fields).index(field) + 1
    assert len(found) == 1 and found[0].startswith(f"glossary/terms/ctl.yaml:{line}: error: "), found
    assert "contains the control character \\x" in found[0]
    result = CliRunner().invoke(main, ["show", "widget", "--project", str(root)])
    assert result.exit_code == 1 and "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2069"])
def test_bidi_controls_that_reorder_text_are_errors_too(tmp_path, char):
    root = make_project(tmp_path / "p", terms={"ctl": term_yaml(f"safe {char}edoc live")})
    found = errors(root)
    assert len(found) == 1 and f"contains the control character U+{ord(char):04X}" in found[0], found


def test_a_control_character_in_a_citation_note_or_source_is_an_error(tmp_path):
    root = make_project(tmp_path / "p", terms={"noted": term_yaml("A plain definition.") +
                                                '    note: "see \\e]8;;https://evil.example\\e\\\\x"\n'})
    path = root / "glossary" / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: AI alignment starter pack",
                                                             'title: "AI \\a alignment"'), encoding="utf-8")
    found = errors(root)
    assert any(p.startswith("glossary/terms/noted.yaml:7: error: `note` in a citation of term `noted` contains "
                            "the control character \\x1b") for p in found), found
    assert any(p.startswith("glossary/sources.yaml:") and "`title` in source `starter-pack` contains the control "
               "character \\x07" in p for p in found), found


# --- Anki's own markup shows as text in the imported card, rendered by the real client ------------------------

ANKI_MARKUP = [
    "[sound:evil.mp3]", "[$]x^2[/$]", "[$$]y[/$$]", "[latex]z[/latex]", "{{Term}}", "{{c1::hidden}}",
    "{{c2::hidden::hint}}", "[anki:play:q:0]", "[[type:Term]]", "{{#Term}}shown{{/Term}}", "{{FrontSide}}",
]


def test_anki_markup_typed_anywhere_shows_as_text_in_the_real_client(tmp_path):
    pytest.importorskip("anki")
    from anki.lang import set_lang

    from tests.anki_client import import_package, new_collection

    set_lang("en")
    typed = " ".join(ANKI_MARKUP)
    # In Markdown a backslash escapes punctuation, so `\\(` shows `\(`; inside code it shows as typed.
    definition = typed + r" math \\(a\\) and \\[b\\] and `\(c\) \[d\]`"
    shown_definition = typed + r" math \(a\) and \[b\] and \(c\) \[d\]"
    name, alias, note = "{{c1::term}} [latex]t[/latex]", "[sound:alias.mp3]", typed + r" \(n\)"
    term = (f"term: {json.dumps(name)}\naliases: [{json.dumps(alias)}]\ngloss: {json.dumps(typed)}\n"
            f"definition: {json.dumps(definition)}\n{QUOTE}    note: {json.dumps(note)}\n"
            "  - source: optimism\n    quote: something in the vicinity of this is likely [a] crux\n"
            + view_yaml(typed))
    root = make_project(tmp_path / "p", terms={"markup": term})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("deck",)).outputs
    col = new_collection(tmp_path / "anki")
    import_package(col, outputs["deck"])
    note = col.get_note(col.find_notes("TermId:markup")[0])
    expected = {
        0: ["{{c1::term}} [latex]t[/latex]", "[sound:alias.mp3]"],
        1: [shown_definition, typed + r" \(n\)", "Doomer: " + typed, "likely [a] crux"],
    }
    for card in note.cards():
        question, answer = card.question(), card.answer()
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        for side in (question, answer):
            assert "<img" not in side and "latex-" not in side and "[anki:play" not in side
            seen = visible(side)
            assert not re.search(r"\\[()\[\]]", seen), "MathJax would typeset this"
            text = seen.replace("\u2060", "")
            assert "{{" in text and "is empty" not in text
            assert "[sound:" in text or side is question and card.ord == 0  # that front shows the term alone
        answer_text = visible(answer).replace("\u2060", "")
        for piece in expected[0] + (expected[1] if card.ord == 0 else []):
            assert piece in answer_text, (card.ord, piece)
    hidden_question = visible(note.cards()[1].question()).replace("\u2060", "")
    assert typed in hidden_question and "hidden" in hidden_question
    col.close()


def test_anki_markup_inside_an_address_stays_inert(tmp_path):
    pytest.importorskip("anki")
    from anki.lang import set_lang

    from tests.anki_client import import_package, new_collection

    set_lang("en")
    address = "https://example.org/[sound:evil.mp3]/[latex]x[/latex]"
    root = make_project(tmp_path / "p", terms={"linked": term_yaml(f"See [the page]({address}).")})
    sources_with_url(root, address)
    outputs = pipeline.build(root, timestamp=TIMESTAMP).outputs
    col = new_collection(tmp_path / "anki")
    import_package(col, outputs["deck"])
    card = col.get_note(col.find_notes("TermId:linked")[0]).cards()[0]
    answer = card.answer()
    assert card.answer_av_tags() == [] and "<img" not in answer
    links = [html.unescape(h).split("#:~:text=")[0] for h in re.findall(r'href="([^"]*)"', answer)]
    assert links and set(links) == {address}  # the definition's link, the quote's passage and its source
    col.close()
    assert pdf_uris(outputs["booklet"].read_bytes()).count(address) >= 2


def test_the_only_change_to_text_is_invisible():
    from glossdeck.render.anki import text_html

    text = r"a [b] {c} \(d\) \[e\] <f> & \g \\( \x"
    assert visible(text_html(text)).replace("\u2060", "") == text
    assert "[" not in text_html(text) and "{" not in text_html(text)


# --- Blanking the answer works on the text, never inside markup -----------------------------------------------

MARKUP_NAMES = ("amp", "lt", "gt", "quot", "nbsp", "class", "span", "href", "div", "code", "b", "i", "AT&T", "x27")


def test_blanking_never_cuts_into_markup():
    from glossdeck.render.anki import _hidden

    definition = ("R&D and AT&T: 1 < 2 > 0; *class* and **span** in `code`, see "
                  "[the class page](https://example.org/class/amp?span=div&b=i#href), b-trees and it's.")
    hidden = _hidden(definition, ("widget", *MARKUP_NAMES))
    assert hidden == ('R&amp;D and […]: 1 &lt; 2 &gt; 0; <i>[…]</i> and <b>[…]</b> in <code>[…]</code>, see '
                      '<a href="https://example.org/class/amp?span=div&amp;b=i#href">the […] page</a>, b-trees '
                      "and it’s.")


def test_blanking_spans_styles_and_keeps_names_with_markup_characters():
    from glossdeck.render.anki import _hidden

    assert _hidden("A mesa *optimizer* here.", ("mesa optimizer",)) == "A […] here."
    assert _hidden("A *mesa* optimizer here.", ("mesa optimizer",)) == "A <i>[…]</i> here."
    assert _hidden("Goodhart's law, not Goodhart’s laws.", ("Goodhart’s law",)) == "[…], not […]."
    assert _hidden("Use <b> & R&D, not b.", ("R&D", "b")) == "Use &lt;[…]&gt; &amp; […], not […]."
    assert _hidden("a [sound:x] {{c1::y}}", ("sound",)) == "a &#91;[…]:x] &#123;&#123;c1::y}}"
    assert _hidden("“AGI Ruin: A List of Lethalities”", ("List of Lethalities", "AGI Ruin: A List of Lethalities",
                                                        "AGI ruin")) == "“[…]”"


def test_blanked_cards_are_well_formed_in_the_real_client(tmp_path):
    pytest.importorskip("anki")
    from anki.lang import set_lang

    from tests.anki_client import import_package, new_collection

    set_lang("en")
    definition = ("R&D and AT&T: *class* and **span** in `code`, see "
                  "[the class page](https://example.org/class/amp?span=div#href).")
    names = tuple(n for n in MARKUP_NAMES if n not in ("b", "i"))  # a term holds at most 12 aliases
    root = make_project(tmp_path / "p", terms={"widget": term_yaml(definition, aliases=names, gloss=definition)})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("deck",)).outputs
    col = new_collection(tmp_path / "anki")
    import_package(col, outputs["deck"])
    question = col.get_note(col.find_notes("TermId:widget")[0]).cards()[1].question()  # asks with the gloss
    assert "R&D and […]: […] and […] in […], see the […] page." in visible(question)
    assert 'href="https://example.org/class/amp?span=div#href"' in question
    col.close()


# --- Markdown: block syntax shows as written or is an error that says what to write ---------------------------

AS_WRITTEN = [
    ("> 90% of runs fail", "> 90% of runs fail"),
    (">90% of runs fail", ">90% of runs fail"),
    ("Most runs\n> fail here", "Most runs > fail here"),
    ("#1 priority for labs", "#1 priority for labs"),
    ("\\- a dash first", "- a dash first"),
    ("\\* a star first", "* a star first"),
    ("\\+ a plus first", "+ a plus first"),
    ("1984\\. The year", "1984. The year"),
    ("\\# not a heading", "# not a heading"),
    ("Score \\<b\\> and `<b>bold</b>` as code", "Score <b> and <b>bold</b> as code"),
    ("R&D at AT&T costs 5 < 6 dollars", "R&D at AT&T costs 5 < 6 dollars"),
    ("[sic] and [1] stay", "[sic] and [1] stay"),
    # HTML is text: tags, comments and entities show as typed, at the start of a line or within it
    ("<div>boxed</div> and more", "<div>boxed</div> and more"),
    ("<!-- a comment --> stays", "<!-- a comment --> stays"),
    ("A word <b>bold</b> and <span class=x>x</span>", "A word <b>bold</b> and <span class=x>x</span>"),
    ("Fish &amp; chips&nbsp;and &#91;this", "Fish &amp; chips&nbsp;and &#91;this"),
]


@pytest.mark.parametrize("definition, shown", AS_WRITTEN, ids=[d for d, _ in AS_WRITTEN])
def test_text_that_looks_like_blocks_shows_as_written(tmp_path, definition, shown):
    assert markup.to_plain(definition) == shown
    root = make_project(tmp_path / "p", terms={"plain": term_yaml(definition)})
    outputs = pipeline.build(root, timestamp=TIMESTAMP, targets=("deck", "booklet", "cards")).outputs
    fields = deck_fields(outputs["deck"].read_bytes())["plain"]
    assert visible(fields[DEFINITION]) == shown
    for pdf in ("booklet", "cards"):
        assert " ".join(shown.split()) in " ".join(pdf_text(outputs[pdf].read_bytes()).split())


UNSUPPORTED = [
    ("- item one", "`- item one` starts a Markdown list", "`\\-`"),
    ("* item one", "`* item one` starts a Markdown list", "`\\*`"),
    ("+ item one", "`+ item one` starts a Markdown list", "`\\+`"),
    ("Two senses:\n- one\n- two", "`- one` starts a Markdown list", "write the items in a sentence"),
    ("1. first sense", "`1. first sense` starts a Markdown numbered list", "`1\\.`"),
    ("1) first sense", "`1) first sense` starts a Markdown numbered list", "`1\\.`"),
    ("# Heading", "`# Heading` is a Markdown heading", "`\\#`"),
    ("Some words\n## Heading", "`## Heading` is a Markdown heading", "`\\#`"),
    ("A title\n===", "`===` under a line makes it a Markdown heading", "remove the underline"),
    ("A title\n---", "`---` under a line makes it a Markdown heading", "remove the underline"),
    ("Before\n\n---\n\nafter", "`---` on its own line is a Markdown rule", "remove the line"),
    ("Before\n\n***", "`***` on its own line is a Markdown rule", "remove the line"),
    ("Text\n\n    indented code", "the indented line `indented code` is a Markdown code block", "`backticks`"),
    ("```\ncode\n```", "the line ``` opens a Markdown code block", "single `backticks`"),
    ("Text\n~~~\ncode\n~~~", "the line ~~~ opens a Markdown code block", "single `backticks`"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "`| a | b |` is a Markdown table", "sentences"),
    ("An image ![chart](https://example.org/c.png)", "an image, `![chart](…)`, is not supported",
     "link to it instead"),
    ("See <https://example.org>", "`<https://example.org>` is not a link in a definition",
     "write [text](https://example.org)"),
    ("Mail <someone@example.org>", "`<someone@example.org>` is not a link", "[text](https://…)"),
    ("A claim[^1]\n\n[^1]: https://example.org", "`[^1]:` is a footnote", "`note:`"),
    ("A claim[^1]\n\n[^1]: the note", "`[^1]` is a footnote mark", "`note:`"),
    ("A claim[^note] without its note", "`[^note]` is a footnote mark", "`note:`"),
    ("A [ref link][r]\n\n[r]: https://example.org", "`[r]: …` defines a reference-style link",
     "write the address in place"),
    ("A [ref link][nowhere]", "`[ref link][nowhere]` is not read as a link", "`\\[`"),
    ("A [spaced](https://example.org/a b) link", "is not read as a link", "no space in the address"),
    ("Some ~~struck~~ words", "`~~…~~` (strikethrough) is not supported", "remove the tildes"),
    ('A [titled](https://example.org "Title") link', 'the link title "Title" would not be shown', "drop the title"),
    ("An empty [](https://example.org) link", "a link has no text", "[text](address)"),
    ("To [nowhere](#) at all", "`#` is not a link to a term", "[text](#term-id)"),
    ("To [a term](#Not_An_Id)", "`#Not_An_Id` is not a link to a term", "lowercase"),
]


@pytest.mark.parametrize("definition, message, hint", UNSUPPORTED, ids=[d for d, _, _ in UNSUPPORTED])
def test_unsupported_markdown_is_an_error_with_a_hint(tmp_path, definition, message, hint):
    root = make_project(tmp_path / "p", terms={"bad": term_yaml(definition) + view_yaml(definition)})
    found = errors(root)
    at_definition = [p for p in found if p.startswith("glossary/terms/bad.yaml:3: error: ")]
    at_summary = [p for p in found if p.startswith("glossary/terms/bad.yaml:9: error: ")]
    assert len(at_definition) + len(at_summary) == len(found), found
    for problems, where in ((at_definition, "in the definition)"), (at_summary, "in the summary)")):
        matching = [p for p in problems if message in p]
        assert matching, (where, found)
        text, _, hint_text = matching[0].partition("\n    hint: ")
        assert text.endswith(where) and hint in hint_text

