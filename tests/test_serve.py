"""`glossdeck serve` answers every address a browser, a scanner or a careless hand sends with a status, never a
traceback, and serves nothing outside the site's folder."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from typing import Iterator

import pytest
from click.testing import CliRunner

from glossdeck.cli import main
from tests.conftest import make_project


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    root = make_project(tmp_path_factory.mktemp("serve") / "project")
    (root / "secret.txt").write_text("outside the site", encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "html", "--project", str(root)]).exit_code == 0
    process = subprocess.Popen([sys.executable, "-m", "glossdeck", "serve", "--port", "0", "--project", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline()).group(1))  # type: ignore
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def request(port: int, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send the request line exactly as given (no client tidies it up) and return the status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


BAD = {
    "a NUL escape": b"/%00",
    "a NUL escape after a real file": b"/index.html%00",
    "a NUL escape in a folder": b"/terms/%00.html",
    "a NUL escape in the last part": b"/assets/site.css%00.js",
    "a raw NUL byte": b"/\x00",
    "a lone surrogate": b"/%ed%a0%80",
    "a byte that is no UTF-8": b"/%ff",
    "an overlong encoding of /": b"/%c0%af",
    "an overlong encoding of .": b"/%c0%ae%c0%ae/secret.txt",
    "a broken escape": b"/%",
    "a non-hex escape": b"/%zz",
    "escaped dot-dots": b"/..%2f..%2fsecret.txt",
    "dot-dots": b"/../../secret.txt",
    "escaped dots": b"/%2e%2e/%2e%2e/secret.txt",
    "backslashes": b"/..\\..\\secret.txt",
    "a very long name": b"/" + b"a" * 5000,
    "a very long path": b"/" + b"a/" * 2000,
    "an absolute path": b"//etc/passwd",
}


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("method", [b"GET", b"HEAD"])
def test_a_bad_address_gets_400_or_404_and_no_traceback(server, name, method):
    port, process = server
    status, body = request(port, BAD[name], method)
    assert status in (400, 404), (name, status)
    assert b"outside the site" not in body
    assert process.poll() is None  # still serving
    assert request(port, b"/index.html")[0] == 200


def test_a_nul_in_the_query_is_only_a_query(server):
    port, _ = server
    assert request(port, b"/index.html?q=%00")[0] == 200
    assert request(port, b"/index.html#%00")[0] == 200


def test_a_request_line_longer_than_the_server_reads_gets_414(server):
    port, _ = server
    assert request(port, b"/" + b"a" * 70_000)[0] == 414


def test_nothing_reached_the_servers_error_output(server):
    """Run last in this module: every request above left no traceback (nor any line) on standard error."""
    port, process = server
    for target in BAD.values():
        request(port, target)
    process.terminate()
    process.wait(timeout=10)
    assert process.stderr is not None
    errors = process.stderr.read()
    assert "Traceback" not in errors and "Error" not in errors, errors
