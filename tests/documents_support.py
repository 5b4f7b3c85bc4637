"""The commands a generated project's Markdown names: fenced code and code spans."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_in(markdown: str) -> Iterator[str]:
    """Each line of a fenced block, and each inline code span, of a Markdown text."""
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            yield line.strip()
        else:
            yield from CODE_SPAN.findall(line)


def documented(project: Path, pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """What `pattern` captures at the start of a command in the project's Markdown.

    A command starts a code line or span, or follows `&&` in one. The result maps
    each capture to the files that name it.
    """
    found: dict[str, list[str]] = {}
    for document in sorted(project.rglob("*.md")):
        if ".venv" in document.parts:
            continue
        for code in code_in(document.read_text(encoding="utf-8")):
            for command in code.split("&&"):
                match = pattern.match(command.strip())
                if match:
                    name = str(document.relative_to(project))
                    found.setdefault(match.group(1).strip(), []).append(name)
    return found
