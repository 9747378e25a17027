"""The inline Markdown subset of definitions: parsed once, rendered to HTML, PDF markup or plain text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

# Typographer gives our own prose the curly quotes and dashes that the quotes from the essays have.
_PARSER = (
    MarkdownIt("commonmark", {"html": False, "typographer": True})
    .enable(["replacements", "smartquotes"])
    .disable(["image", "autolink", "entity"])
)


@dataclass(frozen=True)
class Span:
    """A run of text with one set of inline styles; `href` is "#term-id" or an http(s) URL."""

    text: str
    italic: bool = False
    bold: bool = False
    code: bool = False
    href: str | None = None

    @property
    def term_id(self) -> str | None:
        return self.href[1:] if self.href and self.href.startswith("#") else None


@lru_cache(maxsize=None)
def parse(text: str) -> tuple[Span, ...]:
    """Parse inline Markdown (emphasis, strong, code, links); raw HTML stays literal text."""
    spans: list[Span] = []
    italic = bold = 0
    href: str | None = None
    for block in _PARSER.parse(text):
        if block.type != "inline" or not block.children:
            continue
        if spans:
            spans.append(Span(" "))
        for token in block.children:
            kind = token.type
            if kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "link_open":
                href = str(token.attrs.get("href", ""))
            elif kind == "link_close":
                href = None
            elif kind in ("softbreak", "hardbreak"):
                spans.append(Span(" ", bool(italic), bool(bold), False, href))
            elif kind == "code_inline":
                spans.append(Span(token.content, bool(italic), bool(bold), True, href))
            else:
                spans.append(Span(token.content, bool(italic), bool(bold), False, href))
    return tuple(spans)


def links(text: str) -> list[str]:
    """Every link target in the text, in order."""
    return [s.href for s in parse(text) if s.href is not None]


def to_plain(text: str) -> str:
    return "".join(s.text for s in parse(text))


def to_html(text: str, term_href: dict[str, str] | None = None) -> str:
    """HTML for Anki: every character escaped; term links become plain emphasis or a given href."""
    out = []
    for span in parse(text):
        piece = html.escape(span.text, quote=False)
        if span.code:
            piece = f"<code>{piece}</code>"
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if span.term_id is not None:
            target = (term_href or {}).get(span.term_id)
            piece = f'<a href="{html.escape(target)}">{piece}</a>' if target else f'<span class="xref">{piece}</span>'
        elif span.href:
            piece = f'<a href="{html.escape(span.href)}">{piece}</a>'
        out.append(piece)
    return "".join(out)


def to_pdf(text: str, code_font: str | None = None, link_colour: str = "#1f3f7a", links: bool = True) -> str:
    """reportlab paragraph markup: every character escaped; term links become internal links
    (or plain text where the document has no entries to link to)."""
    out = []
    for span in parse(text):
        piece = html.escape(span.text, quote=False)
        if span.code and code_font:
            piece = f'<font name="{code_font}">{piece}</font>'
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if links and span.term_id is not None:
            piece = f'<a href="#term-{span.term_id}" color="{link_colour}">{piece}</a>'
        elif links and span.href:
            piece = f'<a href="{html.escape(span.href)}" color="{link_colour}">{piece}</a>'
        out.append(piece)
    return "".join(out)
