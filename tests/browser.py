"""A real Chromium for the site's tests: Debian's package driven by Playwright, kept off the network."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium keeps calling Google's servers.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """The system Chromium; its absence fails the tests (never skips them), saying how to get it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("the site's tests need Chromium: `apt-get install -y chromium` (.ci/run does this)", pytrace=False)


def axe_script() -> Path:
    if not AXE.is_file():
        pytest.fail(f"the accessibility tests need axe-core at {AXE}: run `npm install --prefix . axe-core` "
                    "in the repository (.ci/run does this)", pytrace=False)
    return AXE


def node_script(relative: str) -> Path:
    """A script of an npm package the tests load into Chromium (as the Hypothesis client does); missing, it fails."""
    path = REPO / "node_modules" / relative
    if not path.is_file():
        pytest.fail(f"this test needs {path}: run `npm install --no-save --no-package-lock showdown@2 dompurify@3` "
                    "in the repository (.ci/run does this)", pytrace=False)
    return path


class Browser:
    """One headless Chromium for a test session; every page it opens records requests leaving the site."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.mkdtemp(prefix="glossdeck-chromium-")
        self._playwright = sync_playwright().start()
        self.context = self._playwright.chromium.launch_persistent_context(
            self._profile, executable_path=chromium_path(), args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []  # every request for something that is not a file of the site
        self.context.route("**/*", self._route)
        self._phone: Any = None

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def page(self, width: int = 1280, height: int = 900, dark: bool = False) -> Any:
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme="dark" if dark else "light")
        return page

    def phone(self, width: int = 360, height: int = 740) -> Any:
        """A page on a phone: a touch screen (real touch events with `tap()`), a mobile viewport, no mouse."""
        if self._phone is None:
            browser = self._playwright.chromium.launch(executable_path=chromium_path(), args=ARGS, headless=True)
            self._phone = browser.new_context(viewport={"width": width, "height": height}, has_touch=True,
                                              is_mobile=True, device_scale_factor=2)
            self._phone.route("**/*", self._route)
        page = self._phone.new_page()
        page.set_viewport_size({"width": width, "height": height})
        return page

    def close(self) -> None:
        if self._phone is not None:
            self._phone.browser.close()
        self.context.close()
        self._playwright.stop()
        shutil.rmtree(self._profile, ignore_errors=True)
