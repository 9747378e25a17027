"""Cards as Anki renders them, shown in a real Chromium (the engine of Anki desktop and AnkiDroid):
phone and desktop widths, light and night mode; the fold-out opens and nothing overflows."""

import shutil
from pathlib import Path

import pytest

pytest.importorskip("anki")
from anki.lang import set_lang  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from glossdeck.render.anki import CSS  # noqa: E402
from tests.anki_client import import_package, new_collection  # noqa: E402

set_lang("en")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots" / "cards"


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium (.ci/run does it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sides(shipped, tmp_path_factory):
    """Question and answer HTML of both cards of a long entry, as the real Anki renders them."""
    col = new_collection(tmp_path_factory.mktemp("cards"))
    import_package(col, shipped["deck"])
    note = col.get_note(col.find_notes('"TermId:mesa-optimizer"')[0])
    rendered = {(card.ord, side): html for card in note.cards()
                for side, html in (("q", card.question()), ("a", card.answer()))}
    col.close()
    return rendered


def page_for(browser, html: str, width: int, night: bool):
    page = browser.new_page(viewport={"width": width, "height": 720})
    night_class = "nightMode night_mode" if night else ""
    page.set_content(f"<!doctype html><html><head><meta name='viewport' content='width=device-width'>"
                     f"<style>{CSS}</style></head><body class='{night_class}'>"
                     f"<div class='card {night_class}'>{html}</div></body></html>")
    return page


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_answer_leads_with_the_gloss_and_folds_out_the_rest(browser, sides, width, night):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for template in (0, 1):
        page = page_for(browser, sides[(template, "a")], width, night)
        gloss = page.locator(".gloss").first
        definition = page.locator("details.more .definition")
        assert gloss.is_visible() and not definition.is_visible()
        size = "e => parseFloat(getComputedStyle(e).fontSize)"
        page.locator("details.more > summary").click()
        assert definition.is_visible() and "gradient descent" in definition.inner_text()
        assert gloss.evaluate(size) >= 1.25 * definition.evaluate(size)  # the gloss leads; the rest is secondary
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than a {width}px screen"
        colours = page.evaluate("[getComputedStyle(document.querySelector('.card')).backgroundColor,"
                                " getComputedStyle(document.querySelector('.gloss')).color]")
        assert colours == (["rgb(30, 30, 30)", "rgb(230, 228, 222)"] if night else
                           ["rgb(253, 252, 248)", "rgb(29, 29, 29)"])
        page.screenshot(path=str(SHOTS / f"card{template}-answer-{width}-{'night' if night else 'light'}.png"),
                        full_page=True)
        page.close()


def test_question_of_the_meaning_card_is_the_gloss_alone(browser, sides):
    page = page_for(browser, sides[(1, "q")], 360, False)
    text = page.locator("body").inner_text()
    assert "WHICH TERM?" in text.upper() and "mesa" not in text.lower() and "details" not in sides[(1, "q")]
    page.close()


@pytest.fixture(scope="module")
def cloze_sides(tmp_path_factory):
    """Question and answer HTML of a cloze card, as the real Anki renders them."""
    from glossdeck import pipeline
    from tests.test_cloze_cards import cloze_project

    root = cloze_project(tmp_path_factory.mktemp("cloze"))
    deck = pipeline.build(root, out=root / "out", targets=("deck",), timestamp=1_700_000_000).outputs["deck"]
    col = new_collection(tmp_path_factory.mktemp("cloze-anki"))
    import_package(col, deck)
    card = col.get_note(col.find_notes('"TermId:widget" QuoteId:_*')[0]).cards()[0]
    rendered = {"q": card.question(), "a": card.answer()}
    col.close()
    return rendered


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_cloze_card_shows_its_gaps_then_the_words_in_their_colour(browser, cloze_sides, width, night):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for side in ("q", "a"):
        assert "<style>" in cloze_sides[side]  # the note type's own styling comes with the card
        page = page_for(browser, cloze_sides[side], width, night)
        gaps = page.locator(".cloze")
        assert gaps.count() == 5
        shown = gaps.all_inner_texts()
        assert shown == (["[...]"] * 5 if side == "q" else ["widget", "widget", "widgets", "widget's", "WIDGET"])
        colour = gaps.first.evaluate("e => getComputedStyle(e).color")
        assert colour == ("rgb(143, 180, 255)" if night else "rgb(31, 79, 154)")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than a {width}px screen"
        page.screenshot(path=str(SHOTS / f"cloze-{side}-{width}-{'night' if night else 'light'}.png"), full_page=True)
        page.close()
