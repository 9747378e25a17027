"""The command line: parse options, call one core function, report; the one place errors become messages."""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import click

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import TARGETS


def _pipeline() -> ModuleType:
    # Imported on use, so that `glossdeck --help` stays fast.
    from glossdeck import pipeline

    return pipeline


project_option = click.option(
    "--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Glossary project folder (default: the nearest folder above here with glossary/glossary.yaml).",
)


def _project(project: Path | None) -> Path:
    return _pipeline().find_project(project if project is not None else Path.cwd())


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        click.echo(click.style(problem.location(), bold=True) + ": "
                   + click.style(problem.severity, fg=colour) + ": " + problem.message, err=True)
        if problem.hint:
            click.echo(f"    hint: {problem.hint}", err=True)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn GlossdeckError into its messages and exit status 1, without a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GlossdeckError as error:
            _fail(error)

    return wrapper


def _fail(error: GlossdeckError) -> None:
    _report(error.problems)
    errors = sum(1 for p in error.problems if p.severity == "error")
    click.echo(click.style(f"{errors} error{'s' if errors != 1 else ''}; nothing written.", fg="red"), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="glossdeck")
def main() -> None:
    """Turn a YAML glossary with verified quotes into an Anki deck and a PDF booklet.

    \b
    Example:
      glossdeck check          # verify every term and quote
      glossdeck build          # write build/*.apkg and build/*-booklet.pdf
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
    """
    try:
        glossary, warnings = _pipeline().check(_project(project))
    except GlossdeckError as error:
        if fmt == "json":
            click.echo(json.dumps({"ok": False, "problems": [p.as_dict() for p in error.problems]}, indent=2))
            sys.exit(1)
        _fail(error)
    failed = strict and bool(warnings)
    if fmt == "json":
        click.echo(json.dumps({"ok": not failed, "terms": len(glossary.terms),
                               "problems": [p.as_dict() for p in warnings]}, indent=2))
    else:
        _report(warnings)
        quotes = sum(len(t.all_citations) for t in glossary.terms)
        if failed:
            click.echo(click.style(f"{len(warnings)} warning(s), and --strict makes them errors.", fg="red"), err=True)
        else:
            click.echo(f"OK: {len(glossary.terms)} terms, {quotes} quotes verified in "
                       f"{len(glossary.sources)} sources.")
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
@click.option("--card-size", metavar="WxH", default=None, help="Card size in mm, e.g. 60x85 (the default).")
@click.option("--flip", type=click.Choice(["long", "short"]), default=None,
              help="The edge your printer flips on for double-sided printing (default: long).")
@click.option("--back-offset", metavar="X,Y", default=None,
              help="Move every card back by X mm right and Y mm up, if your printer misaligns the sides.")
@click.option("--fold", is_flag=True, default=None,
              help="Fronts and backs side by side, to fold: for printers without double-sided printing.")
@handles_errors
def build(project: Path | None, targets: tuple[str, ...], out: Path | None, paper: str | None,
          cards_paper: str | None, card_size: str | None, flip: str | None, back_offset: str | None,
          fold: bool | None) -> None:
    """Check the glossary, then build every output (or only the TARGETS named).

    \b
    Targets: deck (.apkg), booklet (reading PDF), print (the booklet imposed
    for saddle-stitch printing), cards (printable flashcards).

    Nothing is written unless every check passes, and each output file is
    replaced atomically. The deck's note times come from glossary/notes.lock,
    which build keeps current: commit it.

    \b
    Example:
      glossdeck build                      # everything into build/
      glossdeck build deck --out dist
      glossdeck build cards --cards-paper letter --flip short
    """
    overrides = _settings_overrides(paper, cards_paper, card_size, flip, back_offset, fold)
    result = _pipeline().build(_project(project), out, targets or TARGETS, settings=overrides)
    _report(result.warnings)
    for path in result.outputs.values():
        click.echo(f"wrote {path}")


def _settings_overrides(paper: str | None, cards_paper: str | None, card_size: str | None, flip: str | None,
                        back_offset: str | None, fold: bool | None) -> dict[str, Any]:
    from glossdeck.validate import parse_pair

    overrides: dict[str, Any] = {}
    for key, value in (("paper", paper), ("cards_paper", cards_paper), ("card_flip", flip)):
        if value is not None:
            overrides[key] = value
    if fold:
        overrides["card_layout"] = "fold"
    for key, text, separator in (("card_size_mm", card_size, "x"), ("card_back_offset_mm", back_offset, ",")):
        if text is not None:
            pair = parse_pair(text, separator)
            if pair is None:
                raise click.BadParameter(f"{text!r} is not two numbers joined by {separator!r}")
            overrides[key] = pair
    return overrides


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@handles_errors
def export(project: Path | None, fmt: str, output: Path | None) -> None:
    """Print the whole resolved glossary, with every citation's location, as JSON.

    \b
    Example:
      glossdeck export --format json -o glossary.json
    """
    from glossdeck import export as exporter
    from glossdeck.writer import write_atomically

    glossary, _ = _pipeline().check(_project(project))
    text = exporter.to_json(glossary)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
