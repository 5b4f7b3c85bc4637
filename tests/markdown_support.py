"""What a reader sees of a Markdown document, as CommonMark with GitHub's tables and
strikethrough renders it: the text of the HTML, outside code blocks."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
CODE_BLOCK = re.compile(r"<pre><code[^>]*>.*?</code></pre>", re.DOTALL)
TAG = re.compile(r"<[^>]*>")


def visible_text(markdown: str) -> str:
    """The document's text as displayed, whitespace collapsed; code blocks left out
    (a diagram or a command is not prose)."""
    rendered = CODE_BLOCK.sub(" ", RENDERER.render(markdown))
    return " ".join(html.unescape(TAG.sub(" ", rendered)).split())


def shown_as_typed(text: str, markdown: str) -> bool:
    """Whether `text` (collapsed like the display) reads as typed in the document."""
    return " ".join(text.split()) in visible_text(markdown)
