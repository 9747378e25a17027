"""The command line: parse options, call one core function, report; the one place errors become messages."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import json
import os
import signal
import sys
import threading
from functools import wraps
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import click

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import TARGETS


def _pipeline() -> ModuleType:
    # Imported on use, so that `glossdeck --help` stays fast.
    from glossdeck import pipeline

    return pipeline


def _authoring() -> ModuleType:
    from glossdeck import authoring

    return authoring


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """click.echo, which drops colour when not on a terminal, and also when NO_COLOR is set."""
    click.echo(text, err=err, nl=nl, color=False if os.environ.get("NO_COLOR") else None)


project_option = click.option(
    "--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Glossary project folder (default: the nearest folder above here with glossary/glossary.yaml).",
)


def _project(project: Path | None) -> Path:
    if project is None:  # `glossdeck --project DIR build`: the group's option, as git and other CLIs take it
        context = click.get_current_context(silent=True)
        project = context.find_root().params.get("project") if context is not None else None
    if project is None:
        return _pipeline().find_project(Path.cwd())
    return _pipeline().find_project(project, named=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        echo(click.style(problem.location(), bold=True) + ": " + click.style(problem.severity, fg=colour) + ": "
             + problem.message, err=True)
        if problem.hint:
            echo(f"    hint: {problem.hint}", err=True)


WRITING_COMMANDS = {"build", "add", "export", "init", "update", "edit", "remove"}


def _fail(error: GlossdeckError) -> None:
    _report(error.problems)
    errors = sum(1 for p in error.problems if p.severity == "error")
    context = click.get_current_context(silent=True)
    written = "; nothing written." if context is not None and context.info_name in WRITING_COMMANDS else "."
    if error.changed:  # a write that could not be undone: say which files are new, never "nothing written"
        written = "; left changed: " + ", ".join(str(path) for path in error.changed) + "."
    echo(click.style(f"{errors} error{'s' if errors != 1 else ''}{written}", fg="red"), err=True)
    sys.exit(1)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn GlossdeckError, and any operating-system error, into messages and exit status 1, without a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GlossdeckError as error:
            _fail(error)
        except OSError as error:
            _fail_os(error)

    return wrapper


def _fail_os(error: OSError) -> None:
    """An operating-system error as one message naming its path."""
    if error.errno == errno.EPIPE:
        raise error  # the reader went away (`glossdeck list | head`): click exits quietly
    from glossdeck.writer import os_problem

    _fail(GlossdeckError([os_problem(error)]))


DEBUG_VARIABLE = "GLOSSDECK_DEBUG"


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: raised where the command is, so that every `finally` and cleanup runs (a write
    removes what it staged; writer.py holds the signals back while it records a temporary file or swaps)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def _stopping_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into Stopped while a command runs (SIGINT is already KeyboardInterrupt), report it in
    one line and exit as a process killed by that signal would (128 + its number); restore the handlers after."""
    names = ("SIGTERM", "SIGHUP")
    wanted = [getattr(signal, name) for name in names if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        wanted = []  # only the main thread may set handlers (a command run from a thread keeps the defaults)
    previous = {signum: signal.signal(signum, _stop) for signum in wanted}
    try:
        yield
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        echo(f"glossdeck: stopped by {name}.", err=True)
        sys.exit(128 + stop.signum)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Glossdeck(click.Group):
    """The command group, with the last-resort handler for exceptions that no command expected."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # A terminal that cannot show a character (PYTHONIOENCODING=latin-1, an old code page) gets an escape
        # such as \u2019 instead of a crash.
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(errors="backslashreplace")
        arguments = kwargs.get("args", args[0] if args else None)
        undecodable = _undecodable(sys.argv[1:] if arguments is None else list(arguments))
        if undecodable:
            _fail(GlossdeckError([undecodable]))
        with _stopping_cleanly():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except GlossdeckError as error:  # from a command that does not catch its own
            _fail(error)
        except OSError as error:
            _fail_os(error)
        except Exception as error:
            if _debugging(ctx):
                raise
            echo(f"glossdeck: internal error: {type(error).__name__}: {error}", err=True)
            echo("This is a bug in glossdeck, not a problem with your glossary: please open an issue with the "
                 "command you ran and what `glossdeck --debug` followed by the same command prints.", err=True)
            sys.exit(1)


def _undecodable(arguments: list[str]) -> Problem | None:
    """A command-line argument that is not UTF-8 text: Python keeps each such byte as a lone surrogate, which no
    text can hold (a quote with one matches nothing and cannot be written), so it is refused where it enters.
    (Under a C locale, UTF-8 bytes arrive as surrogates too; those are text, and pass.)"""
    for argument in arguments:
        if not any("\udc80" <= ch <= "\udcff" for ch in argument):
            continue
        data = os.fsencode(argument)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = data.decode("utf-8", "backslashreplace")
            return Problem(None, None, f"the argument “{shown}” is not UTF-8 text (it holds the byte "
                           f"0x{data[error.start]:02x})", "type it again in a terminal set to UTF-8")
    return None


def _complete_terms(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for term ids."""
    try:
        glossary, _ = _pipeline().load_glossary(_project(ctx.params.get("project")))
    except GlossdeckError:
        return []
    return [t.id for t in glossary.terms if t.id.startswith(incomplete)]


@click.group(cls=Glossdeck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="glossdeck")
@project_option
@click.option("--debug", is_flag=True,
              help=f"Show the full traceback of an unexpected error (also when {DEBUG_VARIABLE}=1).")
def main(project: Path | None, debug: bool) -> None:
    """Turn a YAML glossary with verified quotes into an Anki deck, a booklet and flashcards.

    \b
    Example:
      glossdeck check                 # verify every term and quote
      glossdeck build                 # write everything into build/
      glossdeck find "consent of the governed"
      glossdeck add --term "…" --definition "…" --cite declaration "…"
      glossdeck --project ~/roman-law build   # --project here, or after the command

    The manual is the docs/ folder of glossdeck's source (docs/README.md lists its chapters):
    docs/commands.md for every command, docs/glossary-format.md for the YAML files.
    """


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="Report as text (default) or as JSON for editors and CI.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (for CI of glossaries).")
def check(project: Path | None, fmt: str, strict: bool) -> None:
    """Validate the glossary and verify every quote against its source; write nothing.

    \b
    Example:
      glossdeck check --strict
      glossdeck check --format json    # {"ok": …, "problems": [{"path", "line", …}]}
    """
    try:
        glossary, warnings = _pipeline().check(_project(project))
    except GlossdeckError as error:
        if fmt == "json":
            echo(json.dumps({"ok": False, "problems": [p.as_dict() for p in error.problems]}, indent=2))
            sys.exit(1)
        _fail(error)
    failed = strict and bool(warnings)
    if fmt == "json":
        echo(json.dumps({"ok": not failed, "terms": len(glossary.terms),
                         "problems": [p.as_dict() for p in warnings]}, indent=2))
    else:
        _report(warnings)
        quotes = sum(len(t.all_citations) for t in glossary.terms)
        if failed:
            echo(click.style(f"{len(warnings)} warning(s), and --strict makes them errors.", fg="red"), err=True)
        else:
            echo(f"OK: {_count(len(glossary.terms), 'term')}, {_count(quotes, 'quote')} verified in "
                 f"{_count(len(glossary.sources), 'source')}.")
    if failed:
        sys.exit(1)


@main.command()
@project_option
@click.argument("targets", nargs=-1, type=click.Choice(TARGETS))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/ in the project).")
@click.option("--paper", type=click.Choice(["a5", "half-letter"]), default=None,
              help="Booklet page size; the print-ready file uses A4 or Letter sheets to match.")
@click.option("--cards-paper", type=click.Choice(["a4", "letter"]), default=None, help="Paper for the flashcards.")
@click.option("--card-size", metavar="WxH", default=None, callback=lambda c, p, v: _pair(v, "card_size"),
              help="Card size in mm, e.g. 60x85 (the default).")
@click.option("--flip", type=click.Choice(["long", "short"]), default=None,
              help="The edge your printer flips on for double-sided printing (default: long).")
@click.option("--back-offset", metavar="X,Y", default=None, callback=lambda c, p, v: _pair(v, "back_offset"),
              help="Move every card back by X mm right and Y mm up, if your printer misaligns the sides.")
@click.option("--fold", is_flag=True, default=None,
              help="Fronts and backs side by side, to fold: for printers without double-sided printing.")
@click.option("--force", is_flag=True, help="Render and write every output, even those already up to date.")
@handles_errors
def build(project: Path | None, targets: tuple[str, ...], out: Path | None, paper: str | None,
          cards_paper: str | None, card_size: tuple[float, float] | None, flip: str | None,
          back_offset: tuple[float, float] | None, fold: bool | None, force: bool) -> None:
    """Check the glossary, then build every output (or only the TARGETS named).

    \b
    Targets: deck (.apkg), booklet (reading PDF), print (the booklet imposed
    for saddle-stitch printing), cards (printable flashcards), html (the web site),
    stardict (a dictionary for e-readers, zipped), epub (the source texts as an e-book,
    every cited passage marked, with a glossary at the end).

    Nothing is written unless every check passes; then every output and
    glossary/notes.lock are replaced, or, if anything fails, none of them.
    The deck's note times come from glossary/notes.lock, which build keeps
    current: commit it. An output whose inputs did not change since it was
    built is left as it is ("unchanged: PATH"); --force rebuilds it anyway.

    \b
    Example:
      glossdeck build                      # everything into build/
      glossdeck build deck --out dist
      glossdeck build cards --cards-paper letter --flip short
    """
    overrides = _settings_overrides(paper, cards_paper, card_size, flip, back_offset, fold)
    on_terminal = sys.stderr.isatty()

    def progress(step: str) -> None:
        if on_terminal:
            echo(click.style(f"… {step}", dim=True), err=True)

    result = _pipeline().build(_project(project), out, targets or TARGETS, settings=overrides, progress=progress,
                               force=force)
    _report(result.warnings)
    for name, path in result.outputs.items():
        echo(f"unchanged: {path}" if name in result.unchanged else f"wrote {path}")


def _pair(text: str | None, kind: str) -> tuple[float, float] | None:
    """--card-size and --back-offset, read by the same rules as card_size and card_back_offset in glossary.yaml."""
    from glossdeck import validate

    if text is None:
        return None
    try:
        return validate.card_size(text) if kind == "card_size" else validate.back_offset(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r}: {error}") from None


def _settings_overrides(paper: str | None, cards_paper: str | None, card_size: tuple[float, float] | None,
                        flip: str | None, back_offset: tuple[float, float] | None,
                        fold: bool | None) -> dict[str, Any]:
    chosen = {"paper": paper, "cards_paper": cards_paper, "card_flip": flip, "card_size_mm": card_size,
              "card_back_offset_mm": back_offset, "card_layout": "fold" if fold else None}
    return {key: value for key, value in chosen.items() if value is not None}


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["json", "hypothesis", "skos", "tbx", "csl"]), default="json",
              show_default=True, help="json: the whole resolved glossary; hypothesis: the quotes as Hypothesis "
              "annotations; skos: a SKOS vocabulary (Turtle); tbx: a TBX-Basic termbase; csl: the sources as CSL-JSON.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@handles_errors
def export(project: Path | None, fmt: str, output: Path | None) -> None:
    """Print the resolved glossary in a format other tools read (default: all of it, as JSON).

    \b
    Example:
      glossdeck export --format json -o glossary.json
      glossdeck export --format hypothesis -o annotations.json   # import in the Hypothesis client
      glossdeck export --format skos -o glossary.ttl             # Skosmos, rdflib, any SKOS tool
      glossdeck export --format tbx -o glossary.tbx              # Weblate and translation tools
      glossdeck export --format csl -o sources.json              # Zotero and citation processors
    """
    from glossdeck import exports
    from glossdeck.writer import write_atomically

    root = _project(project)
    if output is not None:
        _pipeline().refuse_inputs(root, [output])
    glossary, _ = _pipeline().check(root)
    text = exports.render(glossary, fmt)
    if output is None:
        echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))
        echo(f"wrote {output}", err=True)


@main.command()
@project_option
@click.argument("phrase")
@click.option("--source", "-s", default=None, help="Search only this source (its id in sources.yaml).")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Show at most this many hits.")
@handles_errors
def find(project: Path | None, phrase: str, source: str | None, limit: int) -> None:
    """Find PHRASE in the sources and print a citation ready to paste.

    Case does not matter, nor do line breaks, curly or straight quotes and
    Markdown markup. A phrase shorter than four words is widened to its
    sentence, and a quote that occurs more than once gets its `occurrence`.

    \b
    Example:
      glossdeck find "consent of the governed" --source declaration
    """
    from glossdeck.render import text

    authoring = _authoring()
    glossary, seeds = authoring.load_seeds_for(_project(project))
    found = authoring.occurrences(seeds, phrase, source)
    if not found:
        echo(f"No match for {phrase!r}. Nearest passages:", err=True)
        for near in authoring.nearest(seeds, phrase, source):
            echo(f"  {near.source} ({near.score:.0f}% alike): “{near.passage}”", err=True)
        sys.exit(1)
    shown = [authoring.hit_at(where) for where in found[:limit]]
    for hit, citers in zip(shown, authoring.citing(glossary, seeds, shown)):
        echo(click.style(text.place_header(glossary, hit.source, hit.location), bold=True))
        for line in text.cited_by(citers):
            echo(click.style(line, dim=True))
        echo("  …" + hit.before + click.style(hit.match, fg="yellow", bold=True, underline=True) + hit.after + "…")
        echo(authoring.term_yaml_citation(hit.citation))  # ready to paste into a term file
        echo()
    if len(found) > limit:
        echo(f"({len(found) - limit} more; narrow with --source or a longer phrase, or raise --limit)", err=True)


@main.command()
@project_option
@click.option("--id", "term_id", default=None, help="The term's id and file name (default: from --term).")
@click.option("--term", default=None, help="The term as displayed.")
@click.option("--alias", "aliases", multiple=True, help="Another name or abbreviation (repeatable).")
@click.option("--gloss", default=None,
              help="One sentence of at most 25 words to memorise; leads the card's answer.")
@click.option("--level", type=click.Choice(["core", "standard", "extra"]), default=None,
              help="How central the term is: core terms are learned first (default: standard).")
@click.option("--definition", default=None, help="The definition, in our own words.")
@click.option("--cite", "cites", nargs=2, multiple=True, metavar="SOURCE QUOTE",
              help="A verbatim quote and its source id (repeatable).")
@click.option("--speaker", "speakers", multiple=True,
              help="Who speaks in the Nth --cite when it is not the source's author ('-' for the author); "
                   "found automatically in a dialogue.")
@click.option("--related", multiple=True, help="The id of a related term (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A topic tag (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the file instead of writing it.")
@handles_errors
def add(project: Path | None, term_id: str | None, term: str | None, aliases: tuple[str, ...],
        gloss: str | None, level: str | None, definition: str | None, cites: tuple[tuple[str, str], ...],
        speakers: tuple[str, ...], related: tuple[str, ...], tags: tuple[str, ...], dry_run: bool) -> None:
    """Add a term: check everything, then write glossary/terms/<id>.yaml.

    Every quote is verified before anything is written. Options left out are
    asked for when a terminal is attached (the definition in $EDITOR if set).

    \b
    Example:
      glossdeck add --term "consent of the governed" --alias "popular consent" \\
        --gloss "The people's agreement, from which a government draws its rightful power." \\
        --definition "The principle that a government's authority is just only …" \\
        --cite declaration "deriving their just powers from the consent of the governed" \\
        --related right-of-revolution --tag "political philosophy"
    """
    authoring = _authoring()
    root = _project(project)
    glossary, seeds = authoring.load_seeds_for(root)
    citations = [authoring.Citation(source, quote, speaker=(speakers[i] if i < len(speakers) and speakers[i] != "-"
                                                             else None))
                 for i, (source, quote) in enumerate(cites)]
    if not _interactive():
        missing = [option for option, value in (("--term", term), ("--definition", definition), ("--cite", cites))
                   if not value]
        if missing:  # every one at once, not one per run
            raise GlossdeckError([Problem(None, None, f"missing {option}", f"pass {option}, or run `glossdeck add` "
                                          "in a terminal to be asked") for option in missing])
    else:
        if term is None:
            term = _ask("Term", "--term")
            aliases = aliases or _ask_each("Other name", "--alias")
        if gloss is None:
            gloss = _ask("Gloss (one sentence, at most 25 words, without the term itself)", "--gloss")
        if definition is None:
            definition = _ask_definition(term)
        if not cites:
            citations = _ask_citations(authoring, glossary, seeds)
            related = related or _ask_each("Related term id", "--related",
                                           lambda answer: authoring.related_problem(glossary, answer))
            tags = tags or _ask_each("Tag", "--tag")
    assert term is not None and definition is not None
    new = authoring.Term(
        id=term_id or authoring.slug(term), term=term.strip(), definition=" ".join(definition.split()),
        gloss=" ".join((gloss or "").split()), level=level or "standard",
        aliases=tuple(a.strip() for a in aliases if a.strip()), tags=tuple(tags), related=tuple(related),
        citations=tuple(authoring.with_speaker(seeds, c) for c in citations),
    )
    path, text = authoring.add(root, new, dry_run=dry_run)
    if dry_run:
        echo(text, nl=False)
        echo(f"(dry run: {path} not written)", err=True)
        return
    echo(f"wrote {path}")
    echo("Next: `glossdeck show " + new.id + "` to read it, `glossdeck build` to rebuild the outputs; "
         "then commit the term with glossary/notes.lock.")


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


TRIES = 3  # wrong answers to one question before a command gives up (end of input stops it at once)


def _answer(label: str, option: str, parse: Callable[[str], Any], default: str = "", show_default: bool = True) -> Any:
    """Ask until `parse` accepts the answer (it raises ValueError saying why not), at most TRIES times.

    Each question reads its answer with the parser its option uses, so a terminal accepts exactly what the
    option does. End of input (Ctrl-D, a closed pipe) stops the command, as click does: "Aborted!", exit 1.
    """
    for _ in range(TRIES):
        answer = str(click.prompt(label, default=default, show_default=show_default and bool(default)))
        try:
            return parse(answer)
        except ValueError as error:
            echo(f"  {error}", err=True)
    raise GlossdeckError([Problem(None, None, f"no answer accepted for “{label}” after {TRIES} tries",
                                  f"pass {option} instead" if option else "run the command again")])


def _ask(label: str, option: str) -> str:
    """A text the option would take; it must not be empty."""
    def parse(answer: str) -> str:
        if not answer.strip():
            raise ValueError("this cannot be empty")
        return answer.strip()
    return str(_answer(label, option, parse))


def _ask_each(label: str, option: str, problem: Callable[[str], Problem | None] = lambda answer: None
              ) -> tuple[str, ...]:
    """What a repeatable option takes: one value per answer, exactly as one use of the option gives it; an empty
    answer ends the list."""
    values: list[str] = []

    def parse(answer: str) -> str:
        found = problem(answer.strip()) if answer.strip() else None
        if found is not None:
            raise ValueError(found.message + (f" ({found.hint})" if found.hint else ""))
        return answer.strip()

    while True:
        value = _answer(f"{label} (empty when done)", option, parse)
        if not value:
            return tuple(values)
        values.append(value)


def _confirm(label: str, default: bool = True) -> bool:
    """A yes-or-no question, asked at most TRIES times, as click.confirm reads its answers."""
    def parse(answer: str) -> bool:
        word = answer.strip().lower()
        if word in ("y", "yes"):
            return True
        if word in ("n", "no"):
            return False
        raise ValueError("answer y or n")
    return bool(_answer(f"{label} [{'Y/n' if default else 'y/N'}]", "", parse, "y" if default else "n", False))


def _ask_definition(term: str) -> str:
    if os.environ.get("EDITOR") or os.environ.get("VISUAL"):
        marker = "# Define the term above in your own words (40–120 words). Lines starting with # are dropped."
        edited = click.edit(f"\n{marker}\n# Term: {term}\n")
        text = "\n".join(line for line in (edited or "").splitlines() if not line.startswith("#")).strip()
        if text:
            return text
    return _ask("Definition", "--definition")


def _ask_citations(authoring: ModuleType, glossary: Any, seeds: dict[str, Any]) -> list[Any]:
    """Ask for quotes until an empty one, each checked as `--cite SOURCE QUOTE` is (elided quotes included)."""
    chosen: list[Any] = []
    while True:
        cited = _answer("Quote (empty to finish)" if chosen else "Quote", "--cite",
                        lambda answer: _quote(authoring, glossary, seeds, answer, bool(chosen)))
        if cited is None:
            return chosen
        chosen.append(cited)
        echo(f"  found at {cited.location.describe()}")


def _quote(authoring: ModuleType, glossary: Any, seeds: dict[str, Any], quote: str, may_end: bool) -> Any:
    """One quote and its source, as `--cite` would take them; ValueError with check's own words if not."""
    if not quote.strip():
        if may_end:
            return None
        raise ValueError("a new term needs at least one quote")

    def source_of(answer: str) -> str:
        if answer.strip() not in glossary.sources:
            raise ValueError(f"unknown source `{answer.strip()}`; known: " + ", ".join(glossary.sources))
        return answer.strip()
    only = next(iter(glossary.sources)) if len(glossary.sources) == 1 else ""
    source = str(_answer("Source", "--cite", source_of, only))
    citation = authoring.Citation(source, quote.strip())
    matches = authoring.citations.find_all(seeds[source], citation.quote) if source in seeds else []
    if len(matches) > 1 and _confirm(f"Found {len(matches)} times; cite the first?", default=False):
        citation = dataclasses.replace(citation, occurrence=1)
    resolved, problems = authoring.verify_citation(glossary, seeds, citation)
    if problems:
        raise ValueError("; ".join(p.message + (f" (hint: {p.hint})" if p.hint else "") for p in problems))
    return resolved


@main.command(name="list")
@project_option
@click.option("--tag", default=None, help="Only terms with this tag.")
@click.option("--source", default=None, help="Only terms that quote this source.")
@click.option("--order", type=click.Choice(["alphabetical", "study"]), default="alphabetical", show_default=True,
              help="`study`: the order the deck teaches new cards in (prerequisites first, core terms early).")
@handles_errors
def list_terms(project: Path | None, tag: str | None, source: str | None, order: str) -> None:
    """List the terms, with their other names, glosses and how many quotes back them.

    \b
    Example:
      glossdeck list --tag "political philosophy"
      glossdeck list --source declaration
      glossdeck list --order study     # the deck's learning order, numbered
    """
    from glossdeck.render import text
    from glossdeck.study import study_order

    glossary, _ = _pipeline().load_glossary(_project(project))
    studied = study_order(glossary) if order == "study" else None
    terms = studied.terms if studied else glossary.terms
    shown = [t for t in terms if (tag is None or tag in t.tags)
             and (source is None or any(c.source == source for c in t.all_citations))]
    numbers = studied.position() if studied else {}
    for term in shown:
        echo(text.list_line(term, numbers[term.id] + 1 if studied else None))
    echo(f"{len(shown)} of {len(glossary.terms)} terms", err=True)
    for cycle in studied.cycles if studied else ():
        echo("linked in a circle (ordered to leave few links unlearned): " + ", ".join(cycle), err=True)


@main.command()
@project_option
@click.argument("name", shell_complete=_complete_terms)
@handles_errors
def show(project: Path | None, name: str) -> None:
    """Show one entry as a reader sees it; NAME may be its id, its term or an alias.

    \b
    Example:
      glossdeck show "popular consent"
    """
    from glossdeck.render import text

    glossary, _ = _pipeline().check(_project(project))
    echo(text.term_text(glossary, _authoring().term_for(glossary, name)))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@click.option("--title", default=None, help="The glossary's title (default: from the folder's name).")
@click.option("--id", "glossary_id", default=None,
              help="The glossary's id, part of every Anki note's identity (default: from the title).")
@handles_errors
def init(folder: Path | None, title: str | None, glossary_id: str | None) -> None:
    """Start a new glossary in FOLDER (default: here); never overwrites a file.

    \b
    Example:
      glossdeck init roman-law --title "Roman Law Reading Group"
    """
    from glossdeck import project

    if folder is None:  # `glossdeck --project DIR init` starts it there, else here
        folder = click.get_current_context().find_root().params.get("project") or Path(".")
    written = project.init(folder, title, glossary_id)
    for path in written:
        echo(f"created {path}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    echo(f"Next: {where}glossdeck source add FILE --id ID --title \"…\" --author \"…\"; then `glossdeck add` "
         "a term with a quote; then `glossdeck build`.")


@main.group()
def source() -> None:
    """Add, list, update, edit and remove the source texts (seeds/ and glossary/sources.yaml).

    \b
    Example:
      glossdeck source add essay.md --id essay --title "An Essay" --author "A. Author"
      glossdeck source list
      glossdeck source update essay corrected.md
      glossdeck source edit essay --date 2024-05-01
      glossdeck source remove essay
    """


def _names(text: str | None) -> tuple[str, ...] | None:
    """--speakers "A, B" as names; None when the option was not given."""
    return None if text is None else tuple(name.strip() for name in text.split(",") if name.strip())


speakers_option = click.option("--speakers", default=None, metavar="A,B",
                               help="The dialogue's speakers, comma-separated (instead of those found).")
no_speakers_option = click.option("--no-speakers", is_flag=True, help="Not a dialogue, whatever turns were found.")
headings_option = click.option("--heading", "--headings", "headings", multiple=True, metavar="LINE",
                               help="A heading line of a plain text (repeatable), instead of those found.")
no_headings_option = click.option("--no-headings", is_flag=True, help="A plain text without headings.")


@source.command(name="add")
@project_option
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--id", "source_id", required=True, help="A short, stable id that citations use, e.g. `gettysburg`.")
@click.option("--title", default=None, help="The text's title (default: its first heading, or its own title).")
@click.option("--author", default=None, help="Who wrote it (default: the author a PDF or an EPUB names).")
@click.option("--date", default=None, help="When it was written or published, e.g. 1863-11-19.")
@click.option("--url", default=None, help="Where it can be read.")
@click.option("--venue", default=None, help="Where it appeared.")
@speakers_option
@no_speakers_option
@headings_option
@no_headings_option
@click.option("--dry-run", is_flag=True, help="Print what would be written, and write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Accept the proposed headings and speakers without asking.")
@handles_errors
def source_add(project: Path | None, file: Path, source_id: str, title: str | None, author: str | None,
               date: str | None, url: str | None, venue: str | None, speakers: str | None, no_speakers: bool,
               headings: tuple[str, ...], no_headings: bool, dry_run: bool, yes: bool) -> None:
    """Copy FILE into seeds/ and write its entry in sources.yaml.

    Markdown (.md) and plain text are kept as they are; a saved web page
    (.html) is turned into Markdown, a PDF into text with its pages, an EPUB
    into Markdown with a heading per chapter. Headings and, in a dialogue,
    speakers (paragraphs opening with `Name:`) are proposed for you to confirm
    on a terminal; --speakers, --no-speakers, --heading and --no-headings set
    them instead, and --dry-run shows what would be written. Everything is
    checked before anything is written.

    \b
    Example:
      glossdeck source add ~/Downloads/essay.html --id essay --author "A. Author" --dry-run
      glossdeck source add paper.pdf --id paper --no-speakers --yes
    """
    from glossdeck import sourcing

    root = _project(project)
    plan = sourcing.plan_add(root, file, source_id, title, author, date, url, venue)
    given_speakers = () if no_speakers else _names(speakers)
    given_headings = () if no_headings else (tuple(h.strip() for h in headings if h.strip()) or None)
    chosen_speakers = plan.speakers if given_speakers is None else given_speakers
    chosen_headings = plan.headings if given_headings is None or plan.source.format == "markdown" \
        else given_headings
    sourcing.check_choices(plan.text, given_headings or (), chosen_speakers)
    interactive = _interactive()
    if not (yes or dry_run or interactive):
        raise GlossdeckError([Problem(None, None, "no terminal to confirm the proposed headings and speakers",
                                      "pass --yes to accept them (or set them with --speakers, --no-speakers, "
                                      "--heading), or see them first with --dry-run")])
    kind = {"": "", "pdf": ", converted from a PDF", "epub": ", converted from an EPUB"}.get(plan.text.kind,
                                                                                          ", converted from HTML")
    echo(f"{plan.source.id}: {plan.source.title} — {plan.source.author} ({plan.source.format}{kind})")
    if chosen_headings:
        echo("Headings" + (" (found in the Markdown):" if plan.source.format == "markdown" else ":"))
        for heading in chosen_headings:
            echo(f"  {heading}")
    if chosen_speakers:
        echo("Speakers (every quote must name one): " + ", ".join(chosen_speakers))
    if dry_run:
        echo(f"Would write {plan.seed_path}" + (" (already there)" if plan.in_place else "")
             + f" and add to {root / 'glossary' / 'sources.yaml'}:")
        echo(sourcing.entry_text(plan, chosen_headings, chosen_speakers), nl=False)
        echo("(dry run: nothing written)", err=True)
        return
    if not yes:
        if plan.source.format == "text" and given_headings is None and chosen_headings \
                and not _confirm("Use these headings?", default=True):
            chosen_headings = tuple(h for h in chosen_headings if _confirm(f"  heading {h!r}?", default=True))
        if given_speakers is None and chosen_speakers \
                and not _confirm(f"Is it a dialogue between {', '.join(chosen_speakers)}?", default=True):
            chosen_speakers = ()
        if not _confirm("Write the seed and its entry?", default=True):
            echo("Nothing written.", err=True)
            sys.exit(1)
    seed = sourcing.write_new(plan, chosen_headings, chosen_speakers)
    echo(f"wrote {seed} and its entry in {root / 'glossary' / 'sources.yaml'}")
    echo(f"Next: `glossdeck find \"PHRASE\" --source {plan.source.id}` to find a quote, then `glossdeck add`.")


@source.command(name="edit")
@project_option
@click.argument("source_id", metavar="ID")
@click.option("--title", default=None, help="A new title.")
@click.option("--author", default=None, help="A new author.")
@click.option("--date", default=None, help="A new date ('' to remove it).")
@click.option("--url", default=None, help="A new address ('' to remove it).")
@click.option("--venue", default=None, help="A new venue ('' to remove it).")
@speakers_option
@no_speakers_option
@headings_option
@no_headings_option
@click.option("--dry-run", is_flag=True, help="Print the entry as it would be, and write nothing.")
@handles_errors
def source_edit(project: Path | None, source_id: str, title: str | None, author: str | None, date: str | None,
                url: str | None, venue: str | None, speakers: str | None, no_speakers: bool,
                headings: tuple[str, ...], no_headings: bool, dry_run: bool) -> None:
    """Correct the details of source ID: title, author, date, URL, venue, speakers or headings.

    The new details are checked as `source add` checks them, and every quote
    of every term that cites the source is checked against them; nothing is
    written unless all pass. The text itself changes with `source update`.

    \b
    Example:
      glossdeck source edit policy --title "Debian Python Policy" --url https://www.debian.org/doc/packaging-manuals/python-policy/
      glossdeck source edit republic --speakers Socrates,Thrasymachus
    """
    from glossdeck import sourcefix

    changes: dict[str, Any] = {key: value for key, value in (("title", title), ("author", author), ("date", date),
                                                             ("url", url), ("venue", venue)) if value is not None}
    given_speakers = () if no_speakers else _names(speakers)
    if given_speakers is not None:
        changes["speakers"] = given_speakers
    if no_headings or headings:
        changes["headings"] = () if no_headings else tuple(h.strip() for h in headings if h.strip())
    root = _project(project)
    _, entry = sourcefix.edit(root, source_id, changes, dry_run=dry_run)
    if dry_run:
        echo(entry, nl=False)
        echo("(dry run: nothing written)", err=True)
        return
    echo(f"wrote the new details of `{source_id}` in {root / 'glossary' / 'sources.yaml'}")


@source.command(name="remove")
@project_option
@click.argument("source_id", metavar="ID")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and remove nothing.")
@handles_errors
def source_remove(project: Path | None, source_id: str, dry_run: bool) -> None:
    """Remove source ID: its entry in sources.yaml and its seed in seeds/.

    Refused while any term cites it (each is named); both files change, or
    neither.

    \b
    Example:
      glossdeck source remove old-draft
    """
    from glossdeck import sourcefix

    root = _project(project)
    seed = sourcefix.remove(root, source_id, dry_run=dry_run)
    if dry_run:
        echo(f"Would remove `{source_id}` from {root / 'glossary' / 'sources.yaml'} and delete {seed}")
        echo("(dry run: nothing written)", err=True)
        return
    echo(f"removed `{source_id}` from {root / 'glossary' / 'sources.yaml'} and deleted {seed}")


@source.command(name="list")
@project_option
@handles_errors
def source_list(project: Path | None) -> None:
    """List the sources, with how many terms cite each.

    \b
    Example:
      glossdeck source list
    """
    from glossdeck import sourcing

    glossary, counts = sourcing.list_sources(_project(project))
    for source_id, item in glossary.sources.items():
        terms = counts[source_id]
        cited = f"{terms} term{'s' if terms != 1 else ''}"
        echo(f"{source_id}  {item.author_display}, “{item.title}” ({item.file}; {cited})")
    echo(f"{len(glossary.sources)} source{'s' if len(glossary.sources) != 1 else ''}", err=True)


@source.command(name="update")
@project_option
@click.argument("source_id", metavar="ID")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Write the new text even though some quotes no longer resolve.")
@handles_errors
def source_update(project: Path | None, source_id: str, file: Path, force: bool) -> None:
    """Replace the text of source ID with FILE (e.g. a corrected transcript).

    Every quote of every term is checked against the new text first; any that
    no longer resolves is reported, term by term, and nothing is written
    (unless --force: then fix those quotes next).

    \b
    Example:
      glossdeck source update declaration declaration-corrected.md
    """
    from glossdeck import sourcing

    root = _project(project)
    update = sourcing.plan_update(root, source_id, file)
    if update.broken and not force:
        broken = len(update.broken)
        raise GlossdeckError(update.broken + [Problem(None, None, f"{broken} quote{'s' if broken != 1 else ''} "
                                                      f"would no longer resolve in the new text of `{source_id}`",
                                                      "fix them to match the new text, or pass --force to write it "
                                                      "and fix them after")])
    _report([dataclasses.replace(p, severity="warning") for p in update.broken])
    seed = sourcing.write_update(root, update)
    echo(f"wrote {seed} and its new SHA-256 in sources.yaml"
         + (f"; {len(update.broken)} quote(s) to fix (`glossdeck check` lists them)" if update.broken else ""))


@main.command()
@project_option
@click.argument("rev", required=False)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@handles_errors
def changes(project: Path | None, rev: str | None, fmt: str) -> None:
    """The terms added, changed and retired since git revision REV, as release notes.

    REV defaults to the last commit that changed glossary/notes.lock (the last release).

    \b
    Example:
      glossdeck changes                 # since the last release
      glossdeck changes v1.0 --format json
    """
    from glossdeck import changes as changelog

    report = _pipeline().changes_since(_project(project), rev)
    echo(changelog.to_json(report) if fmt == "json" else changelog.to_markdown(report), nl=fmt == "json")


@main.command()
@project_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder the site was built into (default: build/ in the project).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@handles_errors
def serve(project: Path | None, out: Path | None, port: int) -> None:
    """Serve the built web site on this computer, at http://127.0.0.1:PORT/.

    The site also works opened straight from disk; this gives it a real address.

    \b
    Example:
      glossdeck build html && glossdeck serve
    """
    from glossdeck.render import site

    root = _project(project)
    glossary, _ = _pipeline().load_glossary(root)
    folder = (out if out is not None else root / "build") / site.folder_name(glossary)
    site.serve(folder, port, lambda url: echo(f"serving {folder} at {url} (press Ctrl-C to stop)"))


@main.command()
@project_option
@handles_errors
def mcp(project: Path | None) -> None:
    """Serve glossdeck's tools to a language model over the Model Context Protocol, on stdin and stdout.

    The tools: find, show, check, propose_term and add_term. A drafted quote
    is written only once it is the source's exact words; near misses come
    back repaired, with each change listed, and anything else is refused.
    Needs the extra: pip install 'glossdeck[mcp]'. See docs/drafting.md.

    \b
    Example (an MCP host's configuration):
      {"mcpServers": {"glossdeck": {"command": "glossdeck", "args": ["mcp", "--project", "/path/to/glossary"]}}}
    """
    from glossdeck import mcp_server

    root = _project(project)
    server = mcp_server.make_server(root)  # before serving, so that a missing SDK is a message, not a broken pipe
    server.run("stdio")


@main.command()
@project_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--write", is_flag=True, help="Write each proposal whose every quote is verified (atomically).")
@click.option("--accept-repairs", is_flag=True, help="With --write: also write quotes repaired to the source's words.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handles_errors
def draft(project: Path | None, file: Path, write: bool, accept_repairs: bool, fmt: str) -> None:
    """Judge drafted terms (a YAML file, or JSON Lines: one object per line) as `propose_term` does.

    Each quote is verified, repaired to the source's exact words (each change
    shown) or refused (with the nearest passages). Nothing is written without
    --write; then only the terms whose every quote is verified (or repaired,
    with --accept-repairs) and that `check` accepts. Exit status 0 only if
    every proposal could be written as it stands.

    \b
    Example:
      glossdeck draft drafts.jsonl
      glossdeck draft drafts.yaml --write --accept-repairs
    """
    from glossdeck import drafting
    from glossdeck.render import text

    root = _project(project)
    results: list[tuple[str, Any, list[Problem], Path | None]] = []
    pending: list[Any] = []  # without --write: the terms that would have been written, as later proposals meet them
    for where, proposal in drafting.read_proposals(file):
        if isinstance(proposal, GlossdeckError):
            results.append((where, None, proposal.problems, None))
            continue
        found = drafting.triage(root, proposal, tuple(pending))
        written, errors = None, []
        if found.writable(accept_repairs) and write:
            try:  # a disk that fills up stops this term, not the report of those written before it
                written = drafting.write(root, found, accept_repairs)
            except GlossdeckError as error:
                errors = error.problems
        elif found.writable(accept_repairs):
            pending.append(found.term)
        results.append((where, found, errors, written))
    if fmt == "json":
        echo(json.dumps([{"where": where, **(drafting.triage_data(found, written) if found else {}),
                          "errors": [p.as_dict() for p in errors]} for where, found, errors, written in results],
                        ensure_ascii=False, indent=2))
    else:
        for where, found, errors, written in results:
            echo(click.style(where, bold=True))
            for line in text.triage_lines(drafting.triage_data(found, written)) if found is not None else ():
                echo(line)
            _report(errors)
    if not all(found is not None and found.writable(accept_repairs=False) and not errors
               for _, found, errors, _ in results):
        sys.exit(1)


@main.command()
@project_option
@click.option("--url", default="http://127.0.0.1:8765", show_default=True, help="Where AnkiConnect answers.")
@click.option("--delete-retired", is_flag=True,
              help="Delete the notes of retired terms (after asking) instead of suspending them.")
@click.option("--yes", "-y", is_flag=True, help="With --delete-retired: delete without asking.")
@handles_errors
def push(project: Path | None, url: str, delete_retired: bool, yes: bool) -> None:
    """Build the deck if it changed and import it into a running Anki, through the AnkiConnect add-on.

    The import is the .apkg's own (notes known by their identity, review
    history kept, a note updated only when it changed). The notes of retired
    terms are then suspended and tagged glossdeck::retired, or deleted with
    --delete-retired. See docs/deck.md, "Pushing to a running Anki".

    \b
    Example:
      glossdeck push
      glossdeck push --delete-retired --yes
    """
    from glossdeck import push as pushing

    on_terminal = sys.stderr.isatty()

    def progress(step: str) -> None:
        if on_terminal:
            echo(click.style(f"… {step}", dim=True), err=True)

    if delete_retired and not yes and not _interactive():  # said before anything is sent to Anki
        raise GlossdeckError([Problem(None, None, "--delete-retired asks before deleting, and there is no "
                                      "terminal to ask on", "pass --yes to delete without asking")])

    def confirm(count: int) -> bool:
        echo(f"{count} note(s) of retired terms are in this collection; deleting them deletes their review "
             "history too.")
        return yes or _confirm("Delete them?", default=False)

    report = pushing.push(_project(project), url, delete_retired, confirm, progress)
    echo(f"pushed {report.deck} to Anki at {url}")
    echo(f"  added: {len(report.added)}, updated: {len(report.updated)}, unchanged: {len(report.unchanged)}")
    if report.retired:
        what = (f"deleted: {report.deleted}" if report.deleted else
                f"suspended now: {report.suspended} card(s)" if report.suspended else "already suspended")
        echo(f"  retired: {len(report.retired)} ({len(report.newly_retired)} newly; {what})")
    if report.not_kept:
        echo(f"  not added: {report.not_kept} note(s) of terms retired before this collection had them")
