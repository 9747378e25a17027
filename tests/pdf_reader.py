"""Reading built PDFs back with pypdf: text, fonts, links and outline, as a viewer sees them."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def fonts_by_page(reader: PdfReader) -> list[dict[str, bool]]:
    """For each page: base font name → whether its font program is embedded."""
    result = []
    for page in reader.pages:
        found: dict[str, bool] = {}
        resources = page.get("/Resources", {})
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
        result.append(found)
    return result


def page_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def outline_titles(reader: PdfReader) -> list[tuple[str, int]]:
    result = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                result.append((str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline)
    return result


def text_runs(page) -> list[tuple[float, str, float, str]]:  # type: ignore[no-untyped-def]
    """(baseline y, font name, font size, text) of every text run on the page, in drawing order."""
    runs = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip() and font is not None:
            runs.append((round(tm[5] * cm[3] + cm[5], 1), str(font.get("/BaseFont", "")),
                         round(size * tm[3] * cm[3], 2), text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def link_targets(reader: PdfReader) -> list[tuple[int, int, float]]:
    """(page of the link, page it lands on, top of the view it opens) for every internal link."""
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if dest is not None:
                found.append((number, reader.get_page_number(dest[0].get_object()), float(dest[3])))
    return found


def glyph_boxes(path: Path) -> list[tuple[tuple[float, float, float, float], list[tuple[str, tuple[float, ...]]]]]:
    """For each page: its media box, and every drawn character with its box (x0, y0, x1, y1) in points,
    forms and transformations applied (pdfminer.six, without its layout analysis: only positions)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    def chars(item):  # type: ignore[no-untyped-def]
        if isinstance(item, LTChar):
            yield item.get_text(), (item.x0, item.y0, item.x1, item.y1)
        elif isinstance(item, LTContainer):
            for child in item:
                yield from chars(child)

    resources = PDFResourceManager()
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    with path.open("rb") as file:
        for page in PDFPage.get_pages(file):
            interpreter.process_page(page)
            layout = device.get_result()
            pages.append((tuple(layout.bbox), list(chars(layout))))
    return pages
