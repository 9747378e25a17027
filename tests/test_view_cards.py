"""Optional view cards (`view_cards: true`): one card per contested view, imported into a real Anki."""

import pytest

pytest.importorskip("anki")
from anki.lang import set_lang  # noqa: E402
from anki.utils import strip_html  # noqa: E402

from glossdeck import pipeline  # noqa: E402
from glossdeck.render.anki import MODEL_NAME, VIEW_MODEL_NAME  # noqa: E402

VIEW_TYPE = f"{VIEW_MODEL_NAME} · Test Glossary"  # each glossary has its own note types
from tests.anki_client import import_package, new_collection  # noqa: E402
from tests.conftest import make_project  # noqa: E402

set_lang("en")
SETTINGS = "glossary/glossary.yaml"


def with_view_cards(root, on: bool) -> None:
    path = root / SETTINGS
    text = path.read_text(encoding="utf-8").replace("view_cards: true\n", "")
    path.write_text(text + ("view_cards: true\n" if on else ""), encoding="utf-8")


def models_in_use(col) -> dict[str, int]:
    return {m["name"]: len(col.models.nids(m["id"])) for m in col.models.all() if m["name"].startswith("glossdeck")}


def test_view_cards_are_off_by_default(built, tmp_path):
    col = new_collection(tmp_path / "anki")
    import_package(col, built["deck"])
    assert models_in_use(col) == {MODEL_NAME: 4}
    col.close()


def test_each_view_becomes_a_card_that_asks_for_the_position(tmp_path):
    root = make_project(tmp_path / "p")
    with_view_cards(root, True)
    deck = pipeline.build(root, out=root / "out", targets=("deck",), timestamp=1_700_000_000).outputs["deck"]
    col = new_collection(tmp_path / "anki")
    log = import_package(col, deck)
    assert len(log.new) == 6 and models_in_use(col) == {MODEL_NAME: 4, VIEW_TYPE: 2}
    cards = [col.get_card(c) for c in col.find_cards(f'"note:{VIEW_TYPE}"')]
    questions = sorted(strip_html(c.question()) for c in cards)
    assert questions == ["Views differWhat does Doomer argue about corrigibility?",
                         "Views differWhat does Simplicia argue about corrigibility?"]
    answer = strip_html(next(c for c in cards if "Simplicia" in c.question()).answer())
    assert "Current systems already" in answer or "corrigib" in answer
    assert "“" in answer and "Simplicia, in Zack M. Davis" in answer
    col.close()


def test_turning_view_cards_off_retires_their_notes(tmp_path):
    root = make_project(tmp_path / "p")
    with_view_cards(root, True)
    col = new_collection(tmp_path / "anki")
    import_package(col, pipeline.build(root, out=root / "a", targets=("deck",), timestamp=1_700_000_000)
                   .outputs["deck"])
    with_view_cards(root, False)
    _, warnings = pipeline.check(root)
    assert sorted(w.message.split(" (")[0] for w in warnings) == [
        "the view card `corrigibility/view/doomer`", "the view card `corrigibility/view/simplicia`"]
    log = import_package(col, pipeline.build(root, out=root / "b", targets=("deck",), timestamp=1_700_086_400)
                         .outputs["deck"])
    assert len(log.updated) == 2 and not log.new
    retired = [col.get_note(n) for n in col.find_notes("tag:glossdeck::retired")]
    assert len(retired) == 2 and all("Retired." in strip_html(n.cards()[0].answer()) for n in retired)
    col.close()
