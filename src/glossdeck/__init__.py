"""glossdeck: a YAML glossary with verified quotes, built into an Anki deck and a PDF booklet."""

from __future__ import annotations

from typing import Any

__all__ = ["GlossdeckError", "Problem", "build", "check", "load_glossary"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so that `glossdeck --help` does not pay for YAML, Markdown and fuzzy matching.
    if name in ("GlossdeckError", "Problem"):
        from glossdeck import errors

        return getattr(errors, name)
    if name in ("build", "check", "load_glossary"):
        from glossdeck import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
