"""Finding quotes in the seeds and adding terms: the only code that writes term files."""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import difflib
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from glossdeck import citations, pipeline, validate
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.load import parse_yaml
from glossdeck.model import Citation, Glossary, Location, Term, elision_pieces, is_id, name_key
from glossdeck.seeds import Seed, load_seeds
from glossdeck.writer import create_new

CONTEXT = 70  # characters of context shown on each side of a hit
MAX_ID_CHARS = 100  # a term's id names its file: with `.yaml`, well within any file system's 255 bytes
SUGGESTED_WORDS = 8  # a suggested quote is widened to about this many words: enough to say something


@dataclass(frozen=True)
class Hit:
    """One place a phrase occurs in a seed, with a citation that `check` will accept."""

    source: str
    location: Location
    before: str
    match: str
    after: str
    citation: Citation


@dataclass(frozen=True)
class Near:
    """A passage like the phrase, for when the phrase is not found."""

    source: str
    passage: str
    score: float


def load_seeds_for(root: Path) -> tuple[Glossary, dict[str, Seed]]:
    """The glossary's sources and their seeds; the terms need not be valid for this."""
    glossary, problems = pipeline.load_glossary(root)
    if not glossary.sources:
        problems.raise_if_errors()
    seeds, found = load_seeds(root / pipeline.SEEDS_DIR, glossary.sources)
    if found:
        raise GlossdeckError(found)
    return glossary, seeds


def find(seeds: dict[str, Seed], phrase: str, source: str | None = None) -> list[Hit]:
    """Every occurrence of the phrase as whole words, ignoring case and presentation, in reading order per source.

    Whatever `check` accepts as a quote is found here, elided quotes included (those as `check` matches them).
    """
    return [hit_at(where) for where in occurrences(seeds, phrase, source)]


@dataclass(frozen=True)
class Occurrence:
    """Where a phrase occurs: cheap to find, where making its Hit's citation searches the seed again,
    so that a common word's thousand occurrences cost only the hits shown."""

    seed: Seed
    start: int
    end: int
    elided: tuple[str, citations.Match, list[citations.Match]] | None = None


def occurrences(seeds: dict[str, Seed], phrase: str, source: str | None = None) -> list[Occurrence]:
    if not phrase.split():
        raise GlossdeckError([Problem(None, None, "nothing to find: the phrase has no words",
                                      'give a few words of the passage, e.g. glossdeck find "the words"')])
    found: list[Occurrence] = []
    for seed in _chosen(seeds, source):
        needle = seed.needle(phrase).casefold()
        if not needle:
            continue
        here = [Occurrence(seed, start, end) for start, end in _folded_matches(seed, needle)]
        if not here and len(elision_pieces(phrase)) > 1:
            matches = citations.find_all(seed, phrase)
            here = [Occurrence(seed, m.start, m.end, (phrase, m, matches)) for m in matches]
        found += here
    return found


def hit_at(where: Occurrence) -> Hit:
    """The hit at an occurrence, with a citation `check` will accept."""
    if where.elided is not None:
        return _elided_hit(where.seed, *where.elided)
    return _hit(where.seed, where.start, where.end)


def _folded_matches(seed: Seed, needle: str) -> Iterator[tuple[int, int]]:
    """Normalized [start, end) spans of the seed whose case-folded text is the needle, on word boundaries."""
    folded, back = seed.casefolded
    at = folded.find(needle)
    while at >= 0:
        end = at + len(needle)
        # folding can turn one char into several (ß → ss): a match must take whole chars of the essay
        whole_chars = (at == 0 or back[at - 1] != back[at]) and (end == len(folded) or back[end] != back[end - 1])
        if whole_chars:
            start, stop = back[at], back[end - 1] + 1
            if not seed.cuts_word(start) and not seed.cuts_word(stop):
                yield start, stop
        at = folded.find(needle, at + 1)


def nearest(seeds: dict[str, Seed], phrase: str, source: str | None = None, limit: int = 3) -> list[Near]:
    """The passages most like the phrase, best first."""
    found = []
    for seed in _chosen(seeds, source):
        passage, score = citations.nearest_passage(seed, phrase)
        if passage:
            found.append(Near(seed.source.id, passage, score))
    return sorted(found, key=lambda n: -n.score)[:limit]


def _chosen(seeds: dict[str, Seed], source: str | None) -> list[Seed]:
    if source is None:
        return list(seeds.values())
    if source not in seeds:
        guess = difflib.get_close_matches(source, list(seeds), n=1)
        raise GlossdeckError([Problem(None, None, f"unknown source `{source}`",
                                      f"did you mean `{guess[0]}`?" if guess else "known: " + ", ".join(seeds))])
    return [seeds[source]]


def _hit(seed: Seed, start: int, end: int) -> Hit:
    quote_start, quote_end = _quotable_span(seed, start, end)
    quote = seed.text[quote_start:quote_end]
    matches = citations.find_all(seed, quote)
    occurrence = next((i for i, m in enumerate(matches, 1) if m.start == quote_start), None) if len(matches) > 1 \
        else None
    return _make_hit(seed, start, end, Citation(seed.source.id, quote, occurrence=occurrence))


def _elided_hit(seed: Seed, phrase: str, match: citations.Match, matches: list[citations.Match]) -> Hit:
    quote = " … ".join(" ".join(piece.split()) for piece in elision_pieces(phrase))
    occurrence = matches.index(match) + 1 if len(matches) > 1 else None
    return _make_hit(seed, match.start, match.end, Citation(seed.source.id, quote, occurrence=occurrence))


def _make_hit(seed: Seed, start: int, end: int, citation: Citation) -> Hit:
    location = citations.locate(seed, citations.Match(start, end))
    speaker = seed.speaker_at(location.start) if seed.source.speakers else None
    before = seed.text[max(0, start - CONTEXT) : start]
    after = seed.text[end : end + CONTEXT]
    return Hit(seed.source.id, location, before, seed.text[start:end], after,
               dataclasses.replace(citation, speaker=speaker))


def _quotable_span(seed: Seed, start: int, end: int) -> tuple[int, int]:
    """The hit, widened word by word within its sentence until it is long enough to quote and unique.

    A sentence too short to quote on its own is widened within its paragraph instead.
    """
    low, high = _sentence_bounds(seed, start, end, SENTENCE_BREAKS)
    if len(re.findall(r"\w+", seed.text[low:high])) < validate.MIN_QUOTE_WORDS:
        low, high = _sentence_bounds(seed, start, end, PARAGRAPH_BREAKS)
    words = [(m.start() + low, m.end() + low) for m in re.finditer(r"\S+", seed.text[low:high])]
    first = next((i for i, (s, e) in enumerate(words) if e > start), 0)
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i][0] < end), len(words) - 1)
    span = (min(start, words[first][0]) if words else start, max(end, words[last][1]) if words else end)
    grow_right = True
    while True:
        quote = seed.text[span[0]:span[1]]
        long_enough = len(re.findall(r"\w+", quote)) >= max(validate.MIN_QUOTE_WORDS, SUGGESTED_WORDS)
        if long_enough and len(citations.find_all(seed, quote)) <= 1:
            return span
        can_right, can_left = last + 1 < len(words), first > 0
        if not (can_right or can_left):
            return span  # the whole sentence; `occurrence` will say which one
        if (grow_right and can_right) or not can_left:
            last += 1
        else:
            first -= 1
        grow_right = not grow_right
        span = (min(span[0], words[first][0]), max(span[1], words[last][1]))


PARAGRAPH_BREAKS = ("\n\n", "\n#")
SENTENCE_BREAKS = (". ", "? ", "! ", ".\n", "?\n", "!\n", *PARAGRAPH_BREAKS)


def _sentence_bounds(seed: Seed, start: int, end: int, breaks: tuple[str, ...]) -> tuple[int, int]:
    """The normalized span of the sentence (or heading, or paragraph) around [start, end), within its section
    and speaker's turn, so that the widened quote is one `check` accepts."""
    raw_start, raw_end = seed.raw_span(start, end)
    # a heading or a turn starts a new passage just like a sentence break does
    starts = [at for at, _ in seed.headings] + [at for at, _ in seed.speaker_labels]
    opened = [at for at, _ in seed.headings] + [until for _, until in seed.speaker_labels]  # after "Doomer:"
    before = max([seed.raw.rfind(b, 0, raw_start) + len(b) - 1 for b in breaks if seed.raw.rfind(b, 0, raw_start) >= 0]
                 + [at for at in opened if at <= raw_start], default=0)
    after = min([seed.raw.find(b, raw_end) + 1 for b in breaks if seed.raw.find(b, raw_end) >= 0]
                + [at for at in starts if at >= raw_end], default=len(seed.raw))
    low = bisect.bisect_left(seed.offsets, before)
    high = bisect.bisect_left(seed.offsets, after)
    return min(low, start), max(high, end)


# --- writing term files -----------------------------------------------------------------------


def slug(term: str) -> str:
    """A term id from its name: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


def term_yaml(new: Term) -> str:
    """The term file, formatted like the hand-written ones; every scalar reads back as the text it was."""
    lines = [f"term: {_flow_scalar(new.term)}", f"aliases: {_flow_list(new.aliases)}"]
    if new.gloss:
        lines += _block("gloss", new.gloss, "")
    if new.level != "standard":
        lines.append(f"level: {new.level}")
    lines += _block("definition", new.definition, "")
    lines += [f"tags: {_flow_list(new.tags)}", f"related: {_flow_list(new.related)}", "citations:"]
    lines += [term_yaml_citation(c) for c in new.citations]
    return "\n".join(lines) + "\n"


def term_yaml_citation(citation: Citation) -> str:
    """One entry of a term file's `citations:` list."""
    lines = [f"  - source: {_flow_scalar(citation.source)}", *_block("quote", citation.quote, "    ")]
    if citation.speaker:
        lines.append(f"    speaker: {_flow_scalar(citation.speaker)}")
    if citation.occurrence:
        lines.append(f"    occurrence: {citation.occurrence}")
    return "\n".join(lines)


# Written bare only when no YAML reader (1.1 or 1.2) could take it for anything but text: it starts with a letter
# (so it is no number in any notation, date, time, .inf or .nan, and opens no flow, anchor, tag or comment), holds
# no `:` or `#`, and is no word that some YAML reads as a boolean or null. Anything else is double-quoted by
# PyYAML's own emitter, which escapes what YAML would read otherwise.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .’'()/+&-]*(?<! )")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
# Characters a block scalar cannot carry as they are: what YAML reads as a line break, or refuses.
_NOT_IN_BLOCK = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]")


def _flow_scalar(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=sys.maxsize).rstrip("\n")


def _flow_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_flow_scalar(i) for i in items) + "]"


def _block(key: str, text: str, indent: str) -> list[str]:
    """`key: >-` and the text, its spacing made single, wrapped at 78 columns (YAML folds it back into one line);
    text holding a character that a block scalar cannot carry is written on one line, double-quoted."""
    words = " ".join(text.split())
    if _NOT_IN_BLOCK.search(words):
        return [f"{indent}{key}: {_quoted(words)}"]
    return [f"{indent}{key}: >-", *_folded_lines(words, indent + "  ")]


def _folded_lines(words: str, indent: str) -> list[str]:
    return textwrap.wrap(words, width=78, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [indent]


@contextlib.contextmanager
def glossary_lock(root: Path) -> Iterator[None]:
    """One writer at a time: two `glossdeck add`s at once must not both pass the checks."""
    path = root / "glossary" / ".glossdeck.lock"
    with open(path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: fall back to no lock; the exclusive create below still holds
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def add(root: Path, new: Term, dry_run: bool = False) -> tuple[Path, str]:
    """Check the new term against the whole glossary and its seeds, then write its file.

    Returns the file's path and text. Raises GlossdeckError, writing nothing, if
    anything is wrong: an invalid or taken id or name, an unknown related id, a quote
    that is not found, ambiguous or too short.
    """
    path = root / pipeline.TERMS_DIR / f"{new.id}.yaml"
    text = term_yaml(new)
    with glossary_lock(root):
        errors = [p for p in check_new(root, new) if p.severity == "error"]
        if errors:
            raise GlossdeckError(errors)
        if dry_run:
            return path, text
        _create(path, text)
    return path, text


def check_new(root: Path, new: Term, pending: tuple[Term, ...] = ()) -> list[Problem]:
    """Every problem, errors and warnings, that `check` would report once the new term's file is written (and the
    `pending` terms' files before it: the drafts of one file, judged as they would be written, one after another)."""
    path = root / pipeline.TERMS_DIR / f"{new.id}.yaml"
    problems = Problems()
    if not is_id(new.id):
        shown = new.id if len(new.id) <= 60 else new.id[:60] + "…"
        problems.error(None, None, f"{shown!r} is not a valid term id",
                       "use lowercase words joined by hyphens, e.g. `sharp-left-turn` (or pass --id)")
    elif len(new.id) > MAX_ID_CHARS:  # before the file system is asked about a name it cannot hold
        problems.error(None, None, f"the term's id is {len(new.id)} characters long; a term's id names its file, "
                       f"at most {MAX_ID_CHARS} characters", "choose a shorter id (or term)")
    elif path.exists():
        problems.error(path, None, f"term `{new.id}` already exists", "edit its file instead, or choose another --id")
    elif new.id in {term.id for term in pending}:
        problems.error(path, None, f"term `{new.id}` is proposed twice: an earlier proposal writes {path}",
                       "merge the two proposals, or give this one another --id")
    if not new.citations:
        problems.error(None, None, "a new term needs at least one citation",
                       "add one with --cite SOURCE QUOTE; `glossdeck find PHRASE` prints ready-made ones")
    glossary, found = pipeline.load_glossary(root)
    problems.extend([p for p in found.items if p.severity == "error"])
    glossary = dataclasses.replace(glossary, terms=glossary.terms + pending) if pending else glossary
    for name in (new.term, *new.aliases):
        other = glossary.lookup(name)
        if other is not None:
            hint = ("an earlier proposal has it: only one of them can be written" if other in pending else
                    f"names are compared ignoring case, spaces and hyphens; edit {other.path} instead")
            problems.error(None, None, f"the name `{name}` is already used by term `{other.id}`", hint)
    keys = [name_key(n) for n in (new.term, *new.aliases)]
    if len(set(keys)) < len(keys):
        problems.error(None, None, "two of the new term's names are the same once case, spaces and hyphens are "
                       "ignored", "drop the repeated alias")
    for target in new.related:
        problem = related_problem(glossary, target)
        if problem is not None:
            problems.extend([problem])
    # Then the file as `check` will read it, so that one run reports every problem; a problem both find is told once.
    told = {p.message for p in problems.items}
    usable = new.id[:MAX_ID_CHARS].rstrip("-") if is_id(new.id) else "proposed-term"  # an id told wrong above
    as_file = _problems_as_file(root, glossary, root / pipeline.TERMS_DIR / f"{usable}.yaml", term_yaml(new))
    return problems.items + [p for p in as_file if p.message not in told]


def related_problem(glossary: Glossary, target: str) -> Problem | None:
    """Why `target` cannot be a new term's related id (`--related` and the question `add` asks), or None."""
    existing = {t.id for t in glossary.terms}
    if target in existing:
        return None
    guess = difflib.get_close_matches(target, sorted(existing), n=3, cutoff=0.5)
    hint = ("did you mean " + " or ".join(f"`{g}`" for g in guess) + "?") if guess else \
        "use the id of an existing term (`glossdeck list` shows them)"
    return Problem(None, None, f"related term `{target}` does not exist", hint)


def verify_citation(glossary: Glossary, seeds: dict[str, Seed], citation: Citation) -> tuple[Citation, list[Problem]]:
    """A citation as `check` resolves it (an elided quote too), with its speaker found in a dialogue; or the problems
    `check` would report. `add` asks for quotes with this, so the question accepts exactly what `--cite` does."""
    if citation.source not in glossary.sources:
        guess = difflib.get_close_matches(citation.source, list(glossary.sources), n=1)
        return citation, [Problem(None, None, f"unknown source `{citation.source}`",
                                  f"did you mean `{guess[0]}`?" if guess else "known: " + ", ".join(glossary.sources))]
    citation = with_speaker(seeds, citation)
    problems = Problems()
    resolved = citations.resolve_citation(citation, seeds, problems)
    return resolved, problems.errors


def _problems_as_file(root: Path, glossary: Glossary, path: Path, text: str) -> list[Problem]:
    """Validate and resolve the term exactly as `check` will read it from its file."""
    problems = Problems()
    data, found = parse_yaml(text.encode("utf-8"), path)
    problems.extend(found)
    term = validate.validate_term(data, path, glossary.sources, problems) if data is not None else None
    if term is not None:
        term = dataclasses.replace(term, id=path.stem)
        together = Problems()  # the new term's links and names, checked as `check` checks every file
        validate.check_terms_together([*glossary.terms, term], together)
        problems.extend([p for p in together.items if p.path == path])
        seeds, seed_problems = load_seeds(root / pipeline.SEEDS_DIR, glossary.sources)
        problems.extend(seed_problems)
        citations.resolve(dataclasses.replace(glossary, terms=(term,)), seeds, problems)
    return problems.items


def _create(path: Path, text: str) -> None:
    """Write a new file atomically, never replacing one that appeared meanwhile (another add racing this one)."""
    try:
        create_new(path, text.encode("utf-8"))
    except FileExistsError:
        raise GlossdeckError([Problem(path, None, f"term `{path.stem}` already exists",
                                      "another add created it just now; edit that file instead")]) from None


def term_for(glossary: Glossary, name: str) -> Term:
    """A term by id, name or alias, or a problem listing close matches."""
    term = glossary.lookup(name)
    if term is not None:
        return term
    names = [t.term for t in glossary.terms] + [a for t in glossary.terms for a in t.aliases]
    guess = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = ("did you mean " + " or ".join(f"`{g}`" for g in guess) + "?") if guess else "`glossdeck list` shows them"
    raise GlossdeckError([Problem(None, None, f"no term or alias `{name}`", hint)])


def with_speaker(seeds: dict[str, Seed], citation: Citation) -> Citation:
    """A dialogue citation without a speaker gets the one who speaks where the quote stands."""
    seed = seeds.get(citation.source)
    if seed is None or not seed.source.speakers or citation.speaker:
        return citation
    matches = citations.find_all(seed, citation.quote)
    if citation.occurrence and citation.occurrence <= len(matches):
        matches = [matches[citation.occurrence - 1]]
    if len(matches) != 1:
        return citation  # `add` then reports the quote as missing or ambiguous
    speaker = seed.speaker_at(citations.locate(seed, matches[0]).start)
    return dataclasses.replace(citation, speaker=speaker)


def citing(glossary: Glossary, seeds: dict[str, Seed], hits: list[Hit]) -> list[list[Term]]:
    """For each hit, the terms whose verified quotes overlap it (quotes that fail to resolve are skipped)."""
    resolved = citations.resolve(glossary, seeds, Problems())
    found = []
    for hit in hits:
        start, end = hit.location.start, hit.location.end
        found.append([t for t in resolved.terms if any(
            c.source == hit.source and c.location is not None and c.location.start < end and start < c.location.end
            for c in t.all_citations)])
    return found
