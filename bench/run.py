"""Time check and build on synthetic glossaries, against bare genanki and bare reportlab.

Prints figures and ratios (ours / bare) measured in the same run; asserts nothing.

    .venv/bin/python bench/run.py               # N = 100, 1000, 5000
    .venv/bin/python bench/run.py --sizes 100 500
"""

from __future__ import annotations

import argparse
import io
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


def make_glossary(folder: Path, n: int, sentences: list[tuple[str, str, str | None]]) -> Path:
    shutil.copytree(REPO / "seeds", folder / "seeds")
    (folder / "glossary" / "terms").mkdir(parents=True)
    shutil.copy(REPO / "glossary" / "sources.yaml", folder / "glossary" / "sources.yaml")
    (folder / "glossary" / "glossary.yaml").write_text("title: Bench\noutput_base: bench\n")
    rng = random.Random(n)
    for i in range(n):
        source, quote, speaker = sentences[rng.randrange(len(sentences))]
        following = f"term-{(i + 1) % n:05d}"
        text = (f"term: synthetic term {i:05d}\naliases: [st{i:05d}]\n"
                f"definition: >-\n  Synthetic definition number {i} with *emphasis* and a link to\n"
                f"  [the next term](#{following}), long enough to wrap over a few lines in\n"
                f"  the booklet and on the card, as a real definition of forty to a hundred words does.\n"
                f"tags: [bench]\nrelated: [{following}]\ncitations:\n  - source: {source}\n"
                f"    quote: >-\n      {quote}\n" + (f"    speaker: {speaker}\n" if speaker else ""))
        (folder / "glossary" / "terms" / f"term-{i:05d}.yaml").write_text(text, encoding="utf-8")
    return folder


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
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
    for n in args.sizes:
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


if __name__ == "__main__":
    main()
