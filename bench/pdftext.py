"""How well each library reads the words of a PDF: pypdf and pdfminer.six against poppler's pdftotext.

For each PDF (tests/fixtures/pdfs, and any given on the command line), the words each library reads are compared
with those pdftotext reads (poppler, the reference most viewers agree with): precision (share of its words that
pdftotext also reads: split or glued words lower it) and recall (share of pdftotext's words it reads), and the CPU
time it takes. Then glossdeck's own reading (formats/pdf.py, pdfminer.six with running heads, page numbers and
footnote marks left out) for its time. Needs `pdftotext` (Debian: poppler-utils). Prints a table; asserts nothing.

    .venv/bin/python bench/pdftext.py
    .venv/bin/python bench/pdftext.py /usr/share/doc/*/*.pdf
"""

from __future__ import annotations

import collections
import logging
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pypdf
from pdfminer.high_level import extract_text

from glossdeck.formats import pdf

PDFS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdfs"
_WORDS = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})


def words(text: str) -> collections.Counter[str]:
    return collections.Counter(w.casefold() for w in _WORDS.findall(text.translate(_LIGATURES)))


def main() -> None:
    logging.disable(logging.WARNING)  # the libraries' notes about fonts
    files = [Path(a) for a in sys.argv[1:]] or sorted(PDFS.glob("*.pdf"))
    readers: dict[str, Callable[[Path], str]] = {
        "pypdf": lambda f: "\n".join(page.extract_text() for page in pypdf.PdfReader(f).pages),
        "pdfminer.six": lambda f: str(extract_text(f)),
    }
    print(f"{'file':44}" + "".join(f" | {name:^26}" for name in readers) + " | glossdeck")
    print(f"{'':44}" + " | precision recall  cpu s" * len(readers) + " |  cpu s")
    for path in files:
        reference = words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
        if not reference:
            print(f"{path.name[:44]:44} | (pdftotext reads no words: a scan without text)")
            continue
        row = f"{path.name[:44]:44}"
        for read in readers.values():
            start = time.process_time()
            got = words(read(path))
            seconds = time.process_time() - start
            common = sum((got & reference).values())
            row += (f" | {common / max(1, sum(got.values())):9.3f} {common / sum(reference.values()):6.3f}"
                    f" {seconds:6.2f}")
        start = time.process_time()
        pdf.read(path, path.read_bytes())
        print(row + f" | {time.process_time() - start:6.2f}", flush=True)


if __name__ == "__main__":
    main()
