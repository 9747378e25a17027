"""The code itself: ruff's checks and mypy's types, configured in pyproject.toml."""

import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("tool, args", [("ruff", ["check", "src", "tests", "bench"]), ("mypy", ["src"])])
def test_code_passes(tool, args):
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
