"""The resolved glossary in the formats other tools read: each a function from the glossary to text."""

from __future__ import annotations

from typing import Callable

from glossdeck import export
from glossdeck.exports import csl, hypothesis, skos, tbx
from glossdeck.model import Glossary

FORMATS: dict[str, Callable[[Glossary], str]] = {
    "json": export.to_json,
    "hypothesis": hypothesis.to_text,
    "skos": skos.to_text,
    "tbx": tbx.to_text,
    "csl": csl.to_text,
}


def render(glossary: Glossary, fmt: str) -> str:
    return FORMATS[fmt](glossary)
