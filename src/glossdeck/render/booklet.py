"""Resolved glossary → reading booklet PDF: a small printed dictionary, via reportlab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Callable

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A5
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from glossdeck import markup
from glossdeck.model import Citation, Glossary, Source, Term, sort_key
from glossdeck.render.addresses import source_address
from glossdeck.render.common import attribution
from glossdeck.render.common import esc as _esc
from glossdeck.render.fonts import register

# Colours as objects, or in markup as rgb(): reportlab reads a "#rrggbb" string about five times slower,
# and a booklet has thousands of paragraphs and links.
INK = HexColor("#1d1d1d")
MUTED = HexColor("#5a5a5a")
ACCENT = "rgb(31,63,122)"  # #1f3f7a
PAGE_SIZES = {"a5": A5, "half-letter": (5.5 * inch, 8.5 * inch)}
CHARACTERS_PER_PAGE = 2850  # more than an A5 page holds (about 2,500): the guess of the page count errs low


@dataclass(frozen=True)
class Stub:
    """An alias in its alphabetical place, pointing to its term."""

    alias: str
    term: Term
    anchor: str


def _styles(font: str, language: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.2, alignment=TA_JUSTIFY, textColor=INK,
                          allowWidows=0, allowOrphans=0, hyphenationLang=_hyphenation_language(language),
                          embeddedHyphenation=1, uriWasteReduce=0.3, hyphenationMinWordLength=7)
    small = ParagraphStyle("small", parent=body, fontSize=8.6, leading=11)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=f"{font}-Bold", fontSize=24, leading=29,
                                alignment=TA_CENTER, spaceAfter=10, hyphenationLang=""),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontName=f"{font}-Italic", fontSize=12, leading=15,
                                   alignment=TA_CENTER, spaceAfter=24, hyphenationLang=""),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER, hyphenationLang=""),
        "letter": ParagraphStyle("letter", parent=body, fontName=f"{font}-Bold", fontSize=20, leading=24,
                                 alignment=TA_LEFT, textColor=ACCENT, spaceBefore=10, spaceAfter=4),
        "section": ParagraphStyle("section", parent=body, fontName=f"{font}-Bold", fontSize=14, leading=18,
                                  alignment=TA_LEFT, spaceBefore=4, spaceAfter=8, hyphenationLang=""),
        "subsection": ParagraphStyle("subsection", parent=body, fontName=f"{font}-Bold", fontSize=10.5,
                                     leading=13, alignment=TA_LEFT, spaceBefore=8, spaceAfter=3),
        "entry": ParagraphStyle("entry", parent=body, spaceBefore=7, spaceAfter=1.5),
        "stub": ParagraphStyle("stub", parent=small, alignment=TA_LEFT, spaceBefore=4),
        "quote": ParagraphStyle("quote", parent=small, leftIndent=9, spaceBefore=2.5),
        "cite": ParagraphStyle("cite", parent=body, fontSize=7.6, leading=9.6, leftIndent=9, alignment=TA_LEFT,
                               textColor=MUTED),
        "view": ParagraphStyle("view", parent=body, leftIndent=5, spaceBefore=3),
        "seealso": ParagraphStyle("seealso", parent=small, alignment=TA_LEFT, spaceBefore=2.5),
        "source": ParagraphStyle("source", parent=body, alignment=TA_LEFT, leftIndent=10, firstLineIndent=-10,
                                 spaceBefore=5),
        "index": ParagraphStyle("index", parent=small, alignment=TA_LEFT, leftIndent=10, firstLineIndent=-10),
        "toc": ParagraphStyle("toc", parent=body, alignment=TA_LEFT, hyphenationLang=""),
        "tocpage": ParagraphStyle("tocpage", parent=body, alignment=TA_RIGHT, hyphenationLang=""),
    }


def _hyphenation_language(language: str) -> Callable[[str], list[tuple[str, str]]]:
    """The hyphenator for the glossary's language: pyphen's dictionary, with compounds broken after their hyphen.

    pyphen offers to break "multi-step" as "multi" + "-step", and reportlab then adds a hyphen of its
    own, printing "multi-" at a line's end and "-step" at the next line's start; the break is moved
    after the word's own hyphen, where reportlab adds none."""
    import pyphen

    wanted = {"en": "en_US"}.get(language, language.replace("-", "_"))
    if wanted not in pyphen.LANGUAGES:
        raise ValueError(f"no hyphenation dictionary for language {language!r}")
    dictionary = pyphen.Pyphen(lang=wanted)

    def hyphenate(word: str) -> list[tuple[str, str]]:
        return [(head + "-", tail[1:]) if tail.startswith("-") else (head, tail)
                for head, tail in dictionary.iterate(word)]

    return hyphenate


class Para(Paragraph):
    """A paragraph that can carry an anchor and a headword, and whose split-off first part always fits.

    reportlab re-breaks the lines of a split part when it is laid out again; with
    hyphenation the re-broken part can come out a line longer than the space it was
    cut for, which aborts the whole build with a LayoutError. Keeping the lines it
    was cut with avoids it; where reportlab cannot hand them over (a paragraph in one
    font), the part is cut a line earlier until it fits.
    """

    pending: tuple[str, _References] | None = None  # markup whose page numbers are filled in when first laid out
    wrapped: tuple[float, tuple[float, float]] | None = None  # the width its lines were broken for, and its size

    def __init__(self, text: str | None, style: ParagraphStyle, anchor: str | None = None,
                 headword: str | None = None, outline: tuple[str, int] | None = None,
                 refs: _References | None = None, **kwargs: Any) -> None:
        if anchor and text is not None:
            text = f'<a name="{anchor}"/>{text}'
        self.markup = text  # as written, page marks included (the benchmark typesets it with bare reportlab)
        self.anchor = anchor
        self.headword = headword
        self.outline = outline
        if refs is not None and text is not None and PAGE_MARK in text:
            self.style, self.pending, self._kwargs = style, (text, refs), kwargs
        else:
            super().__init__(text, style, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self.pending is not None:
            # Pages already laid out are known now: their numbers are set as text, the rest as boxes.
            text, refs = self.pending
            super().__init__(refs.resolve(text), self.style, **self._kwargs)
            self.pending = None
        # Lines are broken once for a width. Breaking them again is not only wasted work: hyphenation
        # changes the parsed words in place, so a second time can give one line more, and a part that
        # split() checked would no longer fit when the frame lays it out to draw it.
        if self.wrapped is None or self.wrapped[0] != availWidth or not hasattr(self, "blPara"):
            self.wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self.wrapped[1]

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        while True:
            parts = super().split(availWidth, availHeight)
            if len(parts) != 2:
                break
            if self.blPara.kind == 1:  # reportlab hands the first part the lines it broke: keep them (see wrap)
                parts[0].wrapped = (availWidth, (availWidth, parts[0].height))
            if parts[0].wrap(availWidth, availHeight)[1] <= availHeight + 1e-6:
                break
            # A part of a one-font paragraph is broken afresh, and came out too long: cut a line earlier.
            availHeight -= self.style.leading
            self.wrapped = None
            self.wrap(availWidth, availHeight)
        if len(parts) == 2:
            parts[0].anchor, parts[0].headword, parts[0].outline = self.anchor, self.headword, self.outline
            parts[1].anchor = parts[1].headword = parts[1].outline = None
        return parts


class _Booklet(BaseDocTemplate):
    """Records where anchors and headwords land, draws running heads, and adds bookmarks."""

    def __init__(self, buffer: io.BytesIO, font: str, refs: _References, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self.font = font
        self.refs = refs
        self.anchor_pages = refs.pages  # filled as the anchors land, read when the page numbers are drawn
        self.page_headwords: list[str] = []
        self.continuing: str | None = None
        self.section = ""

    def beforeDocument(self) -> None:
        self.canv.setNamedCB(PAGE_REFERENCE, self.refs.draw)
        self.canv.refs = self.refs

    def afterFlowable(self, flowable: Any) -> None:
        page = self.canv.getPageNumber()
        anchor = getattr(flowable, "anchor", None)
        if anchor:
            self.anchor_pages.setdefault(anchor, page)
        headword = getattr(flowable, "headword", None)
        if headword:
            self.page_headwords.append(headword)
            self.continuing = headword
        section = getattr(flowable, "section", None)
        if section is not None:
            self.section = section
        outline = getattr(flowable, "outline", None)
        if outline:
            title, level = outline
            key = f"outline-{anchor}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level == 0)

    def afterPage(self) -> None:
        canvas = self.canv
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(self.font, 8)
        canvas.drawCentredString(width / 2, 10 * mm, str(canvas.getPageNumber()))
        top = height - 10 * mm
        # Guide words, as in a printed dictionary: the first and last headword that begin on
        # the page; a page that only continues an entry shows that entry's headword.
        words = self.page_headwords or ([self.continuing] * 2 if self.section == "A–Z" and self.continuing else [])
        if words:
            canvas.setFont(f"{self.font}-Bold", 8.5)
            canvas.setFillColor(INK)
            room = (width - self.leftMargin - self.rightMargin) / 2 - 6
            canvas.drawString(self.leftMargin, top, _shortened(words[0], f"{self.font}-Bold", 8.5, room))
            canvas.drawRightString(width - self.rightMargin, top, _shortened(words[-1], f"{self.font}-Bold", 8.5, room))
        elif self.section:
            canvas.setFont(f"{self.font}-Italic", 8.5)
            canvas.drawCentredString(width / 2, top, self.section)
        if words or self.section:
            canvas.setStrokeColor("#b8b0a0")
            canvas.setLineWidth(0.4)
            canvas.line(self.leftMargin, top - 3, width - self.rightMargin, top - 3)
        canvas.restoreState()

    def handle_pageBegin(self) -> None:
        super().handle_pageBegin()
        self.page_headwords = []


def _shortened(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with "…" if it is wider than `width` (a long guide word must not meet the other)."""
    if stringWidth(text, font, size) <= width:
        return text
    fits, too_long = 0, len(text)  # a start of the text's length `fits` fits with "…"; `too_long` does not
    while too_long - fits > 1:  # bisect: widths only grow as characters are added
        middle = (fits + too_long) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits].rstrip() + "…"


class _Marker(Spacer):
    """An invisible flowable that names the section that follows (for running heads)."""

    def __init__(self, section: str) -> None:
        super().__init__(0, 0)
        self.section = section


def render(glossary: Glossary, paper: str = "a5") -> bytes:
    """Typeset the booklet once and return the PDF; the result depends on nothing but its arguments.

    A page number already known when its paragraph is laid out is set as text; a later one
    is a box as wide as the widest number it could be, filled by a form written once every
    page is done (see `_References`): nothing reflows. Only if the book needs more digits
    than its amount of text suggested is it set a second time, with wider boxes.
    """
    digits = len(str(_estimated_pages(glossary)))
    data, needed = _typeset(glossary, paper, digits)
    if needed > digits:
        data, _ = _typeset(glossary, paper, needed)
    return data


def _estimated_pages(glossary: Glossary) -> int:
    """A low guess of the page count from the amount of text (it only sets how many digits to reserve)."""
    characters = sum(len(t.definition) + sum(len(c.quote) + 120 for c in t.all_citations)
                     + sum(len(v.summary) for v in t.views) + 60 * (len(t.related) + len(t.aliases))
                     for t in glossary.terms)
    return 4 + characters // CHARACTERS_PER_PAGE


def _typeset(glossary: Glossary, paper: str, digits: int) -> tuple[bytes, int]:
    """The PDF, and the most digits that a page number set in a box turned out to need."""
    font = register()
    styles = _styles(font, glossary.settings.language)
    settings = glossary.settings
    refs = _References(digits)
    buffer = io.BytesIO()
    doc = _Booklet(buffer, font, refs, pagesize=PAGE_SIZES[paper], leftMargin=15 * mm, rightMargin=15 * mm,
                   topMargin=17 * mm, bottomMargin=17 * mm, title=settings.title, subject=settings.subtitle,
                   author=settings.author or "glossdeck", creator="glossdeck", lang=settings.language,
                   initialFontName=font, invariant=1)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    story: list[Any] = []
    story += _title_page(glossary, styles)
    story += _front_matter(glossary, styles, refs)
    story += _entries(glossary, styles, refs)
    story += _sources(glossary, styles, refs)
    story += _alias_index(glossary, styles, refs)
    story += _back_cover(glossary, styles)
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue(), max((len(str(refs.pages[refs.numbers[label][0]])) for label in refs.forms), default=0)


PAGE_REFERENCE = "page-reference"  # the name of the onDraw callback that places a page number
PAGE_MARK = "\ue000"  # brackets a page reference's label in markup until the paragraph is laid out


class _References:
    """Page references: links, and page numbers that are set when their paragraph is laid out.

    A page already laid out gives its number as text. A later one is not known yet: its
    number is a blank box (no-break spaces, which never stretch in the left-aligned styles
    that carry references) exactly as wide as `digits` figures, the font's figures being
    tabular, and an onDraw mark after the box draws over it a form that is written when
    the document is saved. Nothing reflows.
    """

    def __init__(self, digits: int) -> None:
        self.digits = digits
        self.pages: dict[str, int] = {}
        self.labels: dict[tuple[str, str, float], str] = {}  # (anchor, font, size) -> label
        self.numbers: dict[str, tuple[str, str, float]] = {}  # label -> anchor, font, size
        self.forms: dict[str, float] = {}  # label -> width of the box, for the numbers drawn as forms

    def page(self, anchor: str, style: ParagraphStyle) -> str:
        """A mark for the page number of `anchor`, in the paragraph font of `style` (see `resolve`)."""
        if style.alignment == TA_JUSTIFY:
            raise ValueError("page numbers need a style whose spaces do not stretch")
        key = (anchor, style.fontName, style.fontSize)
        label = self.labels.setdefault(key, f"pageno{len(self.labels)}")  # a name safe in markup and in PDF
        self.numbers[label] = key
        return f"{PAGE_MARK}{label}{PAGE_MARK}"

    def resolve(self, text: str) -> str:
        """The markup with each page mark replaced by its number or, if not known yet, by its box."""
        parts = text.split(PAGE_MARK)
        for i in range(1, len(parts), 2):
            label = parts[i]
            anchor, font, size = self.numbers[label]
            if anchor in self.pages:
                parts[i] = str(self.pages[anchor])
            else:
                width = max(stringWidth(d, font, size) for d in "0123456789") * self.digits
                parts[i] = _blank(width, font, size) + f'<onDraw name="{PAGE_REFERENCE}" label="{label}"/>'
                self.forms[label] = width
        return "".join(parts)

    def link(self, anchor: str, text: str) -> str:
        return f'<a href="#{anchor}" color="{ACCENT}">{text}</a>'

    def with_page(self, anchor: str, text: str, style: ParagraphStyle) -> str:
        return self.link(anchor, f"{text}, p.\u00a0{self.page(anchor, style)}")

    def draw(self, canvas: Any, _kind: str, label: str) -> None:
        """onDraw: show the form of `label` over the box just drawn, in its place in the text."""
        info = canvas._curr_tx_info
        text, x, y = info["tx"], info["cur_x"], info["cur_y"]
        width = self.forms[label]
        name = canvas._doc.getXObjectName(label)
        canvas._formsinuse.append(label)
        # Forms cannot be drawn inside a text object: end it, draw, and begin again where the text
        # was (line start as before, so that reportlab's relative moves stay right), so the number
        # also comes where it belongs when the text is copied or extracted.
        advance = -(x - text._x0) * 1000 / text._fontsize
        text._code.append(f"ET q 1 0 0 1 {fp_str(x - width, y)} cm /{name} Do Q "
                          f"BT 1 0 0 1 {fp_str(text._x0, y)} Tm [{fp_str(advance)}] TJ")

    def write_forms(self, canvas: Canvas) -> None:
        for label, width in self.forms.items():
            anchor, font, size = self.numbers[label]
            canvas.beginForm(label, 0, -size / 3, width, size)
            canvas.setFont(font, size)
            canvas.drawRightString(width, 0, str(self.pages[anchor]))
            canvas.endForm()


def _blank(width: float, font: str, size: float) -> str:
    """No-break spaces exactly `width` wide, none larger than `size` (a larger one would move the line)."""
    space = stringWidth("\u00a0", font, size)
    count = int(width // space)
    rest = width - count * space
    text = "\u00a0" * count
    if rest > 1e-3:
        text += f'<font size="{rest / space * size:.6f}">\u00a0</font>'
    return text


class _Canvas(Canvas):
    """Writes the page-number forms when the document is saved: by then every page is known."""

    refs: _References

    def save(self) -> None:
        self.refs.write_forms(self)
        super().save()


def _term_anchor(term: Term) -> str:
    return f"term-{term.id}"


def _stubs(glossary: Glossary) -> list[Stub]:
    stubs = []
    for term in glossary.terms:
        for number, alias in enumerate(term.aliases, start=1):
            stubs.append(Stub(alias, term, f"alias-{term.id}-{number}"))
    return stubs


def _title_page(glossary: Glossary, styles: dict[str, ParagraphStyle]) -> list[Any]:
    s = glossary.settings
    quotes = sum(len(t.all_citations) for t in glossary.terms)
    return [
        _Marker(""),
        Spacer(1, 45 * mm),
        Para(_esc(s.title), styles["title"]),
        Para(_esc(s.subtitle), styles["subtitle"]),
        Para(f"{len(glossary.terms)} terms · {quotes} quotations, each checked word for word against its source",
             styles["center"]),
        PageBreak(),
    ]


def _front_matter(glossary: Glossary, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    story: list[Any] = [
        _Marker("How to use this booklet"),
        Para("How to use this booklet", styles["section"], anchor="howto", outline=("How to use this booklet", 0)),
        Para("Terms are in alphabetical order, letter by letter. Each entry gives the term in bold, other names "
             "for it in italics, and a definition in our own words. Where the essays disagree, <b>views</b> set "
             "the positions side by side. Quotations follow in quotation marks, each with its speaker, its essay "
             "and where in the essay it stands (section and paragraph), checked word for word against the essay's "
             "text. <b>See also</b> points to related terms with their pages. Other names appear in their own "
             "alphabetical place with an arrow (→) to the main entry, and in the index of other names at the "
             "back. The guide words at the top of each page are its first and last headwords.", styles["body"]),
        Spacer(1, 8),
        Para("Contents", styles["subsection"]),
    ]
    rows = [("How to use this booklet", "howto")]
    rows += [(f"{letter}", f"letter-{letter}") for letter in _letters(glossary)]
    rows += [("Sources", "sources"), ("Index of other names", "aliases")]
    story.append(_contents_table(rows, styles, refs))
    story += [Spacer(1, 8), Para("The essays", styles["subsection"])]
    for number, source in enumerate(glossary.sources.values(), start=1):
        text = (f"<b>[{number}]</b> {_esc(source.author_display)}, <i>{_esc(source.title)}</i>"
                f"{', ' + _esc(source.date) if source.date else ''}. "
                f"{refs.with_page(f'source-{source.id}', 'Details', styles['source'])}.")
        story.append(Para(text, styles["source"], refs=refs))
    story.append(PageBreak())
    return story


def _contents_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle], refs: _References) -> Table:
    letters = [(label, anchor) for label, anchor in rows if anchor.startswith("letter-")]
    others = [(label, anchor) for label, anchor in rows if not anchor.startswith("letter-")]
    data: list[list[Any]] = [[Para(refs.link(others[0][1], _esc(others[0][0])), styles["toc"]),
             Para(refs.link(others[0][1], refs.page(others[0][1], styles["tocpage"])), styles["tocpage"],
                  refs=refs)]]
    data.append([Para("A–Z: " + " ".join(refs.link(anchor, f"{label}\u00a0{refs.page(anchor, styles['toc'])}")
                                        for label, anchor in letters), styles["toc"], refs=refs), ""])
    for label, anchor in others[1:]:
        data.append([Para(refs.link(anchor, _esc(label)), styles["toc"]),
                     Para(refs.link(anchor, refs.page(anchor, styles["tocpage"])), styles["tocpage"], refs=refs)])
    table = Table(data, colWidths=["85%", "15%"])
    # Table cells default to Helvetica (unembedded) for plain strings: name our font.
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), styles["toc"].fontName),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, 1), (1, 1)),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _initial(name: str) -> str:
    first = sort_key(name)[0][:1].upper()
    return first if first.isalpha() else "#"


def _letters(glossary: Glossary) -> list[str]:
    names = [t.term for t in glossary.terms] + [s.alias for s in _stubs(glossary)]
    return sorted({_initial(n) for n in names}, key=lambda x: (x == "#", x))


def _entries(glossary: Glossary, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    items: list[tuple[str, Term | Stub]] = [(t.term, t) for t in glossary.terms]
    items += [(s.alias, s) for s in _stubs(glossary)]
    items.sort(key=lambda pair: (_initial(pair[0]) == "#", sort_key(pair[0])))  # symbols and digits last
    story: list[Any] = [_Marker("A–Z")]
    letter = None
    for name, item in items:
        initial = _initial(name)
        block = _stub(item, styles, refs) if isinstance(item, Stub) else _entry(glossary, item, styles, refs)
        if initial != letter:
            letter = initial
            # The letter never ends a page: it starts a new one unless the opening lines of its first
            # entry fit under it (three lines, the most that an entry can need before it may split).
            story.append(CondPageBreak(_letter_room(styles, block[0].style)))
            story.append(Para(letter, styles["letter"], anchor=f"letter-{letter}", outline=(letter, 0)))
        story.extend(block)
    story.append(PageBreak())
    return story


def _letter_room(styles: dict[str, ParagraphStyle], first: ParagraphStyle) -> float:
    """The height a letter needs at the foot of a page: itself and its first entry's opening lines.

    Entries allow neither widows nor orphans, so an entry of four lines or more may split after
    two, and a shorter one moves whole: three lines are always enough.
    """
    letter = styles["letter"]
    return letter.spaceBefore + letter.leading + letter.spaceAfter + first.spaceBefore + 3 * first.leading


def _stub(stub: Stub, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    target = _term_anchor(stub.term)
    text = f"<b>{_esc(stub.alias)}</b> → {refs.with_page(target, f'<i>{_esc(stub.term.term)}</i>', styles['stub'])}"
    return [Para(text, styles["stub"], anchor=stub.anchor, headword=stub.alias, refs=refs)]


def _entry(glossary: Glossary, term: Term, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    aliases = f" <i>({_esc(', '.join(term.aliases))})</i>" if term.aliases else ""
    head = f"<b>{_esc(term.term)}</b>{aliases} {markup.to_pdf(term.definition, link_colour=ACCENT)}"
    parts: list[Any] = [Para(head, styles["entry"],
                             anchor=_term_anchor(term), headword=term.term, outline=(term.term, 1))]
    for view in term.views:
        summary = markup.to_pdf(view.summary, link_colour=ACCENT)
        parts.append(Para(f"<b>{_esc(glossary.person(view.holder))}:</b> {summary}", styles["view"]))
        for citation in view.citations:
            parts += _quote(glossary.sources[citation.source], citation, styles, refs)
    for citation in term.citations:
        parts += _quote(glossary.sources[citation.source], citation, styles, refs)
    if term.related:
        targets = [glossary.term(r) for r in term.related]
        links = "; ".join(refs.with_page(_term_anchor(t), f"<i>{_esc(t.term)}</i>", styles["seealso"])
                          for t in targets)
        parts.append(Para(f"<b>See also</b> {links}", styles["seealso"], refs=refs))
    return parts


def _quote(source: Source, citation: Citation, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    note = f" — {_esc(citation.note)}" if citation.note else ""
    cite = attribution(source, citation, lambda _url, title: refs.link(f"source-{source.id}", title))
    return [
        Para(f"“{_esc(citation.display)}”", styles["quote"]),
        Para(f"— {cite}{note}", styles["cite"]),
    ]


def _citing_terms(glossary: Glossary, source: Source) -> list[Term]:
    return [t for t in glossary.terms if any(c.source == source.id for c in t.all_citations)]


def _sources(glossary: Glossary, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    story: list[Any] = [_Marker("Sources"),
                        Para("Sources", styles["section"], anchor="sources", outline=("Sources", 0)),
                        Para("Every quotation in this booklet was checked, word for word, against these texts; "
                             "their SHA-256 checksums identify the exact versions.", styles["body"])]
    for number, source in enumerate(glossary.sources.values(), start=1):
        details = [f"{_esc(source.author_display)}, <i>{_esc(source.title)}</i>"]
        if source.subtitle:
            details[0] += f" ({_esc(source.subtitle)})"
        details += [_esc(x) for x in (source.venue, source.date) if x]
        if source.url:
            target = markup.href(source.url)
            shown = _esc(source.url)
            details.append(f'<a href="{target}" color="{ACCENT}">{shown}</a>' if target else shown)
        text = f"<b>[{number}]</b> " + ", ".join(details) + "."
        if source.version:
            text += f" {_esc(source.version)}"
        story.append(Para(text, styles["source"], anchor=f"source-{source.id}", outline=(source.title, 1)))
        story.append(Para(f"SHA-256 {source.sha256}", styles["cite"]))
        cited = ", ".join(refs.with_page(_term_anchor(t), _esc(t.term), styles["seealso"])
                          for t in _citing_terms(glossary, source))
        story.append(Para(f"<b>Cited in</b> {cited}.", styles["seealso"], refs=refs))
        story.extend(_qr_code(glossary, source))
    story.append(PageBreak())
    return story


QR_SIZE = 20 * mm


def _qr_code(glossary: Glossary, source: Source) -> list[Any]:
    """A QR code to the source's page on the site, else to the original; nothing if it has no address."""
    import segno
    from reportlab.platypus import Image

    address = source_address(glossary, source)
    if address is None:
        return []
    png = io.BytesIO()
    segno.make(address, error="m").save(png, kind="png", scale=4, border=2)
    png.seek(0)
    # space on both sides, so that the code reads as its source's and not the next one's
    return [Spacer(1, 1 * mm), Image(png, width=QR_SIZE, height=QR_SIZE, hAlign="LEFT"), Spacer(1, 3 * mm)]


def _alias_index(glossary: Glossary, styles: dict[str, ParagraphStyle], refs: _References) -> list[Any]:
    story: list[Any] = [_Marker("Index of other names"),
                        Para("Index of other names", styles["section"], anchor="aliases",
                             outline=("Index of other names", 0))]
    for stub in sorted(_stubs(glossary), key=lambda s: sort_key(s.alias)):
        target = _term_anchor(stub.term)
        story.append(Para(f"{_esc(stub.alias)} → {refs.with_page(target, _esc(stub.term.term), styles['index'])}",
                          styles["index"], refs=refs))
    story.append(PageBreak())
    return story


def _back_cover(glossary: Glossary, styles: dict[str, ParagraphStyle]) -> list[Any]:
    return [
        _Marker(""),
        Spacer(1, 120 * mm),
        Para(f"{_esc(glossary.settings.title)}. Built with glossdeck from {len(glossary.terms)} terms and "
             f"{len(glossary.sources)} source essays. Set in Charis SIL (SIL Open Font License).", styles["center"]),
    ]
