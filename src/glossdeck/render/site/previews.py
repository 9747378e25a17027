"""Each page's own previews: the name and gloss of every term the page links, as data inside the page, so that a
page weighs the same however large the glossary grows."""

from __future__ import annotations

import json
import re
from typing import Callable

_LINKED = re.compile(r'data-term="([^"]+)"')


def with_previews(html: str, describe: Callable[[str], tuple[str, str]]) -> str:
    """The page with a JSON script of {term id: [name, gloss]} for the terms it links, before </body>."""
    linked = sorted(set(_LINKED.findall(html)))
    if not linked:
        return html
    data = {term_id: list(describe(term_id)) for term_id in linked}
    # JSON in a script element: "<" escaped, so that no "</script>" or "<!--" in a gloss can end or hide it
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
    script = f'<script type="application/json" id="term-previews">{payload}</script>\n'
    at = html.rindex("</body>")
    return html[:at] + script + html[at:]
