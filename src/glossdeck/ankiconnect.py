"""A small client for AnkiConnect's JSON protocol: its address checked where it enters, each answer checked
against the shape its action gives, and every way Anki can fail to answer said as something a user can act on."""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, NoReturn

from glossdeck.errors import GlossdeckError, Problem

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6  # AnkiConnect's protocol version that `multi` with `version` and `importPackage` need
INSTALL_HINT = ("start Anki with the AnkiConnect add-on: in Anki, Tools → Add-ons → Get Add-ons…, code "
                "2055492159, then restart Anki")
TIMEOUT = 300.0  # seconds: importing a large deck into a large collection takes a while
FIRST_TIMEOUT = 15.0  # seconds for the first question (`version`), which a running Anki answers at once
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # the notes of a glossary of some ten thousand terms fit many times over
_CHUNK = 64 * 1024


def checked_url(text: str) -> str:
    """The AnkiConnect address as given, if it is one: http:// (or https://, behind a proxy that adds TLS), a host,
    a port from 1 to 65535, perhaps a path; no user name, query or fragment. GlossdeckError otherwise."""
    def wrong(what: str, hint: str = f"write the address AnkiConnect listens at, e.g. {DEFAULT_URL}") -> NoReturn:
        raise GlossdeckError([Problem(None, None, f"--url {shown_url(text)} {what}", hint)])

    if not text or not text.isprintable() or any(c.isspace() for c in text):
        wrong("is empty" if not text else "holds a space or a control character")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as error:  # "Port out of range 0-65535", "Invalid IPv6 URL", a port that is no number
        wrong(f"is not a web address ({error})")
    if "://" not in text:
        if _HOST_AND_PORT.fullmatch(text):  # localhost:8765, as AnkiConnect's own settings write it
            wrong("has no http:// in front", f"write http://{text}")
        wrong("is not a web address")
    if parts.scheme.lower() not in ("http", "https"):
        wrong(f"is a `{parts.scheme}:` address", "AnkiConnect answers over http://, e.g. " + DEFAULT_URL)
    if not parts.hostname:
        wrong("names no host")
    if port == 0:
        wrong("has port 0, which nothing listens at")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        wrong("holds a user name, a query or a fragment, which AnkiConnect's address never has")
    return text


_HOST_AND_PORT = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?/?")


def shown_url(text: str) -> str:
    return "`" + (text if len(text) <= 80 else text[:80] + "…").encode("unicode_escape").decode("ascii") + "`"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """AnkiConnect answers where it is asked; a redirect means something else is there (and would drop the body)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# AnkiConnect is on this computer: a proxy set in the environment (http_proxy) must not carry the deck's path to
# another machine, nor make a running Anki look absent.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def _note_infos(value: Any) -> bool:
    """notesInfo: for each id a note (its id, its fields with value and order, its tags), or {} for an id unknown."""
    if not isinstance(value, list):
        return False
    for info in value:
        if info == {}:
            continue
        if not (isinstance(info, dict) and isinstance(info.get("noteId"), int) and isinstance(info.get("tags"), list)
                and all(isinstance(t, str) for t in info["tags"]) and isinstance(info.get("fields"), dict)
                and all(isinstance(f, dict) and isinstance(f.get("value"), str) and isinstance(f.get("order"), int)
                        for f in info["fields"].values())):
            return False
    return True


# What each action this client reads answers with: (is it that, what it should be).
SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "version": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a version number"),
    "findNotes": (_ids, "a list of note ids"),
    "findCards": (_ids, "a list of card ids"),
    "notesInfo": (_note_infos, "a list of notes, each with its id, fields and tags"),
    "importPackage": (lambda v: v in (True, False, None), "true, or false when no collection is open"),
}


class AnkiConnect:
    """AnkiConnect over HTTP, with errors a user can act on."""

    def __init__(self, url: str, timeout: float = TIMEOUT) -> None:
        self.url = checked_url(url)
        self.timeout = timeout

    def call(self, action: str, timeout: float | None = None, **params: Any) -> Any:
        answer = self._answer(action, {"action": action, "version": API_VERSION, "params": params},
                              self.timeout if timeout is None else timeout)
        if answer["error"] is not None:
            raise AnkiError(action, str(answer["error"]))
        return expect(action, answer["result"], self.url)

    def multi(self, actions: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        """Several actions in one request; each result, or an AnkiError for the first that failed."""
        results = self.call("multi", actions=[{"action": a, "params": p} for a, p in actions])
        if not isinstance(results, list) or len(results) != len(actions):
            raise not_ankiconnect(self.url, f"answered `multi` with {_preview(results)}, not one result for each of "
                                  f"its {len(actions)} actions")
        out = []
        for (action, _), result in zip(actions, results):
            if isinstance(result, dict) and set(result) == {"result", "error"}:
                if result["error"] is not None:
                    raise AnkiError(action, str(result["error"]))
                result = result["result"]
            out.append(expect(action, result, self.url))
        return out

    def _answer(self, action: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
        raw = self._post(json.dumps(body).encode("utf-8"), timeout)
        try:
            answer = json.loads(raw, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError, and so is NaN refused
            raise not_ankiconnect(self.url, "answered, but not in JSON") from None
        except RecursionError:
            raise not_ankiconnect(self.url, "answered JSON nested deeper than any answer of AnkiConnect's") from None
        if not isinstance(answer, dict) or set(answer) != {"result", "error"}:
            raise not_ankiconnect(self.url, "answered JSON that is not AnkiConnect's")
        return answer

    def _post(self, data: bytes, timeout: float) -> bytes:
        """The answer's bytes, read within `timeout` in all (an answer that trickles in is cut off as one that never
        comes), and no more than MAX_ANSWER_BYTES."""
        request = urllib.request.Request(self.url, data=data, headers={"Content-Type": "application/json"})
        deadline = time.monotonic() + timeout
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                chunks, size = [], 0
                while chunk := response.read1(_CHUNK):
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        most = MAX_ANSWER_BYTES  # read here, so that a test may lower it
                        raise not_ankiconnect(self.url, "answered with more than " + (
                            f"{most // 2**20} MiB" if most >= 2**20 else f"{most:,} bytes"))
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    chunks.append(chunk)
                return b"".join(chunks)
        except urllib.error.HTTPError as error:
            error.close()  # it holds the answer's connection open
            raise not_ankiconnect(self.url, f"answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:  # socket.timeout, ConnectionError and ssl.SSLError too
            raise self._unreachable(getattr(error, "reason", error), timeout) from None

    def _unreachable(self, reason: Any, timeout: float) -> GlossdeckError:
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return GlossdeckError([Problem(None, None, f"Anki at {self.url} did not answer within {timeout:g} s",
                                           "is a dialog open in Anki? close it and push again")])
        if isinstance(reason, socket.gaierror):
            host = urllib.parse.urlsplit(self.url).hostname
            return GlossdeckError([Problem(None, None, f"no computer is known as {host} ({reason.strerror})",
                                           f"check --url: AnkiConnect listens on this computer, at {DEFAULT_URL}")])
        if isinstance(reason, ssl.SSLError):
            return GlossdeckError([Problem(None, None, f"no TLS at {self.url} ({reason.reason or reason})",
                                           f"AnkiConnect itself answers over http://: {DEFAULT_URL}")])
        return GlossdeckError([Problem(None, None, f"no Anki answers at {self.url} ({reason})", INSTALL_HINT)])


def expect(action: str, result: Any, url: str) -> Any:
    """The result of `action` if it has the shape that action answers with; what else a stand-in or a changed
    AnkiConnect sends is said, not read as if it were notes (a sweep on garbage could retire or delete them)."""
    shape = SHAPES.get(action)
    if shape is not None and not shape[0](result):
        raise not_ankiconnect(url, f"answered `{action}` with {_preview(result)}, not {shape[1]}")
    return result


def _preview(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:60] + "…"


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def not_ankiconnect(url: str, what: str) -> GlossdeckError:
    return GlossdeckError([Problem(None, None, f"something at {url} {what}: it is not AnkiConnect as glossdeck "
                                   "knows it", f"check --url; {INSTALL_HINT}")])


class AnkiError(GlossdeckError):
    """AnkiConnect answered, with an error of Anki's."""

    def __init__(self, action: str, message: str) -> None:
        self.action, self.message = action, message
        super().__init__([Problem(None, None, f"Anki refused `{action}`: {message}")])


def check_version(client: AnkiConnect) -> None:
    version = client.call("version", timeout=min(client.timeout, FIRST_TIMEOUT))
    if version < API_VERSION:
        raise GlossdeckError([Problem(None, None, f"AnkiConnect speaks version {version} of its protocol; "
                                      f"glossdeck needs {API_VERSION} or later",
                                      "update AnkiConnect: Tools → Add-ons → select it → Check for Updates")])
