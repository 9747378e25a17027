"""How cost grows with large definitions, many aliases and large glossaries (and the older build timings).

Time check and build on synthetic glossaries, against bare genanki and bare reportlab; and how cost scales.

Prints figures and ratios measured in the same run; asserts nothing.

    .venv/bin/python bench/run.py                      # both sections; N = 100, 1000, 5000
    .venv/bin/python bench/run.py --sizes 100 500
    .venv/bin/python bench/scaling.py --section scaling    # large definitions, many aliases, large glossaries

The scaling section times each kind of large input at three sizes and prints the time per unit and the
growth from the previous size: (time ratio) / (size ratio). About 1 or below is linear; 2 would mean
doubling the input quadruples the time. Input past a limit of `check` (src/glossdeck/limits.py) must be
refused, and quickly.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def unique_sentences(limit_per_source: int = 400) -> list[tuple[str, str, str | None]]:
    """(source id, sentence, speaker) for sentences that occur once in their seed and may be cited."""
    from glossdeck import pipeline
    from glossdeck.citations import find_all, locate, refusal_at

    glossary, _ = pipeline.load_glossary(REPO)
    seeds, _ = pipeline.load_seeds(REPO / "seeds", glossary.sources)
    found = []
    for source_id, seed in seeds.items():
        count = 0
        for sentence in re.split(r"(?<=[.!?])\s+", seed.text):
            if not 8 <= len(sentence.split()) <= 40 or re.search(r"[\[\]*_#<>`…]|\.\.\.", sentence):
                continue
            matches = find_all(seed, sentence)
            if len(matches) != 1:
                continue
            where = locate(seed, matches[0])
            speaker = seed.speaker_at(where.start) if seed.source.speakers else None
            if refusal_at(seed, matches[0], speaker):  # across a heading or turn, or in an unquotable passage
                continue
            found.append((source_id, sentence, speaker))
            count += 1
            if count >= limit_per_source:
                break
    return found


def make_glossary(folder: Path, n: int, sentences: list[tuple[str, str, str | None]],
                  definition_words: int = 0, aliases: int = 1, definition_chars: int = 900) -> Path:
    """n terms, each citing one sentence; `definition_words` > 0 gives definitions of that many words."""
    shutil.copytree(REPO / "seeds", folder / "seeds")
    (folder / "glossary" / "terms").mkdir(parents=True)
    shutil.copy(REPO / "glossary" / "sources.yaml", folder / "glossary" / "sources.yaml")
    (folder / "glossary" / "glossary.yaml").write_text("title: Bench\noutput_base: bench\n")
    rng = random.Random(n)
    for i in range(n):
        source, quote, speaker = sentences[rng.randrange(len(sentences))]
        following = f"term-{(i + 1) % n:05d}"
        names = ", ".join(f"st{i:05d}" if a == 0 else f"synthetic name {a} of {i:05d}" for a in range(aliases))
        definition = (f"  Synthetic definition number {i} with *emphasis* and a link to\n"
                      f"  [the next term](#{following}), long enough to wrap over a few lines in\n"
                      f"  the booklet and on the card, as a real definition of forty to a hundred words does.\n")
        if definition_words:
            definition = f"  [Synthetic](#{following}) {prose(definition_words - 1, rng, definition_chars - 10)}\n"
        text = (f"term: synthetic term {i:05d}\naliases: [{names}]\ndefinition: >-\n{definition}"
                f"tags: [bench]\nrelated: [{following}]\ncitations:\n  - source: {source}\n"
                f"    quote: >-\n      {quote}\n" + (f"    speaker: {speaker}\n" if speaker else ""))
        (folder / "glossary" / "terms" / f"term-{i:05d}.yaml").write_text(text, encoding="utf-8")
    return folder


def prose(count: int, rng: random.Random, most_chars: int | None = None) -> str:
    """`count` words of the seeds' own prose, so that words are of realistic length; shorter words are
    chosen as needed to keep within `most_chars`."""
    words = [rng.choice(_WORDS) for _ in range(count)]
    while most_chars is not None and len(" ".join(words)) > most_chars:
        longest = max(range(count), key=lambda i: len(words[i]))
        words[longest] = rng.choice([w for w in _WORDS if len(w) <= 4])
    return " ".join(words)


_WORDS = [w.strip(".,;:!?()\"“”’'") for w in (REPO / "seeds" / "000_25fc0cdaa2772cd9.txt").read_text(
    encoding="utf-8").split() if w.isascii() and w.strip(".,;:!?()\"“”’'").isalpha()]


def timed(fn, repeat: int = 1, clock=time.perf_counter) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def cpu_timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of this process: on a shared machine, steadier than the wall clock."""
    return timed(fn, repeat, time.process_time)


def bare_genanki(notes, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The same notes (fields, tags, GUIDs already computed) written by genanki alone."""
    import genanki

    deck = genanki.Deck(2059400110, "Bench")
    for note in notes:
        deck.add_note(genanki.Note(model=note.model, fields=note.fields, guid=note.guid, tags=note.tags))
    genanki.Package(deck).write_to_file(str(out), timestamp=1_700_000_000)


def bare_reportlab(glossary) -> bytes:  # type: ignore[no-untyped-def]
    """The booklet's own paragraphs (same text, fonts, styles, hyphenation) typeset once by reportlab alone:
    no links, bookmarks, running heads, keep-together rules or second pass for page references."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from glossdeck.render import booklet
    from glossdeck.render.fonts import register

    font = register()
    styles = booklet._styles(font, "en")
    refs = booklet._References({})
    story = (booklet._title_page(glossary, styles) + booklet._front_matter(glossary, styles, refs)
             + booklet._entries(glossary, styles, refs) + booklet._sources(glossary, styles, refs)
             + booklet._alias_index(glossary, styles, refs) + booklet._back_cover(glossary, styles))
    plain = []
    for flowable in _flatten(story):
        if isinstance(flowable, Paragraph):
            text = re.sub(r"</?a\b[^>]*>", "", flowable.text if hasattr(flowable, "text") else "")
            plain.append(Paragraph(text, flowable.style))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=booklet.PAGE_SIZES["a5"], initialFontName=font, invariant=1).build(plain)
    return buffer.getvalue()


def _flatten(story):  # type: ignore[no-untyped-def]
    for flowable in story:
        content = getattr(flowable, "_content", None)
        if content is not None:
            yield from _flatten(content)
        else:
            yield flowable


def main() -> None:
    os.environ["GLOSSDECK_CACHE_DIR"] = ""  # every check does the whole work: no term file's result is remembered
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000],
                        help="glossary sizes for the build section")
    parser.add_argument("--section", choices=["build", "scaling", "all"], default="all")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if args.section in ("build", "all"):
        build_section(args.sizes)
    if args.section in ("scaling", "all"):
        scaling_section()


def build_section(sizes: list[int]) -> None:
    import genanki

    from glossdeck import pipeline
    from glossdeck.deckstate import DeckState
    from glossdeck.render import anki, booklet

    help_time = timed(lambda: subprocess.run([sys.executable, "-m", "glossdeck", "--help"], check=True,
                                             capture_output=True), repeat=5)
    print(f"glossdeck --help: {help_time:.3f} s (best of 5, includes interpreter start)")
    bare_python = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat=5)
    print(f"python -c pass:   {bare_python:.3f} s (interpreter start alone)\n")
    sentences = unique_sentences()
    print(f"{'N':>6} {'check':>8} {'deck':>8} {'bare':>8} {'ratio':>6} {'booklet':>8} {'bare':>8} {'ratio':>6}"
          f" {'build ratio':>11}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = make_glossary(Path(folder) / "g", n, sentences)
            check_time = timed(lambda: pipeline.check(root), repeat=3)
            glossary, _ = pipeline.check(root)
            deck_time = timed(lambda: anki.render(glossary, DeckState(), 1_700_000_000), repeat=2)
            names = {t.id: t.term for t in glossary.terms}
            notes = [genanki.Note(model=anki._Model(1), fields=anki._fields(glossary, t, names), tags=anki._tags(t),
                                  guid=anki.note_guid("bench", t.id)) for t in glossary.terms]
            bare_deck = timed(lambda: bare_genanki(notes, Path(folder) / "bare.apkg"), repeat=2)
            booklet_time = timed(lambda: booklet.render(glossary))
            bare_booklet = timed(lambda: bare_reportlab(glossary))
            print(f"{n:>6} {check_time:>7.2f}s {deck_time:>7.2f}s {bare_deck:>7.2f}s {deck_time / bare_deck:>6.2f}"
                  f" {booklet_time:>7.2f}s {bare_booklet:>7.2f}s {booklet_time / bare_booklet:>6.2f}"
                  f" {(deck_time + booklet_time) / (bare_deck + bare_booklet):>11.2f}", flush=True)

    print()


def growth_table(title: str, unit: str, rows: list[tuple[int, float]], note: str = "", one: str = "") -> None:
    """Size, seconds, seconds per unit, and growth from the previous size (1 = linear)."""
    print(f"{title}" + (f"  ({note})" if note else ""))
    print(f"  {unit:>12} {'CPU s':>9} {'per ' + (one or unit.rstrip('s')):>14} {'growth':>7}")
    previous = None
    for size, seconds in rows:
        growth = f"{(seconds / previous[1]) / (size / previous[0]):>7.2f}" if previous else f"{'':>7}"
        print(f"  {size:>12,} {seconds:>9.3f} {seconds / size * 1e6:>11.1f} µs {growth}", flush=True)
        previous = (size, seconds)
    print()


def _refused(fn) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of a call that must be refused with a GlossdeckError."""
    from glossdeck.errors import GlossdeckError

    start = time.process_time()
    try:
        fn()
    except GlossdeckError:
        return time.process_time() - start
    raise AssertionError("expected the input to be refused")


def _term_project(folder: Path, text: str) -> Path:
    """The shipped glossary with one more term file."""
    root = folder / "p"
    if root.exists():
        shutil.rmtree(root)
    for part in ("glossary", "seeds"):
        shutil.copytree(REPO / part, root / part)
    (root / "glossary" / "terms" / "zz-bench.yaml").write_text(text, encoding="utf-8")
    return root


CITE = "citations:\n  - source: starter-pack\n    quote: Alignment is an unsolved problem.\n"


def scaling_section() -> None:
    import dataclasses

    from glossdeck import authoring, limits, pipeline
    from glossdeck.model import Citation, Term
    from glossdeck.render import booklet, cards

    rng = random.Random(7)
    print("Scaling: CPU time per unit of input at three sizes (growth 1 = linear, 2 = quadratic)\n")
    shipped, _ = pipeline.check(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        for words in (limits.DEFINITION.most // 4, limits.DEFINITION.most // 2, limits.DEFINITION.most):
            text = f"term: zz bench\ndefinition: >-\n  {prose(words, rng, limits.DEFINITION_CHARS.most)}\n{CITE}"
            root = _term_project(folder, text)
            rows.append((words, cpu_timed(lambda: pipeline.build(root, out=folder / "out", targets=("cards",),
                                                                 timestamp=1_700_000_000), repeat=2)))
        growth_table("build cards, shipped glossary + one definition up to the limit", "words", rows,
                     "the whole build: the fixed cost of the other 105 terms dominates")

        rows = []
        for words in (5_000, 10_000, 30_000):  # 30,000 words is about 190 KB, under the file size limit
            root = _term_project(folder, f"term: zz bench\ndefinition: >-\n  {prose(words, rng)}\n{CITE}")
            rows.append((words, _refused(lambda: pipeline.check(root))))
        growth_table("check refuses a definition past the limit", "words", rows,
                     f"limit {limits.DEFINITION.most} words")

        rows = []
        term = shipped.terms[0]
        for words in (6_000, 12_000, 24_000):  # 40 KB to 160 KB: the fitting alone, past what check allows
            long = dataclasses.replace(term, definition=prose(words, rng), aliases=())
            rows.append((words, cpu_timed(lambda: cards.render(dataclasses.replace(shipped, terms=(long,))))))
        growth_table("card text fitting alone (cards.render on one term, check bypassed)", "words", rows,
                     "before the fix: 65 s for 40 KB")

        rows = []
        for words in (1_000, 4_000, 16_000):
            root = _term_project(folder, f"term: zz bench\ndefinition: d\ncitations:\n  - source: starter-pack\n"
                                         f"    quote: >-\n      {prose(words, rng)}\n")
            rows.append((words, _refused(lambda: pipeline.check(root))))
        growth_table("check refuses a long quote that is not in its essay", "words", rows,
                     "its nearest passage is searched for; before the fix: 300 s for 4,000 words")

        rows = []
        for count in (1_000, 2_000, 5_000):
            names = ", ".join(f"bench name {i}" for i in range(count))
            root = _term_project(folder, f"term: zz bench\naliases: [{names}]\ndefinition: d\n{CITE}")
            rows.append((count, _refused(lambda: pipeline.check(root))))
        growth_table("check refuses a term with too many aliases", "aliases", rows,
                     f"limit {limits.MAX_ALIASES}", one="alias")

        rows = []
        root = _term_project(folder, f"term: zz bench\ndefinition: d\n{CITE}")
        for count in (1_000, 2_000, 5_000):
            new = Term(id="new-bench", term="new bench", definition="A new term.",
                       aliases=tuple(f"new bench name {i}" for i in range(count)),
                       citations=(Citation("starter-pack", "Alignment is an unsolved problem."),))
            rows.append((count, _refused(lambda: authoring.add(root, new, dry_run=True))))
        growth_table("add --dry-run refuses a term with too many aliases", "aliases", rows,
                     "before the fix: 10.6 s for 5,000", one="alias")

        glossary, seeds = authoring.load_seeds_for(REPO)
        rows = []
        for words in (2_000, 8_000, 32_000):  # 32,000 words is about 190 KB
            phrase = prose(words, rng)
            rows.append((words, cpu_timed(lambda: authoring.occurrences(seeds, phrase)
                                          or authoring.nearest(seeds, phrase))))
        growth_table("find a long phrase that is not in any essay (then its nearest passages)", "words", rows)
        common = authoring.occurrences(seeds, "the")
        seconds = cpu_timed(lambda: [authoring.hit_at(*where) for where in authoring.occurrences(seeds, "the")[:10]])
        print(f"find \"the\": {len(common):,} hits, the 10 shown in {seconds:.3f} CPU s "
              "(before the fix every hit was made into a citation: 8 s)\n")

        sentences = unique_sentences()
        passes: list[int] = []  # the booklet is typeset until its page references settle: count the passes
        typeset = booklet._typeset

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            passes[-1] += 1
            return typeset(*args, **kwargs)

        booklet._typeset = counted
        for label, definition_words, aliases in (("short definitions, 1 alias", 0, 1),
                                                 (f"definitions at the limit, {limits.MAX_ALIASES} aliases",
                                                  limits.DEFINITION.most, limits.MAX_ALIASES)):
            steps: dict[str, list[tuple[int, float]]] = {"check": [], "booklet": [], "cards": []}
            for n in (100, 200, 400):
                root = make_glossary(folder / f"g-{n}-{aliases}", n, sentences, definition_words, aliases,
                                     limits.DEFINITION_CHARS.most)
                steps["check"].append((n, cpu_timed(lambda: pipeline.check(root))))
                glossary, _ = pipeline.check(root)
                passes.append(0)
                steps["booklet"].append((n, cpu_timed(lambda: booklet.render(glossary))))
                steps["cards"].append((n, cpu_timed(lambda: cards.render(glossary))))
            for step, rows in steps.items():
                settle = f"typeset {', '.join(map(str, passes))} times, until page references settle"
                note = settle if step == "booklet" else ""
                growth_table(f"{step}, a glossary of N terms: {label}", "terms", rows, note)
            passes.clear()
        booklet._typeset = typeset


if __name__ == "__main__":
    main()
