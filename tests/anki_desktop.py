"""The real Anki desktop (aqt from PyPI), headless, with AnkiConnect: the client `glossdeck push` talks to."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from tools import cached_venv

HARNESS = Path(__file__).resolve().parent / "fixtures" / "anki-desktop"
# The releases `push` is tested against; 24.11 needs Qt 6 named explicitly.
VERSIONS = {
    "26.9.3": ["aqt[qt]==26.9.3", "anki==26.9.3"],
    "24.11": ["aqt[qt6]==24.11", "anki==24.11"],
}


def venv(version: str) -> Path:
    """The venv for one Anki desktop release, made on first use (about 220 MB from PyPI) and reused afterwards."""
    folder = Path(os.environ.get("GLOSSDECK_AQT_VENVS", REPO / ".venv-aqt")) / version
    cached_venv(folder, VERSIONS[version], f"Anki {version} (desktop)")
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AnkiDesktop:
    """One running Anki with a fresh profile; `call` speaks AnkiConnect to it."""

    def __init__(self, version: str, base: Path) -> None:
        self.version, self.base, self.port = version, base, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder = venv(version)
        addon = base / "addons21" / "AnkiConnect"
        shutil.copytree(HARNESS / "AnkiConnect", addon)
        config = json.loads((addon / "config.json").read_text())
        config.update(webBindAddress="127.0.0.1", webBindPort=self.port)
        (addon / "config.json").write_text(json.dumps(config))
        # Anki runs once per user; its newer releases take a key of their own (older ones fail while another runs).
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
               "ANKI_SINGLE_INSTANCE_KEY": f"glossdeck-test-{self.port}"}
        subprocess.run([str(folder / "bin" / "python"), str(HARNESS / "seed_profile.py"), str(base)], env=env,
                       check=True, capture_output=True)
        (base / "gldriver6").write_text("software\n")  # no GPU: skip Mesa probing
        self.log = open(base / "anki.log", "wb")
        self.process = subprocess.Popen([str(folder / "bin" / "anki"), "-b", str(base)], env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                pytest.fail(f"Anki {version} exited (is another Anki running as this user?): "
                            f"{(base / 'anki.log').read_text(errors='replace')[-2000:]}")
            try:
                if self.call("version") >= 6:
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"Anki {version} did not answer in 90 s: {(base / 'anki.log').read_text(errors='replace')[-2000:]}")

    def call(self, action: str, **params: object) -> object:
        body = json.dumps({"action": action, "version": 6, "params": params}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url, data=body), timeout=60) as response:
            answer = json.loads(response.read())
        assert answer["error"] is None, (action, answer["error"])
        return answer["result"]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
