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
from typing import Any, Callable

import genanki

from glossdeck import markup
from glossdeck.clozes import cloze_quotes
from glossdeck.deckpreset import add_preset, preset_name, sibling_preset
from glossdeck.deckstate import (
    CLOZE_MODEL_KEY,
    MODEL_KEY,
    VIEW_MODEL_KEY,
    DeckState,
    Entry,
    cloze_key,
    day_of,
    digest,
    is_cloze_key,
    is_view_key,
    view_keys,
)
from glossdeck.model import Changes, Citation, Glossary, Settings, Source, Term
from glossdeck.render.addresses import passage_url, term_url
from glossdeck.render.common import attribution
from glossdeck.spacing import new_card_positions
from glossdeck.study import study_order

# The note type must never change silently: Anki treats a changed field list or template set as a
# schema change. Each glossary has its own note type (id from its `id` setting), so that one deck's
# note-type upgrade never blocks another deck's updates in the same collection; MODEL_ID is the id
# glossaries made before that keep, through their `note_type_id` setting.
MODEL_ID = 1607392319
MODEL_NAME = "glossdeck term (v2)"
# v2 (gloss first): Gloss and GlossHidden added, DefinitionHidden gone; the definition → term card asks
# with the gloss, never with the long definition.
# Template names are kept from v1, so that Anki's note-type merge maps each card to its old template
# and keeps its review history.
FIELDS = ["Term", "Aliases", "Gloss", "GlossHidden", "Definition", "Views", "Quotes", "Sources", "Related", "TermId"]

CSS = """\
.card { font-family: "Charis SIL", Charter, Georgia, "Times New Roman", serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1d1d; background: #fdfcf8; max-width: 38em;
  margin: 0 auto; padding: 0 .6em; }
.nightMode.card, .night_mode .card { color: #e6e4de; background: #1e1e1e; }
.term { font-size: 1.5em; font-weight: bold; text-align: center; margin: .4em 0 .1em; }
.aliases { text-align: center; font-style: italic; color: #666; font-size: .85em; }
.prompt { text-align: center; font-size: .8em; color: #888; text-transform: uppercase; letter-spacing: .08em; }
.gloss { font-size: 1.2em; line-height: 1.4; margin: .7em 0; }
.question .gloss { text-align: center; }
.more { margin-top: 1em; border-top: 1px solid #d8d2c0; padding-top: .4em; font-size: .85em; color: #333; }
.more > summary { cursor: pointer; color: #7a6a3a; font-size: .85em; text-transform: uppercase;
  letter-spacing: .08em; padding: .3em 0; }
.definition { margin: .8em 0; }
.section { font-size: .75em; text-transform: uppercase; letter-spacing: .08em; color: #7a6a3a; margin-top: 1em; }
.view { border-left: 3px solid #c9b98a; padding-left: .6em; margin: .5em 0; }
.holder { font-weight: bold; }
blockquote { margin: .5em 0 .7em 0; padding-left: .8em; border-left: 3px solid #ddd; font-size: .95em; }
.cite { display: block; font-size: .8em; color: #666; margin-top: .2em; }
.note { display: block; font-size: .8em; font-style: italic; color: #666; }
.related, .sources { font-size: .9em; }
.xref { font-style: italic; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
a { color: #1f4f9a; }
.retired { border: 2px solid #b5542c; padding: .4em .6em; color: #b5542c; }
.nightMode .aliases, .night_mode .aliases, .nightMode .cite, .night_mode .cite,
.nightMode .note, .night_mode .note { color: #aaa; }
.nightMode .more, .night_mode .more { color: #d6d3cc; border-top-color: #444; }
.nightMode blockquote, .night_mode blockquote { border-left-color: #555; }
.nightMode a, .night_mode a { color: #8fb4ff; }
.nightMode .section, .night_mode .section, .nightMode .more > summary,
.night_mode .more > summary { color: #d8c07a; }
@media (max-width: 480px) { .card { font-size: 18px; } .term { font-size: 1.3em; } .gloss { font-size: 1.1em; } }
"""

# Everything beyond the gloss: folded away, so the answer leads with the one sentence to recall. The quotes'
# heading names the glossary's sources ("In the essays"): each glossary has its own note type, and the shipped
# glossary's (sources_noun "essays") is the one whose fingerprint the tests pin.
def _more(quotes: str) -> str:
    return f"""\
<details class="more"><summary>Definition, views and quotes</summary>
<div class="definition">{{{{Definition}}}}</div>
{{{{#Views}}}}<div class="section">Views differ</div>{{{{Views}}}}{{{{/Views}}}}
{{{{#Quotes}}}}<div class="section">{quotes}</div>{{{{Quotes}}}}{{{{/Quotes}}}}
{{{{#Related}}}}<div class="related"><span class="section">See also</span> {{{{Related}}}}</div>{{{{/Related}}}}
</details>"""


def _answer(quotes: str) -> str:
    return ('{{#Gloss}}<div class="gloss">{{Gloss}}</div>' + _more(quotes) + "{{/Gloss}}"
            '{{^Gloss}}<div class="definition">{{Definition}}</div>'
            '{{#Views}}<div class="section">Views differ</div>{{Views}}{{/Views}}'
            f'{{{{#Quotes}}}}<div class="section">{quotes}</div>{{{{Quotes}}}}{{{{/Quotes}}}}{{{{/Gloss}}}}')


_NAMES = '<div class="term">{{Term}}</div>{{#Aliases}}<div class="aliases">{{Aliases}}</div>{{/Aliases}}'
_ASK_GLOSS = ('{{#GlossHidden}}<div class="question"><div class="prompt">Which term?</div>'
              '<div class="gloss">{{GlossHidden}}</div></div>{{/GlossHidden}}')


def term_templates(sources_noun: str) -> list[dict[str, str]]:
    """The term note type's two card templates, their quotes headed "In the <sources_noun>"."""
    quotes = f"In the {html.escape(sources_noun)}"
    return [
        {
            "name": "Term → Definition",
            "qfmt": '<div class="prompt">Define</div><div class="term">{{Term}}</div>',
            "afmt": '{{FrontSide}}{{#Aliases}}<div class="aliases">{{Aliases}}</div>{{/Aliases}}<hr id="answer">'
                    + _answer(quotes),
        },
        {
            # Only for terms with a gloss: the long definition is no question to answer from memory.
            "name": "Definition → Term",
            "qfmt": _ASK_GLOSS,
            "afmt": '{{FrontSide}}<hr id="answer">' + _NAMES + _more(quotes),
        },
    ]


TEMPLATES = term_templates("essays")

SORT_FIELD = 0  # Term

# Cards on the disagreements themselves (settings: `view_cards: true`): given who and about what, recall the
# position. The reverse (who holds this position?) is left out: several holders often share a
# premise, so a paraphrase alone rarely has one fair answer.
VIEW_MODEL_NAME = "glossdeck view (v1)"
VIEW_FIELDS = ["Term", "Holder", "Summary", "Quotes", "TermId", "ViewId"]
def view_templates(sources_noun: str) -> list[dict[str, str]]:
    return [
        {
            "name": "Position",
            "qfmt": '<div class="prompt">Views differ</div>'
                    '<div class="gloss question">What does <b>{{Holder}}</b> argue about <b>{{Term}}</b>?</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="gloss">{{Summary}}</div>'
                    f'{{{{#Quotes}}}}<div class="section">In the {html.escape(sources_noun)}</div>'
                    '{{Quotes}}{{/Quotes}}',
        },
    ]


VIEW_TEMPLATES = view_templates("essays")


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


def note_type(settings: Settings) -> tuple[int, str]:
    """The glossary's note type: its id and name (the deck's name in it, to tell glossaries apart in Anki)."""
    if settings.note_type_id:
        return settings.note_type_id, MODEL_NAME
    return stable_id("model", settings.id), f"{MODEL_NAME} · {settings.deck_name}"


def view_note_type(settings: Settings) -> tuple[int, str]:
    """The note type of view cards: the glossary's own, like its term note type, so glossaries never share one."""
    return stable_id("view-model", settings.id), f"{VIEW_MODEL_NAME} · {settings.deck_name}"


# Cards made of the essays' own words (settings: `cloze_cards: true`): a quote that names its term, with every
# mention of it as the one gap, c1, so that no edit ever renumbers a card.
CLOZE_MODEL_NAME = "glossdeck cloze (v1)"
CLOZE_FIELDS = ["Term", "Text", "Source", "TermId", "QuoteId"]
CLOZE_TEMPLATES = [
    {
        "name": "Cloze",
        "qfmt": '<div class="prompt">Which term fills the gap?</div><blockquote class="cloze-quote">“{{cloze:Text}}”'
                "</blockquote>",
        "afmt": '<div class="prompt">Which term fills the gap?</div><blockquote class="cloze-quote">“{{cloze:Text}}”'
                '<span class="cite">— {{Source}}</span></blockquote>',
    },
]
CLOZE_CSS = """\
.cloze-quote { font-size: 1.1em; border-left: none; padding-left: 0; }
.cloze { font-weight: bold; color: #1f4f9a; }
.nightMode .cloze, .night_mode .cloze { color: #8fb4ff; }
"""


def cloze_note_type(settings: Settings) -> tuple[int, str]:
    """The note type of cloze cards: the glossary's own, versioned like the others."""
    return stable_id("cloze-model", settings.id), f"{CLOZE_MODEL_NAME} · {settings.deck_name}"


def note_type_ids(settings: Settings) -> list[int]:
    """Every note type this glossary's decks use: what tells its notes apart from other decks' in a collection."""
    return [note_type(settings)[0], view_note_type(settings)[0], cloze_note_type(settings)[0]]


def model_fingerprint(fields: list[str] | None = None, templates: list[dict[str, str]] | None = None) -> str:
    """What makes a schema change in Anki: the fields, the card templates and the sort field."""
    fields, templates = fields or FIELDS, templates or TEMPLATES
    return digest([fields, [(t["name"], t["qfmt"], t["afmt"]) for t in templates], SORT_FIELD])


class _Note(genanki.Note):  # type: ignore[misc]
    """A note stamped with the time its own content last changed, not the build time."""

    def __init__(self, mtime: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mtime = mtime

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mtime, deck_id, id_gen)


class _Model(genanki.Model):  # type: ignore[misc]
    """The note type, stamped with the time its templates or styling last changed."""

    def __init__(self, mtime: int, model_id: int | None = None, name: str | None = None,
                 fields: list[str] | None = None, templates: list[dict[str, str]] | None = None,
                 css: str | None = None, model_type: int = genanki.Model.FRONT_BACK) -> None:
        # The term note type's parts are looked up now, not bound as defaults, so that tests can restyle them.
        super().__init__(model_id or MODEL_ID, name or MODEL_NAME, fields=[{"name": f} for f in fields or FIELDS],
                         templates=copy.deepcopy(templates or TEMPLATES), css=css or CSS,
                         sort_field_index=SORT_FIELD, model_type=model_type)
        self.mtime = mtime

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(self.mtime, deck_id)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DeckBuild:
    """The package's bytes and the deck state to record for the next build."""

    data: bytes
    state: DeckState


@dataclass(frozen=True)
class _Kind:
    """A kind of note (term, view or cloze): its note type, how its lock keys look and how it says it is retired."""

    model_key: str
    model: _Model
    name: str  # the note type's name in the lock, without the deck's
    fingerprint: str
    owns: Callable[[str], bool]
    retired_fields: Callable[[str, str], list[str]]


@dataclass(frozen=True)
class _Built:
    """One note as the glossary has it now: its lock key, fields, tags and the name the lock records."""

    key: str
    fields: list[str]
    tags: list[str]
    name: str


def render(glossary: Glossary, state: DeckState, now: int, release_notes: Changes | None = None) -> DeckBuild:
    """Build the package; notes whose content is unchanged since `state` keep their times. `release_notes`,
    what the latest release brought (read from git by the pipeline), go into the deck's description, and the
    terms it added have their later cards after all others (spacing.new_card_positions)."""
    settings = glossary.settings
    kinds = _kinds(settings)
    names = {t.id: t.term for t in glossary.terms}
    by_term: list[list[tuple[_Kind, _Built]]] = []
    order = study_order(glossary).terms
    added = {change.id for change in release_notes.added} if release_notes is not None else set()
    for term in order:
        mine = [(kinds["term"], _term_note(glossary, term, names))]
        if settings.view_cards:
            mine += [(kinds["view"], built) for built in _view_notes(glossary, term)]
        if settings.cloze_cards:
            mine += [(kinds["cloze"], built) for built in _cloze_notes(glossary, term)]
        by_term.append(mine)
    built_keys = {built.key for mine in by_term for _, built in mine}
    gone = [key for key in sorted(state.entries) if not key.startswith("@") and key not in built_keys]
    entries: dict[str, Entry] = {}
    used = [kind for kind in kinds.values() if kind is kinds["term"] or any(kind.owns(key) for key in built_keys)
            or any(kind.owns(key) for key in gone)]
    for kind in used:
        entries[kind.model_key] = state.stamp(kind.model_key, kind.fingerprint, kind.name, now)
        kind.model.mtime = entries[kind.model_key].mtime
    deck = genanki.Deck(stable_id("deck", settings.id), settings.deck_name)
    cards: list[list[tuple[str, int]]] = []
    for mine in by_term:
        cards.append([])
        for kind, built in mine:
            entry = entries[built.key] = state.stamp(built.key, digest([built.fields, built.tags]), built.name, now)
            cards[-1] += _add_note(deck, kind, built, entry, settings.id)
    positions = new_card_positions(cards, late={i for i, term in enumerate(order) if term.id in added})
    for key in gone:
        kind = next((k for k in (kinds["view"], kinds["cloze"]) if k.owns(key)), kinds["term"])
        fields = kind.retired_fields(state.entries[key].name, key)
        entry = entries[key] = state.retire(key, digest(fields), now)
        for card in _add_note(deck, kind, _Built(key, fields, ["glossdeck::retired"], entry.name), entry,
                              settings.id):
            positions[card] = len(positions)  # after every card still studied
    timestamp = max(e.mtime for e in entries.values())
    deck.description = deck_description(settings, timestamp, release_notes)
    preset = sibling_preset(stable_id("preset", settings.id), settings.deck_name, timestamp)
    return DeckBuild(_package_bytes(deck, timestamp, positions, preset), DeckState(entries))


def _kinds(settings: Settings) -> dict[str, _Kind]:
    """The glossary's note types, their cards worded with the glossary's own noun for its sources."""
    def term_retired(name: str, key: str) -> list[str]:
        return _retired_fields(name, key)

    def view_retired(name: str, key: str) -> list[str]:
        return [text_html(name), "", _retired("This view is no longer in the deck."), "", "", text_html(key)]

    def cloze_retired(name: str, key: str) -> list[str]:
        term_key = key.split("/cloze/")[0]
        return [text_html(name), _retired("This quote is no longer in the deck.", gap=True), "", text_html(term_key),
                text_html(key)]

    term_templates_, view_templates_ = term_templates(settings.sources_noun), view_templates(settings.sources_noun)
    term_model = _Model(0, *note_type(settings), templates=term_templates_)
    view_model = _Model(0, *view_note_type(settings), VIEW_FIELDS, view_templates_)
    cloze_model = _Model(0, *cloze_note_type(settings), CLOZE_FIELDS, CLOZE_TEMPLATES, CSS + CLOZE_CSS,
                         genanki.Model.CLOZE)
    return {
        "term": _Kind(MODEL_KEY, term_model, MODEL_NAME, digest([model_fingerprint(FIELDS, term_templates_), CSS]),
                      lambda key: not is_view_key(key) and not is_cloze_key(key), term_retired),
        "view": _Kind(VIEW_MODEL_KEY, view_model, VIEW_MODEL_NAME,
                      digest([model_fingerprint(VIEW_FIELDS, view_templates_), CSS]), is_view_key, view_retired),
        "cloze": _Kind(CLOZE_MODEL_KEY, cloze_model, CLOZE_MODEL_NAME,
                       digest([model_fingerprint(CLOZE_FIELDS, CLOZE_TEMPLATES), CSS + CLOZE_CSS, "cloze"]),
                       is_cloze_key, cloze_retired),
    }


def _add_note(deck: genanki.Deck, kind: _Kind, built: _Built, entry: Entry, glossary_id: str) -> list[tuple[str, int]]:
    """Add the note to the deck; its cards, as (guid, template) pairs."""
    note = _Note(entry.mtime, model=kind.model, fields=built.fields, guid=note_guid(glossary_id, built.key),
                 tags=built.tags)
    deck.add_note(note)
    return [(note.guid, card.ord) for card in note.cards]


def _term_note(glossary: Glossary, term: Term, names: dict[str, str]) -> _Built:
    return _Built(identity(term), _fields(glossary, term, names), _tags(term), term.term)


def _view_notes(glossary: Glossary, term: Term) -> list[_Built]:
    """A note per contested view: given who and about what, recall the position."""
    notes = []
    for key, view in zip(view_keys(identity(term), [v.holder for v in term.views]), term.views):
        holder = glossary.person(view.holder)
        fields = [text_html(term.term), text_html(holder), markup.to_html(view.summary, escape=text_html),
                  "".join(_quote_html(glossary.sources[c.source], c, passage_url(glossary, c))
                          for c in view.citations),
                  text_html(term.id), text_html(key)]
        notes.append(_Built(key, fields, ["glossdeck::view", *_tags(term)], f"{holder} on {term.term}"))
    return notes


def _cloze_notes(glossary: Glossary, term: Term) -> list[_Built]:
    """A note per quote that names the term: the quote with every mention of it as the one gap, c1."""
    notes = []
    for citation, spans in cloze_quotes(term):
        key = cloze_key(identity(term), citation.source, citation.quote)
        source = glossary.sources[citation.source]
        cite = attribution(source, citation, _link, escape=text_html)
        href = passage_url(glossary, citation)
        if href:
            cite += " · " + _link(href, "the passage")
        fields = [text_html(term.term), _cloze_html(citation.display, spans), cite, text_html(term.id),
                  text_html(key)]
        words = citation.display.split()
        name = f"{term.term} in “{' '.join(words[:6])}{' …' if len(words) > 6 else ''}”"
        notes.append(_Built(key, fields, ["glossdeck::cloze", *_tags(term)], name))
    return notes


def _cloze_html(text: str, spans: list[tuple[int, int]]) -> str:
    """The quote as field HTML with each span a c1 gap; the text stays inert, Anki's markup only in the gaps."""
    parts, last = [], 0
    for start, end in spans:
        # Inside a gap, "::" would start a hint and "}}" end it: those characters become references too.
        gap = text_html(text[start:end]).replace(":", "&#58;").replace("}", "&#125;")
        parts += [text_html(text[last:start]), "{{c1::", gap, "}}"]
        last = end
    parts.append(text_html(text[last:]))
    return "".join(parts)



def text_html(text: str) -> str:
    r"""Text as field HTML that Anki shows exactly as typed.

    Beyond HTML escaping, Anki's own markup is defused: every one of its tags ([sound:…],
    [latex], [$], [anki:play…], {{…}} and cloze) starts with `[` or `{`, which become character
    references the browser shows as the bracket but Anki's tag search never matches; MathJax,
    which reads the shown text, gets an invisible word joiner inside `\(`, `\)`, `\[` and `\]`.
    """
    escaped = html.escape(text, quote=False)
    if "\\" in escaped:
        escaped = _MATHJAX_DELIMITER.sub("\\\\\u2060", escaped)
    return escaped.replace("[", "&#91;").replace("{", "&#123;")


_MATHJAX_DELIMITER = re.compile(r"\\(?=[()\[\]])")

CARDS = ("Each term has a card each way: the term (recall its one-line gloss) and the gloss (recall the term). "
         "The answer folds away the full definition, views and quotes.")
VIEW_CARDS = "Each view on a contested term has a card too: what does its holder argue?"
CLOZE_CARDS = "Each quote that names its term is a card with the name left out: which term fills the gap?"

ORDER = ("New cards come in learning order, a term's cards at least two days apart (at Anki's default of 20 new "
         "cards a day). The deck's preset, “{preset}”, also buries a card's siblings, the term's other cards, until "
         "the next day: tick <i>Import deck presets</i> when importing (Anki 24.11 and later) to use it.")

# Anki 2.1.66 to 24.11 stamp an updated note with the time of import, not the package's note
# time, so a release whose notes are older than that import is skipped (tests/compat proves it).
UPDATE_ADVICE = (
    "To update, import the newer release with Anki's default options: your reviews are kept. "
    "On Anki 2.1.66 to 24.11 (and AnkiDroid releases on those versions), always import the newest "
    "release only, never an older one after it; if a term still shows its old text, import the newest "
    "release again with <i>Update notes: Always</i>.")

# Only a glossary that keeps glossdeck 0.1's note type (note_type_id: MODEL_ID, the shipped one) can have
# students with v1 notes; a glossary with its own note type started at v2.
UPGRADE_ADVICE = (
    f"<b>Coming from a deck with note type “glossdeck term (v1)”?</b> This release uses “{MODEL_NAME}”: "
    "import it once with <i>Merge note types</i> on and <i>Update notes</i> set to <i>Always</i>; every note "
    "then moves to the new type and keeps its history. After that, the defaults again.")


def release_name(name: str, date: str) -> str:
    """How a release is named: "Release 1.2 (2026-12-01)", or "Release of 2026-12-01" without a name."""
    return f"Release {html.escape(name, quote=False)} ({date})" if name else f"Release of {date}"


def release_notes_html(notes: Changes | None, this_release: str = "") -> str:
    """The latest release's notes as HTML for the deck's description, naming the release they are changes
    since as that release's deck named itself; empty when there are none."""
    if notes is None or notes.empty:
        return ""
    items = []
    for kind, title in (("added", "New"), ("changed", "Changed"), ("retired", "Retired")):
        changes = getattr(notes, kind)
        if changes:
            names = ", ".join(html.escape(c.term, quote=False) + (f" ({html.escape(c.what, quote=False)})"
                                                                  if kind == "changed" else "") for c in changes)
            items.append(f"<li>{title}: {names}</li>")
    since = "the previous release"
    if notes.previous_date and release_name(notes.previous_release, notes.previous_date) != this_release:
        since = (f"release {html.escape(notes.previous_release, quote=False)} ({notes.previous_date})"
                 if notes.previous_release else f"the release of {notes.previous_date}")
    elif notes.previous_date:  # two releases of one day, neither named (or named alike): say which is meant
        since = f"the previous release, also of {notes.previous_date}"
    return (f'<div class="release"><b>In this update</b> (changes since {since}):'
            f'<ul>{"".join(items)}</ul></div>')


def deck_description(settings: Settings, timestamp: int, release_notes: Changes | None = None) -> str:
    """What the deck's overview screen says, each thing once and only what applies to this deck: which release
    it is and where the next one is, what its cards ask, in what order they come, how to update, and what the
    release brought."""
    release = release_name(settings.release, day_of(timestamp))
    first = release
    if settings.download_url:
        url = html.escape(settings.download_url)
        first += f'. Newer releases: <a href="{url}">{url}</a>'
    cards = " ".join([CARDS] + [VIEW_CARDS] * settings.view_cards + [CLOZE_CARDS] * settings.cloze_cards)
    paragraphs = [text_html(settings.subtitle)] * bool(settings.subtitle) + [
        first + ".", cards, ORDER.format(preset=text_html(preset_name(settings.deck_name))), UPDATE_ADVICE]
    if settings.note_type_id == MODEL_ID:
        paragraphs.append(UPGRADE_ADVICE)
    return "".join(f"<p>{p}</p>" for p in paragraphs) + release_notes_html(release_notes, release)


def _fields(glossary: Glossary, term: Term, names: dict[str, str]) -> list[str]:
    return [
        text_html(term.term),
        text_html(", ".join(term.aliases)),
        markup.to_html(term.gloss, escape=text_html),
        _hidden(term.gloss, (term.term, *term.aliases)),
        markup.to_html(term.definition, escape=text_html),
        "".join(_view_html(glossary, v.holder, v.summary, v.citations) for v in term.views),
        "".join(_quote_html(glossary.sources[c.source], c, passage_url(glossary, c)) for c in term.citations),
        _sources_html(glossary, term) + _term_page_html(glossary, term),
        text_html("; ".join(names[r] for r in term.related)),  # names may hold commas
        text_html(term.id),
    ]


def _tags(term: Term) -> list[str]:
    tags = [f"glossdeck::topic::{_tag(t)}" for t in term.tags]
    tags += [f"glossdeck::source::{s}" for s in sorted({c.source for c in term.all_citations})]
    if term.views:
        tags.append("glossdeck::contested")
    return tags


def _retired(what: str, gap: bool = False) -> str:
    """The notice a retired note shows; a cloze note needs a gap to keep its card, and the word "Retired" is it."""
    word = "{{c1::Retired}}." if gap else "Retired."
    return (f'<div class="retired"><b>{word}</b> {what} You can delete its cards: in the browser, search '
            "<code>tag:glossdeck::retired</code>.</div>")


def _retired_fields(name: str, key: str) -> list[str]:
    notice = _retired("This term was removed from the glossary.")
    return [text_html(name), "", notice, notice, notice, "", "", "", "", text_html(key)]


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def _hidden(definition: str, names: tuple[str, ...]) -> str:
    """The definition as field HTML with the term and its aliases blanked out, so the question does not
    give the answer.

    Matching works on the text a reader sees, never on markup: it ignores case, treats spaces
    and hyphens between words alike, and takes a plural ending; plain string search, since a
    regex per term is slow at 5,000 terms.
    """
    spans: list[tuple[int, int]] = []
    lowered = _folded(markup.to_plain(definition))
    for name in names:
        words = _folded(name).replace("-", " ").split()
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
    blanks, last = [], 0
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):  # the longest name that starts there
        if start >= last:
            blanks.append((start, end))
            last = end
    return markup.to_html(definition, escape=text_html, blanks=blanks)


def _folded(text: str) -> str:
    """Lower case and straight apostrophes, one character for one, so that offsets stay those of the text."""
    lowered = text.lower()
    if len(lowered) != len(text):  # rare letters (İ) lower to two characters: keep those as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")


def _is_word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] in "-_")


def _quote_html(source: Source, citation: Citation, href: str | None = None) -> str:
    quote = text_html(citation.display)
    if href:  # the quote leads to its passage: on the published site, else in the original
        quote = _link(href, quote)
    note = f'<span class="note">{text_html(citation.note)}</span>' if citation.note else ""
    cite = attribution(source, citation, _link, escape=text_html)
    return f'<blockquote>“{quote}”<span class="cite">— {cite}</span>{note}</blockquote>'


def _link(url: str, text: str) -> str:
    target = markup.href(url)
    return f'<a href="{target}">{text}</a>' if target else text


def _view_html(glossary: Glossary, holder: str, summary: str, citations: tuple[Citation, ...]) -> str:
    quotes = "".join(_quote_html(glossary.sources[c.source], c, passage_url(glossary, c)) for c in citations)
    return (f'<div class="view"><span class="holder">{text_html(glossary.person(holder))}:</span> '
            f"{markup.to_html(summary, escape=text_html)}{quotes}</div>")


def _sources_html(glossary: Glossary, term: Term) -> str:
    items = []
    for source_id in dict.fromkeys(c.source for c in term.all_citations):
        source = glossary.sources[source_id]
        title = _link(source.url, text_html(source.title)) if source.url else text_html(source.title)
        items.append(f"{text_html(source.author_display)}, <i>{title}</i>")
    return "<br>".join(items)


def _term_page_html(glossary: Glossary, term: Term) -> str:
    """A link to the term's page on the published site (none when the settings give no site_url)."""
    url = term_url(glossary.settings, term.id)
    return f'<br>On the web: {_link(url, html.escape(term.term, quote=False))}' if url else ""


def _package_bytes(deck: genanki.Deck, timestamp: int, positions: dict[tuple[str, int], int],
                   preset: dict[str, Any]) -> bytes:
    """Write the package ourselves so that zip entry times and order are fixed (genanki uses file mtimes); each
    card at its new-card position (genanki gives a note's cards one), the deck with its own preset."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        try:
            id_gen = itertools.count(timestamp * 1000)
            cursor = connection.cursor()
            genanki.Package(deck).write_to_db(cursor, timestamp, id_gen)
            note_ids = dict(cursor.execute("SELECT guid, id FROM notes"))  # cards have an index on their note id
            cursor.executemany("UPDATE cards SET due = ? WHERE nid = ? AND ord = ?",
                               [(position, note_ids[guid], ord_) for (guid, ord_), position in positions.items()])
            add_preset(cursor, deck.deck_id, preset)
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
