"""Wording shared by every target: how a quote is attributed, and the name every PDF is signed with."""

from __future__ import annotations

import html
from typing import Callable

from glossdeck import __version__
from glossdeck.model import Citation, Source

CREATOR = f"glossdeck {__version__}"  # every PDF names glossdeck as what made it


def producer(library: str) -> str:
    """A PDF's Producer: glossdeck, through the library that wrote the file."""
    return f"{CREATOR} ({library})"


def esc(text: str) -> str:
    """Escape text for HTML and for reportlab's paragraph markup alike."""
    return html.escape(text, quote=False)


def attribution(source: Source, citation: Citation, link: Callable[[str, str], str] | None = None,
                escape: Callable[[str], str] = esc) -> str:
    """“Speaker, in Author, <i>Title</i>, line 12, § Heading” as markup; `link` wraps the title in a link,
    `escape` turns text into the target's markup."""
    title = f"<i>{escape(source.title)}</i>"
    if link is not None and source.url:
        title = link(source.url, title)
    speaker = citation.speaker
    if speaker and speaker != source.author:
        who = f"{escape(speaker)}, in {escape(source.author_display)}"
    else:
        who = escape(source.author_display)
    where = f", {escape(citation.location.describe())}" if citation.location else ""
    return f"{who}, {title}{where}"
