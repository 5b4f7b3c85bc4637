"""Text from answers and data reads in every Markdown document exactly as typed.

Checked with a real CommonMark renderer (with GitHub's tables and strikethrough):
each escaping function's output is rendered at the start of a line, inside one, in
a heading and in a table cell, and the displayed text must equal the input.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest
from markdown_support import visible_text
from ucforge_support import ROOT

# Markup of every kind a name, a title or a data value may hold by accident.
CORPUS = [
    "<!-- hidden --> comment",
    "*a* **b** _c_ __d__",
    "`code` ``more``",
    "&lt;b&gt; &#60; &#x3C; &amp; &copy;",
    "<b>bold</b> <https://example.com> <?php ?> <div>",
    "a | pipe",
    "back\\slash \\* \\n",
    "snake_case stays and _em_ does not",
    "- a list item",
    "+ another",
    "* a third",
    "1. ordered",
    "2) ordered too",
    "# heading",
    "## heading ##",
    "Team #",
    "#",
    "> quoted",
    "---",
    "***",
    "[link](https://example.com) ![image](x.png) [^1]",
    "[ref]: https://example.com",
    "~~struck~~ ~single~",
    "$x^2$ maths",
    ":smile: emoji code",
    "R&D, 5 < 7 > 3, 100% sure",
    'Tomás O\'Neil "Ton" — 😀',
    "   spaced    out   ",
    "\\",
    "-",
]


def load(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def markup() -> ModuleType:
    return load("markdown_test_markup", "planning/src/ucforge_planning/markup.py")


@pytest.fixture(scope="module")
def contract_docs() -> ModuleType:
    folder = ROOT / "template/packages/data-pipeline/src/{{ package_name }}_pipeline"
    spec = importlib.util.spec_from_file_location(
        "markdown_test_pipeline",
        folder / "__init__.py",
        submodule_search_locations=[str(folder)],
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["markdown_test_pipeline"] = package
    spec.loader.exec_module(package)
    return importlib.import_module("markdown_test_pipeline.contract_docs")


def shown(markdown: str, before: str) -> str:
    """The displayed text after the fixed words that precede the value."""
    seen = visible_text(markdown)
    assert seen.startswith(before), (markdown, seen)
    return seen[len(before) :].strip()


@pytest.mark.parametrize("value", CORPUS)
def test_prose_shows_the_text_as_typed_anywhere_on_a_line(
    markup: ModuleType, value: str
) -> None:
    typed = " ".join(value.split())
    escaped = markup.text(value)
    assert shown(escaped + "\n", "") == typed
    assert shown(f"Owner: {escaped}\n", "Owner:") == typed
    assert shown(f"# UC-001 {escaped}\n", "UC-001") == typed


@pytest.mark.parametrize("value", CORPUS)
def test_a_table_cell_shows_the_text_as_typed(markup: ModuleType, value: str) -> None:
    table = f"| Name | Other |\n| --- | --- |\n| {markup.cell(value)} | x |\n"
    seen = shown(table, "Name Other")
    assert seen.endswith(" x")
    assert seen[: -len(" x")] == " ".join(value.split())


def test_plain_text_stays_plain_in_the_source(markup: ModuleType) -> None:
    # Only what could start markup is escaped: the source still reads as typed.
    for plain in ("Priya Natarajan", "customer_id", "R&D", "-5% drift", "2027-01-04"):
        assert markup.text(plain) == plain


@pytest.mark.parametrize("value", CORPUS)
def test_the_generated_documents_escape_like_the_plan(
    markup: ModuleType, contract_docs: ModuleType, value: str
) -> None:
    # The data documents of a generated project (data dictionary, model report)
    # cannot import the planning engine; their cell escaping is the same rule.
    assert contract_docs.md_cell(value) == markup.inline(value)


def test_the_copy_time_filters_are_the_engines_escaping(markup: ModuleType) -> None:
    extension = load("markdown_test_extension", "extensions/ucforge.py")
    for value in CORPUS:
        assert extension.md_text(value) == markup.text(value)
        assert extension.md_cell(value) == markup.cell(value)
