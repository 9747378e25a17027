"""`source_noun`: what a glossary's texts are called, in every output a reader sees (issue 20: "Essay(s)" was fixed
wording in the booklet, the site, the deck and `find`, even for a licence or a policy)."""

import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from glossdeck import pipeline
from glossdeck.model import Settings, plural_of
from glossdeck.render import anki
from tests.conftest import FIXTURES
from tests.test_sourcing import run


@pytest.mark.parametrize("noun, plural", [
    ("essay", "essays"), ("paper", "papers"), ("chapter", "chapters"), ("speech", "speeches"), ("box", "boxes"),
    ("study", "studies"), ("survey", "surveys"), ("thesis", "thesises"), ("source text", "source texts"),
    ("policy", "policies")])
def test_the_plural_follows_the_regular_rule(noun, plural):
    assert plural_of(noun) == plural
    assert Settings(source_noun=noun).sources_noun == plural


def test_an_irregular_plural_is_set():
    assert Settings(source_noun="thesis", source_noun_plural="theses").sources_noun == "theses"
    assert Settings().sources_noun == "sources"  # the default


def _project(tmp_path: Path, settings: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "other", root)
    with open(root / "glossary" / "glossary.yaml", "a", encoding="utf-8") as handle:
        handle.write(settings)
    return root


@pytest.mark.parametrize("value, message", [
    ("'essay 2'", "`source_noun: essay 2` is not a noun to put in a sentence"),
    ("'<b>essay</b>'", "is not a noun to put in a sentence"),
    ("''", "is not a noun to put in a sentence"),
    ("'" + "long" * 12 + "'", "is not a noun to put in a sentence"),
])
def test_a_noun_that_cannot_stand_in_a_sentence_is_refused(tmp_path, value, message):
    root = _project(tmp_path, f"source_noun: {value}\n")
    result = run(root, "check")
    assert result.exit_code == 1 and message in result.output and "glossary.yaml:" in result.output


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    """The founding-texts glossary, calling its sources papers, with every output built."""
    root = _project(tmp_path_factory.mktemp("noun"), "source_noun: paper\nview_cards: true\n")
    pipeline.build(root)
    return root


def _visible_html(path: Path) -> str:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def test_no_output_says_essay_and_each_says_papers(papers):
    build = papers / "build"
    seen: dict[str, str] = {}
    for page in (build / "founding-texts-site").rglob("*.html"):
        seen[str(page.relative_to(build))] = _visible_html(page)
    for name in ("founding-texts-booklet.pdf", "founding-texts-cards.pdf"):
        seen[name] = "\n".join(page.extract_text() for page in pypdf.PdfReader(build / name).pages)
    with zipfile.ZipFile(build / "founding-texts.apkg") as package:
        data = package.read("collection.anki2")
    database = papers / "deck.sqlite"
    database.write_bytes(data)
    with sqlite3.connect(database) as connection:
        models = connection.execute("select models from col").fetchone()[0]
        seen["deck notes"] = "\n".join(row[0] for row in connection.execute("select flds from notes"))
    seen["deck note types"] = "\n".join(t["afmt"] + t["qfmt"] for m in json.loads(models).values()
                                        for t in m["tmpls"])
    for where, text in seen.items():
        assert not re.search("essay", text, re.IGNORECASE), where
    assert "In the papers" in seen["deck note types"]
    assert "The papers" in seen["founding-texts-booklet.pdf"] and "Where the papers disagree" in \
        " ".join(seen["founding-texts-booklet.pdf"].split())
    term_pages = [text for where, text in seen.items() if "/terms/" in where]
    assert any("In the papers" in text and "See it in the paper" in text for text in term_pages)
    assert any("This is the copy of the paper" in text for where, text in seen.items() if "/sources/" in where)


def test_show_names_the_sources_with_the_noun(papers):
    result = run(papers, "show", "consent of the governed")
    assert result.exit_code == 0 and "In the papers:" in result.output


def test_the_shipped_glossary_keeps_its_note_type():
    glossary, _ = pipeline.load_glossary(Path(__file__).resolve().parent.parent)
    assert glossary.settings.sources_noun == "essays"
    # the same templates as before the setting existed: students' decks update without a note type change
    assert anki.term_templates(glossary.settings.sources_noun) == anki.TEMPLATES


def test_a_new_noun_reaches_students_with_their_reviews_kept(tmp_path):
    pytest.importorskip("anki")
    from tests.anki_client import import_package, new_collection
    from tests.conftest import make_project
    from tests.test_deck_updates import DAY, DEFAULTS, build, study

    root = make_project(tmp_path / "p")
    col = new_collection(tmp_path / "anki")
    import_package(col, build(root, 1_700_000_000, "v1"), **DEFAULTS)
    studied = study(col, 3)
    settings = root / "glossary" / "glossary.yaml"
    settings.write_text(settings.read_text().replace("source_noun: essay", "source_noun: paper"))
    log = import_package(col, build(root, 1_700_000_000 + DAY, "v2"), **DEFAULTS)
    assert not log.conflicting and not log.new  # the same notes, no note type conflict
    col.models._clear_cache()
    templates = [t["afmt"] for m in col.models.all() if m["name"].startswith(anki.MODEL_NAME) for t in m["tmpls"]]
    assert templates and all("In the papers" in t and "essays" not in t for t in templates)
    for card_id, (kind, queue, due, interval, reps) in studied.items():
        assert col.get_card(card_id).reps == reps  # reviews kept
    col.close()
