"""The package's imports run one way (docs/development.md): read from the source with ast, no cycle, and no
renderer reaching up into the stages that drive it."""

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "glossdeck"
# The modules that drive the stages or run a command: a renderer turns a resolved glossary into bytes and never
# calls back into them (nor reads git, the build cache or the glossary's files through them).
ABOVE_RENDERERS = {"glossdeck.pipeline", "glossdeck.changes", "glossdeck.authoring", "glossdeck.sourcing",
                   "glossdeck.sourcefix",
                   "glossdeck.project", "glossdeck.cli", "glossdeck.__main__", "glossdeck.buildcache",
                   "glossdeck.drafting", "glossdeck.mcp_server", "glossdeck.push"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports, at its top or inside a function (a lazy import is a
    dependency too): for `from a import b`, the module a.b when there is one, else a."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in modules else node.module)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: imported(path, set(paths)) for name, path in paths.items()}
    # glossdeck/__init__.py is the public face (`glossdeck.build`, `glossdeck.check`), not a layer: its lazy
    # re-exports run only when a user asks for them, never when the package imports `glossdeck.__version__`.
    graph["glossdeck"] = set()
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (or a module importing itself), by Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_renderer(name: str) -> bool:
    """The targets: render/ (deck, booklet, cards, site, …) and exports/ (formats other tools read)."""
    return name.split(".")[1] in ("render", "exports") if "." in name else False


def test_the_graph_is_read_from_the_code():
    graph = import_graph()
    assert "glossdeck.render.anki" in graph["glossdeck.pipeline"]  # a lazy import inside build()
    assert "glossdeck.render.addresses" in graph["glossdeck.render.anki"]
    assert {"glossdeck.model", "glossdeck.errors"} <= graph["glossdeck.validate"]


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]


def test_renderers_never_reach_up_into_the_stages():
    graph = import_graph()
    wrong = sorted((name, up) for name, imports in graph.items() if is_renderer(name)
                   for up in imports & ABOVE_RENDERERS)
    assert wrong == []


def test_the_core_never_imports_a_renderer():
    """Below the renderers (model, validation, limits, seeds, citations, …) nothing knows how an output is made:
    what two layers share lives below both (cardgrid, limits, render/addresses under the renderers)."""
    graph = import_graph()
    core = {name for name in graph if not is_renderer(name) and name not in ABOVE_RENDERERS}
    wrong = sorted((name, dep) for name in core for dep in graph[name] if is_renderer(dep))
    assert wrong == []


SHARED_BY_RENDERERS = {"glossdeck.render.common", "glossdeck.render.fonts", "glossdeck.render.addresses",
                       "glossdeck.render.archive",  # reproducible zip files: the dictionary's and the EPUB's
                       # the essay as HTML: the site's source pages and the EPUB's chapters (it belongs below both,
                       # as render/essay.py, once the site's own work on it is merged)
                       "glossdeck.render.site.essay"}


def test_renderers_share_only_the_modules_below_them():
    """A renderer imports the shared wording, fonts and addresses, or its own folder's modules, never another
    renderer (the deck once took its addresses from the site, and loaded Jinja2 for them)."""
    graph = import_graph()

    def own_folder(name: str) -> str:
        # glossdeck.render.site for every module of the site, glossdeck.exports for the exports'
        return ".".join(name.split(".")[:2 if name.startswith("glossdeck.exports") else 3])

    wrong = sorted((name, dep) for name, imports in graph.items() if is_renderer(name) for dep in imports
                   if is_renderer(dep) and dep not in SHARED_BY_RENDERERS and own_folder(dep) != own_folder(name))
    assert wrong == []
