"""How alike a glossary's glosses are: the distribution of pair scores, the pairs near the limit, and the time.

Figures, no asserts. The limit in glossdeck/glosses.py was picked from this on the shipped glossary:

    .venv/bin/python bench/glosses.py                      # the shipped glossary
    .venv/bin/python bench/glosses.py --project DIR --top 40
    .venv/bin/python bench/glosses.py --against token_set_ratio   # rapidfuzz's measure, for comparison
    .venv/bin/python bench/glosses.py --synthetic 5000     # time 5,000 glosses cut from the essays
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

from glossdeck import glosses, pipeline

REPO = Path(__file__).resolve().parent.parent


def pair_scores(texts: list[str]) -> list[tuple[float, int, int]]:
    """Every pair's score (0 for pairs sharing no content word), highest first."""
    found = {(like.first, like.second): like.score for like in glosses.too_alike(texts, limit=0.0)}
    return sorted(((found.get((a, b), 0.0), a, b) for a, b in itertools.combinations(range(len(texts)), 2)),
                  reverse=True)


def rapidfuzz_scores(texts: list[str], scorer: str) -> list[tuple[float, int, int]]:
    from rapidfuzz import fuzz, utils

    measure = getattr(fuzz, scorer)
    return sorted(((measure(texts[a], texts[b], processor=utils.default_process) / 100, a, b)
                   for a, b in itertools.combinations(range(len(texts)), 2)), reverse=True)


def report(ids: list[str], scores: list[tuple[float, int, int]], top: int) -> None:
    values = [score for score, _, _ in scores]
    print(f"{len(ids)} glosses, {len(values)} pairs; {sum(v == 0 for v in values)} share no content word")
    for q in (50, 90, 99, 99.9):
        print(f"  {q:>5}th percentile {values[min(len(values) - 1, int(len(values) * (1 - q / 100)))]:.3f}")
    print(f"  highest {values[0]:.3f}")
    for low in (0.5, 0.4, 0.3, 0.26, 0.2, 0.15, 0.1):
        print(f"  pairs >= {low:.2f}: {sum(v >= low for v in values)}")
    print(f"the {top} highest pairs (limit {glosses.LIMIT}):")
    for score, a, b in scores[:top]:
        print(f"  {score:.3f} {'*' if score >= glosses.LIMIT else ' '} {ids[a]} / {ids[b]}")


def synthetic(n: int, root: Path) -> list[str]:
    """n glosses of 24 words each: stretches of the essays in seeds/, evenly spaced (real text, real word
    frequencies; when n is large they overlap, which only makes the job harder)."""
    words = [word for path in sorted((root / "seeds").glob("*.txt"))
             for word in path.read_text(encoding="utf-8").split()]
    step = max(1, (len(words) - 24) // n)
    return [" ".join(words[i * step:i * step + 24]) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--against", help="a rapidfuzz.fuzz scorer to compare, e.g. token_set_ratio")
    parser.add_argument("--synthetic", type=int, help="time this many glosses cut from the essays")
    args = parser.parse_args()
    glossary, _ = pipeline.load_glossary(args.project)
    terms = sorted(glossary.terms, key=lambda t: t.id)
    ids, texts = [t.id for t in terms], [t.gloss for t in terms]
    if args.synthetic:
        many = synthetic(args.synthetic, args.project)
        start = time.process_time()
        found = glosses.too_alike(many)
        print(f"{args.synthetic} synthetic glosses: {time.process_time() - start:.2f} s CPU, {len(found)} pairs "
              f"at or above {glosses.LIMIT}")
        return
    report(ids, pair_scores(texts), args.top)
    if args.against:
        scores = rapidfuzz_scores(texts, args.against)
        print(f"\nrapidfuzz {args.against} (0-1):")
        report(ids, scores, args.top)
    print(f"\nmedian gloss length {statistics.median(len(t.split()) for t in texts)} words")


if __name__ == "__main__":
    main()
