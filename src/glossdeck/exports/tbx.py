"""The glossary as TBX-Basic (ISO 30042), the termbase exchange that translation tools and Weblate import."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from glossdeck import markup
from glossdeck.model import Glossary, Term

HEADER = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic-V1" xml:lang={language}>
  <martifHeader>
    <fileDesc>
      <titleStmt>
        <title>{title}</title>
      </titleStmt>
      <sourceDesc>
        <p>{description}</p>
      </sourceDesc>
    </fileDesc>
    <encodingDesc>
      <p type="XCSURI">TBXBasicXCSV02.xcs</p>
    </encodingDesc>
  </martifHeader>
  <text>
    <body>
"""
FOOTER = """\
    </body>
  </text>
</martif>
"""


def to_text(glossary: Glossary) -> str:
    settings = glossary.settings
    description = settings.subtitle or settings.title
    if settings.author:
        description += f" ({settings.author})"
    head = HEADER.format(language=quoteattr(settings.language), title=_text(settings.title),
                         description=_text(description))
    names = {term.id: term.term for term in glossary.terms}
    return head + "".join(_entry(term, settings.language, names) for term in glossary.terms) + FOOTER


def _entry(term: Term, language: str, names: dict[str, str]) -> str:
    """One concept: its cross-references, then in its language the definition, the gloss as a note, and its
    name (preferred) and other names (admitted) as terms."""
    refs = "".join(f"        <ref type=\"crossReference\" target={quoteattr(entry_id(other))}>"
                   f"{_text(names[other])}</ref>\n" for other in term.related if other in names)
    note = f"          <note>{_text(markup.to_plain(term.gloss))}</note>\n" if term.gloss else ""
    tigs = [_tig(term.term, "preferredTerm-admn-sts")] + [_tig(alias, "admittedTerm-admn-sts")
                                                          for alias in term.aliases]
    return (f"      <termEntry id={quoteattr(entry_id(term.id))}>\n{refs}"
            f"        <langSet xml:lang={quoteattr(language)}>\n"
            f"          <descrip type=\"definition\">{_text(markup.to_plain(term.definition))}</descrip>\n"
            f"{note}" + "".join(tigs) +
            "        </langSet>\n"
            "      </termEntry>\n")


def entry_id(term_id: str) -> str:
    """An XML id (it may not start with a digit, as a term id may)."""
    return "term-" + term_id


def _tig(name: str, status: str) -> str:
    return ("          <tig>\n"
            f"            <term>{_text(name)}</term>\n"
            f"            <termNote type=\"administrativeStatus\">{status}</termNote>\n"
            "          </tig>\n")


def _text(text: str) -> str:
    # XML 1.0 cannot carry most C0 controls at all; the glossary refuses them where they enter (model.CONTROL_CHARS).
    return escape(text)
