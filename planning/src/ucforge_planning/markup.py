"""Markdown escaping: free text shown literally in tables, prose and code spans.

Text from the answers and from tasks.yaml (names, titles, notes) must read in the
rendered document exactly as it was typed, in CommonMark and in GitHub's flavour
(tables, strikethrough, math, emoji short codes). Only what could start markup is
escaped, with a backslash, so the Markdown source still reads as plain text.
"""

from __future__ import annotations

import re

# A full stop, exclamation or question mark (or an ellipsis), then closing quotes
# or brackets, at the end of the text.
SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]\u00bb]*$")

# Characters that start or end markup wherever they stand: emphasis, code, links,
# raw HTML and comments, strikethrough, math, table cells, backslash escapes.
_ALWAYS = re.compile(r"([\\`*\[\]<~$|])")
# An underscore opens or closes emphasis only next to something that is not a
# letter or digit; inside a word (snake_case) it is text.
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# An entity or numeric character reference (&amp; &#60; &#x3C;) would show as the
# character it names, not as typed.
_REFERENCE = re.compile(
    r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]*;)"
)
# A GitHub emoji short code (:smile:) would show as a picture.
_SHORT_CODE = re.compile(r":(?=[a-z0-9_+-]+:)")
# Hashes ending a heading line are its closing sequence, not text.
_CLOSING_HASHES = re.compile(r"(?:^|(?<= ))#(?=#*$)")
# What makes a line a heading, quote or list item when the text starts the line.
_LINE_START = re.compile(
    r"^(?:(>)|(#|\+|-)(?=#{0,5}(?: |$))|(-)(?=-)|(\d{1,9})([.)])(?= |$))"
)


def inline(value: object) -> str:
    """Text shown literally inside a line of Markdown or a table cell: one line,
    every character that could start inline markup escaped."""
    joined = " ".join(str(value).split())
    escaped = _ALWAYS.sub(r"\\\1", joined)
    escaped = _LONE_UNDERSCORE.sub(r"\\_", escaped)
    escaped = _REFERENCE.sub(r"\\&", escaped)
    escaped = _CLOSING_HASHES.sub(r"\\#", escaped)
    return _SHORT_CODE.sub(r"\\:", escaped)


def text(value: object) -> str:
    """Free text shown literally in Markdown prose, at the start of a line too."""
    return _LINE_START.sub(_escape_line_start, inline(value))


def _escape_line_start(found: re.Match[str]) -> str:
    marker = found[1] or found[2] or found[3]
    if marker:
        return "\\" + marker
    return f"{found[4]}\\{found[5]}"


def cell(value: object) -> str:
    """Text safe in a Markdown table cell: one line, markup escaped, '-' when empty."""
    return inline(value) or "-"


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
