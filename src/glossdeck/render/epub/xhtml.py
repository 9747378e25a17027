"""HTML fragments (the essays as the site shows them) rewritten as the well-formed XHTML an EPUB requires."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
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


_MARKED = re.compile(r'<mark class="passage" data-q="([^"]*)"')


@dataclass(frozen=True)
class Converted:
    """A fragment as XHTML, and the marked spans that became references to notes, in reading order."""

    text: str
    noted: list[str]


class _Rewriter(HTMLParser):
    """Serializes what the HTML parser reads as XHTML; links that lead nowhere in a book become plain spans, a
    passage's anchor moves onto its first highlight, and a span marked for a note becomes the note's reference."""

    def __init__(self, notes: dict[str, str], linkable: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.notes = notes  # the anchor of a span marked for a note → the id of its note
        self.linkable = linkable  # those marked in one piece, which can become one reference
        self.noted: list[str] = []
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (tag as read, tag as written; "" for one left out)
        # The site marks where a passage starts with an empty <span class="anchor" id=…>. A reading system that
        # previews the target of a link (Foliate) or scrolls to it (epub.js) needs the passage itself there: the
        # id goes onto the <mark> that follows, which holds the passage's first words.
        self.anchors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        values = {name: value for name, value in given.items() if not name.startswith("data-")}
        if tag == "span" and "anchor" in values.get("class", "").split() and values.get("id"):
            if values["id"] not in self.notes or values["id"] in self.linkable:
                self.anchors.append(values["id"])
            self.open.append((tag, ""))
            return
        marked = given.get("data-q", "")
        if tag == "mark" and marked in self.notes:
            self._note_reference(marked)
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

    def _note_reference(self, anchor: str) -> None:
        """A mention marked for a note: a reference to the note (a pop-up in most reading systems), or, where the
        essay's own markup cuts it in pieces, its words as they are."""
        if anchor not in self.linkable:
            self.open.append(("mark", ""))
            return
        if anchor in self.anchors:
            self.anchors.remove(anchor)
        self._place_anchors()
        self.out.append(f'<a class="mention" id="{attribute(anchor)}" epub:type="noteref" '
                        f'href="#{attribute(self.notes[anchor])}">')
        self.open.append(("mark", "a"))
        self.noted.append(anchor)

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


def from_html(fragment: str, notes: dict[str, str] | None = None) -> Converted:
    """The fragment as well-formed XHTML: void elements closed, every character escaped as XML wants it.

    `notes` maps the anchor of each span marked for a note (marked as the essay renderer marks a passage) to the
    id of its note; each becomes a reference to it (`epub:type="noteref"`), unless the essay's markup cuts it.
    """
    notes = notes or {}
    pieces = Counter(anchor for anchor in _MARKED.findall(fragment) if anchor in notes)
    rewriter = _Rewriter(notes, {anchor for anchor, count in pieces.items() if count == 1})
    rewriter.feed(fragment)
    rewriter.close()
    return Converted("".join(rewriter.out), rewriter.noted)
