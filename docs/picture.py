"""Make docs/outputs.png, the README's picture of what glossdeck builds, from a fresh build of the shipped glossary.

A card of the deck as Anki renders it, a page of the booklet, a sheet of flashcards and a term's page on the site
on a phone, and a page of the EPUB: each drawn by its real consumer (the `anki` package and Chromium, pdftoppm for
the PDFs, MuPDF for the EPUB). Needs the test extra, Debian's chromium, poppler-utils and mupdf-tools.

    .venv/bin/python docs/picture.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
HEIGHT = 620  # every panel is scaled to this height
GAP = 24
TERM = "mesa-optimizer"
EPUB_PAGE = 4  # a page of the first essay: passages highlighted, the terms quoting them, a term as a note


def build(folder: Path) -> dict[str, Path]:
    from glossdeck import pipeline

    root = folder / "project"
    for part in ("glossary", "seeds"):
        shutil.copytree(REPO / part, root / part)
    outputs = dict(pipeline.build(root, out=folder / "build", timestamp=1_700_000_000).outputs)
    return outputs


def pdf_page(pdf: Path, page: int, out: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out)], check=True)
    return Image.open(f"{out}.png").convert("RGB")


def booklet_page_with(pdf: Path, text: str) -> int:
    from pypdf import PdfReader

    for number, page in enumerate(PdfReader(pdf).pages, 1):
        if number > 4 and text in (page.extract_text() or ""):
            return number
    return 1


def epub_page(epub: Path, page: int, out: Path) -> Image.Image:
    """A page of the EPUB as MuPDF lays it out (a reading system's page, at a phone's size)."""
    subprocess.run(["mutool", "draw", "-q", "-r", "110", "-W", "360", "-H", "640", "-o", f"{out}.png", str(epub),
                    str(page)], check=True, capture_output=True)
    return Image.open(f"{out}.png").convert("RGB")


def card_answer(deck: Path, folder: Path, browser) -> Image.Image:
    from anki.collection import Collection

    from glossdeck.render.anki import CSS
    from tests.anki_client import import_package

    collection = Collection(str(folder / "collection.anki2"))
    import_package(collection, deck)
    note = collection.get_note(collection.find_notes(f'"TermId:{TERM}"')[0])
    html = note.cards()[0].answer()
    collection.close()
    page = browser.new_page(viewport={"width": 390, "height": 800}, device_scale_factor=2)
    page.set_content(f"<!doctype html><html><head><meta name='viewport' content='width=device-width'>"
                     f"<style>{CSS}</style></head><body><div class='card'>{html}</div></body></html>")
    page.locator("details > summary").first.click()
    shot = folder / "card.png"
    page.screenshot(path=str(shot))
    page.close()
    return Image.open(shot).convert("RGB")


def site_page(site: Path, folder: Path, browser) -> Image.Image:
    page = browser.new_page(viewport={"width": 390, "height": 800}, device_scale_factor=2)
    page.goto((site / "terms" / f"{TERM}.html").as_uri())
    shot = folder / "site.png"
    page.screenshot(path=str(shot))
    page.close()
    return Image.open(shot).convert("RGB")


def labelled(image: Image.Image, label: str) -> Image.Image:
    scaled = image.resize((round(image.width * HEIGHT / image.height), HEIGHT), Image.LANCZOS)
    panel = Image.new("RGB", (scaled.width, HEIGHT + 40), "white")
    panel.paste(scaled, (0, 40))
    draw = ImageDraw.Draw(panel)
    try:
        font = ImageFont.truetype(str(REPO / "src" / "glossdeck" / "fonts" / "CharisSIL-Bold.ttf"), 22)
    except OSError:
        font = ImageFont.load_default()
    draw.text((4, 6), label, fill="#333333", font=font)
    draw.rectangle([0, 40, scaled.width - 1, HEIGHT + 39], outline="#bbbbbb")
    return panel


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        outputs = build(folder)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            panels = [
                labelled(card_answer(outputs["deck"], folder, browser), "Anki deck"),
                labelled(pdf_page(outputs["booklet"], booklet_page_with(outputs["booklet"], TERM),
                                  folder / "booklet"), "Booklet (A5)"),
                labelled(pdf_page(outputs["cards"], 2, folder / "cards"), "Flashcards (backs)"),
                labelled(site_page(outputs["html"], folder, browser), "Web site, on a phone"),
                labelled(epub_page(outputs["epub"], EPUB_PAGE, folder / "epub"), "EPUB, in MuPDF"),
            ]
            browser.close()
    width = sum(p.width for p in panels) + GAP * (len(panels) - 1)
    picture = Image.new("RGB", (width, panels[0].height), "white")
    x = 0
    for panel in panels:
        picture.paste(panel, (x, 0))
        x += panel.width + GAP
    picture.thumbnail((1800, 1800), Image.LANCZOS)
    target = REPO / "docs" / "outputs.png"
    picture.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)  # text: 128 colours do
    print(f"wrote {target} ({picture.width}×{picture.height})")


if __name__ == "__main__":
    main()
