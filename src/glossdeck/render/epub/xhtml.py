"""HTML fragments (the essays as the site shows them) rewritten as the well-formed XHTML an EPUB requires."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})
# XML 1.0 cannot carry C0 controls but tab and line breaks, nor U+FFFE and U+FFFF; a seed may hold one (a form feed
# between pages of an old text file). A reader would see nothing there, so a space stands in its place.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """Character data, escaped for XML (by number: EPUBCheck notes every named entity)."""
    return NOT_XML.sub(" ", value).replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")


def attribute(value: str) -> str:
    return text(value).replace('"', "&#34;")


class _Rewriter(HTMLParser):
    """Serializes what the HTML parser reads as XHTML; links that lead nowhere in a book become plain spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (tag as read, tag as written)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs if not name.startswith("data-")}
        written = tag
        if tag == "a" and "dead-link" in values.get("class", "").split():
            written = "span"  # a link relative to the essay's original site: nothing to follow here
            values = {"class": values["class"]}
        shown = "".join(f' {name}="{attribute(value)}"' for name, value in values.items())
        if tag in VOID:
            self.out.append(f"<{written}{shown}/>")
        else:
            self.out.append(f"<{written}{shown}>")
            self.open.append((tag, written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(read == tag for read, _ in self.open):
            return  # a stray end tag closes nothing
        while self.open:
            read, written = self.open.pop()
            self.out.append(f"</{written}>")
            if read == tag:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(text(data))

    def close(self) -> None:
        super().close()
        while self.open:
            self.out.append(f"</{self.open.pop()[1]}>")


def from_html(fragment: str) -> str:
    """The fragment as well-formed XHTML: void elements closed, every character escaped as XML wants it."""
    rewriter = _Rewriter()
    rewriter.feed(fragment)
    rewriter.close()
    return "".join(rewriter.out)
