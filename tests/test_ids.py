"""One id rule at every way in; `show` finds a term by its id before any alias; `--project DIR` means DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from glossdeck import markup, pipeline
from glossdeck.cli import main
from glossdeck.model import is_id

ELIDED = "A mesa-optimizer is what you get … an optimizer with an inner goal"


def run(*args: str, **kwargs: Any) -> Any:
    return CliRunner().invoke(main, list(args), **kwargs)


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".glossdeck.lock"}


@pytest.mark.parametrize("text", ["a", "sharp-left-turn", "0", "gpt-4", "a1-b2-c3"])
def test_ids_the_rule_accepts(text):
    assert is_id(text)


@pytest.mark.parametrize("text", ["x\n", "x\r\n", "\nx", "x\n\n", "x\x00", "x ", " x", "X", "x_y", "x--y", "-x",
                                  "x-", "", "é", "x/y", "x.yaml", "ｘ", "x\u2028", "x\t"])
def test_ids_the_rule_refuses(text):
    assert not is_id(text)


@pytest.mark.parametrize("term_id", ["new-term\n", "new-term\r", "New-Term", "new term", "new_term"])
def test_add_refuses_an_id_that_is_not_one_and_writes_no_file(project, term_id):
    before = every_file(project)
    result = run("add", "--project", str(project), "--id", term_id, "--term", "new term", "--definition", "d",
                 "--cite", "starter-pack", ELIDED)
    assert result.exit_code == 1
    assert f"glossdeck: error: {term_id!r} is not a valid term id" in result.output
    assert every_file(project) == before


def test_a_term_file_whose_name_ends_in_a_newline_is_refused(project):
    (project / "glossary" / "terms" / "odd\n.yaml").write_text("term: odd\ndefinition: d\n", encoding="utf-8")
    result = run("check", "--project", str(project))
    assert result.exit_code == 1 and "file name 'odd\\n.yaml' is not a valid term id" in result.output


@pytest.mark.parametrize("key", ['"optimism\\n"', '"optimism\\r"', '"Optimism"', '"opti mism"'])
def test_a_source_id_that_is_not_one_is_refused(project, key):
    sources = project / "glossary" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("\noptimism:", f"\n{key}:", 1), encoding="utf-8")
    result = run("check", "--project", str(project))
    assert result.exit_code == 1
    assert f"source id {yaml.safe_load(key)!r} is not lowercase words joined by hyphens" in result.output


def test_ids_in_yaml_lists_are_trimmed_like_every_text_there_never_kept_with_a_line_end(project):
    path = project / "glossary" / "terms" / "corrigibility.yaml"
    text = path.read_text(encoding="utf-8").replace("related: [sharp-left-turn]", 'related: ["sharp-left-turn\\n"]')
    path.write_text(text + 'renamed_from: ["corrigible-ai\\n"]\n', encoding="utf-8")
    glossary, _ = pipeline.check(project)
    term = glossary.term("corrigibility")
    assert term.related == ("sharp-left-turn",) and term.renamed_from == ("corrigible-ai",)


@pytest.mark.parametrize("address", ["#corrigibility\n", "#corrigibility\r", "#Corrigibility", "#a_b"])
def test_a_term_link_with_a_line_end_is_not_a_term_link(address):
    assert markup.address_problem(address) is not None


@pytest.mark.parametrize("glossary_id", ["demo\n", "demo\r", "Demo", "de mo"])
def test_init_refuses_an_id_that_is_not_one_and_makes_nothing(tmp_path, glossary_id):
    result = run("init", str(tmp_path / "demo"), "--id", glossary_id)
    assert result.exit_code == 1 and f"{glossary_id!r} is not a valid glossary id" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("source_id", ["essay\n", "essay\r", "Essay"])
def test_source_add_refuses_an_id_that_is_not_one(project, tmp_path, source_id):
    essay = tmp_path / "essay.md"
    essay.write_text("# An essay\n\nSome words that make up a short essay.\n", encoding="utf-8")
    before = every_file(project)
    result = run("source", "add", str(essay), "--project", str(project), "--id", source_id, "--author", "A", "--yes")
    assert result.exit_code == 1 and "error:" in result.output
    assert every_file(project) == before


# --- show: an id wins -------------------------------------------------------------------------------------------

def test_show_finds_the_term_whose_id_it_is_given_before_another_terms_alias(project):
    terms = project / "glossary" / "terms"
    (terms / "tai.yaml").write_text(
        "term: transformative AI\ndefinition: AI that changes the world as much as the industrial revolution.\n"
        f"citations:\n  - source: starter-pack\n    quote: {ELIDED}\n", encoding="utf-8")
    slt = terms / "sharp-left-turn.yaml"
    slt.write_text(slt.read_text(encoding="utf-8").replace("aliases: [SLT]", "aliases: [SLT, TAI]"), encoding="utf-8")
    assert run("check", "--project", str(project)).exit_code == 0
    # the id wins in every form `show` takes a name in; the alias still finds its own term where no id is meant
    for name in ("tai", "TAI", "Tai", " tai "):
        result = run("show", "--project", str(project), name)
        assert result.exit_code == 0 and result.output.startswith("transformative AI\n"), (name, result.output)
    assert run("show", "--project", str(project), "SLT").output.lower().startswith("sharp left turn\n")
    glossary, _ = pipeline.load_glossary(project)
    assert glossary.lookup("tai").id == "tai" and glossary.lookup("sharp left turn").id == "sharp-left-turn"


# --- --project DIR names that folder ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["build", "deck"], ["list"], ["show", "corrigibility"], ["export"],
                                     ["find", "corrigible"], ["source", "list"], ["changes"], ["serve"],
                                     ["add", "--term", "x", "--definition", "d", "--cite", "starter-pack", ELIDED]])
@pytest.mark.parametrize("before", [True, False])
def test_a_named_project_folder_without_a_glossary_is_an_error_not_the_project_above(project, command, before):
    inner = project / "notes"
    inner.mkdir()
    files = every_file(project)
    args = ["--project", str(inner), *command] if before else [*command[:2 if command[0] == "source" else 1],
                                                                 "--project", str(inner),
                                                                 *command[2 if command[0] == "source" else 1:]]
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert f"{inner}: error: holds no glossary/glossary.yaml, so it is not a glossary project" in result.output
    assert every_file(project) == files and not (project / "build").exists()


def test_without_project_the_nearest_project_above_is_used(project, monkeypatch):
    inner = project / "notes"
    inner.mkdir()
    monkeypatch.chdir(inner)
    assert run("list").exit_code == 0
