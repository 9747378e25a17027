"""Time `glossdeck build` with nothing changed against `glossdeck check`, on a copy of the shipped glossary.

Each run is a fresh process, as a user runs them; prints the median of each and their ratio; asserts nothing.

    .venv/bin/python bench/incremental.py            # 7 runs each
    .venv/bin/python bench/incremental.py --runs 15
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(*args: str, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "glossdeck", *args], cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        os.environ["GLOSSDECK_CACHE_DIR"] = str(Path(folder) / "term-cache")  # not the user's; the first build fills it
        root = Path(folder) / "project"
        for part in ("glossary", "seeds"):
            shutil.copytree(REPO / part, root / part)
        print(f"first build: {timed('build', cwd=root):.2f} s")
        checks, builds = [], []
        for _ in range(runs):  # alternated, so that a busy moment slows both alike
            checks.append(timed("check", cwd=root))
            builds.append(timed("build", cwd=root))
        check, build = statistics.median(checks), statistics.median(builds)
        print(f"check: median {check:.3f} s of {runs} (min {min(checks):.3f})")
        print(f"build, nothing changed: median {build:.3f} s of {runs} (min {min(builds):.3f})")
        print(f"ratio build / check: {build / check:.2f}")


if __name__ == "__main__":
    main()
