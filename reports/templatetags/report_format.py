"""Template filters of the report's narrative text. Figures are printed by the ``figures`` library."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def lines(text):
    """Split a one-item-per-line text into its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def paragraphs(text):
    """Narrative text as blocks: ("p", text) for paragraphs, ("ul", [items]) for runs of "- " lines."""
    blocks: list[tuple[str, object]] = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        chunk_lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not chunk_lines:
            continue
        if all(line.startswith("- ") for line in chunk_lines):
            blocks.append(("ul", [line[2:].strip() for line in chunk_lines]))
        else:
            blocks.append(("p", " ".join(chunk_lines)))
    return blocks
