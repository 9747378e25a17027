"""The quotes as Hypothesis annotations: each anchored by a TextQuoteSelector on its source's page."""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from typing import Any

from glossdeck import __version__, markup
from glossdeck.model import Citation, Glossary, Source, Term
from glossdeck.render import addresses

CONTEXT_CHARS = 32  # the prefix and suffix the Hypothesis client itself records around a highlight
DRAFT_TAG = "glossdeck:quoted-from-a-draft"
# What could start inline Markdown in one line of text (an e-mail address included: GitHub-style Markdown
# links one); escaped with a backslash, each reads as itself.


def to_text(glossary: Glossary) -> str:
    """`{"annotations": [...]}` as the Hypothesis client's import reads it (the shape of its own exports)."""
    user = f"acct:{glossary.settings.id}@glossdeck.invalid"
    annotations = [_annotation(glossary, term, citation, user)
                   for term in glossary.terms for citation in term.all_citations
                   if page_address(glossary, glossary.sources[citation.source]) is not None]
    data = {"export_userid": user, "client_version": f"glossdeck {__version__}", "annotations": annotations}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def page_address(glossary: Glossary, source: Source) -> str | None:
    """The page a student annotates: the original when it has an address, else the site's copy if published."""
    if source.url is not None:
        return source.url.split("#")[0]
    if glossary.settings.site_url is not None:
        return glossary.settings.site_url + addresses.source_page(source.id)
    return None


def _annotation(glossary: Glossary, term: Term, citation: Citation, user: str) -> dict[str, Any]:
    source = glossary.sources[citation.source]
    uri = page_address(glossary, source)
    assert uri is not None
    draft = source.draft and source.url is not None  # the site's own copy is the seed itself
    lines = [f"**{as_text(term.term)}**: {as_text(markup.to_plain(term.gloss or term.definition))}"]
    if draft:
        lines.append(as_text(f"Quoted from a draft of this page (glossdeck's copy of “{source.title}”): "
                             "the published words may differ, and the highlight may be missing or approximate."))
    page = addresses.term_url(glossary.settings, term.id)
    if page is not None:
        target = page.replace("(", "%28").replace(")", "%29")  # a bracket would end the link's address early
        lines.append(f"[{as_text(f'{term.term} in the {glossary.settings.title}')}]({target})")
    return {
        "id": _identity(term, citation),
        "user": user,
        "user_info": {"display_name": glossary.settings.title},
        "uri": uri,
        "document": {"title": [source.title]},
        "text": "\n\n".join(lines),
        "tags": [term.term] + ([DRAFT_TAG] if draft else []),
        "target": [{"source": uri, "selector": [selector(glossary, citation)]}],
    }


# An annotation's text is Markdown to the Hypothesis client: showdown renders it (making bare web and e-mail
# addresses into links), DOMPurify lets some HTML through (<a href>, <b>), and KaTeX renders $$…$$ and \(…\) as
# math. Each character any of them acts on in running text is written as a numeric character reference, which
# every one of them shows as that character and none reads as markup.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\\`*_~[]()!$@"})
_AUTOLINK = re.compile(r"(?<=www)\.|:(?=/)", re.IGNORECASE)  # `www.` and `https://` start an address


def as_text(text: str) -> str:
    """Glossary text as Markdown that shows exactly that text, on one line, and nothing else."""
    inert = " ".join(text.split()).translate(_INERT)
    return _AUTOLINK.sub(lambda found: f"&#{ord(found.group())};", inert)


def _identity(term: Term, citation: Citation) -> str:
    """Stable across builds: the term, the source and the quote (an annotation id is 22 URL-safe characters)."""
    digest = hashlib.sha256(f"{term.id}\x1f{citation.source}\x1f{citation.quote}".encode()).hexdigest()
    return digest[:22]


def selector(glossary: Glossary, citation: Citation) -> dict[str, str]:
    """A TextQuoteSelector for the quoted passage (an elided quote: from its first word to its last), with a
    prefix and suffix of at least CONTEXT_CHARS, lengthened word by word until the three occur together once."""
    seed = addresses.seed_of(glossary, glossary.sources[citation.source])
    visible = addresses.visible_text(seed)
    found = addresses.pieces(seed, citation)
    begin = bisect.bisect_left(seed.offsets, found[0].start)
    end = bisect.bisect_left(seed.offsets, found[-1].end)  # the first character read from after it
    exact = visible[begin:end]
    before, after = CONTEXT_CHARS, CONTEXT_CHARS
    while True:
        prefix, suffix = _context_before(visible, begin, before), _context_after(visible, end, after)
        whole_text = len(prefix) == begin and end + len(suffix) == len(visible)
        if whole_text or _count(visible, prefix + exact + suffix) == 1:
            return {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}
        before, after = before * 2, after * 2


def _context_before(text: str, at: int, chars: int) -> str:
    start = max(0, at - chars)
    while start > 0 and not text[start - 1].isspace():  # whole words: back to the start of the cut one
        start -= 1
    return text[start:at]


def _context_after(text: str, at: int, chars: int) -> str:
    end = min(len(text), at + chars)
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[at:end]


def _count(text: str, needle: str) -> int:
    count, at = 0, text.find(needle)
    while at >= 0 and count < 2:
        count, at = count + 1, text.find(needle, at + 1)
    return count
