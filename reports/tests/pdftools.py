"""poppler-utils for the tests: the text of a PDF (pdftotext) and PNGs of chosen pages (pdftoppm)."""

import re
import shutil
import subprocess
from pathlib import Path


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is missing: install poppler-utils")
    return path


def pdf_text(pdf: Path, layout: bool = False) -> str:
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 - fixed tool, our file


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces (table cells land on separate lines in extracted text)."""
    return re.sub(r"\s+", " ", text)


def page_png(pdf: Path, page: int, out_prefix: Path, dpi: int = 60) -> Path:
    """Render one page to ``<out_prefix>.png``."""
    args = [_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run([*args, str(pdf), str(out_prefix)], check=True)  # noqa: S603 - fixed tool, our file
    return out_prefix.with_suffix(".png")


def page_of(pdf: Path, needle: str) -> int:
    """The 1-based number of the first page whose text contains ``needle`` (pages split on form feeds)."""
    for number, page in enumerate(pdf_text(pdf).split("\f"), start=1):
        if needle in flat(page):
            return number
    raise AssertionError(f"{needle!r} is on no page")
