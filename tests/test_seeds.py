"""seeds: the reader's view folds presentation only, and maps back to the raw text."""

import pytest

from glossdeck import pipeline
from tests.conftest import make_project


def test_the_view_folds_whitespace_quotes_and_markup():
    raw = "A<!---->I is _not_ **hard**,\nsee [the “post”][ref] and [x](http://y)\u00a0now\n\n[ref]: http://z\n"
    seed = seed_of(raw, markdown=True)
    assert seed.text == 'AI is not hard, see the "post" and x now'
    assert seed.visible == "AI is not hard, see the “post” and x now"
    start, end = seed.raw_span(seed.text.index("post"), seed.text.index("post") + 4)
    assert raw[start:end] == "post"


def test_plain_text_keeps_markdown_characters():
    assert seed_of("a *b* [c](d)").text == "a *b* [c](d)"


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


def seed_of(text, markdown=False, speakers=()):
    from glossdeck.model import Source
    from glossdeck.seeds import Seed

    return Seed(Source(id="t", file="t.txt", sha256="", title="T", author="A",
                       format="markdown" if markdown else "text", speakers=speakers), text)


@pytest.mark.parametrize("text, word", [
    ("it is impossible now", "impossible"),
    ("we don't know", "don't"),
    ("a non-trivial task", "non-trivial"),
    ("odds of 1,000,000 to one", "1,000,000"),
    ("with 7.5MB of data", "7.5MB"),
    ("at 10:30 sharp", "10:30"),
    ("the caf\u00e9 here", "caf\u00e9"),
    ("the cafe\u0301 here", "cafe\u0301"),  # a combining accent belongs to its letter
])
def test_a_word_is_never_cut(text, word):
    seed = seed_of(text)
    start = seed.text.index(word)
    assert not seed.cuts_word(start) and not seed.cuts_word(start + len(word))
    assert all(seed.cuts_word(i) for i in range(start + 1, start + len(word)))
    assert seed.whole_words(start + 1, start + len(word) - 1) == (start, start + len(word))


@pytest.mark.parametrize("text", ["end. Next", "dogs' toys", "A, B", "x — y", "a/b", "3. Then"])
def test_punctuation_between_words_is_a_boundary(text):
    seed = seed_of(text)
    assert not any(seed.cuts_word(i) for i in range(len(seed.text) + 1) if not seed.text[i - 1 : i + 1].isalnum())


def test_markup_joins_what_a_reader_sees_as_one_word():
    seed = seed_of("building A<!---->I whose and <abbr>AI</abbr>s", markdown=True)
    assert seed.text == "building AI whose and AIs"
    assert seed.cuts_word(seed.text.index("I whose"))
    assert seed.cuts_word(seed.text.index("s", seed.text.index("AIs")))


def test_turns_and_joint_turns():
    seed = seed_of("**A**: one two.\n\n**B**: three.\n\n**A** and **B**: together.\n", markdown=True,
                   speakers=("A", "B"))
    raw = seed.raw
    assert seed.speakers_at(raw.index("one")) == ("A",)
    assert seed.speakers_at(raw.index("three")) == ("B",)
    assert seed.speakers_at(raw.index("together")) == ("A", "B")
    assert seed.speaker_at(raw.index("together")) == "A"
    assert [who for _, who in seed.turns_within(raw.index("one"), raw.index("together"))] == [("B",), ("A", "B")]
    assert seed.turns_within(raw.index("one"), raw.index("two")) == []


def test_casefolded_maps_every_folded_char_back():
    seed = seed_of("İß ﬁx Σς")
    folded, back = seed.casefolded
    assert folded == "i̇ss fix σσ"
    assert [seed.text[i] for i in back] == ["İ", "İ", "ß", "ß", " ", "ﬁ", "ﬁ", "x", " ", "Σ", "ς"]
