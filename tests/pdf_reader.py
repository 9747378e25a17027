"""Reading built PDFs back with pypdf: text, fonts, links and outline, as a viewer sees them."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject


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


def internal_links(reader: PdfReader) -> list[tuple[int, int]]:
    """(page of the link, page its destination lands on) for every internal link."""
    links = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None and action.get_object().get("/S") == "/GoTo":
                dest = action.get_object().get("/D")
            if dest is None:
                continue
            if isinstance(dest, IndirectObject):
                dest = dest.get_object()
            if not isinstance(dest, list):
                dest = reader.named_destinations[str(dest)]
                links.append((number, reader.get_destination_page_number(dest)))
                continue
            links.append((number, reader.get_page_number(dest[0].get_object().indirect_reference
                                                         if hasattr(dest[0], "get_object") else dest[0])))
    return links


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
