"""Resolved glossary → reading booklet PDF (A5, dictionary style), via reportlab."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, Frame, KeepTogether, NextPageTemplate,
                                PageBreak, PageTemplate, Paragraph, Spacer)

from glossdeck import markup
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.render.common import attribution
from glossdeck.render.common import esc as _esc
from glossdeck.render.fonts import register

INK = "#1d1d1d"
MUTED = "#555555"
ACCENT = "#1f3f7a"


def _styles(font: str, language: str) -> dict[str, ParagraphStyle]:
    hyphenation = {"hyphenationLang": "en_US" if language.startswith("en") else language,
                   "embeddedHyphenation": 1, "uriWasteReduce": 0.3}
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.2, alignment=TA_JUSTIFY,
                          textColor=INK, allowWidows=0, allowOrphans=0, **hyphenation)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontSize=24, leading=29, alignment=TA_CENTER,
                                fontName=f"{font}-Bold", spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=15, alignment=TA_CENTER,
                                   fontName=f"{font}-Italic", spaceAfter=24),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "letter": ParagraphStyle("letter", parent=body, fontName=f"{font}-Bold", fontSize=20, leading=24,
                                 alignment=TA_LEFT, textColor=ACCENT, spaceBefore=10, spaceAfter=4),
        "section": ParagraphStyle("section", parent=body, fontName=f"{font}-Bold", fontSize=13, leading=16,
                                  alignment=TA_LEFT, spaceBefore=6, spaceAfter=6),
        "headword": ParagraphStyle("headword", parent=body, spaceBefore=7, spaceAfter=1.5),
        "quote": ParagraphStyle("quote", parent=body, fontSize=8.6, leading=11, leftIndent=9, spaceBefore=2.5),
        "cite": ParagraphStyle("cite", parent=body, fontSize=7.6, leading=9.6, leftIndent=9, alignment=TA_LEFT,
                               textColor=MUTED),
        "view": ParagraphStyle("view", parent=body, leftIndent=5, spaceBefore=3),
        "seealso": ParagraphStyle("seealso", parent=body, fontSize=8.6, leading=11, alignment=TA_LEFT,
                                  spaceBefore=2.5),
        "source": ParagraphStyle("source", parent=body, alignment=TA_LEFT, leftIndent=10, firstLineIndent=-10,
                                 spaceBefore=5),
    }


class Para(Paragraph):
    """A paragraph whose split-off first part is sure to fit where the split put it.

    reportlab re-breaks the lines of a split part when it is drawn; with hyphenation
    the re-broken part can come out a line longer than the space it was cut for,
    which aborts the whole build with a LayoutError. Cutting a line earlier avoids it.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        while len(parts) == 2 and parts[0].wrap(availWidth, availHeight)[1] > availHeight + 1e-6:
            availHeight -= self.style.leading
            self.wrap(availWidth, availHeight)
            parts = super().split(availWidth, availHeight)
        return parts


class _Booklet(BaseDocTemplate):
    """Adds PDF bookmarks for flowables that carry an `outline` attribute."""

    def afterFlowable(self, flowable: Any) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            key, title, level = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level == 0)


def _footer(font: str):  # type: ignore[no-untyped-def]
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(doc.pagesize[0] / 2, 10 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    return draw


def render(glossary: Glossary) -> bytes:
    font = register()
    styles = _styles(font, glossary.settings.language)
    buffer = io.BytesIO()
    settings = glossary.settings
    doc = _Booklet(buffer, pagesize=A5, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                   bottomMargin=17 * mm, title=settings.title, subject=settings.subtitle,
                   author=settings.author or "glossdeck", creator="glossdeck", lang=settings.language,
                   initialFontName=font, invariant=1)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([
        PageTemplate("title", frames=[frame]),
        PageTemplate("body", frames=[frame], onPage=_footer(font)),
    ])
    story: list[Any] = []
    story += _title_page(glossary, styles)
    story += _entries(glossary, styles)
    story += _sources(glossary, styles)
    doc.build(story)
    return buffer.getvalue()


def _title_page(glossary: Glossary, styles: dict[str, ParagraphStyle]) -> list[Any]:
    s = glossary.settings
    quotes = sum(len(t.all_citations) for t in glossary.terms)
    return [
        Spacer(1, 45 * mm),
        Para(_esc(s.title), styles["title"]),
        Para(_esc(s.subtitle), styles["subtitle"]),
        Para(f"{len(glossary.terms)} terms · {quotes} quotations, each checked word for word "
                  f"against its source", styles["center"]),
        NextPageTemplate("body"),
        PageBreak(),
    ]


def _entries(glossary: Glossary, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = []
    names = {t.id: t.term for t in glossary.terms}
    letter = None
    for term in glossary.terms:
        initial = (term.sort_key[0][:1] or "#").upper()
        initial = initial if initial.isalpha() else "#"
        heading = None
        if initial != letter:
            letter = initial
            heading = Para(f'<a name="letter-{letter}"/>{letter}', styles["letter"])
            heading.outline = (f"letter-{letter}", letter, 0)  # type: ignore[attr-defined]
        block = _entry(glossary, term, names, styles)
        if heading is not None:
            # The letter never ends a page: it stays with its first entry's opening lines.
            story.append(KeepTogether([heading, block[0]]))
            block = block[1:]
        story.extend(block)
    return story


def _entry(glossary: Glossary, term: Term, names: dict[str, str],
           styles: dict[str, ParagraphStyle]) -> list[Any]:
    aliases = f" <i>({_esc(', '.join(term.aliases))})</i>" if term.aliases else ""
    head = Para(f'<a name="term-{term.id}"/><b>{_esc(term.term)}</b>{aliases} '
                     f"{markup.to_pdf(term.definition)}", styles["headword"])
    head.outline = (f"term-{term.id}", term.term, 1)  # type: ignore[attr-defined]
    parts: list[Any] = [head]
    for view in term.views:
        parts.append(Para(f"<b>{_esc(glossary.person(view.holder))}:</b> {markup.to_pdf(view.summary)}", styles["view"]))
        for citation in view.citations:
            parts += _quote(glossary.sources[citation.source], citation, styles)
    for citation in term.citations:
        parts += _quote(glossary.sources[citation.source], citation, styles)
    if term.related:
        links = ", ".join(f'<a href="#term-{r}" color="{ACCENT}"><i>{_esc(names[r])}</i></a>' for r in term.related)
        parts.append(Para(f"<b>See also</b> {links}", styles["seealso"]))
    return parts


def _quote(source: Source, citation: Citation, styles: dict[str, ParagraphStyle]) -> list[Any]:
    note = f" — {_esc(citation.note)}" if citation.note else ""
    return [
        Para(f"“{_esc(citation.display)}”", styles["quote"]),
        Para(f"— {attribution(source, citation)}{note}", styles["cite"]),
    ]


def _sources(glossary: Glossary, styles: dict[str, ParagraphStyle]) -> list[Any]:
    title = Para('<a name="sources"/>Sources', styles["section"])
    title.outline = ("sources", "Sources", 0)  # type: ignore[attr-defined]
    story: list[Any] = [PageBreak(), title]
    for source in glossary.sources.values():
        details = [f"{_esc(source.author_display)}, <i>{_esc(source.title)}</i>"]
        details += [_esc(x) for x in (source.venue, source.date) if x]
        if source.url:
            details.append(f'<a href="{_esc(source.url)}" color="{ACCENT}">{_esc(source.url)}</a>')
        text = ", ".join(details) + "."
        if source.version:
            text += f" <i>{_esc(source.version)}</i>"
        story.append(Para(text, styles["source"]))
    return story
