"""Runs inside one Anki version's venv: performs a student's steps on a collection and prints JSON results.

It imports only `anki` (and the standard library), so it runs on every tested release:
2.1.49 (legacy importer only), 2.1.66 (new importer, no options) and 23.10+ (new importer
with options). Usage: python driver.py '{"collection": PATH, "output": PATH, "steps": [STEP, ...]}'.
"""

from __future__ import annotations

import json
import sys
import time

from anki.buildinfo import version as ANKI_VERSION
from anki.collection import Collection
from anki.lang import set_lang


def _notes(col: Collection) -> dict[str, dict]:
    """Every note by guid: what an update can change (fields, tags, note type) and its mtime."""
    names = {m["id"]: m["name"] for m in col.models.all()}
    rows = col.db.all("select guid, mod, flds, tags, mid from notes")
    notes = {}
    for guid, mod, flds, tags, mid in rows:
        model = col.models.get(mid)
        fields = dict(zip([f["name"] for f in model["flds"]], flds.split("\x1f")))
        notes[guid] = {"mod": mod, "fields": fields, "tags": tags.strip(), "notetype": names[mid]}
    return notes


def _import(col: Collection, step: dict) -> dict:
    before = _notes(col)
    try:
        from anki.import_export_pb2 import ImportAnkiPackageRequest
    except ImportError:  # 2.1.49: the legacy importer only
        ImportAnkiPackageRequest = None
    if step.get("legacy") or ImportAnkiPackageRequest is None:
        from anki.importing.apkg import AnkiPackageImporter

        importer = AnkiPackageImporter(col, step["package"])
        importer.run()
        importer_used = "legacy"
    elif "options" not in ImportAnkiPackageRequest.DESCRIPTOR.fields_by_name:  # 2.1.66: a path, no options
        col.import_anki_package(step["package"])
        importer_used = "new"
    else:
        options = step.get("options", {})
        request = ImportAnkiPackageRequest(package_path=step["package"])
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageUpdateCondition

        # Always explicit: a new profile's defaults unless the step says otherwise.
        conditions = {"if_newer": ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                      "always": ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS}
        chosen = {"merge_notetypes": options.get("merge_notetypes", False),
                  "update_notes": conditions[options.get("update_notes", "if_newer")],
                  "update_notetypes": conditions[options.get("update_notetypes", "if_newer")],
                  "with_scheduling": False,  # 23.10 has no with_deck_configs ("Import deck presets")
                  "with_deck_configs": options.get("with_deck_configs", False)}
        known = ImportAnkiPackageOptions.DESCRIPTOR.fields_by_name
        request.options.CopyFrom(ImportAnkiPackageOptions(**{k: v for k, v in chosen.items() if k in known}))
        col.import_anki_package(request)
        importer_used = "new"
    if hasattr(col.models, "_clear_cache"):  # the importer changed note types behind the cache's back
        col.models._clear_cache()
    after = _notes(col)
    changed = [g for g in after if g in before and after[g] != before[g]]
    return {"importer": importer_used, "finished": time.time(),
            "new": sorted(after[g]["fields"].get("TermId", "") for g in after if g not in before),
            "changed": sorted(after[g]["fields"].get("TermId", "") for g in changed),
            "changed_content": sorted(after[g]["fields"].get("TermId", "") for g in changed
                                      if {**after[g], "mod": 0} != {**before[g], "mod": 0})}


def _deck_id(col: Collection, name: str) -> int:
    return col.decks.id_for_name(name)


def _render(col: Collection, step: dict) -> dict:
    cards = []
    for card_id in col.find_cards(f'"deck:{step["deck"]}"'):
        card = col.get_card(card_id)
        cards.append({"term_id": card.note()["TermId"], "ord": card.ord, "notetype": card.note().note_type()["name"],
                      "question": card.question(), "answer": card.answer()})
    return {"cards": sorted(cards, key=lambda c: (c["term_id"], c["ord"]))}


def _study(col: Collection, step: dict) -> dict:
    col.decks.select(_deck_id(col, step["deck"]))
    if ANKI_VERSION.startswith("2.1."):  # later versions reset by themselves (and warn about reset())
        col.reset()
    studied = []
    for _ in range(step["answers"]):
        card = col.sched.getCard()
        col.sched.answerCard(card, 3)
        studied.append(card.id)
    return {"studied": studied}


def _study_day(col: Collection, step: dict) -> dict:
    """A day's study as a student does it: every card Anki shows, answered Good, until it shows no more.

    Learning steps (1 and 10 minutes) come again at once: nothing else is left, and Anki shows
    learning cards up to 20 minutes early then. Each answer: the card, its note's term and kind, and
    whether the card was new, in learning or a review when shown.
    """
    col.decks.select(_deck_id(col, step["deck"]))
    if ANKI_VERSION.startswith("2.1."):
        col.reset()
    answers = []
    kinds = {0: "new", 1: "learning", 2: "review", 3: "relearning"}
    for _ in range(step.get("limit", 2000)):
        card = col.sched.getCard()
        if card is None:
            break
        note = card.note()
        answers.append({"card": card.id, "term_id": note["TermId"], "ord": card.ord,
                        "notetype": note.note_type()["name"],
                        "was": kinds[card.type]})
        col.sched.answerCard(card, 3)
    else:
        raise RuntimeError("Anki kept showing cards: the day never ended")
    return {"answers": answers}


def _next_day(col: Collection, step: dict) -> dict:
    """A day passes: the collection is made a day older. Last step of a run: Anki works out "today" once."""
    col.crt = col.crt - 86_400
    return {}


def _deck_options(col: Collection, step: dict) -> dict:
    """The preset the deck uses, and what it buries."""
    config = col.decks.config_dict_for_deck_id(_deck_id(col, step["deck"]))
    return {"id": config["id"], "name": config["name"], "bury_new": config["new"]["bury"],
            "bury_reviews": config["rev"]["bury"], "bury_learning": config.get("buryInterdayLearning", False),
            "new_per_day": config["new"]["perDay"]}


def _use_default_preset(col: Collection, step: dict) -> dict:
    deck = col.decks.get(_deck_id(col, step["deck"]))
    deck["conf"] = 1
    col.decks.save(deck)
    return {}


def _positions(col: Collection, step: dict) -> dict:
    """Each new card's place in the new-card queue, with its term and note type."""
    rows = col.db.all("select c.id, c.due, c.ord, n.mid, n.flds from cards c join notes n on c.nid = n.id "
                      "where c.type = 0 and c.did = ?", _deck_id(col, step["deck"]))
    names = {m["id"]: (m["name"], [f["name"] for f in m["flds"]]) for m in col.models.all()}
    cards = []
    for card_id, due, ord_, mid, flds in rows:
        name, fields = names[mid]
        cards.append({"card": card_id, "due": due, "ord": ord_, "notetype": name,
                      "term_id": dict(zip(fields, flds.split("\x1f"))).get("TermId", "")})
    return {"cards": sorted(cards, key=lambda c: c["due"])}


def _scheduling(col: Collection, step: dict) -> dict:
    rows = col.db.all("select id, type, queue, due, ivl, reps, did from cards order by id")
    return {"cards": {str(r[0]): r[1:] for r in rows}, "revlog": col.db.scalar("select count() from revlog")}


def _edit(col: Collection, step: dict) -> dict:
    """A student's own change to a note (as in the editor): the note's mtime becomes now."""
    note = col.get_note(col.find_notes(f'"TermId:{step["term_id"]}"')[0])
    note[step["field"]] = step["value"]
    col.update_note(note) if hasattr(col, "update_note") else note.flush()
    return {}


def _deck(col: Collection, step: dict) -> dict:
    deck = col.decks.get(_deck_id(col, step["deck"]))
    models = {m["name"]: m["css"] for m in col.models.all()}
    return {"description": deck.get("desc", ""), "css": models}


STEPS = {"import": _import, "render": _render, "study": _study, "scheduling": _scheduling,
         "edit": _edit, "deck": _deck, "notes": lambda col, step: {"notes": _notes(col)},
         "study_day": _study_day, "next_day": _next_day, "deck_options": _deck_options,
         "use_default_preset": _use_default_preset, "positions": _positions}


def main() -> None:
    plan = json.loads(sys.argv[1])
    set_lang("en")
    col = Collection(plan["collection"])
    results = []
    try:
        for step in plan["steps"]:
            results.append(STEPS[step["do"]](col, step))
    finally:
        col.close()
    with open(plan["output"], "w", encoding="utf-8") as out:  # not stdout: Anki prints its own warnings there
        json.dump({"anki": ANKI_VERSION, "results": results}, out)


if __name__ == "__main__":
    main()
