"""limits: every printed text is checked for characters the font lacks and for what a card or page holds."""

import json
import re

import pytest
from click.testing import CliRunner

from glossdeck import limits, pipeline
from glossdeck.cli import main
from tests.conftest import make_project

CITE = "citations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n"
DRAW = "that the PDF font cannot draw"


def q(text: str) -> str:
    """The text as a YAML double-quoted scalar (control characters escaped)."""
    return json.dumps(text, ensure_ascii=False)


def problems_for(tmp_path, terms=None, files=None):
    root = make_project(tmp_path / "p", terms=terms, files=files)
    _, found = pipeline.load_glossary(root)
    return [p for p in found.items if p.severity == "error"]


def glyph_problems(tmp_path, **kwargs):
    return [p for p in problems_for(tmp_path, **kwargs) if DRAW in p.message]


def code_points(message: str) -> list[str]:
    return re.findall(r"U\+[0-9A-F]{4,6}", message)


# Scripts Charis SIL does not cover, with the code points check must name, in order of appearance.
MISSING = {
    "CJK": ("中文", ["U+4E2D", "U+6587"]),
    "Arabic": ("مرحبا", ["U+0645", "U+0631", "U+062D", "U+0628", "U+0627"]),
    "Hebrew": ("שלום", ["U+05E9", "U+05DC", "U+05D5", "U+05DD"]),
    "Devanagari": ("नमस्ते", ["U+0928", "U+092E", "U+0938", "U+094D", "U+0924"]),  # and 1 more
    "emoji": ("a 😀 face", ["U+1F600"]),
    "ZWJ sequence": ("👩\u200d🔬", ["U+1F469", "U+1F52C"]),  # the joiner itself is drawable (zero width)
    "variation selector": ("❤\ufe0f", ["U+2764"]),
    "private use": ("x\ue000y", ["U+E000"]),
    "full Greek": ("ψυχή", ["U+03C8", "U+03C5", "U+03AE"]),  # Charis has only mathematics' Greek letters
    "logic symbols": ("∀x ∈ S", ["U+2200", "U+2208"]),
}


@pytest.mark.parametrize("text, expected", MISSING.values(), ids=MISSING.keys())
def test_each_script_the_font_lacks_is_named_by_code_point(tmp_path, text, expected):
    found = glyph_problems(tmp_path, terms={"t": f"term: t\ndefinition: {q(text)}\n{CITE}"})
    assert len(found) == 1
    assert found[0].line == 2
    assert code_points(found[0].message) == expected
    assert found[0].message.endswith(" and 1 more") == (text == "नमस्ते")
    assert "Charis SIL" in found[0].hint and "transliterate" in found[0].hint


def test_the_message_gives_character_code_point_and_name(tmp_path):
    text = q("say 中 or \ue000 or स्")
    [found] = glyph_problems(tmp_path, terms={"t": f"term: t\ndefinition: {text}\n{CITE}"})
    assert found.message == (f"the definition of `t` has 4 characters {DRAW}: “中” U+4E2D CJK UNIFIED "
                             "IDEOGRAPH-4E2D, U+E000 <private use>, “स” U+0938 DEVANAGARI LETTER SA, "
                             "U+094D DEVANAGARI SIGN VIRAMA")  # invisible ones by code point and name alone
    assert str(found).startswith(f"{found.path}:2: error: ")


# Every text that reaches a PDF, as (term file or other file, the line the text is on, what it is called).
FIELDS = {
    "term": ("term: {X}\ndefinition: d\n" + CITE, 1, "the name of term `t`"),
    "alias": ("term: t\naliases:\n  - plain\n  - {X}\ndefinition: d\n" + CITE, 4, "an alias of term `t`"),
    "definition": ("term: t\ndefinition: {X}\n" + CITE, 2, "the definition of `t`"),
    "quote": ("term: t\ndefinition: d\ncitations:\n  - source: starter-pack\n    quote: {X}\n", 5, "a quote of `t`"),
    "note": ("term: t\ndefinition: d\n" + CITE + "    note: {X}\n", 6, "the note on a quote of `t`"),
    "speaker": ("term: t\ndefinition: d\n" + CITE + "    speaker: {X}\n", 6, "the speaker of a quote of `t`"),
    "view holder": ("term: t\ndefinition: d\nviews:\n  - holder: {X}\n    summary: s\n    " + CITE.replace(
        "\n  ", "\n      "), 4, "the holder of a view of `t`"),
    "view summary": ("term: t\ndefinition: d\nviews:\n  - holder: h\n    summary: {X}\n    " + CITE.replace(
        "\n  ", "\n      "), 5, "the summary of a view of `t`"),
    "view quote": ("term: t\ndefinition: d\nviews:\n  - holder: h\n    summary: s\n    citations:\n"
                   "      - source: starter-pack\n        quote: {X}\n", 8, "a quote in a view of `t`"),
}


@pytest.mark.parametrize("template, line, what", FIELDS.values(), ids=FIELDS.keys())
def test_every_printed_field_of_a_term_is_checked_with_its_line(tmp_path, template, line, what):
    found = glyph_problems(tmp_path, terms={"t": template.replace("{X}", q("four words 漢字 here"))})
    assert [(p.line, p.message.split(" has ")[0], code_points(p.message)) for p in found] == [
        (line, what, ["U+6F22", "U+5B57"])]


@pytest.mark.parametrize("file, key", [
    ("glossary/glossary.yaml", "title"), ("glossary/glossary.yaml", "subtitle"),
    ("glossary/sources.yaml", "title"), ("glossary/sources.yaml", "author"), ("glossary/sources.yaml", "venue"),
    ("glossary/sources.yaml", "subtitle"), ("glossary/sources.yaml", "version"),
])
def test_settings_and_sources_that_are_printed_are_checked(tmp_path, file, key):
    original = (make_project(tmp_path / "orig") / file).read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(original) if re.match(rf"\s*{key}:", text))
    indent = original[number][: len(original[number]) - len(original[number].lstrip())]
    lines = original[:number] + [f"{indent}{key}: {q('Title 中')}"] + [
        text for text in original[number + 1:] if not (key == "version" and text.startswith("    "))]
    found = glyph_problems(tmp_path, files={file: "\n".join(lines) + "\n"})
    assert [(str(p.path).endswith(file), p.line, code_points(p.message)) for p in found] == [
        (True, number + 1, ["U+4E2D"])]


def test_text_that_never_reaches_a_pdf_may_use_any_script(tmp_path):
    """The deck's name and the PDFs' metadata are shown by Anki and the viewer with the system's fonts;
    tags are the deck's alone."""
    settings = "title: Test Glossary\ndeck_name: 用語集\nauthor: 山田太郎\noutput_base: test-glossary\n"
    assert glyph_problems(tmp_path, files={"glossary/glossary.yaml": settings},
                          terms={"t": f"term: t\ndefinition: d\ntags: [日本語]\n{CITE}"}) == []


COVERED = ["Việt Nam", "Жизнь", "ʃəˈɹʊɡ", "→ ≤ ≠ √ ∞", "αβγ ΔΨΩ", "e\u0301 q\u0307", "“quoted” — § 3 … 10 %",
           "x\u200by", "ﬁne", "₀₁ ²³ ½"]


@pytest.mark.parametrize("text", COVERED)
def test_what_charis_draws_passes_in_names_and_text(tmp_path, text):
    terms = {"t": f"term: {q(text)}\naliases: [{q(text + ' 2')}]\ndefinition: {q(text)}\n{CITE}"}
    assert glyph_problems(tmp_path, terms=terms) == []


def test_white_space_is_drawn_in_a_name_but_only_breaks_lines_in_text(tmp_path):
    name, alias, definition = q("tab\tname"), q("two\nlines"), q("a\ttab")
    terms = {"t": f"term: {name}\naliases: [{alias}]\ndefinition: {definition}\n{CITE}"}
    # a tab or line break in a name is refused once, as a control character, not again as a missing glyph
    assert glyph_problems(tmp_path, terms=terms) == []
    found = [p for p in problems_for(tmp_path, terms=terms) if "control character" in p.message]
    assert [p.line for p in found] == [1, 2]


# --- size limits -------------------------------------------------------------------------------


def words(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))


def size_problems(tmp_path, text):
    return [p for p in problems_for(tmp_path, terms={"t": text}) if "the limit is" in p.message]


@pytest.mark.parametrize("template, at_limit, unit", [
    ("term: {X}\ndefinition: d\n" + CITE, "x" * limits.NAME.most, "characters"),
    ("term: t\naliases: [{X}]\ndefinition: d\n" + CITE, "x" * limits.NAME.most, "characters"),
    ("term: t\ndefinition: {X}\n" + CITE, words(limits.DEFINITION.most), "words"),
    ("term: t\ndefinition: {X}\n" + CITE, ("abcdefghij " * 100)[: limits.DEFINITION_CHARS.most], "characters"),
    ("term: t\ndefinition: d\n" + CITE + "    note: {X}\n", "n" * limits.FIELD.most, "characters"),
    ("term: t\ndefinition: d\nviews:\n  - holder: h\n    summary: {X}\n    " + CITE.replace("\n  ", "\n      "),
     words(limits.SUMMARY.most), "words"),
    ("term: t\ndefinition: d\nviews:\n  - holder: {X}\n    summary: s\n    " + CITE.replace("\n  ", "\n      "),
     "h" * limits.FIELD.most, "characters"),
])
def test_each_size_limit_allows_its_number_and_refuses_one_more(tmp_path, template, at_limit, unit):
    assert size_problems(tmp_path / "ok", template.replace("{X}", q(at_limit))) == []
    over = at_limit + ("x" if unit == "characters" else " more")
    [found] = size_problems(tmp_path / "over", template.replace("{X}", q(over)))
    limit = len(at_limit) if unit == "characters" else len(at_limit.split())
    assert f"long; the limit is {limit:,} (" in found.message
    assert f"(at most {limit:,} {unit})" in found.hint


@pytest.mark.parametrize("key", ["term", "aliases"])
def test_a_name_the_fonts_draw_but_an_e_reader_dictionary_cannot_hold_is_refused(tmp_path, key):
    """63 mathematical letters (4 bytes each in UTF-8, and Charis draws them) fill StarDict's 255 bytes, less 3."""
    fraktur = "\U0001D504\U0001D505\U0001D50A"  # 𝔄 𝔅 𝔊
    at_limit, over = fraktur * 21 + "abc", fraktur * 21 + "abcd"
    template = "term: {X}\ndefinition: d\n" if key == "term" else "term: t\naliases: [{X}]\ndefinition: d\n"
    assert glyph_problems(tmp_path / "drawn", terms={"t": template.replace("{X}", q(at_limit)) + CITE}) == []
    assert size_problems(tmp_path / "ok", template.replace("{X}", q(at_limit)) + CITE) == []
    [found] = size_problems(tmp_path / "over", template.replace("{X}", q(over)) + CITE)
    what = "the name of term `t`" if key == "term" else "an alias of term `t`"
    assert (found.line, found.message) == (1 if key == "term" else 2, f"{what} is 256 bytes long; the limit is 255 "
                                           "(the longest word a StarDict dictionary, read by e-readers, can hold)")
    assert found.hint.endswith("(at most 255 bytes)")


def test_markup_is_not_counted_only_what_is_printed(tmp_path):
    linked = " ".join(f"[w{i}](#corrigibility)" for i in range(limits.DEFINITION.most))
    assert size_problems(tmp_path, f"term: t\ndefinition: {q(linked)}\n{CITE}") == []


def test_a_long_quote_is_refused_with_the_limit(tmp_path):
    text = f"term: t\ndefinition: d\ncitations:\n  - source: starter-pack\n    quote: {words(61)}\n"
    [found] = size_problems(tmp_path, text)
    assert (found.line, found.message) == (5, "a quote of `t` is 61 words long; the limit is 60 (a third of a "
                                              "card's back at its smallest type)")


@pytest.mark.parametrize("key, most", [("aliases", limits.MAX_ALIASES), ("views", limits.MAX_VIEWS)])
def test_count_limits_allow_their_number_and_refuse_one_more(tmp_path, key, most):
    def term(count: int) -> str:
        if key == "aliases":
            return f"term: t\naliases: [{', '.join(f'a{i}' for i in range(count))}]\ndefinition: d\n{CITE}"
        view = "  - holder: h\n    summary: s\n    " + CITE.replace("\n  ", "\n      ")
        return "term: t\ndefinition: d\nviews:\n" + view * count

    assert size_or_count(problems_for(tmp_path / "ok", terms={"t": term(most)})) == []
    [found] = size_or_count(problems_for(tmp_path / "over", terms={"t": term(most + 1)}))
    assert found.line == (2 if key == "aliases" else 3)
    assert f"has {most + 1} {key}" in found.message and str(most) in found.message


def size_or_count(problems):
    return [p for p in problems if " aliases;" in p.message or " views;" in p.message]


def test_a_huge_definition_is_refused_with_its_size(tmp_path):
    """A 200 KB definition (under the file size limit) is refused by check, never typeset."""
    huge = words(30_000)
    assert 180_000 < len(huge) < 256 * 1024
    [found] = size_problems(tmp_path, f"term: t\ndefinition: {huge}\n{CITE}")
    assert found.message.startswith("the definition of `t` is 30,000 words long; the limit is 150")


def test_the_shipped_glossary_is_within_every_limit(shipped):
    _, found = pipeline.load_glossary(shipped["root"])
    assert [p for p in found.items if "the limit is" in p.message or DRAW in p.message] == []


# --- every way in ------------------------------------------------------------------------------


def test_check_reports_limits_as_errors_with_exit_1(tmp_path):
    root = make_project(tmp_path / "p", terms={"t": f"term: t\naliases: [{', '.join(f'a{i}' for i in range(13))}]\n"
                                                    f"definition: Say 你好.\n{CITE}"})
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    assert f"{root}/glossary/terms/t.yaml:2: error: term `t` has 13 aliases" in result.output
    assert f"{root}/glossary/terms/t.yaml:3: error: the definition of `t` has 2 characters {DRAW}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("extra, expected", [
    (["--alias", "中文名"], f"an alias of term `new-term` has 3 characters {DRAW}"),
    ([arg for i in range(13) for arg in ("--alias", f"other name {i}")], "term `new-term` has 13 aliases"),
    (["--definition", words(151)], "the definition of `new-term` is 151 words long; the limit is 150"),
])
def test_add_refuses_the_same_and_writes_nothing(tmp_path, extra, expected):
    root = make_project(tmp_path / "p")
    before = sorted(p.name for p in (root / "glossary" / "terms").iterdir())
    args = ["add", "--project", str(root), "--term", "new term", "--definition", "A new term.", *extra,
            "--cite", "starter-pack", "Alignment is an unsolved problem."]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (root / "glossary" / "terms").iterdir()) == before


def test_a_pasted_page_as_a_quote_is_still_reported_with_its_nearest_passage(tmp_path):
    """The nearest-passage search reads the quote's opening only (citations.NEAREST_NEEDLE), so a page
    pasted from the essay, one word wrong at its end, still points at where it was copied from."""
    from glossdeck.seeds import load_seeds

    root = make_project(tmp_path / "p")
    glossary, _ = pipeline.load_glossary(root)
    seed = load_seeds(root / "seeds", glossary.sources)[0]["starter-pack"]
    page = seed.text.split()[300:1300]
    quote = " ".join(page) + " zzzz"
    text = f"term: t\ndefinition: d\ncitations:\n  - source: starter-pack\n    quote: {q(quote)}\n"
    (root / "glossary" / "terms" / "t.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(pipeline.GlossdeckError) as caught:
        pipeline.check(root)
    messages = [p.message for p in caught.value.problems]
    assert "a quote of `t` is 1,001 words long; the limit is 60 (a third of a card's back at its smallest " \
        "type)" in messages
    [near] = [m for m in messages if m.startswith("quote not found in `starter-pack`; the nearest passage")]
    assert " ".join(page[2:12]) in near


def test_find_counts_every_hit_but_makes_citations_only_for_those_shown(project):
    from glossdeck import authoring

    _, seeds = authoring.load_seeds_for(project)
    every = authoring.find(seeds, "alignment", "optimism")
    assert [authoring.hit_at(where) for where in authoring.occurrences(seeds, "alignment", "optimism")] == every
    result = CliRunner().invoke(main, ["find", "alignment", "--source", "optimism", "--limit", "2",
                                       "--project", str(project)])
    assert result.exit_code == 0
    assert result.output.count("  - source: optimism") == 2
    assert f"({len(every) - 2} more; narrow with --source" in result.output
    assert len(every) > 2


def test_the_quick_glyph_test_agrees_with_the_coverage():
    """One search for a character outside the fonts' ranges finds exactly the characters drawable() lacks."""
    import random

    covered = limits.drawable()
    rng = random.Random(22)
    points = [rng.randrange(0x30000) for _ in range(20_000)] + [0x20, 0x7E, 0xA0, 0x2019, 0x4E2D, 0x1F600]
    for point in points:
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates are never text
        assert (limits._undrawable().search(chr(point)) is None) is (point in covered), hex(point)
