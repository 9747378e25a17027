"""study: new cards come prerequisites first, core terms early, cycles broken the same way every time."""

from pathlib import Path

from click.testing import CliRunner

from glossdeck import cli
from glossdeck.model import Glossary, Settings, Term
from glossdeck.study import study_order


def glossary(*terms: Term) -> Glossary:
    ordered = tuple(sorted(terms, key=lambda t: t.sort_key))
    return Glossary(root=Path("."), settings=Settings(), sources={}, terms=ordered)


def term(term_id: str, links: str = "", level: str = "standard", gloss_links: str = "") -> Term:
    definition = " ".join(f"[{t}](#{t})" for t in links.split()) or "d"
    gloss = " ".join(f"[{t}](#{t})" for t in gloss_links.split()) or "g"
    return Term(id=term_id, term=term_id.replace("-", " "), definition=definition, gloss=gloss, level=level)


def ids(order) -> list[str]:
    return [t.id for t in order.terms]


def test_a_term_comes_after_what_its_definition_and_gloss_link_to():
    order = study_order(glossary(
        term("mesa-optimizer", "optimizer base-optimizer"), term("base-optimizer", "optimizer"),
        term("optimizer"), term("agi-ruin", gloss_links="agi"), term("agi")))
    assert ids(order) == ["agi", "agi-ruin", "optimizer", "base-optimizer", "mesa-optimizer"]
    assert order.cycles == ()


def test_core_terms_come_before_standard_and_extra_ones_when_free_to():
    order = study_order(glossary(term("a-extra", level="extra"), term("b-standard"), term("c-core", level="core"),
                                 term("d-core-needs-extra", "a-extra", level="core")))
    assert ids(order) == ["c-core", "b-standard", "a-extra", "d-core-needs-extra"]


def test_a_cycle_is_reported_and_entered_at_its_best_member():
    order = study_order(glossary(
        term("alpha", "beta"), term("beta", "gamma"), term("gamma", "alpha", level="core"),
        term("delta", "alpha"), term("omega")))
    assert order.cycles == (("alpha", "beta", "gamma"),)
    # gamma (core) is taken first; then each member as soon as its prerequisite in the cycle is known
    assert ids(order) == ["gamma", "beta", "alpha", "delta", "omega"]
    assert ids(study_order(glossary(*reversed(order.terms)))) == ids(order)


def test_every_prerequisite_outside_a_cycle_comes_first_in_a_long_chain():
    chain = [term(f"t{i:04d}", f"t{i + 1:04d}" if i < 2999 else "") for i in range(3000)]
    order = study_order(glossary(*chain))
    assert ids(order) == [f"t{i:04d}" for i in reversed(range(3000))]


def test_list_in_study_order_numbers_the_terms(project):
    result = CliRunner().invoke(cli.main, ["list", "--order", "study", "--project", str(project)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line[:5].strip().rstrip(".").isdigit()]
    assert [line.split()[2] for line in lines][:3] == ["corrigibility", "orthogonality-thesis", "mesa-optimizer"]
    assert lines[0].startswith("   1. [core]     corrigibility ")  # mesa-optimizer links to the orthogonality thesis
