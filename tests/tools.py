"""The Debian tools the e-reader tests read the outputs back with: missing, they fail the tests, never skip them."""

from __future__ import annotations

import os
import shutil

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
