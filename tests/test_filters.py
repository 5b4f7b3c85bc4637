"""The extension's filters inside copier's own Jinja, on a template of five lines.

A full render costs seconds; what these tests prove (an answer written into TOML,
YAML, Python or Markdown reads back as typed) needs only the filters and copier's
environment, so each runs a tiny template that loads the real extension.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import copier
import pytest
import yaml
from ucforge_support import ROOT

TINY_TEMPLATE = {
    "copier.yml": (
        "_subdirectory: files\n"
        "_envops:\n"
        "  keep_trailing_newline: true\n"
        "_jinja_extensions:\n"
        "  - copier_template_extensions.TemplateExtensionLoader\n"
        "  - extensions/ucforge.py:UcforgeExtension\n"
        "value:\n"
        "  type: str\n"
    ),
    "files/out.toml.jinja": "value = {{ value | toml_str }}\n",
    "files/out.yaml.jinja": "value: {{ value | yaml_str }}\n",
    "files/out.py.jinja": "VALUE = {{ value | py_str }}\n",
    "files/out.md.jinja": (
        "| Name | Other |\n| --- | --- |\n| {{ value | md_cell }} | x |\n"
    ),
}
VALUES = [
    'say "hi"',
    "back\\slash and \\n literally",
    "{{ 7*7 }} {% raw %} #{x}",
    "café — 😀 Zoë",
    "'single' and `ticks` $(touch PWNED)",
    "a | pipe",
    "tab\there",
    "delete\x7fhere",
    "next\x85line",
    "line\u2028separator and paragraph\u2029separator",
    "bell\x07",
]


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "template"
    folder.mkdir()
    (folder / "files").mkdir()
    for name, text in TINY_TEMPLATE.items():
        (folder / name).write_text(text, encoding="utf-8")
    # The real extension, which finds the engine beside itself in this checkout.
    (folder / "extensions").symlink_to(ROOT / "extensions")
    return folder


def render(template: Path, destination: Path, value: str) -> Path:
    copier.run_copy(
        str(template),
        str(destination),
        data={"value": value},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return destination


@pytest.mark.parametrize("value", VALUES)
def test_quoted_answers_read_back_as_typed(
    value: str, tiny_template: Path, tmp_path: Path
) -> None:
    out = render(tiny_template, tmp_path / "out", value)
    assert tomllib.loads((out / "out.toml").read_text("utf-8"))["value"] == value
    assert yaml.safe_load((out / "out.yaml").read_text("utf-8"))["value"] == value
    module = ast.parse((out / "out.py").read_text("utf-8"))
    assignment = module.body[0]
    assert isinstance(assignment, ast.Assign)
    assert ast.literal_eval(assignment.value) == value
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("value", VALUES)
def test_a_table_cell_stays_one_cell(
    value: str, tiny_template: Path, tmp_path: Path
) -> None:
    out = render(tiny_template, tmp_path / "out", value)
    row = (out / "out.md").read_text("utf-8").splitlines()[2]
    # Cells are split at pipes a backslash does not escape.
    cells, current, escaped = [], "", False
    for char in row.strip("|"):
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    cells.append(current)
    assert len(cells) == 2, row
    assert cells[1].strip() == "x"
