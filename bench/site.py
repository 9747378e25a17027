"""The web site at scale: a glossary of up to 20,000 terms with a book-length source.

For each size it prints the time of `check` and of building the site (each in a fresh process, CPU seconds and
peak memory), the largest page and what the search page loads, and the time from opening the search page to its
first result in Chromium (Debian's, driven by Playwright, from disk). Figures and ratios; it asserts nothing.

    .venv/bin/python bench/site.py                                  # 1,000, 5,000 and 20,000 terms
    .venv/bin/python bench/site.py --sizes 1000 2000 --book-chars 300000 --rounds 1

The aims (issue 21): no page over 200 KB, the first search result within 300 ms of opening the search page, and
every output linear in the number of terms: the "per term" columns should stay flat as the sizes grow.

Other outputs join by adding a job to JOBS: a name, the work it times (a function of the project's root and the
output folder; `_build("epub")` builds one target) and a function that says how big what it wrote is.
"""

from __future__ import annotations

import argparse
import hashlib
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

from run import relinked  # bench/run.py's synthetic terms relink the same way (run as a script: bench/ is on the path)

REPO = Path(__file__).resolve().parent.parent
TIMESTAMP = 1_700_000_000
QUERIES = ("mesaoptimizer", "sharp left", "orthogonalty")  # a name run together, two words, a typo
LIMIT = 200_000  # bytes: no page over this
LOADED = "Array.from(document.scripts).map(s => s.src).filter(s => s.includes('/search/'))"  # the parts loaded


# --- the glossary ------------------------------------------------------------------------------------------------


def book(chars: int) -> str:
    """A book-length Markdown source: the four essays as chapters, over and over, until it is `chars` long.

    The essay run together on one line is set in paragraphs of five sentences, as a book would be.
    """
    texts = []
    for seed in sorted((REPO / "seeds").iterdir()):
        text = seed.read_text(encoding="utf-8")
        if "\n" not in text.strip():
            sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z])", text)
            text = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))
        texts.append(re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S))  # no front matter inside a book
    chapters, size, number = [], 0, 0
    while size < chars:
        text = texts[number % len(texts)]
        number += 1
        chapter = f"# Chapter {number}\n\n{text.strip()}\n\n"
        chapters.append(chapter)
        size += len(chapter)
    return "".join(chapters)


def make_project(folder: Path, n: int, book_chars: int) -> Path:
    """The shipped glossary (its terms keep their names, so the book mentions them) grown to n terms with renamed
    copies of its terms (same quotes, views and shape), and the book as one more source."""
    import yaml

    shutil.copytree(REPO / "seeds", folder / "seeds")
    shutil.copytree(REPO / "glossary", folder / "glossary")
    text = book(book_chars)
    (folder / "seeds" / "book.md").write_text(text, encoding="utf-8")
    with (folder / "glossary" / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(f"book:\n  file: book.md\n  sha256: {hashlib.sha256(text.encode()).hexdigest()}\n"
                      "  title: A book of essays\n  author: Several authors\n  format: markdown\n")
    shipped = sorted((REPO / "glossary" / "terms").glob("*.yaml"))
    templates = [(path.stem, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in shipped]
    rng = random.Random(n)
    copies = max(0, n - len(templates))
    ids = [f"{templates[i % len(templates)][0]}-{i:05d}" for i in range(copies)]
    every_id = [t for t, _ in templates] + ids
    for i, term_id in enumerate(ids):
        template = templates[i % len(templates)][1]
        term = {key: value for key, value in template.items() if key != "renamed_from"}
        term["term"] = f"{template['term']} {i}"
        term["aliases"] = [f"{alias} {i}" for alias in template.get("aliases", [])]
        term["named_in_sources"] = False
        term["related"] = sorted({every_id[rng.randrange(len(every_id))] for _ in template.get("related", [])}
                                 - {term_id})
        term = relinked(term, lambda: every_id[rng.randrange(len(every_id))])
        (folder / "glossary" / "terms" / f"{term_id}.yaml").write_text(
            yaml.safe_dump(term, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return folder


# --- the jobs, each timed in a fresh process -----------------------------------------------------------------------


def _site_sizes(out: Path) -> dict[str, Any]:
    site = next(out.glob("*-site"))
    pages = {p: p.stat().st_size for p in site.rglob("*.html")}
    largest = max(pages, key=pages.__getitem__)
    parts = {p.name: p.stat().st_size for p in (site / "assets" / "search").glob("*.js")}
    index = {name: size for name, size in parts.items() if name.startswith("i-")}
    return {"pages": len(pages), "largest": pages[largest], "largest_page": str(largest.relative_to(site)),
            "over_limit": sum(size > LIMIT for size in pages.values()),
            "search_total": sum(parts.values()), "search_meta": parts.get("meta.js", 0),
            "search_parts": len(index), "search_largest_part": max(index.values(), default=0),
            "total": sum(p.stat().st_size for p in site.rglob("*") if p.is_file())}


def _build(*targets: str) -> Callable[[Path, Path], Any]:
    def build(root: Path, out: Path) -> Any:
        from glossdeck import pipeline

        return pipeline.build(root, out=out, targets=targets, timestamp=TIMESTAMP, force=True)
    return build


def _check(root: Path, out: Path) -> Any:
    from glossdeck import pipeline

    return pipeline.check(root)


def _mentions(root: Path, out: Path) -> dict[str, Any]:
    """Every mention of every name in every source (the book included), the glossary loaded beforehand."""
    from glossdeck import mentions, pipeline
    from glossdeck.seeds import load_seeds

    glossary, _ = pipeline.load_glossary(root)
    seeds, _ = load_seeds(root / "seeds", glossary.sources)
    chars = sum(len(seed.text) for seed in seeds.values())  # the reader's view, made before the clock starts
    start = time.process_time()
    found = mentions.find_all(glossary.terms, seeds)
    return {"cpu_only": time.process_time() - start, "chars": chars,
            "mentions": sum(len(here.mentions) for here in found.sources.values())}


JOBS: dict[str, tuple[Callable[[Path, Path], Any], Callable[[Path], dict[str, Any]]]] = {
    "check": (_check, lambda out: {}),
    "html": (_build("html"), _site_sizes),
    "mentions": (_mentions, lambda out: {}),
}


def run_job(name: str, root: Path) -> dict[str, Any]:
    work, measure = JOBS[name]
    out = root / "build"
    start, cpu = time.perf_counter(), time.process_time()
    done = work(root, out)
    result = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
              "memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if isinstance(done, dict):  # a job that timed its own part (loading set aside)
        result = {**result, **done, "cpu": done.get("cpu_only", result["cpu"])}
    return {**result, **measure(out)}


def timed(name: str, root: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--job", name, "--root", str(root)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_results(site: Path, rounds: int) -> dict[str, tuple[float, int]]:
    """Milliseconds from opening search.html?q=… to its first result (the page's own performance mark), the best
    of `rounds` fresh loads per query, and the bytes of the search's parts that query loaded."""
    sys.path.insert(0, str(REPO / "tests"))
    from browser import ARGS, chromium_path  # the tests' Chromium, kept off the network
    from playwright.sync_api import sync_playwright

    found: dict[str, tuple[float, int]] = {}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=ARGS, headless=True)
        for query in QUERIES:
            times = []
            for _ in range(rounds):
                context = chromium.new_context()  # no cache carried over from the last load
                page = context.new_page()
                page.goto((site / "search.html").as_uri() + "?q=" + query.replace(" ", "+"))
                page.wait_for_function("performance.getEntriesByName('glossdeck:first-result').length > 0",
                                       timeout=60_000)
                times.append(page.evaluate("performance.getEntriesByName('glossdeck:first-result')[0].startTime"))
                loaded = page.evaluate(LOADED)
                context.close()
            weight = sum((site / "assets" / "search" / src.rsplit("/", 1)[1]).stat().st_size for src in loaded)
            found[query] = (min(times), weight)
        chromium.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--book-chars", type=int, default=900_000, help="length of the book (a novel: ~500,000)")
    parser.add_argument("--jobs", nargs="+", choices=list(JOBS), default=list(JOBS))
    parser.add_argument("--rounds", type=int, default=3, help="loads of the search page per query (best shown)")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(run_job(args.job, args.root)))
        return
    print(f"book: {args.book_chars:,} characters; aims: no page over {LIMIT // 1000} KB, first search result "
          "within 300 ms, per-term figures flat")
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="glossdeck-site-bench-") as folder:
            os.environ["GLOSSDECK_CACHE_DIR"] = str(Path(folder) / "term-cache")  # not the user's
            root = make_project(Path(folder) / "project", n, args.book_chars)
            figures = {name: timed(name, root) for name in args.jobs}
            html = figures.get("html")
            search = first_results(next((root / "build").glob("*-site")), args.rounds) if html else {}
        rows.append((n, figures, search))
        report(n, figures, search)
    print()
    print("growth from the previous size, (time ratio) / (terms ratio): about 1 is linear")
    for (n0, f0, _), (n1, f1, _) in zip(rows, rows[1:]):
        growth = {name: (f1[name]["cpu"] / f0[name]["cpu"]) / (n1 / n0) for name in f1 if name in f0}
        print(f"  {n0:>6,} -> {n1:>6,}: " + ", ".join(f"{name} {value:.2f}" for name, value in growth.items()))


def report(n: int, figures: dict[str, dict[str, Any]], search: dict[str, tuple[float, int]]) -> None:
    print(f"\n{n:,} terms")
    for name, f in figures.items():
        print(f"  {name:<6} {f['cpu']:7.2f} s CPU ({f['wall']:.2f} s wall), {1000 * f['cpu'] / n:.2f} ms per term, "
              f"{f['memory_mb']:.0f} MB peak")
    found = figures.get("mentions")
    if found:
        print(f"  mentions: {found['mentions']:,} in {found['chars']:,} characters, "
              f"{1e6 * found['cpu'] / found['chars']:.2f} µs per character")
    html = figures.get("html")
    if html:
        print(f"  pages: {html['pages']:,}; largest {html['largest'] / 1000:.0f} KB ({html['largest_page']}); "
              f"{html['over_limit']} over {LIMIT // 1000} KB; whole site {html['total'] / 1e6:.1f} MB")
        print(f"  search: {html['search_total'] / 1e6:.1f} MB in {html['search_parts']} index parts (largest "
              f"{html['search_largest_part'] / 1000:.0f} KB) and display parts; the page loads {html['search_meta']:,} "
              "bytes up front")
    for query, (ms, weight) in search.items():
        print(f"  first result for {query!r}: {ms:.0f} ms after opening the search page ({weight / 1000:.0f} KB "
              "of index and display parts loaded)")


if __name__ == "__main__":
    main()
