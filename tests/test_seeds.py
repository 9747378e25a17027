"""seeds: the normalized view folds presentation only, and maps back to the raw text."""

import pytest

from glossdeck import pipeline
from glossdeck.seeds import normalize
from tests.conftest import make_project


def test_normalize_folds_whitespace_quotes_and_markup():
    raw = "A<!---->I is _not_ **hard**,\nsee [the “post”][ref] and [x](http://y)\u00a0now"
    text, offsets = normalize(raw, markdown=True)
    assert text == 'AI is not hard, see the "post" and x now'
    assert raw[offsets[text.index("post")] : offsets[text.index("post")] + 4] == "post"


def test_plain_text_keeps_markdown_characters():
    text, _ = normalize("a *b* [c](d)", markdown=False)
    assert text == "a *b* [c](d)"


def test_changed_seed_is_refused(tmp_path):
    root = make_project(tmp_path / "p")
    seed = root / "seeds" / "004_bce81a884f985e50.txt"
    seed.write_bytes(seed.read_bytes().replace(b"Doomer", b"Doomimir", 1))
    glossary, _ = pipeline.load_glossary(root)
    _, problems = pipeline.load_seeds(root / "seeds", glossary.sources)
    assert len(problems) == 1
    assert problems[0].message.startswith(f"seed {root / 'seeds' / seed.name} of source `debate` has changed")
    assert "restore the original" in problems[0].hint


def test_missing_seed_is_reported(tmp_path):
    root = make_project(tmp_path / "p")
    (root / "seeds" / "003_511bd9a78e7fd698.txt").unlink()
    glossary, _ = pipeline.load_glossary(root)
    _, problems = pipeline.load_seeds(root / "seeds", glossary.sources)
    assert [p.message for p in problems] == [
        f"seed file {root / 'seeds' / '003_511bd9a78e7fd698.txt'} of source `starter-pack` is missing"
    ]


def test_shipped_seeds_are_the_received_essays():
    from tests.conftest import REPO

    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("no shared/seeds beside the repository to compare with")
    for seed in shared.iterdir():
        assert (REPO / "seeds" / seed.name).read_bytes() == seed.read_bytes()


def test_fast_normalization_agrees_with_the_mapped_one():
    from glossdeck.seeds import normalize_text
    from tests.conftest import REPO

    for seed in (REPO / "seeds").iterdir():
        text = seed.read_text(encoding="utf-8")
        for chunk in (text[i : i + 300] for i in range(0, len(text), 300)):
            for markdown in (True, False):
                assert normalize_text(chunk, markdown) == normalize(chunk, markdown)[0]
