"""Time `glossdeck push` into the real Anki desktop: a first push of N terms, then a push with 1 % of them changed.

Starts Anki (the venv the push tests make, under .venv-aqt/ or $GLOSSDECK_AQT_VENVS) headless with AnkiConnect,
builds a synthetic glossary of N terms shaped like the shipped one (bench/run.py's), and times whole `glossdeck
push` processes as a user runs them, with the import's own share (AnkiConnect's importPackage) shown apart.
Prints figures; asserts nothing.

    .venv/bin/python bench/push.py                 # 5,000 terms, Anki 26.9.3
    .venv/bin/python bench/push.py --terms 1000 --version 24.11
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests")]

from anki_desktop import AnkiDesktop  # noqa: E402
from run import make_glossary  # noqa: E402


def timed_push(root: Path, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "glossdeck", "push", "--url", url], cwd=root, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"push failed:\n{done.stdout}{done.stderr}")
    return seconds, " ".join(done.stdout.split("\n")[1:]).strip()


def change_some(root: Path, share: float, seed: int) -> int:
    """Append a sentence to the definition of a share of the terms; how many were changed."""
    import yaml

    terms = sorted((root / "glossary" / "terms").glob("*.yaml"))
    chosen = random.Random(seed).sample(terms, max(1, round(len(terms) * share)))
    for path in chosen:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["definition"] = data["definition"].rstrip() + f" Revised {seed}."
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", type=int, default=5000)
    parser.add_argument("--version", default="26.9.3")
    parser.add_argument("--share", type=float, default=0.01, help="the share of terms changed (default 1 %%)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["GLOSSDECK_CACHE_DIR"] = str(Path(folder) / "term-cache")  # the first push starts with none
        root = make_glossary(Path(folder) / "project", options.terms)
        start = time.perf_counter()
        anki = AnkiDesktop(options.version, Path(folder) / "anki")
        print(f"Anki {options.version} answering after {time.perf_counter() - start:.1f} s")
        try:
            seconds, said = timed_push(root, anki.url)
            print(f"first push of {options.terms} terms (no term cache yet): {seconds:.1f} s ({said})")
            seconds, said = timed_push(root, anki.url)
            print(f"push with nothing changed: {seconds:.1f} s ({said})")
            for round_ in (1, 2):
                changed = change_some(root, options.share, round_)
                seconds, said = timed_push(root, anki.url)
                print(f"push with {changed} terms changed ({options.share:.0%}): {seconds:.1f} s ({said})")
            # as after an upgrade of glossdeck (or with the cache deleted): every term file checked again
            os.environ["GLOSSDECK_CACHE_DIR"] = str(Path(folder) / "another-term-cache")
            changed = change_some(root, options.share, 3)
            seconds, said = timed_push(root, anki.url)
            print(f"push with {changed} terms changed ({options.share:.0%}), no term cache: {seconds:.1f} s ({said})")
            deck = next((root / "build").glob("*.apkg"))
            start = time.perf_counter()
            anki.call("importPackage", path=str(deck))
            print(f"of which AnkiConnect's importPackage of the same deck alone: {time.perf_counter() - start:.1f} s")
        finally:
            anki.stop()


if __name__ == "__main__":
    main()
