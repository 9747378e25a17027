"""`glossdeck source add/list/update`: the only code that writes seeds and sources.yaml."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossdeck import citations, dialogue, pipeline, sourcesfile, validate
from glossdeck.authoring import glossary_lock
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import parse_yaml
from glossdeck.model import Glossary, Source, name_problem
from glossdeck.seeds import Seed, load_seeds
from glossdeck.writer import create_new, write_all, write_atomically
from glossdeck.formats import Text, read_source

MAX_HEADING_WORDS = 12


@dataclass(frozen=True)
class Plan:
    """A new source, checked, with what `source add` proposes; nothing is written until `write_new`."""

    root: Path
    source: Source
    text: Text
    seed_path: Path
    headings: tuple[str, ...]  # proposed: plain-text heading lines, or a Markdown file's own headings
    speakers: tuple[str, ...]
    in_place: bool = False  # the file given is already seeds/<its seed name>: nothing to copy


def read_text(path: Path, language: str = "en") -> Text:
    """A file as a seed: UTF-8 text or Markdown kept byte for byte; a web page, a PDF or an EPUB converted."""
    return read_source(path, language)


def propose_headings(text: Text, title: str) -> tuple[str, ...]:
    """Lines that stand alone like headings: Markdown's own, or short unpunctuated lines between blank lines."""
    if text.format == "markdown":  # as a reader sees them, which is how locations will name them
        seed = Seed(Source(id="new", file="", sha256="", title=title, author="", format="markdown"), text.raw)
        return tuple(heading for _, heading in seed.headings if heading)
    lines = text.raw.splitlines(keepends=True)
    starts = [0, *itertools.accumulate(len(line) for line in lines)]
    found: list[str] = []
    after = 0  # seeds.py finds each heading after the one before it: the text between is searched once
    for index, line in enumerate(lines):
        stripped = line.strip()
        words = stripped.split()
        if not (0 < len(words) <= MAX_HEADING_WORDS and stripped[0].isupper() and stripped != title
                and not re.search(r"[.,;:!?…\"”’)]$", stripped) and stripped not in found):
            continue
        alone = (index == 0 or not lines[index - 1].strip()) and (index + 1 >= len(lines)
                                                                   or not lines[index + 1].strip())
        at = starts[index] + line.index(stripped)
        # where seeds.py will look for it: an earlier occurrence would misplace the heading
        if alone and text.raw.find(stripped, after, at + len(stripped)) == at:
            found.append(stripped)
            after = at + len(stripped)
    return tuple(found)


def check_choices(text: Text, headings: tuple[str, ...], speakers: tuple[str, ...], shown: Path | None = None
                  ) -> None:
    """The same checks for headings and speakers however they were chosen (found, given, or edited)."""
    problems = Problems()
    markdown = text.format == "markdown"
    if headings and markdown:
        problems.error(shown, None, "a Markdown text's headings are its own `#` lines",
                       "leave out --heading: they are found in the text")
    for heading in headings:
        if heading not in text.raw:
            problems.error(shown, None, f"heading {heading!r} is not in the text",
                           "copy the heading line exactly as the text has it")
    opening = dialogue.names_opening_turns(text.raw, markdown)
    for name in speakers:
        wrong = name_problem(name)
        if wrong:
            problems.error(shown, None, f"speaker {name!r} {wrong[0]}", wrong[1])
        elif name not in opening:
            turn = f"**{name}**:" if markdown else f"{name}:"
            problems.error(shown, None, f"speaker {name!r} opens no turn in the text",
                           f"a turn is a paragraph that begins `{turn}`; give the names as the text writes them")
    problems.raise_if_errors()


def entry_fields(source: Source) -> dict[str, Any]:
    """A source's entry in sources.yaml, as the hand-written ones have it (empty keys left out)."""
    fields: dict[str, Any] = {"file": source.file, "sha256": source.sha256, "title": source.title,
                              "author": source.author}
    for key in ("subtitle", "date", "venue"):
        if getattr(source, key):
            fields[key] = getattr(source, key)
    fields["url"] = source.url
    if source.version:
        fields["version"] = source.version
    if source.draft:
        fields["draft"] = True
    fields["format"] = source.format
    if source.pages:
        fields["pages"] = True
    if source.page_labels:
        fields["page_labels"] = list(source.page_labels)
    if source.speakers:
        fields["speakers"] = list(source.speakers)
    if source.headings:
        fields["headings"] = list(source.headings)
    return fields


def plan_add(root: Path, file: Path, source_id: str, title: str | None = None, author: str | None = None,
             date: str | None = None, url: str | None = None, venue: str | None = None) -> Plan:
    """Read and check a new source; propose its headings and speakers. Raises GlossdeckError, writing nothing."""
    glossary, _ = glossary_and_sources_text(root)
    text = read_text(file, glossary.settings.language)
    problems = Problems()
    if not validate.ID_PATTERN.match(source_id):
        problems.error(None, None, f"{source_id!r} is not a valid source id",
                       "use lowercase words joined by hyphens, e.g. `--id gettysburg-address`")
    title = title or text.title
    author = author or text.author
    for value, option in ((title, "--title"), (author, "--author")):
        if not (value or "").strip():
            problems.error(None, None, f"missing {option}", f"pass {option} \"…\" (it is shown with every quote)")
    if source_id in glossary.sources:
        problems.error(glossary.sources[source_id].path, glossary.sources[source_id].line,
                       f"source `{source_id}` already exists",
                       f"choose another --id, or replace its text with `glossdeck source update {source_id} FILE`")
    seed_name = f"{source_id}{'.md' if text.format == 'markdown' else '.txt'}"
    seed_path = root / pipeline.SEEDS_DIR / seed_name
    digest = hashlib.sha256(text.data).hexdigest()
    for other in glossary.sources.values():
        if other.file == seed_name:
            problems.error(other.path, other.line, f"source `{other.id}` already uses seed file {seed_name}",
                           "choose another --id")
        if other.sha256 == digest:
            problems.error(other.path, other.line, f"this text is already the seed of source `{other.id}`",
                           "each text is added once; cite it as `" + other.id + "`")
    in_place = seed_path.exists() and seed_path.resolve() == file.resolve() and not text.origin
    if seed_path.exists() and not in_place and not any(o.file == seed_name for o in glossary.sources.values()):
        problems.error(seed_path, None, "a file of that name is already in seeds/",
                       "choose another --id, or move the file away if no source uses it")
    problems.raise_if_errors()
    source = Source(id=source_id, file=seed_name, sha256=digest, title=" ".join(title.split()),
                    author=" ".join((author or "").split()), date=date or "", venue=venue or "", url=url or None,
                    version=text.origin, format=text.format, pages=text.paged, page_labels=text.page_labels)
    speakers = dialogue.propose_speakers(text.raw, text.format == "markdown")
    headings = text.headings if text.kind == "pdf" else propose_headings(text, source.title)
    return Plan(root, source, text, seed_path, headings, speakers, in_place)


def chosen(plan: Plan, headings: tuple[str, ...], speakers: tuple[str, ...]) -> Source:
    """The new source with the headings and speakers chosen (a Markdown text's headings are its own)."""
    return dataclasses.replace(plan.source, speakers=speakers, headings=headings if plan.text.format == "text" else ())


def entry_text(plan: Plan, headings: tuple[str, ...], speakers: tuple[str, ...]) -> str:
    """The entry `write_new` would add to sources.yaml."""
    source = chosen(plan, headings, speakers)
    return sourcesfile.entry_text(source.id, entry_fields(source))


def write_new(plan: Plan, headings: tuple[str, ...], speakers: tuple[str, ...]) -> Path:
    """Check the entry exactly as `check` will read it, then write the seed and the entry; all or nothing."""
    source = chosen(plan, headings, speakers)
    root = plan.root
    with glossary_lock(root):
        glossary, old_text = glossary_and_sources_text(root)
        if source.id in glossary.sources:
            raise GlossdeckError([Problem(None, None, f"source `{source.id}` was added meanwhile",
                                          "choose another --id")])
        new_text = sourcesfile.add_entry(old_text, source.id, entry_fields(source))
        check_sources_text(root, new_text, {source.id: plan.text.raw})
        if plan.in_place:
            if hashlib.sha256(plan.seed_path.read_bytes()).hexdigest() != source.sha256:
                raise GlossdeckError([Problem(plan.seed_path, None, "changed while it was being added", "run again")])
        else:
            _create(plan.seed_path, plan.text.data)
        try:
            write_atomically(root / pipeline.SOURCES_FILE, new_text.encode("utf-8"))
        except BaseException:
            if not plan.in_place:
                plan.seed_path.unlink(missing_ok=True)
            raise
    return plan.seed_path


def glossary_and_sources_text(root: Path) -> tuple[Glossary, str]:
    """The glossary (terms need not be valid) and sources.yaml as text; the settings and sources must be valid."""
    glossary, problems = pipeline.load_glossary(root)
    wanted = (str(pipeline.SETTINGS_FILE), str(pipeline.SOURCES_FILE))
    blocking = [p for p in problems.errors if p.path is None or str(p.path).endswith(wanted)]
    if blocking:
        raise GlossdeckError(blocking)
    path = root / pipeline.SOURCES_FILE
    return glossary, path.read_text(encoding="utf-8") if path.exists() else ""


def refuse_unread_terms(root: Path, glossary: Glossary, source_id: str) -> None:
    """Refuse to change or remove a source while a term file could not be read: it may cite that source, and
    nothing could then say which of its quotes the change would break."""
    read = {term.path.resolve() for term in glossary.terms if term.path is not None}
    unread = sorted(path for path in (root / pipeline.TERMS_DIR).glob("*.yaml") if path.resolve() not in read)
    if unread:
        raise GlossdeckError([Problem(path, None, f"this term file could not be read, so whether it cites "
                                      f"`{source_id}` cannot be told", "fix it first (`glossdeck check` says what is "
                                      "wrong with it), then run this again") for path in unread])


def check_sources_text(root: Path, text: str, raws: dict[str, str]) -> dict[str, Source]:
    """Validate a new sources.yaml with `check`'s own rules, and each changed seed's headings and speakers."""
    shown = Path(pipeline.SOURCES_FILE)
    problems = Problems()
    data, found = parse_yaml(text.encode("utf-8"), shown)
    problems.extend(found)
    sources = validate.validate_sources(data, shown, problems)
    problems.raise_if_errors()
    for source_id, raw in raws.items():
        seed = Seed(sources[source_id], raw)
        for heading in seed.missing_headings():
            problems.error(shown, sources[source_id].line, f"heading {heading!r} is not in the new text",
                           "remove it from `headings:`, or fix the text")
    problems.raise_if_errors()
    return sources


def _create(path: Path, data: bytes) -> None:
    """Write a new file atomically, never over one that exists (even one that appeared meanwhile)."""
    try:
        create_new(path, data)
    except FileExistsError:
        raise GlossdeckError([Problem(path, None, "a file of that name appeared in seeds/ meanwhile",
                                      "choose another --id")]) from None


def citing_terms(glossary: Glossary) -> dict[str, int]:
    """How many terms cite each source."""
    counts = {source_id: 0 for source_id in glossary.sources}
    for term in glossary.terms:
        for source_id in {c.source for c in term.all_citations}:
            if source_id in counts:
                counts[source_id] += 1
    return counts


def list_sources(root: Path) -> tuple[Glossary, dict[str, int]]:
    glossary, _ = glossary_and_sources_text(root)
    return glossary, citing_terms(glossary)


@dataclass(frozen=True)
class Update:
    """A seed's new text, and every quote that no longer resolves against it."""

    source: Source
    text: Text
    broken: list[Problem]
    old_sha256: str  # the seed it replaces: if sources.yaml says otherwise by then, someone else changed it
    old_pages: bool = False


def plan_update(root: Path, source_id: str, file: Path) -> Update:
    """Check a new text for a source against every quote that cites it; nothing is written."""
    glossary, _ = glossary_and_sources_text(root)
    if source_id not in glossary.sources:
        hint = ("known: " + ", ".join(sorted(glossary.sources))) if glossary.sources else \
            "add it first with `glossdeck source add FILE --id ID`"
        raise GlossdeckError([Problem(None, None, f"unknown source `{source_id}`", hint)])
    refuse_unread_terms(root, glossary, source_id)
    old = glossary.sources[source_id]
    text = read_text(file, glossary.settings.language)
    if text.format != old.format:
        text = dataclasses.replace(text, format=old.format)  # the source's format is kept; its quotes depend on it
    digest = hashlib.sha256(text.data).hexdigest()
    if digest == old.sha256:
        raise GlossdeckError([Problem(file, None, f"this is already the text of `{source_id}`", "nothing to do")])
    source = dataclasses.replace(old, sha256=digest, version=text.origin or old.version, pages=text.paged,
                                 page_labels=text.page_labels)
    seeds, found = load_seeds(root / pipeline.SEEDS_DIR, {k: v for k, v in glossary.sources.items() if k != source_id})
    if found:
        raise GlossdeckError(found)
    seeds[source_id] = Seed(source, text.raw)
    problems = Problems()
    for heading in seeds[source_id].missing_headings():
        problems.error(old.path, old.line, f"heading {heading!r} of `{source_id}` is not in the new text",
                       "remove it from `headings:` in sources.yaml after the update, or fix the text")
    citing = tuple(t for t in glossary.terms if any(c.source == source_id for c in t.all_citations))
    citations.resolve(dataclasses.replace(glossary, terms=citing), seeds, problems)
    return Update(source, text, problems.errors, old.sha256, old.pages)


def write_update(root: Path, update: Update) -> Path:
    """Swap the seed's bytes and record its new SHA-256 (and origin) in sources.yaml: both files or neither."""
    source = update.source
    with glossary_lock(root):
        path = root / pipeline.SOURCES_FILE
        old_text = path.read_text(encoding="utf-8")
        glossary, _ = glossary_and_sources_text(root)
        if glossary.sources.get(source.id, source).sha256 != update.old_sha256:
            raise GlossdeckError([Problem(path, None, f"source `{source.id}` changed meanwhile", "run it again")])
        changes: dict[str, Any] = {"sha256": source.sha256}
        if update.text.origin:
            changes["version"] = source.version
        if source.pages or update.old_pages:  # a PDF's new text has its own pages
            changes["pages"] = source.pages or None
            changes["page_labels"] = list(source.page_labels) or None
        new_text = sourcesfile.set_fields(old_text, source.id, changes)
        check_sources_text(root, new_text, {source.id: update.text.raw})
        seed_path = root / pipeline.SEEDS_DIR / source.file
        write_all({path: new_text.encode("utf-8"), seed_path: update.text.data})
    return seed_path
