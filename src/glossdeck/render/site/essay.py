"""A seed as readable HTML, every cited passage marked and anchored, the author's notes set apart."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from glossdeck.render.addresses import Piece
from glossdeck.seeds import Seed, normalize_text

# Sentinels: a private-use kind character, then the event's number as a character of plane 15.
# The CommonMark parser treats them as ordinary letters, so they come through rendering in place.
_QUOTE_START, _QUOTE_END, _NOTE_START, _NOTE_END = "\ue000", "\ue001", "\ue002", "\ue003"
_EVENT = re.compile("([\ue000-\ue003])([\U000f0000-\U000fffff])")
_TAG = re.compile(r"(<[^>]*>)")
_HTML_MARKUP = re.compile(r"<!--\s*-->|</?abbr>")  # presentation the seeds carry; seeds.py drops it from quotes too
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
SENTENCES_PER_PARAGRAPH = 5  # a text on one line is shown in paragraphs of this many sentences


@dataclass
class Passage:
    """A cited stretch of a source, and the terms that cite it."""

    anchor: str
    pieces: list[Piece]
    citers: list[tuple[str, str]] = field(default_factory=list)  # (href, term)


@dataclass(frozen=True)
class Event:
    at: int
    order: int  # at one offset: ends first, so that touching passages do not overlap
    kind: str
    passage: Passage | None = None
    first: bool = False
    last: bool = False
    why: str = ""


def render(seed: Seed, passages: list[Passage]) -> tuple[Markup, list[tuple[str, str]]]:
    """The essay's body as HTML, and its sections as (anchor, heading) for a table of contents."""
    events = _events(seed, passages)
    if seed.source.format == "markdown":
        html, sections = _markdown(seed, events)
    else:
        html, sections = _text(seed, events)
    return Markup(_place_events(html, events)), sections


def _events(seed: Seed, passages: list[Passage]) -> list[Event]:
    events = []
    for passage in passages:
        for index, piece in enumerate(passage.pieces):
            first, last = index == 0, index == len(passage.pieces) - 1
            events.append(Event(piece.start, 1, _QUOTE_START, passage, first, last))
            events.append(Event(piece.end, 0, _QUOTE_END, passage, first, last))
    for start, end, why in seed.unquotable_spans:
        events.append(Event(start, 1, _NOTE_START, why=why))
        events.append(Event(end, 0, _NOTE_END, why=why))
    events.sort(key=lambda e: (e.at, e.order))
    return events


def _with_sentinels(raw: str, events: list[Event], begin: int, end: int) -> str:
    """raw[begin:end] with each event's sentinel inserted at its offset."""
    out, at = [], begin
    for number, event in enumerate(events):
        if begin <= event.at <= end:
            out.append(raw[at:event.at])
            out.append(event.kind + chr(0xF0000 + number))
            at = event.at
    out.append(raw[at:end])
    return "".join(out)


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", _EVENT.sub("", text).casefold()).strip("-")[:60] or "section"
    slug, n = f"s-{base}", 2
    while slug in taken:
        slug, n = f"s-{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _markdown(seed: Seed, events: list[Event]) -> tuple[str, list[tuple[str, str]]]:
    start = _body_start(seed, events)
    text = _HTML_MARKUP.sub("", _with_sentinels(seed.raw, events, start, len(seed.raw)))
    parser = MarkdownIt("commonmark", {"html": False})
    parser.add_render_rule("image", _image)
    parser.add_render_rule("link_open", _link_open)
    tokens = _without_title(parser.parse(text), seed)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = 2 - min(levels, default=2)  # the page's title is the h1: the essay's top headings become h2
    sections: list[tuple[str, str]] = []
    taken: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.type == "heading_open":
            title = _EVENT.sub("", tokens[index + 1].content)
            slug = _slug(title, taken)
            token.attrSet("id", slug)
            sections.append((slug, re.sub(r"[*_`]", "", title)))
    return parser.renderer.render(tokens, parser.options, {}), sections


def _without_title(tokens: list[Any], seed: Seed) -> list[Any]:
    """Drop a heading that only repeats the essay's title (the page's h1 shows it)."""
    title = normalize_text(seed.source.title, markdown=True)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and normalize_text(tokens[index + 1].content, markdown=True) == title:
            return tokens[:index] + tokens[index + 3 :]
    return tokens


def _image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    # Images would be fetched from other servers (or are missing): say what was there instead.
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return str(Markup('<span class="image-note">[image: {}]</span>').format(alt or "not shown"))


def _link_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    href = str(tokens[idx].attrGet("href") or "")
    if not re.match(r"https?://|mailto:", href):  # a link relative to the original site leads nowhere here
        tokens[idx].attrSet("href", "#")
        tokens[idx].attrSet("class", "dead-link")
        tokens[idx].attrSet("aria-disabled", "true")
    else:
        tokens[idx].attrSet("rel", "external noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _body_start(seed: Seed, events: list[Event]) -> int:
    """Where the essay's own text begins (after front matter and a title line), never after a quote."""
    first_event = min((e.at for e in events), default=len(seed.raw))
    return min(seed._body_start, first_event)


def _text(seed: Seed, events: list[Event]) -> tuple[str, list[tuple[str, str]]]:
    """A plain-text source: its headings (found where sources.yaml says) and paragraphs."""
    raw = seed.raw
    headings = sorted({(start, end) for start, end, _ in seed.heading_spans})
    shown = dict(seed.headings)
    blocks: list[str] = []
    sections: list[tuple[str, str]] = []
    taken: set[str] = set()
    at = _body_start(seed, events)
    bounds = [(s, e) for s, e in headings if s >= at]
    for s, e in bounds + [(len(raw), len(raw))]:
        for begin, end in _paragraphs(seed, at, s):
            blocks.append(Markup("<p>{}</p>").format(_with_sentinels(raw, events, begin, end)))
        if s < len(raw):
            title = shown.get(s, raw[s:e])
            slug = _slug(title, taken)
            sections.append((slug, title))
            blocks.append(Markup('<h2 id="{}">{}</h2>').format(slug, _with_sentinels(raw, events, s, e)))
        at = e
    return "\n".join(blocks), sections


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


def _place_events(html: str, events: list[Event]) -> str:
    """Replace each sentinel with its markup; wrap text inside passages in <mark>, never across tags."""
    out: list[str] = []
    active: dict[str, Passage] = {}
    note = ""
    in_link = 0
    pending: list[Passage] = []  # backlinks waiting for the end of an essay's own link

    def flush() -> None:
        for passage in pending:
            links = Markup(", ").join(Markup('<a class="backlink" href="{}">{}</a>').format(h, t)
                                      for h, t in passage.citers)
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

    for chunk in _TAG.split(html):
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
        for match in _EVENT.finditer(chunk):
            text(chunk[at : match.start()])
            at = match.end()
            event = events[ord(match.group(2)) - 0xF0000]
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
            elif kind == _NOTE_START:
                out.append(str(Markup('<span class="note-label">[{}:]</span> ').format(event.why.capitalize())))
                note = event.why
            else:
                note = ""
        text(chunk[at:])
    flush()
    return "".join(out)
