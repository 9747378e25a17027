"""formats/pdf and `source add paper.pdf`: real PDFs from several producers (tests/fixtures/pdfs) become text with
their pages; a quote is found as a reader reads it and located by page; a one-word change is refused (issue 20)."""

import io
from pathlib import Path

import pypdf
import pytest

from glossdeck import pipeline
from glossdeck.formats import pdf
from glossdeck.render.addresses import passage_url
from tests.test_init import snapshot
from tests.test_sourcing import run

PDFS = Path(__file__).resolve().parent / "fixtures" / "pdfs"
NETTLE = PDFS / "pdftex-nettle-manual.pdf"  # pdfTeX (Texinfo), 9 pages, running heads, words hyphenated at line ends
NODE = PDFS / "ghostscript-groff-node-pull-requests.pdf"  # groff → PostScript → Ghostscript: ligatures, bold headings
FOOTNOTES = PDFS / "ghostscript-groff-gettysburg-footnotes.pdf"  # groff's footnote marks and a page number
OCR = PDFS / "tesseract-ocr-nettle-copyright.pdf"  # a page scanned to an image and read back by Tesseract
FOP = PDFS / "fop-valgrind-core.pdf"  # Apache FOP (DocBook), pages printed 3, 4, 5
SCAN = PDFS / "ghostscript-image-only-scan.pdf"  # pages that are only images


def read(path: Path) -> pdf.Text:
    return pdf.read(path, path.read_bytes())


@pytest.mark.parametrize("path, pages", [(NETTLE, 9), (NODE, 10), (FOOTNOTES, 1), (OCR, 1), (FOP, 3)])
def test_each_page_of_the_original_is_one_page_of_the_text(path, pages):
    text = read(path)
    assert text.paged and text.format == "text"
    assert text.raw.count(pdf.PAGE_BREAK) + 1 == pages == len(pypdf.PdfReader(path).pages)
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in text.raw)  # no ligature is left as one character


def test_running_heads_and_page_numbers_are_not_prose():
    text = read(NETTLE).raw
    for head in ("Chapter 1: Introduction", "Chapter 3: Conventions", "Chapter 7: Reference"):
        assert head not in text
    assert text.startswith("1 Introduction\n")  # the chapter's own heading stays
    assert not any(line.strip().isdigit() for line in text.splitlines())
    assert read(FOOTNOTES).raw.rstrip().endswith("this sentence is the same in all five.")  # its "1" is gone


def test_footnote_marks_are_not_prose_and_footnotes_are_paragraphs():
    text = read(FOOTNOTES).raw
    assert "all men are created equal. Now" not in text  # a paragraph ends there
    assert "created equal.\n" in text and "equal.1" not in text and "do this.2" not in text
    assert "\n\nThe Bliss copy, the last one Lincoln wrote out, is the text given here.\n\nThe copies differ" in text


@pytest.mark.parametrize("hyphenated, whole", [
    ("back- ground", "background"), ("encryp- tion", "encryption"), ("trun- cated", "truncated"),
    ("check- sum", "checksum"), ("applica- tions", "applications")])
def test_words_hyphenated_at_line_ends_are_made_whole(hyphenated, whole):
    text = read(NETTLE).raw
    assert whole in text and hyphenated not in text and hyphenated.replace(" ", "") not in text


@pytest.mark.parametrize("before, after, words, joined", [
    ("the back-", "ground is", set(), "the background is"),  # the dictionary breaks "background" there
    ("a self-", "supervised model", {"self-supervised"}, "a self-supervised model"),  # the document writes it so
    ("by e-", "mail today", set(), "by e-mail today"),  # the dictionary would never break "email" there
    ("a non-", "trivial case", {"non-trivial"}, "a non-trivial case"),  # the document writes it with a hyphen
    ("a co-", "operate", {"cooperate"}, "a cooperate"),  # and this one without
    ("from February-", "March 2007", set(), "from February-March 2007"),  # a capital after it: the text's own
    ("soft\u00ad", "ware", set(), "software"),  # a soft hyphen is never the text's
    ("see -", "below", set(), "see - below"),  # a dash, not a hyphen
    # a word made with hyphens (or written as code) keeps the one at the line end
    ("use the --gen-", "suppressions=yes option", set(), "use the --gen-suppressions=yes option"),
    ("the state-of-the-", "art results", set(), "the state-of-the-art results"),
    ("set max_file-", "size to", set(), "set max_file-size to"),
    ("(inter-", "national)", set(), "(international)"),  # a bracket before the word is no such word
])
def test_a_hyphen_at_a_line_end_is_kept_only_where_the_text_has_one(before, after, words, joined):
    assert pdf._join(before, after, words, "en") == joined


def test_the_pages_own_numbers_name_them_and_links_open_them(blank):
    result = run(blank, "source", "add", str(FOP), "--id", "valgrind", "--author", "Valgrind developers", "--title",
                 "Valgrind User Manual", "--url", "https://valgrind.org/docs/manual/valgrind_manual.pdf", "--yes")
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(blank)[0].sources["valgrind"]
    assert source.pages and source.page_labels == ("3", "4", "5")  # as the pages print them
    quote = "Valgrind is designed to be as non-intrusive as possible"
    result = run(blank, "add", "--term", "non-intrusive", "--definition", "d.", "--gloss", "g.", "--cite",
                 "valgrind", quote)
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(blank)
    citation = glossary.terms[0].citations[0]
    assert citation.location.describe() == "p. 3, ¶ 3"
    assert passage_url(glossary, citation) == "https://valgrind.org/docs/manual/valgrind_manual.pdf#page=1"


@pytest.mark.parametrize("path, quote, where", [
    (NETTLE, "It also tries to provide some background on the cryptography", "p. 1, ¶ 5"),  # across "back-ground"
    (NETTLE, "function differ for encryption and decryption", "p. 3, ¶ 2"),
    (FOP, "you can use the --gen-suppressions=yes option", "p. 3, ¶ 13"),  # an option split at "--gen-"
    (NODE, "Changes to files in those directories should be sent to their respective projects", "p. 2, ¶ 1"),
    (FOOTNOTES, "dedicated to the proposition that all men are created equal", "p. 1, ¶ 1"),
    # one page alone cannot show its running head ("Chapter 2: Copyright") repeating: it counts as a paragraph
    (OCR, "Nettle is dual licenced under the GNU General Public License version 2 or later", "p. 1, ¶ 2"),
])
def test_a_quote_as_a_reader_reads_it_is_found_on_its_page_and_a_changed_word_is_not(blank, path, quote, where):
    result = run(blank, "source", "add", str(path), "--id", "paper", "--author", "A. Author", "--title", "A Paper",
                 "--url", "https://example.org/paper.pdf", "--yes")  # its headings, which are no paragraphs
    assert result.exit_code == 0, result.output
    result = run(blank, "add", "--term", "the term", "--definition", "d.", "--gloss", "g.", "--cite", "paper", quote)
    assert result.exit_code == 0, result.output
    glossary, _ = pipeline.check(blank)
    location = glossary.terms[0].citations[0].location
    assert location.describe() == where
    assert passage_url(glossary, glossary.terms[0].citations[0]) == \
        f"https://example.org/paper.pdf#page={location.page_number}"
    before = snapshot(blank)
    words = quote.split()
    words[len(words) // 2] = "zebra"
    result = run(blank, "add", "--term", "another term", "--definition", "d.", "--gloss", "g.", "--cite", "paper",
                 " ".join(words))
    assert result.exit_code == 1 and "quote not found in `paper`" in result.output
    assert snapshot(blank) == before


def test_a_pdf_names_its_title_and_headings():
    node = read(NODE)
    assert node.title == "Pull requests"
    assert {"Dependencies", "Setting up your local environment", "Step 1: Fork"} <= set(node.headings)


def _locked(password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=FOOTNOTES)
    writer.encrypt(user_password=password, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("case, message", [
    ("scan", "this PDF has no text to quote: its pages are images (a scan?)"),
    ("locked", "this PDF is locked with a password"),
    ("truncated", "cannot read this PDF"),
    ("not a PDF", "cannot read this PDF"),
])
def test_pdfs_that_cannot_be_read_are_refused_cleanly(blank, tmp_path, case, message):
    path = tmp_path / "paper.pdf"
    path.write_bytes({"scan": SCAN.read_bytes(), "locked": _locked("secret"),
                      "truncated": NODE.read_bytes()[:4000], "not a PDF": b"%PDF-1.7\nnothing else"}[case])
    before = snapshot(blank)
    result = run(blank, "source", "add", str(path), "--id", "paper", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output and "nothing written" in result.output
    assert snapshot(blank) == before


def test_a_pdf_locked_only_against_changes_is_read(blank, tmp_path):
    path = tmp_path / "paper.pdf"
    path.write_bytes(_locked(""))  # opens without a password, as most "secured" PDFs do
    result = run(blank, "source", "add", str(path), "--id", "paper", "--author", "A", "--title", "T", "--yes")
    assert result.exit_code == 0, result.output
    assert "created equal" in (blank / "seeds" / "paper.txt").read_text()


def test_update_with_a_new_pdf_records_its_pages(blank, tmp_path):
    assert run(blank, "source", "add", str(FOOTNOTES), "--id", "paper", "--author", "A", "--title", "T",
               "--no-headings", "--yes").exit_code == 0
    result = run(blank, "source", "update", "paper", str(FOP))
    assert result.exit_code == 0, result.output
    source = pipeline.load_glossary(blank)[0].sources["paper"]
    assert source.pages and source.page_labels == ("3", "4", "5") and "fop-valgrind-core.pdf" in source.version


def test_the_sites_page_of_a_pdf_shows_its_pages_and_the_quote_on_its_page(blank):
    from tests.browser import Browser

    assert run(blank, "source", "add", str(FOP), "--id", "valgrind", "--author", "Valgrind developers", "--title",
               "Valgrind User Manual", "--url", "https://valgrind.org/docs/manual/valgrind_manual.pdf",
               "--yes").exit_code == 0
    quote = "Valgrind simulates every single instruction your program executes"
    assert run(blank, "add", "--term", "simulated CPU", "--definition", "d.", "--gloss", "g.", "--cite",
               "valgrind", quote).exit_code == 0
    built = pipeline.build(blank, targets=("html",)).outputs["html"]
    browser = Browser()
    try:
        page = browser.page(width=900, height=700)
        page.goto((built / "terms" / "simulated-cpu.html").as_uri())
        assert page.locator("a.original").get_attribute("href") == \
            "https://valgrind.org/docs/manual/valgrind_manual.pdf#page=1"
        page.locator("a.in-context").click()
        marks = page.locator(".page-mark")
        assert [marks.nth(i).inner_text() for i in range(marks.count())] == ["p.\u00a03", "p.\u00a04", "p.\u00a05"]
        passage = page.locator("mark.passage").first
        assert " ".join(passage.inner_text().split()).startswith("Valgrind simulates every single instruction")
        # the passage stands after page 3's mark and before page 4's, as in the original
        first, second = (marks.nth(i).bounding_box()["y"] for i in (0, 1))
        assert first < passage.bounding_box()["y"] < second
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "pdf-source-page-900.png"))
        assert not browser.outside
    finally:
        browser.close()


SHOTS = Path(__file__).resolve().parent.parent / "build" / "site-screenshots"
