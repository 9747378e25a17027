"""What the tests run beside glossdeck: the Debian tools the e-reader tests read the outputs back with (missing,
they fail the tests, never skip them), and the cached venvs of the Anki releases they drive."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def tool(name: str, package: str | None = None) -> str:
    """The path of a command the tests need, or a failure that says how to install it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"these tests need `{name}`: `apt-get install -y {package or name}` (.ci/run does this)",
                    pytrace=False)
    return found


def epubcheck() -> list[str]:
    """The command that runs Debian's EPUBCheck: its /usr/bin/epubcheck is the jar itself, which runs directly
    only where the kernel is set up to run jars, so it is started with java."""
    found = os.path.realpath(tool("epubcheck"))
    return [tool("java", "default-jre-headless"), "-jar", found] if found.endswith(".jar") else [found]


def cached_venv(folder: Path, packages: list[str], what: str) -> Path:
    """A venv in `folder` with `packages` installed, made on first use and reused afterwards; its python."""
    python = folder / "bin" / "python"
    ready = folder / ".ready"  # written last: a venv whose install failed half-way is made again
    if ready.is_file() and ready.read_text() == " ".join(packages) and python.exists():
        return python
    shutil.rmtree(folder, ignore_errors=True)
    for command in ([sys.executable, "-m", "venv", str(folder)],
                    [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"could not make the venv for {what} ({' '.join(command)}):\n{done.stderr}")
    ready.write_text(" ".join(packages))
    return python
