"""`glossdeck init`: a new, empty glossary project, written without overwriting anything."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from glossdeck import pipeline
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import parse_yaml
from glossdeck.model import is_id
from glossdeck.validate import validate_settings
from glossdeck.writer import create_all

KEPT_IF_PRESENT = ("README.md", ".gitignore")  # a folder's own README or .gitignore stays as it is


def slug(text: str) -> str:
    """A file-name-safe id from a title: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def settings_yaml(title: str, glossary_id: str) -> str:
    quoted = json.dumps(title, ensure_ascii=False)
    return f"""\
# Glossary-wide settings (see glossdeck's docs/glossary-format.md for every key).
title: {quoted}
subtitle: ""
language: en
deck_name: {quoted}
output_base: {glossary_id}   # build/<output_base>.apkg, build/<output_base>-booklet.pdf, …
id: {glossary_id}            # part of every Anki note's identity: never change it
source_noun: source          # what the texts are called wherever a reader sees them: essay, paper, chapter …
"""


SOURCES_YAML = """\
# One entry per text in seeds/, keyed by a short, stable id that citations use.
# Add one with: glossdeck source add FILE --id ID --title "…" --author "…"
"""

GITIGNORE = """\
/build/
glossary/.glossdeck.lock
"""


def readme(title: str) -> str:
    return f"""\
# {title}

A glossary built with [glossdeck](https://pypi.org/project/glossdeck/): every quote is checked
word for word against the texts in `seeds/`.

Next:

```sh
glossdeck source add article.html --id article --title "The article's title" --author "Its Author"
glossdeck add --term "a term" --gloss "One sentence to remember." --definition "In your own words." \\
  --cite article "a quote of at least four words from the article"
glossdeck build
```

Then commit `glossary/` and `seeds/` (with `glossary/notes.lock`, which `build` keeps current).
"""


def files_for(title: str, glossary_id: str) -> dict[str, str]:
    """Every file a new project holds, by its path inside the project."""
    return {
        pipeline.SETTINGS_FILE: settings_yaml(title, glossary_id),
        pipeline.SOURCES_FILE: SOURCES_YAML,
        f"{pipeline.TERMS_DIR}/.keep": "",
        f"{pipeline.SEEDS_DIR}/.keep": "",
        ".gitignore": GITIGNORE,
        "README.md": readme(title),
    }


def init(folder: Path, title: str | None = None, glossary_id: str | None = None) -> list[Path]:
    """Create a glossary project in `folder`; refuse one already there and never overwrite a file."""
    folder = folder.resolve()
    title = " ".join((title or folder.name.replace("-", " ").replace("_", " ").title()).split())
    glossary_id = glossary_id or slug(title)
    if (folder / pipeline.SETTINGS_FILE).exists():
        raise GlossdeckError([Problem(folder / pipeline.SETTINGS_FILE, None, "this folder already holds a glossary",
                                      "choose another folder, or work on this one (`glossdeck check`)")])
    files = files_for(title, glossary_id)
    problems = Problems()
    if not is_id(glossary_id):
        problems.error(None, None, f"{glossary_id!r} is not a valid glossary id",
                       "pass --id with lowercase words joined by hyphens, e.g. `--id roman-law`")
    else:  # the settings must pass the same checks `glossdeck check` makes
        settings_path = Path(pipeline.SETTINGS_FILE)
        data, found = parse_yaml(files[pipeline.SETTINGS_FILE].encode("utf-8"), settings_path)
        problems.extend(found)
        validate_settings(data, settings_path, problems)
    if folder.exists() and not folder.is_dir():
        problems.error(folder, None, "is a file, not a folder", "name a new or existing folder")
    files = {name: text for name, text in files.items() if not (name in KEPT_IF_PRESENT and (folder / name).exists())}
    for name in files:
        if (folder / name).exists():
            problems.error(folder / name, None, "already exists; glossdeck init never overwrites a file",
                           "move it away, or start the glossary in an empty folder")
    problems.raise_if_errors()
    try:  # all or nothing: a failure leaves neither a file nor a folder made for one
        written = create_all({folder / name: text.encode("utf-8") for name, text in files.items()})
    except FileExistsError as exc:  # appeared meanwhile
        raise GlossdeckError([Problem(Path(os.fsdecode(exc.filename or folder)), None, "already exists; glossdeck "
                                      "init never overwrites a file", "move it away, or start the glossary in an "
                                      "empty folder")]) from None
    return [p for p in written if not p.name == ".keep"] + [folder / pipeline.TERMS_DIR, folder / pipeline.SEEDS_DIR]
