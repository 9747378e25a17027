"""The glossary as a SKOS concept scheme in Turtle, as vocabulary servers such as Skosmos publish one."""

from __future__ import annotations

import urllib.parse

from glossdeck import markup
from glossdeck.model import Glossary, Term

PREFIXES = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
"""
# Turtle's string escapes (ECHAR): everything else, any Unicode included, is written as itself.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                          "\f": "\\f"})


def to_text(glossary: Glossary) -> str:
    language = glossary.settings.language
    scheme = scheme_iri(glossary)
    out = [PREFIXES]
    out.append(f"<{scheme}> a skos:ConceptScheme ;")
    out.append(f"    dct:title {_literal(glossary.settings.title, language)} ;")
    if glossary.settings.subtitle:
        out.append(f"    dct:description {_literal(glossary.settings.subtitle, language)} ;")
    if glossary.settings.author:
        out.append(f"    dct:creator {_literal(glossary.settings.author, None)} ;")
    tops = [f"        <{concept_iri(glossary, t.id)}>" for t in glossary.terms]
    if tops:
        out.append("    skos:hasTopConcept\n" + " ,\n".join(tops) + " .")
    else:  # a new glossary: a scheme with no concept yet
        out[-1] = out[-1][:-1] + "."
    for term in glossary.terms:
        out.append("")
        out.append(_concept(glossary, term, scheme, language))
    return "\n".join(out) + "\n"


def scheme_iri(glossary: Glossary) -> str:
    """The site's address when published (each concept is then its term's page), else a URN of the glossary's id."""
    site = glossary.settings.site_url
    return site if site is not None else f"urn:glossdeck:{_urn_part(glossary.settings.id)}"


def concept_iri(glossary: Glossary, term_id: str) -> str:
    site = glossary.settings.site_url
    return f"{site}terms/{term_id}.html" if site is not None else f"{scheme_iri(glossary)}:{term_id}"


def _urn_part(text: str) -> str:
    """The glossary's id as it may stand in an IRI: an id of the one id rule as it is, any other (an old
    glossary's id is any text, and it keys the Anki notes, so it stays) %-encoded, so that no `>`, space or
    quote can end or break the IRI."""
    return urllib.parse.quote(text, safe="-._~")


def _concept(glossary: Glossary, term: Term, scheme: str, language: str) -> str:
    lines = [f"<{concept_iri(glossary, term.id)}> a skos:Concept ;",
             f"    skos:inScheme <{scheme}> ;",
             f"    skos:topConceptOf <{scheme}> ;",
             f"    skos:notation {_literal(term.id, None)} ;",
             f"    skos:prefLabel {_literal(term.term, language)} ;"]
    lines += [f"    skos:altLabel {_literal(alias, language)} ;" for alias in term.aliases]
    lines.append(f"    skos:definition {_literal(markup.to_plain(term.definition), language)} ;")
    if term.gloss:
        lines.append(f"    skos:scopeNote {_literal(markup.to_plain(term.gloss), language)} ;")
    known = {t.id for t in glossary.terms}
    lines += [f"    skos:related <{concept_iri(glossary, other)}> ;" for other in term.related if other in known]
    lines[-1] = lines[-1][:-1] + "."
    return "\n".join(lines)


def _literal(text: str, language: str | None) -> str:
    quoted = '"' + text.translate(_ESCAPES) + '"'
    return quoted + (f"@{language}" if language else "")
