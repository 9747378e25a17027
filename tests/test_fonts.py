"""limits.drawable and render.fonts: what the shipped fonts draw, and proof from built PDFs that it is drawn."""

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from glossdeck import limits, markup, pipeline
from glossdeck.errors import GlossdeckError
from glossdeck.render import fonts
from tests.conftest import REPO, TIMESTAMP, make_project

QUOTE = "    quote: Alignment is an unsolved problem.\n"
# Characters Charis SIL draws although a glossary rarely needs them: the Greek letters of mathematics,
# Cyrillic, Vietnamese, IPA, arrows and some mathematics, typographic marks, and a letter with a combining
# mark (q + dot above). Charis has no full Greek: ψυχή is refused (tests/test_limits.py).
UNUSUAL = "αβγδ θλμπ ΔΨΩ Жизнь Việt ʃəˈɹʊɡ ŋ ǂ → ⇒ ≤ ≠ √ ∞ ∑ ‰ № € • † “ ” q\u0307"


def test_coverage_file_matches_the_fonts():
    assert limits.drawable() == fonts.cmap_coverage(), \
        "regenerate src/glossdeck/fonts/coverage.txt: .venv/bin/python -m glossdeck.render.fonts"
    assert limits.COVERAGE_FILE.read_text(encoding="ascii") == fonts.coverage_text(fonts.cmap_coverage())


@pytest.mark.parametrize("ch, covered", [
    ("A", True), ("Ω", True), ("Ж", True), ("ệ", True), ("ə", True), ("→", True), ("≤", True),
    ("ψ", False), ("ή", False),  # Charis has the Greek letters of mathematics, not the whole alphabet
    ("\u0307", True), ("\u200d", True), ("\ufe0f", True),  # combining dot, ZWJ, variation selector: drawable
    ("∀", False), ("∈", False), ("★", False),  # not every mathematical symbol
    ("中", False), ("ع", False), ("ש", False), ("क", False), ("😀", False), ("\ue000", False), ("\t", False),
])
def test_what_charis_can_draw(ch, covered):
    assert (ord(ch) in limits.drawable()) is covered


def test_every_character_glossdeck_itself_prints_is_drawable():
    """The renderers' own wording (arrows, quotes, dashes, ellipses, no-break spaces) must never be a box."""
    printed = set()
    for module in (REPO / "src" / "glossdeck" / "render").glob("*.py"):
        printed |= {ch for ch in module.read_text(encoding="utf-8") if ord(ch) > 127}
    printed |= {"\u00a0"}  # written as an escape in the code
    printed |= set(markup.to_plain("\"a\" 'b' (c) (tm) (r) +- ... -- ---"))  # the typographer's replacements
    assert {"©", "™", "±", "…", "–", "—", "“", "’"} <= printed
    missing = sorted(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in printed
                     if ord(ch) not in limits.drawable())
    assert missing == []


def unusual_project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", terms={"psyche": (
        f'term: "ΔΨΩ q\\u0307"\naliases: ["Жизнь", "Việt ʃəˈɹʊɡ"]\ndefinition: "{UNUSUAL}"\n'
        f"citations:\n  - source: starter-pack\n{QUOTE}")})


def test_covered_characters_are_drawn_in_the_booklet_and_on_the_cards(tmp_path):
    outputs = pipeline.build(unusual_project(tmp_path), targets=("booklet", "cards"), timestamp=TIMESTAMP).outputs
    for target in ("booklet", "cards"):
        text = "".join(page.extract_text() for page in PdfReader(outputs[target]).pages)
        # a character the font lacks comes back as U+0000 (reportlab draws it as the empty box, glyph 0)
        assert "\x00" not in text, target
        flat = unicodedata.normalize("NFC", " ".join(text.split()))
        for word in UNUSUAL.split():
            assert unicodedata.normalize("NFC", word) in flat, (target, word)
        assert "ΔΨΩ" in flat and "Жизнь" in flat


def test_reading_back_tells_a_box_from_a_glyph():
    """The test above can fail: a character outside the font, drawn anyway, reads back as U+0000."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(fonts.register(), 12)
    canvas.drawString(72, 720, "Ω中∀")
    canvas.save()
    assert PdfReader(buffer).pages[0].extract_text().strip() == "Ω\x00\x00"


def test_an_undrawable_character_is_refused_before_anything_is_written(tmp_path):
    root = make_project(tmp_path / "p", terms={"kanji": (
        f"term: kanji\ndefinition: Written 漢字.\ncitations:\n  - source: starter-pack\n{QUOTE}")})
    out = root / "build"
    out.mkdir()
    (out / "test-glossary-booklet.pdf").write_bytes(b"previous")
    with pytest.raises(GlossdeckError) as caught:
        pipeline.build(root, timestamp=TIMESTAMP)
    assert [p.message for p in caught.value.problems if p.severity == "error"] == [
        "the definition of `kanji` has 2 characters that the PDF font cannot draw: "
        "“漢” U+6F22 CJK UNIFIED IDEOGRAPH-6F22, “字” U+5B57 CJK UNIFIED IDEOGRAPH-5B57"]
    assert sorted(p.name for p in out.iterdir()) == ["test-glossary-booklet.pdf"]
    assert (out / "test-glossary-booklet.pdf").read_bytes() == b"previous"


@pytest.mark.parametrize("face", list(fonts.FACES))
def test_combining_marks_take_no_width_so_they_sit_on_their_letter(face):
    """reportlab places glyphs by advance width alone (no shaping): a mark with none is set over its base."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    fonts.register()
    for base, marks in (("q", "\u0307"), ("e", "\u0301"), ("a", "\u0308\u0301")):
        assert stringWidth(base + marks, face, 10) == stringWidth(base, face, 10)
