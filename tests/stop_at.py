"""Run `glossdeck ARGS…` and send this very process SIGNAL at a chosen point, for tests/test_stopping.py.

    python tests/stop_at.py SIGNAL POINT N ARGS…

POINT is where: `render` (the booklet being typeset, before anything is written), `file` (the Nth temporary
file written in full), `folder` (the Nth staged folder written in full), `swap` (the Nth output swapped in), `mkdir`
(the Nth folder made for an output). The signal is sent by the process itself right after that step, so the test
knows exactly where the command was; a real signal from outside (the same code path) is tested by timing too.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Callable

from glossdeck import writer
from glossdeck.cli import main


def main_at(signal_name: str, point: str, nth: int, args: list[str]) -> None:
    signum = getattr(signal, signal_name)
    count = 0

    def after(real: Callable[..., Any]) -> Callable[..., Any]:
        def step(*call: Any, **kwargs: Any) -> Any:
            nonlocal count
            result = real(*call, **kwargs)
            count += 1
            if count == nth:
                os.kill(os.getpid(), signum)
            return result
        return step

    if point == "render":
        from glossdeck.render import booklet
        booklet.render = after(booklet.render)
    elif point == "mkdir":
        original = writer.Path.mkdir
        writer.Path.mkdir = after(original)  # type: ignore[method-assign]
    else:
        name = {"file": "_write_file", "folder": "_write_tree", "swap": "_swap_in"}[point]
        setattr(writer, name, after(getattr(writer, name)))
    main(args, prog_name="glossdeck")


if __name__ == "__main__":
    main_at(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:])
