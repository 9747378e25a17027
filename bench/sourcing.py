"""Time `glossdeck source add` on texts of growing size: seconds per megabyte must stay flat (linear cost).

Each size is a synthetic essay (paragraphs of words, a short heading line every two hundred paragraphs, and a
two-speaker dialogue at its end), added as plain text, as Markdown and as a saved web page, each in a fresh
project and a fresh process, as a user runs it; then a term quoting its last turn is added and
`glossdeck check` run on the result. Prints CPU seconds (the machine may be shared) and seconds per MB;
asserts nothing.

    .venv/bin/python bench/sourcing.py                    # 1, 2, 8 and 50 MB
    .venv/bin/python bench/sourcing.py --sizes 1 2 --formats text
"""

from __future__ import annotations

import argparse
import html
import random
import subprocess
import sys
import tempfile
import resource
from pathlib import Path

WORDS = ("the of and a to in is you that it he was for on are as with his they at be this have from or one had by "
         "word but not what all were we when your can said there use an each which she do how their if will up "
         "other about out many then them these so some her would make like him into time has look two more write "
         "go see number no way could people my than first water been call who oil its now find long down day did "
         "get come made may part").split()


def essay(size: int, seed: int = 1) -> list[tuple[str, str]]:
    """(kind, text) blocks adding up to about `size` characters: paragraphs, headings, a closing dialogue."""
    rng = random.Random(seed)
    blocks: list[tuple[str, str]] = []
    total = 0
    while total < size:
        if len(blocks) % 200 == 0:
            text = f"Part {len(blocks) // 200 + 1} on {rng.choice(WORDS)} {rng.choice(WORDS)}".title()
            blocks.append(("heading", text))
        else:
            sentences = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 22))).capitalize() + "."
                         for _ in range(rng.randint(2, 6)))
            text = " ".join(sentences)
            blocks.append(("paragraph", text))
        total += len(text) + 2
    for turn in range(6):
        blocks.append(("turn", ("Ada" if turn % 2 else "Bob") + ": " + " ".join(rng.choice(WORDS) for _ in range(12))
                       + "."))
    blocks.append(("turn", "Ada: " + QUOTE + "."))
    return blocks


QUOTE = "a closing remark that the benchmark quotes"


def as_text(blocks: list[tuple[str, str]], fmt: str) -> str:
    if fmt == "text":
        return "\n\n".join(text for _, text in blocks) + "\n"
    if fmt == "markdown":
        return "\n\n".join(("## " + text) if kind == "heading" else text for kind, text in blocks) + "\n"
    body = "\n".join(f"<h2>{html.escape(text)}</h2>" if kind == "heading" else f"<p>{html.escape(text)}</p>"
                     for kind, text in blocks)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>A long essay</title></head><body><nav>"
            f"<a href='/'>Home</a></nav><article>{body}</article><footer>Footer</footer></body></html>\n")


def glossdeck(*args: str, cwd: Path) -> float:
    """The CPU seconds the command took (user and system): on a shared machine, wall time also counts the waits
    for a busy processor."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "glossdeck", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"glossdeck {args[0]} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 8, 50], help="sizes in MB")
    parser.add_argument("--formats", nargs="+", default=["text", "markdown", "html"])
    args = parser.parse_args()
    print(f"{'format':9} {'MB':>6} {'source add':>11} {'s/MB':>7} {'check':>8} {'s/MB':>7}   (CPU seconds)")
    for fmt in args.formats:
        for megabytes in args.sizes:
            with tempfile.TemporaryDirectory() as folder:
                root = Path(folder)
                suffix = {"text": ".txt", "markdown": ".md", "html": ".html"}[fmt]
                source = root / f"essay{suffix}"
                source.write_text(as_text(essay(int(megabytes * 1_000_000)), fmt), encoding="utf-8")
                size = source.stat().st_size / 1_000_000
                glossdeck("init", "g", "--title", "Bench", cwd=root)
                add = glossdeck("source", "add", str(source), "--id", "essay", "--title", "A long essay",
                                "--author", "Bench", "--yes", cwd=root / "g")
                glossdeck("add", "--term", "closing remark", "--definition", "A remark at the end.", "--gloss",
                          "The last words.", "--cite", "essay", QUOTE, cwd=root / "g")
                check = glossdeck("check", cwd=root / "g")
                print(f"{fmt:9} {size:6.1f} {add:10.2f}s {add / size:7.3f} {check:7.2f}s {check / size:7.3f}",
                      flush=True)


if __name__ == "__main__":
    main()
