"""Markdown escaping: free text shown literally in tables, prose and code spans."""

from __future__ import annotations

import re

# A full stop, exclamation or question mark (or an ellipsis), then closing quotes
# or brackets, at the end of the text.
SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]\u00bb]*$")


def cell(value: object) -> str:
    """Text safe in a Markdown table cell: one line, pipes and markup escaped."""
    return text(value).replace("|", "\\|") or "-"


def text(value: object) -> str:
    """Free text shown literally in Markdown: one line, markup characters escaped."""
    joined = " ".join(str(value).split())
    escaped = re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", joined)
    return escaped.replace("\\|", "|")


def code(value: object) -> str:
    """Inline code that holds any text (backticks included)."""
    raw = " ".join(str(value).split())
    fence = "`" * (max((len(m) for m in re.findall(r"`+", raw)), default=0) + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


def end_sentence(value: str) -> str:
    """The text as a finished sentence: a period added unless it ends in . ! or ?.

    A closing quote or bracket after the mark still counts as finished.
    """
    stripped = value.rstrip()
    if not stripped or SENTENCE_END.search(stripped):
        return stripped
    return stripped + "."
