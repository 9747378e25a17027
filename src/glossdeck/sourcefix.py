"""`glossdeck source edit` and `source remove`: a source's details corrected, or the source taken out, with the
checks `source add` makes; each writes atomically, or not at all."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from glossdeck import citations, pipeline, sourcesfile, validate
from glossdeck.authoring import glossary_lock
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.formats import Text
from glossdeck.load import load_yaml
from glossdeck.model import Glossary, Source
from glossdeck.seeds import load_seeds
from glossdeck.sourcing import check_choices, check_sources_text, glossary_and_sources_text, refuse_unread_terms
from glossdeck.writer import write_atomically

# What `source edit` may change; the rest (file, sha256, format) belongs to the text, which `source update` changes.
EDITABLE = ("title", "author", "date", "url", "venue", "speakers", "headings")


def _known(glossary: Glossary, source_id: str) -> Source:
    if source_id not in glossary.sources:
        hint = ("known: " + ", ".join(sorted(glossary.sources))) if glossary.sources else \
            "add it first with `glossdeck source add FILE --id ID`"
        raise GlossdeckError([Problem(None, None, f"unknown source `{source_id}`", hint)])
    return glossary.sources[source_id]


def edit(root: Path, source_id: str, changes: dict[str, Any], dry_run: bool = False) -> tuple[Source, str]:
    """Change these details of a source (a value of None or () removes an optional one); return the new source and
    its entry as written. Nothing is written if any check fails: the new details, and every quote that cites it."""
    unknown = set(changes) - set(EDITABLE)
    assert not unknown, f"not editable: {unknown}"
    with glossary_lock(root):
        glossary, old_text = glossary_and_sources_text(root)
        old = _known(glossary, source_id)
        refuse_unread_terms(root, glossary, source_id)
        if not changes:
            raise GlossdeckError([Problem(None, None, "nothing to change",
                                          "give what to change, e.g. --title \"…\" or --speakers A,B")])
        for key in ("title", "author"):
            if key in changes and not (changes[key] or "").strip():
                raise GlossdeckError([Problem(None, None, f"--{key} cannot be empty", "every source has one")])
        raw = _seed_text(root, old)
        text = Text(b"", raw, old.format)
        check_choices(text, tuple(changes.get("headings") or ()), tuple(changes.get("speakers") or ()))
        # an empty value takes an optional detail out (a date that was wrong, speakers of no dialogue)
        written = {key: (list(value) if isinstance(value, tuple) else value) or None for key, value in
                   changes.items()}
        new_text = sourcesfile.set_fields(old_text, source_id, written)
        sources = check_sources_text(root, new_text, {source_id: raw})
        _check_citing_terms(root, glossary, sources, source_id)
        if not dry_run:
            write_atomically(root / pipeline.SOURCES_FILE, new_text.encode("utf-8"))
    return dataclasses.replace(sources[source_id], path=old.path), _entry_lines(new_text, source_id)


def _entry_lines(text: str, source_id: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"{source_id}:" or
                 line.startswith(f"{source_id}:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n", "#")), len(lines))
    return "".join(lines[start:end])


def _seed_text(root: Path, source: Source) -> str:
    seeds, found = load_seeds(root / pipeline.SEEDS_DIR, {source.id: source})
    if found:
        raise GlossdeckError(found)
    return seeds[source.id].raw


def _check_citing_terms(root: Path, glossary: Glossary, sources: dict[str, Source], source_id: str) -> None:
    """Every term that cites the source, validated and resolved again against its new details (a speaker taken
    out of the list would leave a quote naming no speaker of the dialogue)."""
    problems = Problems()
    terms = []
    for term in glossary.terms:
        if term.path is None or not any(c.source == source_id for c in term.all_citations):
            continue
        data, found = load_yaml(root / pipeline.TERMS_DIR / term.path.name, term.path)
        problems.extend(found)
        again = validate.validate_term(data, term.path, sources, problems)
        if again is not None:
            terms.append(again)
    problems.raise_if_errors()
    seeds, found = load_seeds(root / pipeline.SEEDS_DIR, {source_id: sources[source_id]})
    problems.extend(found)
    citations.resolve(dataclasses.replace(glossary, sources=sources, terms=tuple(terms)), seeds, problems)
    if problems.errors:
        count = len(problems.errors)
        problems.error(None, None, f"{count} problem{'s' if count != 1 else ''} in the terms that cite "
                       f"`{source_id}` with its new details", "fix those terms first, or change less")
    problems.raise_if_errors()


def citing(glossary: Glossary, source_id: str) -> list[Problem]:
    """Each term that cites the source, at its first citation of it."""
    found = []
    for term in glossary.terms:
        quoting = [c for c in term.all_citations if c.source == source_id]
        if quoting:
            found.append(Problem(term.path, quoting[0].line, f"term `{term.id}` cites `{source_id}` "
                                 f"({len(quoting)} quote{'s' if len(quoting) != 1 else ''})"))
    return found


def remove(root: Path, source_id: str, dry_run: bool = False) -> Path:
    """Take a source out of sources.yaml and its seed out of seeds/, both or neither; refused while terms cite it."""
    with glossary_lock(root):
        glossary, old_text = glossary_and_sources_text(root)
        source = _known(glossary, source_id)
        refuse_unread_terms(root, glossary, source_id)
        users = citing(glossary, source_id)
        if users:
            count = len(users)
            raise GlossdeckError(users + [Problem(None, None, f"{count} term{'s' if count != 1 else ''} still "
                                                  f"cite{'s' if count == 1 else ''} `{source_id}`",
                                                  "remove those quotes (or the terms) first, then remove the source")])
        new_text = sourcesfile.remove_entry(old_text, source_id)
        check_sources_text(root, new_text, {})
        seed = root / pipeline.SEEDS_DIR / source.file
        if dry_run:
            return seed
        _remove_both(root / pipeline.SOURCES_FILE, new_text.encode("utf-8"), seed)
    return seed


def _remove_both(sources_file: Path, data: bytes, seed: Path) -> None:
    """The seed set aside under a hidden name, sources.yaml replaced, then the seed deleted; if sources.yaml cannot
    be replaced, the seed is put back."""
    aside = seed.with_name(f".{seed.name}.removed")
    present = seed.exists()
    if present:
        os.replace(seed, aside)
    try:
        write_atomically(sources_file, data)
    except BaseException:
        if present:
            os.replace(aside, seed)
        raise
    if present:
        aside.unlink()
