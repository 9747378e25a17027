"""The manual's commands are real: every `glossdeck …` line in a shell block of README.md or docs/*.md parses
with the command line's own click definitions (the command exists, and takes the options and arguments
shown), without running it. The first block of docs/own-glossary.md is also run, by tests/test_wheel.py."""

import re
import shlex
from pathlib import Path

import click
import pytest

from glossdeck.cli import main
from tests.conftest import REPO

SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SEPARATORS = {"&&", "||", "|", ";", "&", "(", ")"}
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def shell_commands(text: str) -> list[list[str]]:
    """Each simple command of the text's shell blocks, split as the shell would (comments dropped)."""
    commands = []
    for block in SHELL_BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"^\$ ", "", line.strip())
            line = re.sub(r"\s…(?=\s*(?:#|$))", "", line)  # a bare … at the end: "options as below", not one
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            command: list[str] = []
            for token in [*lexer, ";"]:
                if token in SEPARATORS:
                    if command:
                        commands.append(command)
                    command = []
                else:
                    command.append(token)
    return commands


def glossdeck_commands() -> list[tuple[str, list[str]]]:
    """(page, arguments) for every command that runs glossdeck, however it is called."""
    found = []
    for page in PAGES:
        for command in shell_commands(page.read_text(encoding="utf-8")):
            if Path(command[0]).name == "glossdeck":
                found.append((page.relative_to(REPO).as_posix(), command[1:]))
    return found


def parse(args: list[str]) -> click.Context:
    """The context click makes for `glossdeck ARGS`, down to the command that would run; nothing runs.

    A group parses its own options and stops at the command's name, leaving the rest in ctx.args; the name
    is the token just before them."""
    command: click.Command = main
    ctx = None
    name = "glossdeck"
    while True:
        ctx = command.make_context(name, list(args), parent=ctx)
        if not isinstance(command, click.Group):
            return ctx
        rest = ctx.args
        name = args[len(args) - len(rest) - 1]
        found = command.get_command(ctx, name)
        if found is None:
            raise click.UsageError(f"no such command {name!r}", ctx)
        command, args = found, rest


def test_the_manual_shows_glossdeck_commands():
    pages = {page for page, _ in glossdeck_commands()}
    assert {"README.md", "docs/commands.md", "docs/own-glossary.md", "docs/deck.md", "docs/site.md"} <= pages
    assert len(glossdeck_commands()) > 30


@pytest.mark.parametrize("page, args", glossdeck_commands(), ids=lambda x: x if isinstance(x, str) else " ".join(x))
def test_every_command_in_the_manual_parses(page, args, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a path a command shows need not exist here: only its shape is checked
    try:
        ctx = parse(args)
    except click.exceptions.Exit as done:  # --help and --version print and stop, as they should
        assert done.exit_code == 0
        return
    except click.BadParameter as error:
        # A file the example names (~/texts/an-article.html) is not on this machine: its value is not the point.
        if isinstance(error.param.type if error.param else None, click.Path) and "does not exist" in str(error):
            return
        raise
    assert ctx.command.callback is not None


def test_a_wrong_option_or_command_fails_to_parse():
    """The check can fail: an option a command does not have, or a command that does not exist."""
    with pytest.raises(click.NoSuchOption):
        parse(["build", "--colour", "blue"])
    with pytest.raises(click.UsageError):
        parse(["biuld"])
    with pytest.raises(click.UsageError):
        parse(["source", "rename", "x"])
    assert parse(["--project", "x", "source", "list"]).command.name == "list"
