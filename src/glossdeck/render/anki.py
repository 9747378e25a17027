"""Resolved glossary → Anki package (.apkg) bytes, via genanki, with stable ids and escaped fields."""

from __future__ import annotations

import copy
import hashlib
import html
import io
import itertools
import re
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from glossdeck import markup
from glossdeck.deckstate import MODEL_KEY, DeckState, digest
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.render.site.links import passage_url, term_url
from glossdeck.render.common import attribution

# The note type is shared by every glossdeck deck and must never change silently:
# Anki treats a changed field list or template set as a schema change.
MODEL_ID = 1607392319
MODEL_NAME = "glossdeck term (v1)"
FIELDS = ["Term", "Aliases", "Definition", "DefinitionHidden", "Views", "Quotes", "Sources", "Related", "TermId"]

CSS = """\
.card { font-family: "Charis SIL", Charter, Georgia, "Times New Roman", serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1d1d; background: #fdfcf8; max-width: 38em;
  margin: 0 auto; padding: 0 .6em; }
.nightMode.card, .night_mode .card { color: #e6e4de; background: #1e1e1e; }
.term { font-size: 1.5em; font-weight: bold; text-align: center; margin: .4em 0 .1em; }
.aliases { text-align: center; font-style: italic; color: #666; font-size: .85em; }
.prompt { text-align: center; font-size: .8em; color: #888; text-transform: uppercase; letter-spacing: .08em; }
.definition { margin: .8em 0; }
.section { font-size: .75em; text-transform: uppercase; letter-spacing: .08em; color: #7a6a3a; margin-top: 1em; }
.view { border-left: 3px solid #c9b98a; padding-left: .6em; margin: .5em 0; }
.holder { font-weight: bold; }
blockquote { margin: .5em 0 .7em 0; padding-left: .8em; border-left: 3px solid #ddd; font-size: .9em; }
.cite { display: block; font-size: .8em; color: #666; margin-top: .2em; }
.note { display: block; font-size: .8em; font-style: italic; color: #666; }
.related, .sources { font-size: .85em; }
.xref { font-style: italic; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
a { color: #1f4f9a; }
.retired { border: 2px solid #b5542c; padding: .4em .6em; color: #b5542c; }
.nightMode .aliases, .night_mode .aliases, .nightMode .cite, .night_mode .cite,
.nightMode .note, .night_mode .note { color: #aaa; }
.nightMode blockquote, .night_mode blockquote { border-left-color: #555; }
.nightMode a, .night_mode a { color: #8fb4ff; }
.nightMode .section, .night_mode .section { color: #d8c07a; }
@media (max-width: 480px) { .card { font-size: 18px; } .term { font-size: 1.3em; } }
"""

_BACK = """\
<div class="definition">{{Definition}}</div>
{{#Views}}<div class="section">Views differ</div>{{Views}}{{/Views}}
{{#Quotes}}<div class="section">In the essays</div>{{Quotes}}{{/Quotes}}
{{#Related}}<div class="related"><span class="section">See also</span> {{Related}}</div>{{/Related}}
"""

TEMPLATES = [
    {
        "name": "Term → Definition",
        "qfmt": '<div class="prompt">Define</div><div class="term">{{Term}}</div>'
                '{{#Aliases}}<div class="aliases">{{Aliases}}</div>{{/Aliases}}',
        "afmt": '{{FrontSide}}<hr id="answer">' + _BACK,
    },
    {
        "name": "Definition → Term",
        "qfmt": '<div class="prompt">Which term?</div><div class="definition">{{DefinitionHidden}}</div>',
        "afmt": '<div class="prompt">Which term?</div><div class="definition">{{DefinitionHidden}}</div>'
                '<hr id="answer"><div class="term">{{Term}}</div>'
                '{{#Aliases}}<div class="aliases">{{Aliases}}</div>{{/Aliases}}'
                '{{#Quotes}}<div class="section">In the essays</div>{{Quotes}}{{/Quotes}}',
    },
]

SORT_FIELD = 0  # Term


def stable_id(*parts: str) -> int:
    """A positive 31-bit id that depends only on its parts."""
    digest = hashlib.sha256("\x1f".join(("glossdeck",) + parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF | 1 << 30


def note_guid(glossary_id: str, term_id: str) -> str:
    """The note's identity: glossdeck's namespace, the glossary and the term id, never the content."""
    return genanki.guid_for("glossdeck", glossary_id, term_id)


def identity(term: Term) -> str:
    """The id a term's notes are known by: its original id, which survives renames."""
    return term.renamed_from[0] if term.renamed_from else term.id


def model_fingerprint() -> str:
    """What makes a schema change in Anki: the fields, the card templates and the sort field."""
    return digest([FIELDS, [(t["name"], t["qfmt"], t["afmt"]) for t in TEMPLATES], SORT_FIELD])


class _Note(genanki.Note):  # type: ignore[misc]
    """A note stamped with the time its own content last changed, not the build time."""

    def __init__(self, mtime: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mtime = mtime

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mtime, deck_id, id_gen)


class _Model(genanki.Model):  # type: ignore[misc]
    """The note type, stamped with the time its templates or styling last changed."""

    def __init__(self, mtime: int) -> None:
        super().__init__(MODEL_ID, MODEL_NAME, fields=[{"name": f} for f in FIELDS],
                         templates=copy.deepcopy(TEMPLATES), css=CSS, sort_field_index=SORT_FIELD)
        self.mtime = mtime

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(self.mtime, deck_id)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DeckBuild:
    """The package's bytes and the deck state to record for the next build."""

    data: bytes
    state: DeckState


def render(glossary: Glossary, state: DeckState, now: int) -> DeckBuild:
    """Build the package; notes whose content is unchanged since `state` keep their times."""
    settings = glossary.settings
    entries = {MODEL_KEY: state.stamp(MODEL_KEY, digest([model_fingerprint(), CSS]), MODEL_NAME, now)}
    model = _Model(entries[MODEL_KEY].mtime)
    deck = genanki.Deck(stable_id("deck", settings.id), settings.deck_name,
                        description=html.escape(settings.subtitle, quote=False))
    names = {t.id: t.term for t in glossary.terms}
    for position, term in enumerate(glossary.terms):
        fields, tags = _fields(glossary, term, names), _tags(term)
        key = identity(term)
        entry = entries[key] = state.stamp(key, digest([fields, tags]), term.term, now)
        deck.add_note(_Note(entry.mtime, model=model, fields=fields, guid=note_guid(settings.id, key), tags=tags,
                            due=position))
    for key in sorted(set(state.entries) - set(entries)):
        fields = _retired_fields(state.entries[key].name, key)
        entry = entries[key] = state.retire(key, digest(fields), now)
        deck.add_note(_Note(entry.mtime, model=model, fields=fields, guid=note_guid(settings.id, key),
                            tags=["glossdeck::retired"], due=len(glossary.terms)))
    timestamp = max(e.mtime for e in entries.values())
    return DeckBuild(_package_bytes(deck, timestamp), DeckState(entries))


def _fields(glossary: Glossary, term: Term, names: dict[str, str]) -> list[str]:
    return [
        html.escape(term.term, quote=False),
        html.escape(", ".join(term.aliases), quote=False),
        markup.to_html(term.definition),
        _hidden(markup.to_html(term.definition), (term.term, *term.aliases)),
        "".join(_view_html(glossary, v.holder, v.summary, v.citations) for v in term.views),
        "".join(_quote_html(glossary.sources[c.source], c, passage_url(glossary, c)) for c in term.citations),
        _sources_html(glossary, term) + _term_page_html(glossary, term),
        html.escape("; ".join(names[r] for r in term.related), quote=False),  # names may hold commas
        html.escape(term.id, quote=False),
    ]


def _tags(term: Term) -> list[str]:
    tags = [f"glossdeck::topic::{_tag(t)}" for t in term.tags]
    tags += [f"glossdeck::source::{s}" for s in sorted({c.source for c in term.all_citations})]
    if term.views:
        tags.append("glossdeck::contested")
    return tags


def _retired_fields(name: str, key: str) -> list[str]:
    notice = ('<div class="retired"><b>Retired.</b> This term was removed from the glossary. '
              "You can delete its cards: in the browser, search <code>tag:glossdeck::retired</code>.</div>")
    return [html.escape(name, quote=False), "", notice, notice, "", "", "", "", html.escape(key, quote=False)]


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def _hidden(definition_html: str, names: tuple[str, ...]) -> str:
    """The definition with the term and its aliases blanked out, so the question does not give the answer.

    Matches ignore case, treat spaces and hyphens between words alike, and take a
    plural ending; plain string search, since a regex per term is slow at 5,000 terms.
    """
    spans: list[tuple[int, int]] = []
    lowered = definition_html.lower()
    for name in names:
        words = html.escape(name, quote=False).lower().replace("-", " ").split()
        for joiner in {" ", "-", ""} if len(words) > 1 else {""}:
            needle = joiner.join(words)
            at = lowered.find(needle)
            while at >= 0 and needle:
                end = at + len(needle)
                for ending in ("es", "s", ""):
                    if lowered.startswith(ending, end) and not _is_word_char(lowered, end + len(ending)):
                        end += len(ending)
                        break
                else:
                    end = -1
                if end >= 0 and not _is_word_char(lowered, at - 1):
                    spans.append((at, end))
                at = lowered.find(needle, at + 1)
    result, last = [], 0
    for start, end in sorted(spans):
        if start >= last:
            result.append(definition_html[last:start] + "[…]")
            last = end
    return "".join(result) + definition_html[last:]


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] in "-_")


def _quote_html(source: Source, citation: Citation, href: str | None = None) -> str:
    quote = html.escape(citation.display, quote=False)
    if href:  # the quote leads to its passage: on the published site, else in the original
        quote = _link(href, quote)
    note = f'<span class="note">{html.escape(citation.note, quote=False)}</span>' if citation.note else ""
    cite = attribution(source, citation, _link)
    return f'<blockquote>“{quote}”<span class="cite">— {cite}</span>{note}</blockquote>'


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}">{text}</a>'


def _view_html(glossary: Glossary, holder: str, summary: str, citations: tuple[Citation, ...]) -> str:
    quotes = "".join(_quote_html(glossary.sources[c.source], c, passage_url(glossary, c)) for c in citations)
    return (f'<div class="view"><span class="holder">{html.escape(glossary.person(holder), quote=False)}:</span> '
            f"{markup.to_html(summary)}{quotes}</div>")


def _sources_html(glossary: Glossary, term: Term) -> str:
    items = []
    for source_id in dict.fromkeys(c.source for c in term.all_citations):
        source = glossary.sources[source_id]
        title = html.escape(source.title, quote=False)
        if source.url:
            title = f'<a href="{html.escape(source.url)}">{title}</a>'
        items.append(f"{html.escape(source.author_display, quote=False)}, <i>{title}</i>")
    return "<br>".join(items)


def _term_page_html(glossary: Glossary, term: Term) -> str:
    """A link to the term's page on the published site (none when the settings give no site_url)."""
    url = term_url(glossary.settings, term.id)
    return f'<br>On the web: {_link(url, html.escape(term.term, quote=False))}' if url else ""


def _package_bytes(deck: genanki.Deck, timestamp: int) -> bytes:
    """Write the package ourselves so that zip entry times and order are fixed (genanki uses file mtimes)."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        try:
            id_gen = itertools.count(timestamp * 1000)
            genanki.Package(deck).write_to_db(connection.cursor(), timestamp, id_gen)
            connection.commit()
        finally:
            connection.close()
        database = db_path.read_bytes()
    buffer = io.BytesIO()
    when = _zip_time(timestamp)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("collection.anki2", database), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _zip_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    moment = time.gmtime(max(timestamp, 315532800))  # zip cannot store dates before 1980
    return moment[:6]
