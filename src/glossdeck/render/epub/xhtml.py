"""HTML fragments (the essays as the site shows them) rewritten as the well-formed XHTML an EPUB requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable

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


@dataclass(frozen=True)
class Converted:
    """A fragment as XHTML, and the (id, term id) of each mention that became a reference to a note, in order."""

    text: str
    noted: list[tuple[str, str]]


class _Rewriter(HTMLParser):
    """Serializes what the HTML parser reads as XHTML; links that lead nowhere in a book become plain spans, a
    passage's anchor moves onto its first highlight, and a term's linked mention refers to the term's note."""

    def __init__(self, note_id: Callable[[str], str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.note_id = note_id  # a term's id → the id of its note in the chapter (None: mentions stay links)
        self.noted: list[tuple[str, str]] = []
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (tag as read, tag as written; "" for one left out)
        # The site marks where a passage starts with an empty <span class="anchor" id=…>. A reading system that
        # previews the target of a link (Foliate) or scrolls to it (epub.js) needs the passage itself there: the
        # id goes onto the <mark> that follows, which holds the passage's first words.
        self.anchors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        values = {name: value for name, value in given.items() if not name.startswith("data-")}
        classes = values.get("class", "").split()
        if tag == "span" and "anchor" in classes and values.get("id"):
            self.anchors.append(values["id"])
            self.open.append((tag, ""))
            return
        if tag == "a" and "mention" in classes and self.note_id is not None and given.get("data-term"):
            # noteref to an <aside epub:type="footnote">: a pop-up in KOReader, Kobo, Apple Books, Thorium, Foliate
            term_id, anchor = given["data-term"], values.get("id", "")
            self.out.append(f'<a class="mention" id="{attribute(anchor)}" epub:type="noteref" '
                            f'href="#{attribute(self.note_id(term_id))}">')
            self.open.append((tag, "a"))
            self.noted.append((anchor, term_id))
            return
        if tag == "mark" and self.anchors:
            first = self.anchors.pop(0)  # passages starting at one place: the first takes the mark
            self._place_anchors()
            values = {"id": first, **values}
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
            if written:
                self.out.append(f"</{written}>")
            if read == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.anchors and data.strip():  # text that is not highlighted: the anchors stay where they were
            self._place_anchors()
        self.out.append(text(data))

    def _place_anchors(self) -> None:
        self.out.extend(f'<span id="{attribute(anchor)}"></span>' for anchor in self.anchors)
        self.anchors = []

    def close(self) -> None:
        super().close()
        self._place_anchors()
        while self.open:
            written = self.open.pop()[1]
            if written:
                self.out.append(f"</{written}>")


def from_html(fragment: str, note_id: Callable[[str], str] | None = None) -> Converted:
    """The fragment as well-formed XHTML: void elements closed, every character escaped as XML wants it.

    With `note_id`, each link the essay renderer made of a term's mention (`a.mention`) becomes a reference to
    the term's note, whose id `note_id` gives (`epub:type="noteref"`).
    """
    rewriter = _Rewriter(note_id)
    rewriter.feed(fragment)
    rewriter.close()
    return Converted("".join(rewriter.out), rewriter.noted)
