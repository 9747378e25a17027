"""The resolved glossary as JSON: every field the YAML holds plus each citation's location."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from glossdeck import markup
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.study import study_order

FORMAT_VERSION = 1


def to_data(glossary: Glossary) -> dict[str, Any]:
    order = study_order(glossary)
    return {
        "format": "glossdeck-export",
        "format_version": FORMAT_VERSION,
        "settings": dataclasses.asdict(glossary.settings),
        "sources": [_source(src) for src in glossary.sources.values()],
        "terms": [term_data(t) for t in glossary.terms],
        "study_order": [t.id for t in order.terms],
        "study_cycles": [list(c) for c in order.cycles],
    }


def _source(src: Source) -> dict[str, Any]:
    paged = {"pages": True, "page_labels": list(src.page_labels)} if src.pages else {}
    return paged | {
        "id": src.id, "file": src.file, "sha256": src.sha256, "title": src.title, "subtitle": src.subtitle,
        "author": src.author, "author_confirmed": src.author_confirmed, "date": src.date, "venue": src.venue,
        "url": src.url, "version": src.version, "format": src.format, "speakers": list(src.speakers),
        "headings": list(src.headings),
        "unquotable": [{"pattern": u.pattern, "why": u.why} for u in src.unquotable],
        "draft": src.draft,
    }


def term_data(term: Term) -> dict[str, Any]:
    """One term with its citations' locations, as the export gives it."""
    return {
        "id": term.id,
        "term": term.term,
        "aliases": list(term.aliases),
        "gloss": term.gloss,
        "gloss_text": markup.to_plain(term.gloss),
        "level": term.level,
        "definition": term.definition,
        "definition_text": markup.to_plain(term.definition),
        "tags": list(term.tags),
        "related": list(term.related),
        "renamed_from": list(term.renamed_from),
        "citations": [_citation(c) for c in term.citations],
        "views": [
            {"holder": v.holder, "summary": v.summary, "summary_text": markup.to_plain(v.summary),
             "citations": [_citation(c) for c in v.citations]}
            for v in term.views
        ],
        "file": str(term.path) if term.path else None,
    }


def _citation(c: Citation) -> dict[str, Any]:
    loc = c.location
    return {
        "source": c.source,
        "quote": c.quote,
        "speaker": c.speaker,
        "occurrence": c.occurrence,
        "prefix": c.prefix,
        "note": c.note,
        "location": None if loc is None else {
            "start": loc.start, "end": loc.end, "line": loc.line, "column": loc.column,
            "heading": loc.heading, "paragraph": loc.paragraph, "paragraph_unit": loc.unit,
            "shown_as": loc.describe(), "excerpt": loc.excerpt, "elided": loc.elided,
        } | ({"page": loc.page, "page_number": loc.page_number} if loc.page else {}),
    }


def to_json(glossary: Glossary) -> str:
    return json.dumps(to_data(glossary), ensure_ascii=False, indent=2) + "\n"
