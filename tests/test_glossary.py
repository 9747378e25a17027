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
        ".glossdeck-build.json", "alignment-glossary-booklet-print.pdf", "alignment-glossary-booklet.pdf",
        "alignment-glossary-cards.pdf", "alignment-glossary-site", "alignment-glossary-stardict.zip",
        "alignment-glossary.apkg", "alignment-glossary.epub"]
    assert result.outputs["booklet"].stat().st_size > 100_000
    # A committed glossary has been built since its last edit: no note gets a new time.
    assert (root / "glossary" / "notes.lock").read_text(encoding="utf-8") == lock


def test_shipped_glossary_meets_its_editorial_rules():
    from collections import Counter

    from glossdeck import markup

    glossary, _ = pipeline.check(REPO)
    assert len(glossary.terms) >= 70
    for term in glossary.terms:
        words = len(markup.to_plain(term.definition).split())
        assert 40 <= words <= 120, f"{term.id}: definition has {words} words"
        assert term.citations, f"{term.id}: no citation of its own"
        assert term.tags, f"{term.id}: no tags"
        for view in term.views:
            assert view.citations, f"{term.id}: a view without its own quote"
    cited_by = Counter(source for t in glossary.terms for source in {c.source for c in t.all_citations})
    assert set(cited_by) == set(glossary.sources)
    assert min(cited_by.values()) >= 5, cited_by
    for term in glossary.terms:
        for other in term.related:
            assert term.id in glossary.term(other).related, f"{term.id} → {other} is one-way"
    for name in ("fast takeoff", "IGF", "RLHF", "hard takeoff", "inner optimizer"):
        assert glossary.lookup(name) is not None, name


def test_shipped_deck_and_booklet_hold_every_term(shipped, tmp_path):
    from pypdf import PdfReader

    __import__("pytest").importorskip("anki")
    from tests.anki_client import import_package, new_collection
    from tests.pdf_reader import outline_titles

    glossary, _ = pipeline.check(shipped["root"])
    col = new_collection(tmp_path / "anki")
    import_package(col, shipped["deck"])
    assert sorted(col.get_note(n)["TermId"] for n in col.find_notes("")) == sorted(t.id for t in glossary.terms)
    col.close()
    bookmarks = {title for title, _ in outline_titles(PdfReader(shipped["booklet"]))}
    assert {t.term for t in glossary.terms} <= bookmarks
