"""Time check, each target and the whole build against the bare libraries doing the same work.

The shipped glossary and synthetic ones shaped like it (each synthetic term copies the
quotes, views, aliases, related count and definition of a shipped term drawn at random)
are measured in one run. Every figure comes from a fresh process that times one job, so
that each also gives its own peak memory. Prints figures and ratios; asserts nothing.

    .venv/bin/python bench/run.py                    # shipped, then N = 100, 1000, 5000
    .venv/bin/python bench/run.py --sizes 100 1000   # fewer sizes (5,000 terms takes minutes)
    .venv/bin/python bench/run.py --sizes            # the shipped glossary only
    .venv/bin/python bench/run.py --sizes 5000 --no-shipped --rounds 1 --jobs check booklet bare-reportlab
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
TIMESTAMP = 1_700_000_000
OURS = ["check", "check-warm", "deck", "booklet", "print", "cards", "stardict", "epub", "build", "rebuild"]
BARE = ["bare-genanki", "bare-reportlab", "bare-pypdf", "bare-cards"]
# Whole processes, as a user runs them: interpreter start, imports, loading, checking and writing included.
PROCESSES = ["process-check", "process-check-warm", "process-booklet", "process-bare-reportlab"]
# The term cache (termcache.py) is kept in the run's own folder, never the user's: "check" runs with none,
# "check-warm" (and "rebuild") with every term file's result remembered from the check before.
CACHE_ENV = "GLOSSDECK_CACHE_DIR"
AIMS = "booklet <= 1.3x bare reportlab; build <= 1.3x the bare sum; rebuild <= 1.5x check; check(5000) < 1 s; " \
       "memory(5000) < 1 GB; as whole processes: glossdeck build booklet --force <= 1.5x reportlab alone, " \
       "glossdeck check (5000) < 1 s"


def make_glossary(folder: Path, n: int) -> Path:
    """A project of n terms, each a copy of a random shipped term (same quotes, views and shape), renamed."""
    import yaml

    shutil.copytree(REPO / "seeds", folder / "seeds")
    (folder / "glossary" / "terms").mkdir(parents=True)
    for name in ("glossary.yaml", "sources.yaml"):
        shutil.copy(REPO / "glossary" / name, folder / "glossary" / name)
    shipped = sorted((REPO / "glossary" / "terms").glob("*.yaml"))
    templates = [(path.stem, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in shipped]
    rng = random.Random(n)
    picks = [templates[rng.randrange(len(templates))] for _ in range(n)]
    ids = [f"{template_id}-{i:05d}" for i, (template_id, _) in enumerate(picks)]
    for i, (template_id, template) in enumerate(picks):
        term = {key: value for key, value in template.items() if key != "renamed_from"}
        term["term"] = f"{template['term']} {i}"
        term["aliases"] = [f"{alias} {i}" for alias in template.get("aliases", [])]
        term["related"] = [ids[rng.randrange(n)] for _ in template.get("related", [])]
        term["related"] = sorted(set(term["related"]) - {ids[i]})
        term = relinked(term, lambda: ids[rng.randrange(n)])
        text = yaml.safe_dump(term, allow_unicode=True, sort_keys=False, width=100)
        (folder / "glossary" / "terms" / f"{ids[i]}.yaml").write_text(text, encoding="utf-8")
    return folder


def relinked(value: Any, some_id: Callable[[], str]) -> Any:
    """The term's data with every link to a term (in definitions, views, notes) sent to a synthetic term."""
    if isinstance(value, str):
        return re.sub(r"\]\(#[^)]*\)", lambda _: f"](#{some_id()})", value)
    if isinstance(value, list):
        return [relinked(item, some_id) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "quote" else relinked(item, some_id) for key, item in value.items()}
    return value


def shipped_copy(folder: Path) -> Path:
    for name in ("glossary", "seeds"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def job(name: str, root: Path) -> Callable[[], Any]:
    """The work of one job, set up (not timed) in this process: a function that does it once."""
    from glossdeck import pipeline

    if name == "check":  # nothing remembered: every term file validated and its quotes looked for
        os.environ[CACHE_ENV] = ""
        return lambda: pipeline.check(root)
    if name == "check-warm":  # nothing changed since the check before: each term file's result remembered
        pipeline.check(root)
        return lambda: pipeline.check(root)
    if name == "build":  # every output made afresh (the build folder may hold current ones from other jobs)
        return lambda: pipeline.build(root, out=root / "build", timestamp=TIMESTAMP, force=True)
    if name == "rebuild":  # nothing changed since the last build: every output found current, nothing written
        pipeline.build(root, out=root / "build", timestamp=TIMESTAMP)
        return lambda: pipeline.build(root, out=root / "build", timestamp=TIMESTAMP)
    glossary, _ = pipeline.check(root)
    paper = glossary.settings.paper
    if name == "deck":
        from glossdeck import deckstate
        from glossdeck.render import anki

        state, _ = deckstate.load(root)
        return lambda: anki.render(glossary, state, TIMESTAMP)
    if name == "booklet":
        from glossdeck.render import booklet

        return lambda: booklet.render(glossary, paper)
    if name == "print":
        from glossdeck.render import booklet, impose

        reading = booklet.render(glossary, paper)
        return lambda: impose.impose(reading, paper)
    if name == "cards":
        from glossdeck.render import cards

        return lambda: cards.render(glossary)
    if name == "stardict":
        from glossdeck.render import stardict

        return lambda: stardict.render(glossary, TIMESTAMP)
    if name == "epub":
        from glossdeck.render import epub

        return lambda: epub.render(glossary, TIMESTAMP)
    if name == "bare-genanki":
        return _bare_genanki(glossary, root)
    if name == "bare-reportlab":
        return _bare_reportlab(glossary)
    if name == "bare-pypdf":
        from glossdeck.render import booklet

        reading = booklet.render(glossary, paper)
        return lambda: _bare_pypdf(reading)
    if name == "bare-cards":
        return _bare_cards(glossary)
    raise SystemExit(f"unknown job {name!r}")


def _bare_genanki(glossary: Any, root: Path) -> Callable[[], Any]:
    """The same notes (fields, tags, GUIDs computed beforehand) written by genanki alone."""
    import genanki

    from glossdeck.render import anki

    names = {t.id: t.term for t in glossary.terms}
    model = anki._Model(1)
    notes = [(anki._fields(glossary, t, names), anki._tags(t), anki.note_guid(glossary.settings.id, t.id))
             for t in glossary.terms]

    def write() -> None:
        deck = genanki.Deck(2059400110, "Bench")
        for fields, tags, guid in notes:
            deck.add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=tags))
        genanki.Package(deck).write_to_file(str(root / "bare.apkg"), timestamp=TIMESTAMP)

    return write


def booklet_text(glossary: Any) -> tuple[list[tuple[str, Any] | None], dict[str, Any]]:
    """The booklet's paragraphs as glossdeck sets them (markup and style, page numbers as two digits), None
    for each page break; and the styles by name."""
    from reportlab.platypus import PageBreak, Table

    from glossdeck.render import booklet
    from glossdeck.render.fonts import register

    styles = booklet._styles(register(), glossary.settings.language)
    refs = booklet._References(2)
    story = (booklet._title_page(glossary, styles) + booklet._front_matter(glossary, styles, refs)
             + booklet._entries(glossary, styles, refs) + booklet._sources(glossary, styles, refs)
             + booklet._alias_index(glossary, styles, refs) + booklet._back_cover(glossary, styles))
    mark = re.escape(booklet.PAGE_MARK)
    texts: list[tuple[str, Any] | None] = []
    for flowable in story:
        cells = [c for row in flowable._cellvalues for c in row] if isinstance(flowable, Table) else [flowable]
        # Each anchor as an <a name> (the booklet sets it when drawing), so that links find their targets.
        texts += [((f'<a name="{c.anchor}"/>' if c.anchor else "") + re.sub(f"{mark}[^{mark}]*{mark}", "88", c.markup),
                   c.style) for c in cells if isinstance(c, booklet.Para)]
        if isinstance(flowable, PageBreak):
            texts.append(None)
    return texts, styles


def _bare_reportlab(glossary: Any) -> Callable[[], Any]:
    """The booklet's paragraphs (same markup, links, fonts, styles, hyphenation, page size and margins, page
    numbers as two digits) typeset once by reportlab alone: no running heads, bookmarks, letter rule or forms.

    They are booklet.Para, with no page references: a Paragraph whose lines are broken once per width, without
    which reportlab itself stops with a LayoutError on some of these paragraphs (a split part re-broken longer).
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    from glossdeck.render import booklet
    from glossdeck.render.fonts import register

    font = register()
    texts, _ = booklet_text(glossary)

    def typeset() -> bytes:
        # Paragraphs are made afresh each time: reportlab's line breaking changes their parsed words.
        flowables = [PageBreak() if item is None else booklet.Para(item[0], item[1]) for item in texts]
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=booklet.PAGE_SIZES[glossary.settings.paper], leftMargin=15 * mm,
                          rightMargin=15 * mm, topMargin=17 * mm, bottomMargin=17 * mm, initialFontName=font,
                          invariant=1).build(flowables)
        return buffer.getvalue()

    return typeset


def write_booklet_text(glossary: Any, path: Path) -> None:
    """The booklet's text for bench/bare_booklet.py: paragraphs, styles, fonts, page and margins, as JSON."""
    from reportlab.lib.colors import Color
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm

    from glossdeck.render import booklet, fonts

    texts, styles = booklet_text(glossary)

    language = glossary.settings.language
    pyphen_language = {"en": "en_US"}.get(language, language.replace("-", "_"))

    def plain(value: Any) -> Any:
        if callable(value):  # glossdeck's hyphenator (pyphen, compounds broken after their hyphen): pyphen by name
            return pyphen_language
        return {"colour": "#" + value.hexval()[2:]} if isinstance(value, Color) else value

    faces = {name: str(fonts.FONT_DIR / file) for name, file in fonts.FACES.items()}
    data = {"family": fonts.register(), "fonts": faces,
            "styles": {style.name: {key: plain(getattr(style, key)) for key in ParagraphStyle.defaults}
                       for style in styles.values()},
            "story": [None if item is None else [item[0], item[1].name] for item in texts],
            "page": list(booklet.PAGE_SIZES[glossary.settings.paper]), "margins": [15 * mm, 15 * mm, 17 * mm, 17 * mm]}
    path.write_text(json.dumps(data), encoding="utf-8")


def _bare_pypdf(reading: bytes) -> bytes:
    """The reading pages merged two per landscape sheet side by pypdf alone, in booklet order."""
    from pypdf import PdfReader, PdfWriter, Transformation

    from glossdeck.render.impose import SHEETS, booklet_order, padded

    reader = PdfReader(io.BytesIO(reading))
    for page in reader.pages:  # a sheet carries no links; merging them makes pypdf recurse too deep past 800 pages
        if "/Annots" in page:
            del page["/Annots"]
    width, height = SHEETS["a5"]
    page_width = float(reader.pages[0].mediabox.width)
    sequence = padded(len(reader.pages))
    writer = PdfWriter()
    for left, right in booklet_order(len(sequence)):
        side = writer.add_blank_page(width, height)
        for slot, index in enumerate((sequence[left], sequence[right])):
            if index is not None:
                side.merge_transformed_page(reader.pages[index], Transformation().translate(slot * page_width, 0))
        side.compress_content_streams()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _bare_cards(glossary: Any) -> Callable[[], Any]:
    """Each card's text (term; definition and first quote) as paragraphs drawn once in 60 x 85 mm boxes,
    nine to an A4 page, by reportlab alone: no fitting, numbers or crop marks."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    from glossdeck import markup
    from glossdeck.render.common import esc
    from glossdeck.render.fonts import register

    font = register()
    front = ParagraphStyle("front", fontName=f"{font}-Bold", fontSize=14, leading=17)
    back = ParagraphStyle("back", fontName=font, fontSize=8, leading=10)
    cards = [(esc(t.term), markup.to_pdf(t.definition, links=False)
              + (f"<br/><i>“{esc(t.all_citations[0].display)}”</i>" if t.all_citations else ""))
             for t in glossary.terms]
    width, height = 60 * mm, 85 * mm

    def draw() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font)
        for start in range(0, len(cards), 9):
            for side, style in ((0, front), (1, back)):
                for i, card in enumerate(cards[start:start + 9]):
                    paragraph = Paragraph(card[side], style)
                    _, used = paragraph.wrap(width - 8 * mm, height - 8 * mm)
                    paragraph.drawOn(canvas, 15 * mm + i % 3 * width + 4 * mm, 280 * mm - (i // 3 + 1) * height
                                     + height - 4 * mm - used)
                canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    return draw


def child(name: str, root: Path) -> None:
    """Run one job in this fresh process and print its time and the process's peak memory as JSON."""
    sys.path.insert(0, str(REPO / "src"))
    work = job(name, root)
    start, start_cpu = time.perf_counter(), time.process_time()
    work()
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def measure(name: str, root: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--job", name, "--root", str(root)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"job {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def process_seconds(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "glossdeck", *args], cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def process_times(command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """The wall time and the CPU time (user and system) of one whole process, start-up included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"seconds": seconds, "cpu": cpu}


def whole_processes(root: Path, jobs: list[str], rounds: int) -> None:
    """`glossdeck check`, `glossdeck build booklet --force` and reportlab alone typesetting the same text
    (bench/bare_booklet.py), each as the whole process a user runs, in turn for `rounds` rounds.

    Python caches each module's bytecode after its first run; the processes do too (in a folder of their
    own, so that a PYTHONDONTWRITEBYTECODE in the environment does not make every run compile glossdeck
    afresh), and one untimed run of each fills that cache.
    """
    from glossdeck import pipeline

    jobs = [name for name in PROCESSES if name in jobs]
    if not jobs:
        return
    glossary, _ = pipeline.check(root)
    text = root / "booklet-text.json"
    write_booklet_text(glossary, text)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    glossdeck = [str(Path(sys.executable).parent / "glossdeck")]
    commands = {"process-check": glossdeck + ["check"], "process-check-warm": glossdeck + ["check"],
                "process-booklet": glossdeck + ["build", "booklet", "--force", "--out", str(root / "process-out")],
                "process-bare-reportlab": [sys.executable, str(REPO / "bench" / "bare_booklet.py"), str(text),
                                           str(root / "bare.pdf")]}
    envs = {name: {**env, CACHE_ENV: ""} if name == "process-check" else env for name in jobs}
    for name in jobs:
        process_times(commands[name], root, envs[name])  # fills the bytecode cache (and the term cache)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name in jobs:
            runs[name].append(process_times(commands[name], root, envs[name]))
    t = {name: min(f["cpu"] for f in runs[name]) for name in jobs}
    print(f"  as whole processes (best of {rounds}, in turn):")
    for name in jobs:
        shown = " ".join(commands[name][1:3]) if name != "process-bare-reportlab" else "reportlab alone"
        shown += {"process-check": ", no term cache", "process-check-warm": ", nothing changed"}.get(name, "")
        print(f"  {name:<24} {t[name]:7.2f} s CPU {min(f['seconds'] for f in runs[name]):7.2f} s wall   ({shown})")
    if "process-booklet" in t and "process-bare-reportlab" in t:
        print(f"  ratio (CPU): glossdeck build booklet --force / reportlab alone "
              f"{t['process-booklet'] / t['process-bare-reportlab']:.2f}", flush=True)


RATIOS = {"deck/genanki": ("deck", ["bare-genanki"]), "booklet/reportlab": ("booklet", ["bare-reportlab"]),
          "print/pypdf": ("print", ["bare-pypdf"]), "cards/bare": ("cards", ["bare-cards"]),
          "build/bare sum": ("build", BARE), "rebuild/check": ("rebuild", ["check"]),
          "check-warm/check": ("check-warm", ["check"])}


def report(label: str, root: Path, jobs: list[str], rounds: int) -> None:
    """Each job once per round, the jobs in turn; the best CPU time of each (the machine may be shared: CPU time
    is what the work costs, wall time also counts the waits for a busy processor)."""
    print(f"\n{label}", flush=True)
    jobs = [name for name in jobs if name not in PROCESSES]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name in jobs:
            runs[name].append(measure(name, root))
    t = {name: min(f["cpu"] for f in runs[name]) for name in jobs}
    print(f"  {'job':<15} {'CPU':>9} {'wall':>9} {'peak':>10}")
    for name in jobs:
        wall = min(f["seconds"] for f in runs[name])
        print(f"  {name:<15} {t[name]:7.2f} s {wall:7.2f} s {max(f['peak_mb'] for f in runs[name]):7.0f} MB",
              flush=True)
    if all(name in t for name in BARE):
        print(f"  {'bare sum':<15} {sum(t[name] for name in BARE):7.2f} s")
    ratios = [f"{ratio} {t[ours] / sum(t[b] for b in bare):.2f}" for ratio, (ours, bare) in RATIOS.items()
              if ours in t and all(b in t for b in bare)]
    print("  ratios (CPU): " + ", ".join(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 5000],
                        help="synthetic glossary sizes, in terms (none: only the shipped glossary)")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped glossary")
    parser.add_argument("--jobs", nargs="+", choices=OURS + BARE + PROCESSES, default=OURS + BARE + PROCESSES,
                        help="only these jobs")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each job, in turn; the best is shown")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        child(args.job, args.root)
        return
    print(f"aims: {AIMS}")
    print(f"each figure: the best of {args.rounds} runs of the job, each in a fresh process (setup not timed); "
          "ratios are of CPU time; peak: the largest peak RSS of those processes")
    print("bare-pypdf merges pages with pypdf's own merge_transformed_page; glossdeck's impose draws each page as "
          "a form instead, which is faster than that bare figure")
    with tempfile.TemporaryDirectory() as folder:
        os.environ[CACHE_ENV] = str(Path(folder) / "term-cache")
        if not args.no_shipped:
            root = shipped_copy(Path(folder) / "shipped")
            process_seconds(["build"], root)  # writes notes.lock, so that every later build is like a rebuild
            print("\nshipped glossary, as a new user runs it (whole process, interpreter start included):")
            print(f"  glossdeck check  {process_seconds(['check'], root):8.2f} s")
            print(f"  glossdeck build  {process_seconds(['build'], root):8.2f} s")
            report("shipped glossary (glossary/)", root, args.jobs, args.rounds)
            whole_processes(root, args.jobs, args.rounds)
        for n in args.sizes:
            root = make_glossary(Path(folder) / f"synthetic-{n}", n)
            report(f"synthetic, {n} terms shaped like the shipped ones", root, args.jobs, args.rounds)
            whole_processes(root, args.jobs, args.rounds)


if __name__ == "__main__":
    main()
