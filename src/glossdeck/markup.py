"""The inline Markdown subset of definitions: parsed once, rendered to HTML, PDF markup or plain text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from glossdeck.model import is_id

BLANK = "[…]"
# The characters RFC 3986 allows in an address; anything else (spaces, quotes, angle brackets,
# control characters, non-ASCII) could break out of an attribute or hide a scheme, so it must be %-encoded.
_ADDRESS_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
WEB_SCHEMES = ("http", "https")


class _AsWritten(MarkdownIt):
    """Hands every link address on exactly as written: markdown-it's own filter would turn a `javascript:`
    link into silent plain text, and its normalizer would rewrite what the author typed; address_problem
    checks addresses instead."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


# Definitions are one paragraph of inline text: block syntax and HTML are never interpreted, so a `>`,
# `<b>` or `&amp;` shows exactly as typed (the block syntax that `check` rejects is found by _DETECTOR).
# Typographer gives our own prose the curly quotes and dashes that the quotes from the essays have.
_PARSER = (
    _AsWritten("commonmark", {"html": False, "typographer": True})
    .enable(["replacements", "smartquotes"])
    .disable(["image", "autolink", "entity", "code", "fence", "blockquote", "hr", "list", "reference",
              "html_block", "heading", "lheading"])
)
# The full CommonMark reading of the same text, only to find what the subset does not support.
# HTML, tags and entities alike, is never interpreted: it shows as typed, so the detector does not read it.
_DETECTOR = _AsWritten("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("entity")


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
    """Parse inline Markdown (emphasis, strong, code, links); everything else stays literal text."""
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
    if "[" not in text:  # the subset's only links are [text](address): autolinks and references are off
        return []
    return list(dict.fromkeys(s.href for s in parse(text) if s.href is not None))


@lru_cache(maxsize=None)
def address_problem(address: str, term_links: bool = True) -> tuple[str, str] | None:
    """What is wrong with a link address, as (message, hint), or None if it may be a live link.

    The one rule for every address that reaches an output: an http(s) address with a host,
    or (where `term_links`) `#term-id`. Everything else, `javascript:` and `data:` included, is refused.
    """
    shown = _shown(address)
    if term_links and address.startswith("#"):
        if is_id(address[1:]):
            return None
        return f"`{shown}` is not a link to a term", "link to another term with [text](#term-id), the id in lowercase"
    if not _ADDRESS_CHARS.fullmatch(address):
        bad = next((c for c in address if not _ADDRESS_CHARS.fullmatch(c)), None)
        what = "is empty" if bad is None else f"contains {_character_name(bad)}"
        return (f"address `{shown}` {what}",
                "write the full web address, https://…, with any space, quote, angle bracket or non-ASCII "
                "letter %-encoded (a space is %20), as a browser's address bar copies it")
    try:
        parts = urlsplit(address)
    except ValueError:
        return f"address `{shown}` is not a valid web address", "write the full address, e.g. https://example.org/page"
    if parts.scheme.lower() not in WEB_SCHEMES:
        other = "; link to another term with [text](#term-id)" if term_links else ": write the full https:// address"
        hint = "write the e-mail address as plain text" if parts.scheme.lower() == "mailto" else \
            "only http:// and https:// addresses can be links" + other
        typed = address[:len(parts.scheme)]  # urlsplit lowers the scheme's case; show it as written
        what = f"a `{typed}:` address, not a web page" if parts.scheme else "not a full web address"
        return f"address `{shown}` is {what}", hint
    if not parts.hostname:
        return f"address `{shown}` names no host", "write the full address, e.g. https://example.org/page"
    try:
        parts.port  # noqa: B018 (reading it checks it: a port beyond 65535, or not a number, raises)
    except ValueError:
        return f"address `{shown}` has a port that is not a number from 0 to 65535", \
            "write the port as a number, e.g. https://example.org:8080/page, or leave it out"
    return None


def href(address: str | None, term_links: bool = False) -> str | None:
    """The address escaped for an href attribute, or None if it must not be a live link.

    Brackets become character references too: Anki looks for its tags ([sound:…], [latex])
    in the whole field, attributes included; browsers and reportlab decode them back.
    """
    if address is None or address_problem(address, term_links) is not None:
        return None
    return html.escape(address, quote=True).replace("[", "&#91;").replace("]", "&#93;")


def _shown(address: str) -> str:
    """The address with invisible characters made visible, for messages."""
    if address.isprintable():
        return address
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in address)


def _character_name(char: str) -> str:
    names = {" ": "a space", "\t": "a tab", '"': "a double quote", "<": "an angle bracket", ">": "an angle bracket",
             "\\": "a backslash", "`": "a backtick"}
    if char in names:
        return names[char]
    if not char.isprintable():
        return f"the control character \\x{ord(char):02x}"
    return f"`{char}`"


# What the subset does not read, as (message, hint); `{}` is the offending line of the text.
_UNSUPPORTED_BLOCKS = {
    "bullet_list_open": ("`{}` starts a Markdown list; a definition is one paragraph",
                         "write the items in a sentence, or `\\-` (`\\*`, `\\+`) to show the mark as typed"),
    "ordered_list_open": ("`{}` starts a Markdown numbered list; a definition is one paragraph",
                          "write the items in a sentence, or put a backslash before the mark, `1\\.` or `1\\)`, "
                          "to show the number as typed"),
    "heading_open": ("`{}` is a Markdown heading; a definition is one paragraph",
                     "drop the heading marks, or write `\\#` to show a # as typed"),
    "hr": ("`{}` on its own line is a Markdown rule; a definition is one paragraph",
           "remove the line; for a dash within the text write — or –"),
    "code_block": ("the indented line `{}` is a Markdown code block",
                   "remove the indentation; put code in `backticks` within the sentence"),
    "fence": ("the line {} opens a Markdown code block", "put code in single `backticks` within the sentence"),
    "table_open": ("`{}` is a Markdown table; a definition is one paragraph", "say it in sentences"),
}
# What every construct _DETECTOR reports needs (a line start, `![`, `<`, `~~`, an empty or titled link):
# the full parse costs as much again as the one that renders, so text without any of these skips it.
_MAYBE_UNSUPPORTED = re.compile(r"\n|^ {0,3}(?:[-*+#=_`~\[|]|\d{1,9}[.)])|!\[|<|~~|\[\]\("
                                r"|\]\((?:[^)\s]|\([^)\s]*\))*\s")
_LINK_LIKE = re.compile(r"\[[^\[\]]*\](?:\([^)]*\)|\[[^\]]*\])")  # [text](…) or [text][…] left as text
_FOOTNOTE = re.compile(r"\[\^[^\]]*\]")


def problems(text: str, blocks: bool = True) -> list[tuple[str, str]]:
    """Everything in the text that the subset would not show as the author meant, as (message, hint); without
    `blocks`, only what concerns links (a list mark or heading mark then shows as typed, and is not reported)."""
    found: list[tuple[str, str]] = []
    lines = text.splitlines() or [""]
    env: dict[str, dict[str, object]] = {}
    for token in _DETECTOR.parse(text, env) if _MAYBE_UNSUPPORTED.search(text) else ():
        if not blocks and token.type != "inline":
            continue
        if token.type == "heading_open" and token.markup in ("=", "-"):
            underline = lines[token.map[1] - 1].strip() if token.map else token.markup
            found.append((f"`{underline}` under a line makes it a Markdown heading; a definition is one paragraph",
                          "remove the underline"))
        elif token.type in _UNSUPPORTED_BLOCKS:
            message, hint = _UNSUPPORTED_BLOCKS[token.type]
            line = lines[token.map[0]].strip() if token.map else token.markup
            found.append((message.format(_cut(line)), hint))
        elif token.type == "inline":
            found += _inline_problems(token.children or [])
    for label in env.get("references", {}):
        if str(label).startswith("^"):
            found.append((f"`[{label}]:` is a footnote, which definitions do not support",
                          "say it in the text, or in a citation's `note:`"))
        else:
            found.append((f"`[{label.lower()}]: …` defines a reference-style link, which definitions do not support",
                          "write the address in place: [text](https://…)"))
    for span in parse(text):
        if span.code:
            continue
        if footnote := _FOOTNOTE.search(span.text):
            found.append((f"`{footnote.group()}` is a footnote mark, "
                          "which definitions do not support", "say it in the text, or in a citation's `note:`"))
        elif span.href is None and (link := _LINK_LIKE.search(span.text)):
            found.append((f"`{_cut(link.group())}` is not read as a link",
                          "write [text](https://…) with no space in the address, or `\\[` to show the bracket"))
    return list(dict.fromkeys(found))


def _inline_problems(tokens: Sequence[Token]) -> list[tuple[str, str]]:
    found = []
    previous = None
    for token in tokens:
        kind, markup_text, content = token.type, token.markup, token.content
        if previous == "autolink":
            example = content if address_problem(content, term_links=False) is None else "https://…"
            found.append((f"`<{content}>` is not a link in a definition", f"write [text]({example})"))
        if kind == "image":
            found.append((f"an image, `![{content}](…)`, is not supported", "link to it instead: [text](https://…)"))
        elif kind == "link_open" and markup_text == "autolink":
            kind = "autolink"  # reported with its text, which the next token holds
        elif kind == "link_open" and token.attrs.get("title"):
            found.append((f"the link title \"{token.attrs['title']}\" would not be shown",
                          "drop the title: [text](address)"))
        elif kind == "link_close" and previous == "link_open":
            found.append(("a link has no text", "write the words to show in the brackets: [text](address)"))
        elif kind == "s_open":
            found.append(("`~~…~~` (strikethrough) is not supported", "remove the tildes"))
        previous = kind
    return found


def _cut(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def to_plain(text: str) -> str:
    return "".join(s.text for s in parse(text))


def to_html(text: str, term_href: dict[str, str] | None = None, escape: Callable[[str], str] | None = None,
            blanks: Sequence[tuple[int, int]] = ()) -> str:
    """HTML for Anki: every character escaped; term links become plain emphasis or a given href.

    `blanks` are ranges of the plain text (to_plain) shown as "[…]": blanking works on the
    text, so it can never cut into a tag, an entity or an address.
    """
    escape = escape or _escape
    out = []
    for span, piece in _pieces(parse(text), blanks, escape):
        if span.code:
            piece = f"<code>{piece}</code>"
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if span.term_id is not None:
            target = href((term_href or {}).get(span.term_id))
            piece = f'<a href="{target}">{piece}</a>' if target else f'<span class="xref">{piece}</span>'
        elif (target := href(span.href)) is not None:
            piece = f'<a href="{target}">{piece}</a>'
        out.append(piece)
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _pieces(spans: Sequence[Span], blanks: Sequence[tuple[int, int]],
            escape: Callable[[str], str]) -> list[tuple[Span, str]]:
    """Each span's escaped text, with the blanked ranges replaced by one "[…]" each."""
    if not blanks:
        return [(span, escape(span.text)) for span in spans]
    result = []
    start = 0
    for span in spans:
        end = start + len(span.text)
        cuts = [(max(a, start), min(b, end), a >= start) for a, b in blanks if a < end and b > start]
        if not cuts:
            result.append((span, escape(span.text)))
        else:
            out, at = [], start
            for a, b, first in cuts:
                out.append(escape(span.text[at - start:a - start]) + (BLANK if first else ""))
                at = b
            out.append(escape(span.text[at - start:]))
            if any(out):
                result.append((span, "".join(out)))
        start = end
    return result


# A line may break after these in an address, and never gains a hyphen there (Chicago Manual 14.18, issue 22).
URL_BREAKS = "/.-=?&#_~"
_TOKEN = re.compile(r"\S+")
_ADDRESS_LIKE = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|[^\s/]+\.[a-z]{2,}/", re.IGNORECASE)
_AFTER_BREAKS = re.compile(f"[{re.escape(URL_BREAKS)}]+(?=[^{re.escape(URL_BREAKS)}])")
LONG_WORD = 24  # characters: a word this long may be wider than a card's line, so it is kept from hyphenating
_NEEDS_BREAKS = re.compile(_ADDRESS_LIKE.pattern + f"|\\S{{{LONG_WORD},}}", re.IGNORECASE)
# A break opportunity that takes no room: a space in a zero-size font ends a word for reportlab's line
# breaker, but adds no width and no character, so the address reads (and copies) whole when it fits.
PDF_BREAK = '<font size="0"> </font>'


def pdf_escape(text: str) -> str:
    """Text as reportlab paragraph markup that never runs off the paper: escaped, and each address may break
    after / . - = ? & # _ ~ without a hyphen (a long word or address is never hyphenated, since reportlab
    cannot break a hyphenated part again if it is still wider than the line; it splits the word instead)."""
    if not _NEEDS_BREAKS.search(text):  # the common case, at the cost of one search
        return html.escape(text, quote=False)
    return _TOKEN.sub(lambda token: _pdf_token(token.group()), text)


def _pdf_token(token: str) -> str:
    if len(token) < LONG_WORD and not _ADDRESS_LIKE.search(token):
        return html.escape(token, quote=False)
    pieces, at = [], 0
    for brk in _AFTER_BREAKS.finditer(token):
        pieces.append(html.escape(token[at:brk.end()], quote=False))
        at = brk.end()
    pieces.append(html.escape(token[at:], quote=False))
    return "<nobr>" + PDF_BREAK.join(pieces) + "</nobr>"


def to_pdf(text: str, code_font: str | None = None, link_colour: str = "#1f3f7a", links: bool = True) -> str:
    """reportlab paragraph markup: every character escaped (pdf_escape); term links become internal links
    (or plain text where the document has no entries to link to)."""
    out = []
    for span in parse(text):
        piece = pdf_escape(span.text)
        if span.code and code_font:
            piece = f'<font name="{code_font}">{piece}</font>'
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        if links and span.term_id is not None and is_id(span.term_id):
            piece = f'<a href="#term-{span.term_id}" color="{link_colour}">{piece}</a>'
        elif links and (target := href(span.href)) is not None:
            piece = f'<a href="{target}" color="{link_colour}">{piece}</a>'
        out.append(piece)
    return "".join(out)
