"""schema.org data on the site's pages (a DefinedTerm within the glossary's DefinedTermSet), for search engines."""

from __future__ import annotations

import json
from typing import Any

from glossdeck import markup
from glossdeck.model import Glossary, Term
from glossdeck.render.addresses import term_page

# Inside <script> only "</script", "<!--" and "<script" can end or confuse the element: escaping every <, > and &
# as JSON's \u escapes keeps any text the glossary holds from doing so, and the JSON means the same.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def defined_term(glossary: Glossary, term: Term) -> str:
    """The JSON-LD of a term's page, safe to place between <script type="application/ld+json"> tags."""
    settings = glossary.settings
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": term.term,
        "termCode": term.id,
        "description": markup.to_plain(term.definition),
    }
    if term.aliases:
        data["alternateName"] = list(term.aliases)
    if term.gloss:
        data["disambiguatingDescription"] = markup.to_plain(term.gloss)
    term_set: dict[str, Any] = {"@type": "DefinedTermSet", "name": settings.title}
    if settings.subtitle:
        term_set["description"] = settings.subtitle
    if settings.site_url is not None:
        data["@id"] = data["url"] = settings.site_url + term_page(term.id)
        term_set["@id"] = term_set["url"] = settings.site_url
    data["inDefinedTermSet"] = term_set
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False).translate(_SCRIPT_SAFE)
