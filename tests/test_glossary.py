"""The shipped glossary itself: it checks cleanly and covers what its users study."""

import shutil

from glossdeck import pipeline
from tests.conftest import REPO


def test_shipped_glossary_checks_without_warnings():
    glossary, warnings = pipeline.check(REPO)
    assert warnings == []
    for name in ("mesa-optimizer", "sharp left turn", "orthogonality thesis", "corrigibility"):
        term = glossary.lookup(name)
        assert term is not None, name
        assert term.citations and all(c.location is not None for c in term.all_citations)


def test_shipped_glossary_builds_and_its_lock_is_current(tmp_path):
    root = tmp_path / "project"
    for folder in ("glossary", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    lock = (root / "glossary" / "notes.lock").read_text(encoding="utf-8")
    result = pipeline.build(root, out=tmp_path / "out", timestamp=2_000_000_000)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "alignment-glossary-booklet.pdf", "alignment-glossary.apkg"]
    assert result.outputs["booklet"].stat().st_size > 100_000
    # A committed glossary has been built since its last edit: no note gets a new time.
    assert (root / "glossary" / "notes.lock").read_text(encoding="utf-8") == lock
