"""The deck's own preset: Anki's default options with siblings buried, for students who import deck presets."""

from __future__ import annotations

import json
from typing import Any


def preset_name(deck_name: str) -> str:
    return f"{deck_name} (siblings buried)"


def sibling_preset(preset_id: int, deck_name: str, mtime: int) -> dict[str, Any]:
    """Anki's default options (as a new collection of Anki 26.9 has them), but a card answered today keeps its
    siblings, new, review or learning, away until tomorrow. In Anki's own (schema 11) form, which every
    release reads."""
    return {
        "id": preset_id, "name": preset_name(deck_name), "mod": mtime, "usn": -1, "dyn": False,
        "maxTaken": 60, "autoplay": True, "timer": 0, "replayq": True,
        "new": {"bury": True, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 0], "order": 1,
                "perDay": 20},
        "rev": {"bury": True, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200, "hardFactor": 1.2},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
        "buryInterdayLearning": True,
    }


def add_preset(cursor: Any, deck_id: int, preset: dict[str, Any]) -> None:
    """Put the preset into a package's collection and make it the deck's (genanki gives every deck preset 1)."""
    (configs_json, decks_json), = cursor.execute("SELECT dconf, decks FROM col").fetchall()
    configs, decks = json.loads(configs_json), json.loads(decks_json)
    configs[str(preset["id"])] = preset
    decks[str(deck_id)]["conf"] = preset["id"]
    cursor.execute("UPDATE col SET dconf = ?, decks = ?", (json.dumps(configs, sort_keys=True),
                                                          json.dumps(decks, sort_keys=True)))
