"""The shipped glossary itself: it checks cleanly and covers what its users study."""

from glossdeck import pipeline
from tests.conftest import REPO


def test_shipped_glossary_checks_without_warnings():
    glossary, warnings = pipeline.check(REPO)
    assert warnings == []
    for name in ("mesa-optimizer", "sharp left turn", "orthogonality thesis", "corrigibility"):
        term = glossary.lookup(name)
        assert term is not None, name
        assert term.citations and all(c.location is not None for c in term.all_citations)


def test_shipped_glossary_builds(tmp_path):
    result = pipeline.build(REPO, out=tmp_path, timestamp=1_700_000_000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alignment-glossary-booklet.pdf", "alignment-glossary.apkg"]
    assert result.outputs["booklet"].stat().st_size > 100_000
