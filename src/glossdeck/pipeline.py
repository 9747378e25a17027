"""check() and build(): the only place that orders the stages load → validate → resolve → render."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from glossdeck import buildcache, changes, citations, deckstate, mentions, termcache, validate, writer
from glossdeck.clozes import cloze_quotes
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.layout import SEEDS_DIR, SETTINGS_FILE, SOURCES_FILE, TERMS_DIR
from glossdeck.load import load_yaml, parse_yaml, read_file
from glossdeck.model import TARGETS, Changes, Glossary, Settings, Source
from glossdeck.seeds import Seed, load_seeds
from glossdeck.termcache import Checked



def find_project(start: Path, named: bool = False) -> Path:
    """The nearest folder at or above `start` that holds glossary/glossary.yaml; only `start` itself when the user
    `named` it (--project DIR means that folder, never one above it)."""
    start = start.resolve()
    for folder in (start,) if named else (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    if named:
        raise GlossdeckError([Problem(start, None, f"holds no {SETTINGS_FILE}, so it is not a glossary project",
                                      "name the project's own folder (the one holding glossary/), start one there "
                                      "with `glossdeck init`, or leave --project out to use the nearest project "
                                      "above the current folder")])
    raise GlossdeckError([Problem(None, None, f"no {SETTINGS_FILE} in {start} or any folder above it",
                                  "run glossdeck inside a glossary project, or pass --project DIR")])


def _shown(path: Path, cwd: Path) -> Path:
    """The path as the user would type it: relative to the working folder when inside it."""
    text, prefix = str(path), str(cwd).rstrip(os.sep) + os.sep
    return Path(text[len(prefix):]) if text.startswith(prefix) else path


def load_glossary(root: Path) -> tuple[Glossary, Problems]:
    """Load and validate every file; the glossary is usable only if the problems hold no error."""
    problems = Problems()
    settings, sources = _load_settings_and_sources(root, problems)
    checked = _check_term_files(root, problems, lambda data, shown: _validated(data, shown, sources))
    return _assemble(root, settings, sources, checked, problems), problems


def load_settings(root: Path) -> Settings:
    """glossary.yaml's settings alone, read as `check` reads them (the defaults where it has errors)."""
    return _load_settings_and_sources(root, Problems(), sources=False)[0] or Settings()


def _load_settings_and_sources(root: Path, problems: Problems,
                               sources: bool = True) -> tuple[Settings | None, dict[str, Source]]:
    cwd = Path.cwd()
    settings_path, sources_path = root / SETTINGS_FILE, root / SOURCES_FILE
    data, found = load_yaml(settings_path, _shown(settings_path, cwd))
    problems.extend(found)
    settings = validate.validate_settings(data, _shown(settings_path, cwd), problems) if _parsed(data, found) else None
    if not sources:
        return settings, {}
    data, found = load_yaml(sources_path, _shown(sources_path, cwd))
    problems.extend(found)
    sources_found = validate.validate_sources(data, _shown(sources_path, cwd), problems) if _parsed(data, found) else {}
    return settings, sources_found


def _check_term_files(root: Path, problems: Problems, check_file: Callable[[bytes, Path], Checked]) -> list[Checked]:
    """Each term file read once and handed, with the path its problems name, to `check_file`."""
    cwd = Path.cwd()
    checked = []
    for path in _term_files(root, cwd, problems):
        shown = _shown(path, cwd)
        data, found = read_file(path, shown)
        checked.append(Checked(None, tuple(found)) if data is None else check_file(data, shown))
    return checked


def _validated(data: bytes, shown: Path, sources: dict[str, Source]) -> Checked:
    """One term file parsed and validated (its quotes not yet looked for)."""
    loaded = Problems()
    parsed, found = parse_yaml(data, shown)
    loaded.extend(found)
    term = validate.validate_term(parsed, shown, sources, loaded) if _parsed(parsed, found) else None
    return Checked(term, tuple(loaded.items), links=validate.term_links(term) if term else ())


def _checked(data: bytes, shown: Path, root: Path, sources: dict[str, Source], seeds: dict[str, Seed]) -> Checked:
    """One term file parsed, validated and each of its quotes found in its seed."""
    validated = _validated(data, shown, sources)
    if validated.term is None:
        return validated
    resolved = Problems()
    term = citations.resolve_term(validated.term, seeds, resolved)
    return dataclasses.replace(validated, term=term, resolved=tuple(resolved.items),
                               digest=buildcache.term_digest(term, root))


def _assemble(root: Path, settings: Settings | None, sources: dict[str, Source], checked: list[Checked],
              problems: Problems) -> Glossary:
    """The glossary of the checked term files (sorted), with the problems of each file and across them."""
    terms, links = [], []
    for entry in checked:
        problems.extend(list(entry.loaded))
        if entry.term is not None:
            terms.append(entry.term)
            links.append(entry.links)
    validate.check_terms_together(terms, problems, links)
    terms.sort(key=lambda t: t.sort_key)
    return Glossary(root=root, settings=settings or Settings(), sources=sources, terms=tuple(terms))


def _parsed(data: object, problems: list[Problem]) -> bool:
    """Whether a file is worth validating: it parsed (perhaps with problems), or it is empty."""
    return data is not None or not problems


def _term_files(root: Path, cwd: Path, problems: Problems) -> list[Path]:
    """The term files; anything else in the folder (but hidden and temporary files) is reported."""
    folder = root / TERMS_DIR
    if not folder.is_dir():
        return []
    files = []
    with os.scandir(folder) as entries:  # scandir knows each entry's type without another system call
        listing = sorted((entry.name, entry.is_file()) for entry in entries)
    for name, is_file in listing:
        path = folder / name
        if name.startswith("."):
            continue
        if name.endswith(".yaml") and is_file:
            files.append(path)
        else:
            problems.error(_shown(path, cwd), None, f"`{path.name}` is not a term file: only <id>.yaml files are read",
                           "rename it to end in .yaml, or move it out of glossary/terms/")
    return files


def check(root: Path) -> tuple[Glossary, list[Problem]]:
    """Load, validate and resolve every citation; raise GlossdeckError listing every problem.

    A term file whose bytes, sources, seeds and code are as when last checked is not checked again: its result
    comes from the term cache (termcache.py), which the same inputs always give back."""
    glossary, warnings, _ = _check(root)
    return glossary, warnings


def _check(root: Path) -> tuple[Glossary, list[Problem], tuple[str, ...]]:
    """check(), and each term's buildcache.term_digest in the glossary's order."""
    problems = Problems()
    settings, sources = _load_settings_and_sources(root, problems)
    seeds, seed_problems = load_seeds(root / SEEDS_DIR, sources)
    cache = termcache.TermCache(root, sources, seeds)
    checked = _check_term_files(root, problems, lambda data, shown: cache.checked(
        data, shown, lambda data, shown: _checked(data, shown, root, sources, seeds)))
    cache.save()
    glossary = _assemble(root, settings, sources, checked, problems)
    if not glossary.terms and not problems.errors:  # a new glossary loads (for `source add`, `add`) but is no deck
        problems.error(_shown(root / TERMS_DIR, Path.cwd()), None, "the glossary has no terms",
                       "add one with `glossdeck add`, or write glossary/terms/<id>.yaml")
    problems.extend(seed_problems)
    _check_deck_state(root, glossary, problems)
    # Every term's quotes were looked for even where validation failed, so that one run reports every problem;
    # their problems follow the glossary's order.
    of_term = {id(entry.term): entry for entry in checked if entry.term is not None}
    for term in glossary.terms:
        problems.extend(list(of_term[id(term)].resolved))
    problems.raise_if_errors()
    _check_mentions(glossary, seeds, problems)
    return glossary, problems.warnings, tuple(of_term[id(term)].digest for term in glossary.terms)


def _check_mentions(glossary: Glossary, seeds: dict[str, Seed], problems: Problems) -> None:
    """Warn about a quoted term no source names (a student reading them never meets it under that name),
    and about `named_in_sources: false` on a term a source does name."""
    found = mentions.find_all(glossary.terms, seeds)
    cwd = Path.cwd()
    for term in glossary.terms:
        path = _shown(term.path, cwd) if term.path else None
        uses = found.by_term.get(term.id, [])
        names = ", ".join(f"“{n}”" for n in (term.term, *term.aliases))
        if not uses and term.named_in_sources and term.all_citations:  # one with no quote is warned about already
            nouns = glossary.settings.sources_noun
            problems.warn(path, term.line_of("term"), f"no source names this term ({names}): a student reading "
                          f"the {nouns} never meets it by name",
                          f"if one of the {nouns} names it differently, add that name to `aliases:`; if the {nouns} "
                          "discuss it without naming it, add `named_in_sources: false`")
        elif uses and not term.named_in_sources:
            source, first = uses[0]
            problems.warn(path, term.line_of("named_in_sources"), f"`named_in_sources: false`, but {source} names "
                          f"it (“{first.spelling}”, {found.sources[source].place(first)})",
                          "delete the `named_in_sources` line")


def _check_deck_state(root: Path, glossary: Glossary, problems: Problems) -> None:
    """Warn about terms the deck still carries although the glossary no longer has them."""
    lock = _shown(root / deckstate.LOCK_FILE, Path.cwd())
    state, found = deckstate.load(root, lock)
    problems.extend(found)
    known = {t.renamed_from[0] if t.renamed_from else t.id for t in glossary.terms}
    if glossary.settings.view_cards:
        known.update(key for t in glossary.terms for key in deckstate.view_keys(
            t.renamed_from[0] if t.renamed_from else t.id, [v.holder for v in t.views]))
    if glossary.settings.cloze_cards:
        known.update(deckstate.cloze_key(t.renamed_from[0] if t.renamed_from else t.id, c.source, c.quote)
                     for t in glossary.terms for c, _ in cloze_quotes(t))
    for key, entry in sorted(state.entries.items()):
        kind = "view" if deckstate.is_view_key(key) else "cloze" if deckstate.is_cloze_key(key) else None
        if kind and key not in known:
            problems.warn(lock, None, f"the {kind} card `{key}` ({entry.name}) is no longer built; the deck carries "
                          "it as a retired note (tag glossdeck::retired)",
                          f"to drop it from the deck, delete its line from {deckstate.LOCK_FILE}")
        elif not key.startswith("@") and key not in known:
            problems.warn(lock, None, f"term `{key}` ({entry.name}) is no longer in the glossary; the deck carries "
                          "it as a retired note (tag glossdeck::retired) so that students see it is gone",
                          f"to drop it from the deck, delete its line from {deckstate.LOCK_FILE}; if it was renamed, "
                          f"add `renamed_from: [{key}]` to the new term")


def past_glossary(root: Path) -> Glossary:
    """A past version of the glossary, for comparing: loaded and validated but not checked against its seeds,
    since changes compare only what a student reads (and a past version need not pass today's checks)."""
    return load_glossary(root)[0]


def changes_since(root: Path, rev: str | None = None) -> Changes:
    """The terms added, changed and retired between REV (default: the latest release) and the working tree."""
    return changes.changes_since(root, rev, check(root)[0], past_glossary)


def release_notes(root: Path, glossary: Glossary, problems: Problems | None = None) -> Changes | None:
    """What the latest release brought, for the deck's description; None outside git or before a release, and
    None with a warning in `problems` where the history cannot tell (a shallow clone, a repository git refuses)."""
    return changes.latest_release(root, glossary, past_glossary, problems)


def build_timestamp() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; either must be a time a deck can carry."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        now = int(time.time())
        if not deckstate.valid_time(now):
            raise GlossdeckError([Problem(None, None, f"the clock says {now}, {deckstate.TIME_RANGE}",
                                          "set the system clock, or SOURCE_DATE_EPOCH to a Unix time")])
        return now
    hint = "set it to a Unix time in whole seconds, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
    if not re.fullmatch(r"-?[0-9]{1,20}", value):
        raise GlossdeckError([Problem(None, None, f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds",
                                      hint)])
    if not deckstate.valid_time(int(value)):
        raise GlossdeckError([Problem(None, None, f"SOURCE_DATE_EPOCH={value} is {deckstate.TIME_RANGE}", hint)])
    return int(value)


# The date of the outputs that carry one, when SOURCE_DATE_EPOCH is not set: 2000-01-01, the date reportlab's
# invariant mode gives the PDFs, so that the same glossary makes the same bytes on any day.
FIXED_DATE = 946684800


def document_date() -> int:
    """The date the zip-based outputs carry: SOURCE_DATE_EPOCH (checked by build_timestamp's rule), else FIXED_DATE."""
    return build_timestamp() if os.environ.get("SOURCE_DATE_EPOCH") is not None else FIXED_DATE


def refuse_inputs(root: Path, targets: list[Path], own: Path | None = None) -> None:
    """Refuse to write over the project's inputs (anything in glossary/ or seeds/, through any symlink, but
    `own`, the lock that build keeps), or to write two outputs to one file."""
    problems = Problems()
    inputs = [root / "glossary", root / SEEDS_DIR]
    seen: dict[Path, Path] = {}
    for target in targets:
        real = target.resolve()
        if target != own and any(_same(place, folder) for place in (real, *real.parents) for folder in inputs):
            problems.error(target, None, "this is inside the project's glossary/ or seeds/ folder: writing it "
                           "would overwrite the glossary's own files", "write it elsewhere, e.g. into build/")
        elif real in seen:
            problems.error(target, None, f"this would be the same file as {seen[real]}",
                           "choose another output path")
        seen.setdefault(real, target)
    problems.raise_if_errors()


def _same(path: Path, other: Path) -> bool:
    """Whether two paths are one file or folder (also on a case-insensitive disk)."""
    try:
        return os.path.samefile(path, other)
    except OSError:  # either does not exist (yet)
        return False


@dataclass(frozen=True)
class BuildResult:
    glossary: Glossary
    outputs: dict[str, Path]  # every target asked for, written or unchanged
    warnings: list[Problem]
    unchanged: tuple[str, ...] = ()  # the targets whose outputs were already up to date, so not rewritten


def output_names(glossary: Glossary) -> dict[str, str]:
    base = glossary.settings.output_base
    return {"deck": f"{base}.apkg", "booklet": f"{base}-booklet.pdf", "print": f"{base}-booklet-print.pdf",
            "cards": f"{base}-cards.pdf", "html": f"{base}-site", "stardict": f"{base}-stardict.zip",
            "epub": f"{base}.epub"}


def build(root: Path, out: Path | None = None, targets: tuple[str, ...] = TARGETS,
          timestamp: int | None = None, settings: dict[str, Any] | None = None,
          progress: Callable[[str], None] = lambda step: None, force: bool = False) -> BuildResult:
    """Check, render every target whose inputs changed in memory, then write them all; a failure writes nothing.

    `timestamp` is "now" for notes whose content changed (default: SOURCE_DATE_EPOCH, else
    the clock); unchanged notes keep the times recorded in glossary/notes.lock. `settings`
    overrides glossary.yaml for this build (paper, card options); `progress` hears each step.
    A target whose key (buildcache.Keys) and output file match the manifest in the output
    folder is left as it is, unless `force`.
    """
    progress("checking the glossary and its quotes")
    glossary, warnings, term_digests = _check(root)
    now = build_timestamp() if timestamp is None else timestamp  # checked whatever the targets, one rule
    if settings:
        glossary = dataclasses.replace(glossary, settings=dataclasses.replace(glossary.settings, **settings))
    out_dir = out if out is not None else root / "build"
    names = output_names(glossary)
    planned = {name: out_dir / names[name] for name in TARGETS if name in targets}
    lock, manifest = root / deckstate.LOCK_FILE, out_dir / buildcache.MANIFEST
    refuse_inputs(root, [lock, manifest, *planned.values()], own=lock)
    old_lock = _read_if_file(lock)
    # The deck's description carries the release notes: read from git here, handed to the renderer as data,
    # and part of the deck's key (so a commit that changes no release note rebuilds nothing).
    history = Problems()
    notes = release_notes(root, glossary, history) if "deck" in planned else None
    warnings = [*warnings, *history.warnings]
    keys = buildcache.Keys(glossary, notes, term_digests)
    recorded = buildcache.read_manifest(manifest)
    new_records = dict(recorded)
    rendered: dict[str, bytes] = {}
    current: dict[str, bytes] = {}  # outputs already up to date: their bytes, read back and verified
    if not force:
        for name, path in planned.items():
            if name == "html":  # a folder: current when every file is as recorded
                if buildcache.current_site(path, keys.key(name, old_lock), recorded.get(name)):
                    current[name] = b""
                    progress(f"{name}: unchanged")
                continue
            data = buildcache.current_bytes(path, keys.key(name, old_lock), recorded.get(name))
            if data is not None:
                current[name] = data
                progress(f"{name}: unchanged")
    new_lock = None
    # Renderers are imported here so that `glossdeck --help` and `check` never pay for reportlab or genanki.
    if "deck" in planned and "deck" not in current:
        from glossdeck.render import anki

        progress("deck")
        state, _ = deckstate.load(root)
        deck = anki.render(glossary, state, now, notes)
        rendered["deck"], new_lock = deck.data, deck.state.to_text().encode("utf-8")
    reading = current.get("booklet")
    if reading is None and "print" in planned and "print" not in current and not force:
        # The print-ready file needs the booklet: use the one on disk when it is up to date, asked for or not.
        booklet_path = out_dir / names["booklet"]
        reading = buildcache.current_bytes(booklet_path, keys.key("booklet"), recorded.get("booklet"))
    if reading is None and (("booklet" in planned and "booklet" not in current)
                            or ("print" in planned and "print" not in current)):
        from glossdeck.render import booklet

        progress("booklet")
        reading = booklet.render(glossary, glossary.settings.paper)
        if "booklet" in planned:
            rendered["booklet"] = reading
    if "print" in planned and "print" not in current:
        from glossdeck.render import impose

        assert reading is not None
        progress("print-ready booklet")
        rendered["print"] = impose.impose(reading, glossary.settings.paper)
    if "cards" in planned and "cards" not in current:
        from glossdeck.render import cards

        progress("flashcards")
        rendered["cards"] = cards.render(glossary)
    site_files = None
    if "html" in planned and "html" not in current:
        from glossdeck.render import site

        progress("web site")
        site_files = site.render(glossary)
        new_records["html"] = buildcache.Recorded(planned["html"].name, keys.key("html", new_lock or old_lock),
                                                  buildcache.site_digest(site_files))
    if "stardict" in planned and "stardict" not in current:
        from glossdeck.render import stardict

        progress("e-reader dictionary")
        rendered["stardict"] = stardict.render(glossary, document_date())
    if "epub" in planned and "epub" not in current:
        from glossdeck.render import epub

        progress("EPUB")
        rendered["epub"] = epub.render(glossary, document_date())
    # One transaction (writer.write_all): every output staged in full beside its place, then all swapped in, the
    # site's folder too; if a swap fails, those already swapped are put back.
    outputs: dict[Path, writer.Content] = {}
    if new_lock is not None and new_lock != old_lock:
        # The lock is swapped first: if the machine dies before the deck is swapped too, the next build
        # makes that same deck from it; swapped last, a deck could exist whose note times no lock records.
        outputs[lock] = new_lock
    for name in TARGETS:
        if name in rendered:
            outputs[planned[name]] = rendered[name]
            # The deck is keyed by the lock it leaves: rendered again from that lock, every note keeps its
            # recorded time (deckstate.DeckState.stamp), so `now` no longer matters and the bytes are the same.
            new_records[name] = buildcache.record(planned[name], keys.key(name, new_lock), rendered[name])
        elif name == "html" and site_files is not None:
            outputs[planned[name]] = site_files
    if new_records != recorded:
        outputs[manifest] = buildcache.manifest_bytes(new_records)  # swapped last: a torn build rebuilds next time
    if outputs:
        writer.write_all(outputs)
    return BuildResult(glossary, planned, warnings, tuple(name for name in TARGETS if name in current))


def _read_if_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
