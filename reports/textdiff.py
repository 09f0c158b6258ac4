"""The visible text of a report document as lines, and the lines that differ between two documents.

Pure functions over strings (no Django): a table row is one line, its cells joined by " | ", so
that a changed figure reads with its row ("150101 | Perú | … | 12,345"); every line carries the
heading of the section it stands in, so that a change says where it is.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Elements that end a line of text; cells only separate parts of their row's line.
_BLOCKS = frozenset(
    "address article aside blockquote body caption dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody tfoot thead tr ul br".split()
)
_ROWS = frozenset({"tr", "table", "thead", "tbody", "tfoot"})
_CELLS = frozenset({"td", "th", "text"})  # table cells, and the labels of an SVG chart
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_HIDDEN = frozenset({"head", "script", "style", "template", "title"})
_SPACE = re.compile(r"\s+")
CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class Line:
    section: str  # the nearest heading before the line ("" before the first one)
    text: str


@dataclass(frozen=True)
class Change:
    """Lines of the old document replaced by lines of the new one; either side may be empty."""

    section: str
    old: tuple[str, ...]
    new: tuple[str, ...]


class _TextLines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self._parts: list[str] = []  # the cells (or the one run of text) of the line being read
        self._text: list[str] = []  # the text of the current part
        self._hidden = 0
        self._heading: list[str] | None = None
        self._section = ""
        self._cells = 0  # depth of open table cells: paragraphs inside a cell stay on the row's line

    def _close_part(self, *, cell: bool = False) -> None:
        part = _SPACE.sub(" ", "".join(self._text)).strip()
        self._text = []
        # An empty cell keeps its place, so that a row's columns line up in the old and new lines.
        if part or cell:
            self._parts.append(part)

    def _close_line(self) -> None:
        self._close_part()
        if any(self._parts):
            self.lines.append(Line(self._section, CELL_SEPARATOR.join(self._parts)))
        self._parts = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif self._cells and tag in _BLOCKS and tag not in _ROWS:
            self._text.append(" ")
        elif tag in _BLOCKS:
            self._close_line()
            if tag in _ROWS:
                self._cells = 0
            if tag in _HEADINGS:
                self._heading = []
        elif tag in _CELLS:
            self._close_part()
            self._cells += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if self._cells and tag in _BLOCKS:
            self._text.append(" ")
        elif tag in _BLOCKS:
            self._close_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif self._cells and tag in _BLOCKS and tag not in _ROWS:
            self._text.append(" ")
        elif tag in _BLOCKS:
            if tag in _ROWS:
                self._cells = 0  # a cell left open by sloppy markup ends with its row
            if tag in _HEADINGS and self._heading is not None:
                self._close_part()
                self._section = " ".join(self._parts)
                self._close_line()
                self._heading = None
            else:
                self._close_line()
        elif tag in _CELLS:
            self._close_part(cell=True)
            self._cells = max(0, self._cells - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)


def visible_lines(html: str) -> list[Line]:
    """The text a reader sees in ``html``, line by line, each with the heading it stands under."""
    parser = _TextLines()
    parser.feed(html)
    parser.close()
    parser._close_line()
    return parser.lines


def changed_lines(old_html: str, new_html: str) -> list[Change]:
    """The lines of visible text that differ between two documents, in document order; [] when none do."""
    old, new = visible_lines(old_html), visible_lines(new_html)
    matcher = difflib.SequenceMatcher(a=[line.text for line in old], b=[line.text for line in new], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        anchor = new[j1] if j1 < len(new) and j2 > j1 else (old[i1] if i1 < len(old) else None)
        section = anchor.section if anchor else ""
        changes.append(
            Change(section, tuple(line.text for line in old[i1:i2]), tuple(line.text for line in new[j1:j2]))
        )
    return changes
