"""A seed as readable HTML, every cited passage marked and anchored, terms linked where first mentioned in a
section, the author's notes set apart."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from glossdeck import markup, reading
from glossdeck.mentions import Mention
from glossdeck.model import Glossary, Source
from glossdeck.render.addresses import CITERS_SHOWN, Piece, passage_anchor, pieces, seed_of, term_page
from glossdeck.seeds import Seed, read_as_markdown

_QUOTE_START, _QUOTE_END, _NOTE_START, _NOTE_END = "quote-start", "quote-end", "note-start", "note-end"
_MENTION_START, _MENTION_END = "mention-start", "mention-end"
_PAGE = "page"  # in a text with pages (a PDF's): where a page of the original begins
_TAG = re.compile(r"(<[^>]*>)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# White space to a reader (and in the reading view) that HTML would show as a control character or not at all.
_HTML_SPACE = str.maketrans(dict.fromkeys("\f\v\x1c\x1d\x1e\x1f\x85", " "))
SENTENCES_PER_PARAGRAPH = 5  # a text on one line is shown in paragraphs of this many sentences
# Private-use characters, one of which marks where each event goes in the rendered HTML: the first one the text
# itself does not hold, so that a seed's own private-use characters are never taken for a mark.
_MARK_CANDIDATES = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))


@dataclass
class Passage:
    """A cited stretch of a source, and the terms that cite it."""

    anchor: str
    pieces: list[Piece]
    citers: list[tuple[str, str]] = field(default_factory=list)  # (href, term)


def cited_passages(glossary: Glossary, source: Source, citer_href: Callable[[str], str]) -> list[Passage]:
    """The source's cited passages, each once and in the text's order, with the terms citing each in glossary
    order; `citer_href` gives the address of a term's entry (the site's page, the EPUB's glossary)."""
    seed = seed_of(glossary, source)
    found: dict[str, Passage] = {}
    for term in glossary.terms:
        for citation in term.all_citations:
            if citation.source != source.id or citation.location is None:
                continue
            anchor = passage_anchor(citation.location)
            passage = found.setdefault(anchor, Passage(anchor, pieces(seed, citation)))
            citer = (citer_href(term.id), term.term)
            if citer not in passage.citers:
                passage.citers.append(citer)
    return sorted(found.values(), key=lambda p: (p.pieces[0].start, p.pieces[-1].end))


@dataclass(frozen=True)
class Event:
    at: int
    order: int  # at one offset: ends first, so that touching passages do not overlap
    kind: str
    passage: Passage | None = None
    first: bool = False
    last: bool = False
    why: str = ""  # an author's note's reason; a page's number as the original prints it
    number: int = 0  # a page's place in the file, from 1
    mention: Mention | None = None


def mention_anchor(mention: Mention) -> str:
    """The id of a term's linked mention on its source page: one per term and section."""
    return f"m{mention.section}-{mention.term_id}"


def render(seed: Seed, passages: list[Passage],
           mentions: Sequence[Mention] = ()) -> tuple[Markup, list[tuple[str, str]]]:
    """The essay's body as HTML, and its sections as (anchor, heading) for a table of contents."""
    bodies, sections = render_pages(seed, passages, mentions)
    return bodies[0], [(anchor, heading) for anchor, heading, _ in sections]


def render_pages(seed: Seed, passages: list[Passage], mentions: Sequence[Mention] = (),
                 starts: Sequence[int] = (0,)) -> tuple[list[Markup], list[tuple[str, str, int]]]:
    """The essay's body as HTML, one body per page (each page begins at a raw offset of `starts`, a heading), and
    its sections as (anchor, heading, page) for a table of contents.

    Each of `mentions` (outside every passage and note) becomes a link to its term where it lies within one run
    of text; one that would cross the essay's own markup is left as it is.
    """
    events = _events(seed, passages, mentions)
    marks = _Marks(seed.raw)
    if seed.source.format == "markdown":
        pages, sections = _markdown(seed, events, marks, starts)
    else:
        pages, sections = _text(seed, events, marks, starts)
    return [Markup(_place_events(html, events, marks)) for html in pages], sections


def _page(starts: Sequence[int], offset: int) -> int:
    return max(bisect.bisect_right(starts, offset) - 1, 0)


class _Marks:
    """Where events go in the HTML: a private-use character the text does not hold, the event's number, and
    the character again. Nothing else in the page can read as a mark."""

    def __init__(self, raw: str) -> None:
        present = set(raw)
        self.char = next(chr(c) for r in _MARK_CANDIDATES for c in r if chr(c) not in present)
        self.pattern = re.compile(f"{self.char}(\\d+){self.char}")

    def of(self, number: int) -> str:
        return f"{self.char}{number}{self.char}"

    def strip(self, text: str) -> str:
        return self.pattern.sub("", text)


def _events(seed: Seed, passages: list[Passage], mentions: Sequence[Mention]) -> list[Event]:
    events = []
    for mention in mentions:
        events.append(Event(mention.start, 1, _MENTION_START, mention=mention))
        events.append(Event(mention.end, 0, _MENTION_END, mention=mention))
    for passage in passages:
        for index, piece in enumerate(passage.pieces):
            first, last = index == 0, index == len(passage.pieces) - 1
            events.append(Event(piece.start, 1, _QUOTE_START, passage, first, last))
            events.append(Event(piece.end, 0, _QUOTE_END, passage, first, last))
    for start, end, why in seed.unquotable_spans:
        events.append(Event(start, 1, _NOTE_START, why=why))
        events.append(Event(end, 0, _NOTE_END, why=why))
    for at in seed.page_starts:  # a text with pages shows where each page of the original begins
        number, label = seed.page_at(at) or (0, "")
        events.append(Event(_next_word(seed.raw, at), 0, _PAGE, why=label, number=number))
    events.sort(key=lambda e: (e.at, e.order))
    return events


def _next_word(raw: str, at: int) -> int:
    """The first character that is not white space at or after an offset: a page's mark stands before its words."""
    while at < len(raw) and raw[at].isspace():
        at += 1
    return at


def _with_marks(raw: str, events: list[Event], begin: int, end: int, marks: _Marks) -> str:
    """raw[begin:end] with each event's mark inserted at its offset."""
    out, at = [], begin
    for number, event in enumerate(events):
        if begin <= event.at <= end:
            out.append(raw[at:event.at])
            out.append(marks.of(number))
            at = event.at
    out.append(raw[at:end])
    return "".join(out).translate(_HTML_SPACE)


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "section"
    slug, n = f"s-{base}", 2
    while slug in taken:
        slug, n = f"s-{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _markdown(seed: Seed, events: list[Event], marks: _Marks,
              starts: Sequence[int]) -> tuple[list[str], list[tuple[str, str, int]]]:
    """A Markdown seed rendered from the very parse its reading view was made from (reading.py), each event's
    mark placed beside the character it stands at; each page's blocks rendered apart."""
    tokens = _without_title(_from(reading.markdown_tokens(seed.raw), _body_start(seed, events)), seed)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = 2 - min(levels, default=2)  # the page's title is the h1: the essay's top headings become h2
    sections: list[tuple[str, str, int]] = []
    taken: set[str] = set()
    pages: list[list[Token]] = [[] for _ in starts]
    page = 0
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting >= 0 and (token.meta or {}).get("block"):
            page = _page(starts, token.meta["block"][0])
        pages[page].append(token)
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.type == "heading_open":
            title = _shown_text(tokens[index + 1].children or [])
            slug = _slug(title, taken)
            token.attrSet("id", slug)
            sections.append((slug, title, page))
    _insert_marks(tokens, events, marks)
    _inert_links(tokens)
    return [_RENDERER.renderer.render(here, _RENDERER.options, {}) for here in pages], sections


def _renderer() -> MarkdownIt:
    parser = MarkdownIt("commonmark")
    for name, rule in (("image", _image), ("html_inline", _html_inline), ("html_block", _html_block),
                       ("text_special", _text_special)):
        parser.add_render_rule(name, rule)
    return parser


def _from(tokens: list[Token], start: int) -> list[Token]:
    """The blocks that begin at or after a raw offset (a title line before the essay's text is left out)."""
    kept: list[Token] = []
    skipping = False
    for token in tokens:
        if token.level == 0 and token.nesting >= 0:
            skipping = (token.meta or {}).get("block", (start, start))[0] < start
        if not skipping:
            kept.append(token)
        if token.level == 0 and token.nesting == -1:
            skipping = False
    return kept


def _without_title(tokens: list[Token], seed: Seed) -> list[Token]:
    """Drop a heading that only repeats the essay's title (the page's h1 shows it)."""
    title = read_as_markdown(seed.source.title)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and read_as_markdown(_shown_text(tokens[index + 1].children or [])) == title:
            return tokens[:index] + tokens[index + 3 :]
    return tokens


def _shown_text(children: Sequence[Token]) -> str:
    """The text a reader sees of an inline run: a heading's title as the table of contents shows it."""
    view = reading.reading_of_tokens([Token("inline", "", 0, children=list(children))])
    return view.text


def _insert_marks(tokens: list[Token], events: list[Event], marks: _Marks) -> None:
    """Put each event's mark into the text of the token holding the character it stands at: a start before the
    first character read from at or after its offset, an end after the last character read from before it."""
    chars: list[tuple[Token, int]] = []
    starts: list[int] = []
    ends: list[int] = []
    for token in _shown(tokens):
        raw_starts, raw_ends = token.meta["raw"]
        for index, (start, end) in enumerate(zip(raw_starts[: len(token.content)], raw_ends)):
            chars.append((token, index))
            starts.append(start)
            ends.append(end)
    if not chars:
        return
    before: dict[tuple[int, int], list[str]] = {}
    after: dict[tuple[int, int], list[str]] = {}
    for number, event in enumerate(events):
        if event.order == 0:  # an end
            index = max(bisect.bisect_right(ends, event.at) - 1, 0)
            token, at = chars[index]
            after.setdefault((id(token), at), []).append(marks.of(number))
        else:
            index = min(bisect.bisect_left(starts, event.at), len(chars) - 1)
            token, at = chars[index]
            before.setdefault((id(token), at), []).append(marks.of(number))
    for token in {id(t): t for t, _ in chars}.values():
        token.content = "".join("".join(before.get((id(token), i), ())) + char + "".join(after.get((id(token), i), ()))
                                for i, char in enumerate(token.content)).translate(_HTML_SPACE)


def _shown(tokens: Sequence[Token]) -> list[Token]:
    """The tokens whose text the page shows, in reading order."""
    shown = []
    for token in tokens:
        if token.type == "inline":
            shown += [c for c in token.children or [] if (c.meta or {}).get("raw") and c.type != "softbreak"
                      and c.type != "hardbreak" and not (c.type == "html_inline" and _hidden(c))]
        elif token.type in ("code_block", "fence") or (token.type == "html_block" and not _hidden(token)):
            if (token.meta or {}).get("raw"):
                shown.append(token)
    return shown


def _inert_links(tokens: list[Token]) -> None:
    """The essay's links to web pages stay links; any other address (mailto:, javascript:, a page of the original
    site, an anchor in it) is shown as the words alone: markup.address_problem, the rule for every link."""
    for token in tokens:
        opened: list[Token] = []
        for child in token.children or []:
            if child.type == "link_open":
                address = str(child.attrGet("href") or "")
                if markup.address_problem(address, term_links=False) is None:
                    child.attrs = {"href": address, "rel": "external noreferrer"}
                else:
                    child.tag, child.attrs = "span", {"class": "dead-link"}
                opened.append(child)
            elif child.type == "link_close" and opened:
                child.tag = opened.pop().tag


def _image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    # Images would be fetched from other servers (or are missing): say what was there instead.
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return str(Markup('<span class="image-note">[image: {}]</span>').format(alt or "not shown"))


def _hidden(token: Token) -> bool:
    """Whether a reader sees nothing of this HTML (judged as the source has it, before any mark is put in)."""
    if "hidden" not in (token.meta or {}):
        hidden = reading.hidden_html(token.content) if token.type == "html_inline" else \
            reading.hidden_html_block(token.content)
        token.meta = {**(token.meta or {}), "hidden": hidden}
    return bool(token.meta["hidden"])


def _html_inline(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    # A tag that only dresses words, or a comment, shows nothing; any other is shown as the text it is.
    return "" if _hidden(tokens[idx]) else str(Markup.escape(tokens[idx].content))


def _html_block(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    if _hidden(tokens[idx]):
        return ""
    return str(Markup('<p class="source-html">{}</p>\n').format(tokens[idx].content.strip()))


def _text_special(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return str(Markup.escape(tokens[idx].content))  # an escape or an entity, already read as its character


_RENDERER = _renderer()


def _body_start(seed: Seed, events: list[Event]) -> int:
    """Where the essay's own text begins (after front matter and a title line), never after a quote."""
    first_event = min((e.at for e in events), default=len(seed.raw))
    return min(seed._body_start, first_event)


def _text(seed: Seed, events: list[Event], marks: _Marks,
          starts: Sequence[int]) -> tuple[list[str], list[tuple[str, str, int]]]:
    """A plain-text source: its headings (found where sources.yaml says) and paragraphs, page by page."""
    raw = seed.raw
    headings = sorted({(start, end) for start, end, _ in seed.heading_spans})
    shown = dict(seed.headings)
    pages: list[list[str]] = [[] for _ in starts]
    sections: list[tuple[str, str, int]] = []
    taken: set[str] = set()
    at = _body_start(seed, events)
    bounds = [(s, e) for s, e in headings if s >= at]
    for s, e in bounds + [(len(raw), len(raw))]:
        for begin, end in _paragraphs(seed, at, s):
            pages[_page(starts, begin)].append(Markup("<p>{}</p>").format(_with_marks(raw, events, begin, end, marks)))
        if s < len(raw):
            title = shown.get(s, raw[s:e])
            slug = _slug(title, taken)
            sections.append((slug, title, _page(starts, s)))
            pages[_page(starts, s)].append(Markup('<h2 id="{}">{}</h2>').format(
                slug, _with_marks(raw, events, s, e, marks)))
        at = e
    return ["\n".join(blocks) for blocks in pages], sections


def _paragraphs(seed: Seed, begin: int, end: int) -> list[tuple[int, int]]:
    """[start, end) of each paragraph between two offsets, surrounding space left out."""
    if seed.counts_sentences:
        starts = [s for s in seed._unit_starts if begin < s < end]
        cuts = [begin] + starts[SENTENCES_PER_PARAGRAPH - 1 :: SENTENCES_PER_PARAGRAPH] + [end]
    else:
        cuts = [begin] + [m.end() for m in _PARAGRAPH_BREAK.finditer(seed.raw, begin, end)] + [end]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        text = seed.raw[a:b]
        lead, trail = len(text) - len(text.lstrip()), len(text) - len(text.rstrip())
        if text.strip():
            spans.append((a + lead, b - trail))
    return spans


def _place_events(html: str, events: list[Event], marks: _Marks) -> str:
    """Replace each sentinel with its markup; wrap text inside passages in <mark>, never across tags."""
    out: list[str] = []
    active: dict[str, Passage] = {}
    note = ""
    in_link = 0
    pending: list[Passage] = []  # backlinks waiting for the end of an essay's own link
    chunks = _TAG.split(html)
    linkable = _within_one_run(chunks, events, marks)
    linking = False

    def flush() -> None:
        for passage in pending:
            links = Markup(", ").join(Markup('<a class="backlink" href="{}">{}</a>').format(h, t)
                                      for h, t in passage.citers[:CITERS_SHOWN])
            more = len(passage.citers) - CITERS_SHOWN
            if more > 0:
                links += Markup(", and {} more").format(more)
            out.append(Markup('<span class="cited-by"> (cited in {})</span>').format(links))
        pending.clear()

    def text(run: str) -> None:
        if not run.strip():  # the space between blocks stays bare
            out.append(run)
            return
        if active:
            names = " ".join(sorted(active))
            run = str(Markup('<mark class="passage" data-q="{}">').format(names)) + run + "</mark>"
        if note:
            run = '<span class="author-note">' + run + "</span>"
        out.append(run)

    for chunk in chunks:
        if chunk.startswith("<"):
            out.append(chunk)
            if re.match(r"<a\b", chunk):
                in_link += 1
            elif chunk == "</a>":
                in_link -= 1
                if not in_link:
                    flush()
            continue
        at = 0
        for match in marks.pattern.finditer(chunk):
            text(chunk[at : match.start()])
            at = match.end()
            event = events[int(match.group(1))]
            kind, passage = event.kind, event.passage
            if kind == _QUOTE_START and passage is not None:
                if event.first:
                    out.append(str(Markup('<span class="anchor" id="{}"></span>').format(passage.anchor)))
                active[passage.anchor] = passage
            elif kind == _QUOTE_END and passage is not None:
                active.pop(passage.anchor, None)
                if event.last and passage.citers:
                    pending.append(passage)
                    if not in_link:
                        flush()
            elif kind == _MENTION_START and event.mention is not None:
                number = int(match.group(1))
                if number in linkable and not in_link and not active:
                    mention = event.mention
                    out.append(str(Markup('<a class="term mention" id="{}" href="../{}" data-term="{}">').format(
                        mention_anchor(mention), term_page(mention.term_id), mention.term_id)))
                    linking = True
            elif kind == _MENTION_END:
                if linking:
                    out.append("</a>")
                    linking = False
            elif kind == _PAGE:
                out.append(str(Markup('<span class="page-mark" id="page-{}" title="page {} of the original">p.&nbsp;{}'
                                      '</span> ').format(event.number, event.why, event.why)))
            elif kind == _NOTE_START:
                out.append(str(Markup('<span class="note-label">[{}:]</span> ').format(event.why.capitalize())))
                note = event.why
            else:
                note = ""
        text(chunk[at:])
    flush()
    return "".join(out)


def _within_one_run(chunks: list[str], events: list[Event], marks: _Marks) -> set[int]:
    """The numbers of the mention starts whose end lies in the same run of text, with no tag between."""
    ends = {id(e.mention): number for number, e in enumerate(events) if e.kind == _MENTION_END}
    found: set[int] = set()
    for chunk in chunks:
        if chunk.startswith("<"):
            continue
        here = {int(m.group(1)) for m in marks.pattern.finditer(chunk)}
        found.update(n for n in here if events[n].kind == _MENTION_START and ends[id(events[n].mention)] in here)
    return found
