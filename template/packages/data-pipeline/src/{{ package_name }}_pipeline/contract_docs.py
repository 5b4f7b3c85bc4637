"""Documents from the contract: the README's data section, the pipeline's outputs,
and the Markdown pieces every document that describes the data shares (cells,
names, a column's uses, a generated section between two markers).

Pure text functions over a DataContract, with the standard library only, so that
the same code writes the section when the repository is generated and whenever
`contract infer` adopts another dataset.

Public names: SECTION_BEGIN, SECTION_END, MODEL_CARD_BEGIN, MODEL_CARD_END,
OUTPUTS_BEGIN, OUTPUTS_END, md_cell, code_span, column_uses, readme_data_section,
model_card_data_section, pipeline_outputs_section, section_of, replace_section.
"""

from __future__ import annotations

import re
import textwrap

from .contract import ROW_KEY, DataContract

SECTION_BEGIN = "<!-- data-contract:begin -->"
SECTION_END = "<!-- data-contract:end -->"
MODEL_CARD_BEGIN = "<!-- model-card-data:begin -->"
MODEL_CARD_END = "<!-- model-card-data:end -->"
OUTPUTS_BEGIN = "<!-- pipeline-outputs:begin -->"
OUTPUTS_END = "<!-- pipeline-outputs:end -->"

# What could start markup in a line of Markdown, escaped with a backslash so the
# source still reads as plain text: emphasis, code, links, raw HTML, strikethrough,
# math, cells; an underscore only outside a word, an ampersand only where it would
# begin a character reference, a colon only where it would begin an emoji code.
_ALWAYS = re.compile(r"([\\`*\[\]<~$|])")
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_REFERENCE = re.compile(
    r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]*;)"
)
_CLOSING_HASHES = re.compile(r"(?:^|(?<= ))#(?=#*$)")
_SHORT_CODE = re.compile(r":(?=[a-z0-9_+-]+:)")


def md_cell(text: str) -> str:
    """Text shown as typed in a Markdown table cell or inside a line, on one line."""
    escaped = _ALWAYS.sub(r"\\\1", " ".join(str(text).split()))
    escaped = _LONE_UNDERSCORE.sub(r"\\_", escaped)
    escaped = _REFERENCE.sub(r"\\&", escaped)
    escaped = _CLOSING_HASHES.sub(r"\\#", escaped)
    return _SHORT_CODE.sub(r"\\:", escaped)


def code_span(text: str) -> str:
    """A name in code style, whatever characters it holds (safe in a table cell)."""
    name = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in name else "`"
    pad = " " if "`" in name else ""
    return f"{fence}{pad}{name}{pad}{fence}"


def column_uses(contract: DataContract, name: str) -> str:
    """What the contract uses a column for: id, event time, feature, slice, ..."""
    column = contract.column(name)
    uses = []
    if name == contract.id_column:
        uses.append("id")
    if name == contract.event_time:
        uses.append("event time")
    if name == contract.group_column:
        uses.append("group")
    if column.is_feature:
        uses.append("feature")
    if column.slice:
        uses.append("slice")
    if column.sensitive:
        uses.append("sensitive")
    if column.personal:
        uses.append("personal")
    return ", ".join(uses) or "kept, not a feature"


def _split_rule(contract: DataContract) -> str:
    """How training divides the rows into trained-on and tested-on, in words."""
    if contract.event_time:
        rule = (
            "the model is trained on the earlier rows and tested on the latest, by "
            f"{code_span(contract.event_time)}"
        )
        if contract.group_column:
            rule += f", even where one {code_span(contract.group_column)} has both"
    elif contract.group_column:
        rule = (
            f"rows that share a {code_span(contract.group_column)} stay on one "
            "side, so the model is tested on groups it was not trained on"
        )
    elif contract.problem_type == "binary_classification":
        rule = "rows are held out at random, in the label's proportions"
    else:
        rule = "rows are held out at random"
    return rule + "; the cross-validation folds divide the rest the same way"


def readme_data_section(contract: DataContract, cli: str) -> str:
    """The README's data section, markers included, ending with a newline."""
    entity = contract.entity
    key = (
        f"{code_span(contract.id_column)} identifies a {md_cell(entity.singular)}"
        if contract.id_column
        else f"rows have no id column; each is keyed by {code_span(ROW_KEY)}, a hash "
        "of its own values"
    )
    label = contract.label
    if contract.problem_type == "binary_classification":
        target = (
            f"{code_span(label.name)}, positive when it is "
            f"{code_span(label.positive or '')}, negative when "
            f"{code_span(label.negative or '')}"
        )
    else:
        target = f"{code_span(label.name)}, a number"
    timing = (
        f"{code_span(contract.event_time)} dates each row; stored data is partitioned "
        "by its month"
        if contract.event_time
        else "no event-time column; stored data is partitioned by the month of loading"
    )
    lines = [
        SECTION_BEGIN,
        "## Your data",
        "",
        _wrap(
            "`contract.yaml` says what one row of the raw data is: one "
            f"{md_cell(entity.singular)} per row. Every "
            "package reads it at run time: validation and quarantine, storage, the "
            "sample generator, the features, the API's request models, and this "
            "section."
        ),
        "",
        _wrap(f"- Key: {key}.", indent="  "),
        _wrap(f"- Label: {target}.", indent="  "),
        _wrap(f"- Time: {timing}.", indent="  "),
        _wrap(f"- Split: {_split_rule(contract)}.", indent="  "),
        "",
        "| Column | Type | Rule | Used as |",
        "| --- | --- | --- | --- |",
    ]
    for column in contract.columns:
        rule, uses = md_cell(column.describe()), column_uses(contract, column.name)
        lines.append(f"| {code_span(column.name)} | {column.type} | {rule} | {uses} |")
    lines += [
        "",
        _wrap(
            "To adopt your own data, point the contract at a sample of it, check a "
            "file, and run the skeleton on it:"
        ),
        "",
        "```bash",
        f"{cli} contract infer PATH --target COLUMN [--id COLUMN] [--entity WORD]",
        f"{cli} contract check PATH",
        f"{cli} pipeline run --source PATH",
        f"{cli} features build",
        f"{cli} train",
        f"{cli} evaluate",
        f"{cli} promote",
        f"{cli} serve",
        "```",
        "",
        _wrap(
            "`contract infer` refuses to replace a contract edited by hand unless you "
            "pass `--force`. `make demo` and `data generate` use synthetic rows shaped "
            "like the contract: the demo runs in its own folder, `.demo/`, and "
            "`data generate` never overwrites a raw file it did not write."
        ),
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str = "") -> str:
    """A paragraph wrapped as the rest of the README is, never inside a code span."""
    return textwrap.fill(
        text,
        width=84,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _names(items: tuple[str, ...]) -> str:
    """Names in code style joined in prose: `a`, `b` and `c`."""
    spans = [code_span(item) for item in items]
    return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]


def model_card_data_section(
    contract: DataContract, *, pseudonymised: bool, dictionary: bool
) -> str:
    """The model card's data, slices, sensitive and personal columns, with markers.

    `pseudonymised`: personal columns are pseudonymised before storage (the
    compliance answers); `dictionary`: the repository has a data dictionary.
    """
    entity, label = contract.entity, contract.label
    inputs, read = len(contract.columns), len(contract.feature_columns)
    seen = " (see the [data dictionary](data-dictionary.md))" if dictionary else ""
    described = f": {label.description}" if label.description else ""
    plural = md_cell(entity.plural[:1].upper() + entity.plural[1:])
    lines = [
        MODEL_CARD_BEGIN,
        "## Training and evaluation data",
        "",
        _wrap(
            f"{plural}, one row each, as `contract.yaml` describes them{seen}: "
            f"{inputs} input column{'' if inputs == 1 else 's'}, of which the model "
            f"reads {read} as {'it is' if read == 1 else 'they are'}. The label is "
            f"{code_span(label.name)}{md_cell(described)}. Rows that break the "
            "contract are quarantined, never trained on. Split: "
            f"{_split_rule(contract)}. Each version records the SHA-256 of the "
            "feature set it was trained on (`data_hash`)."
        ),
        "",
    ]
    slices, personal = contract.slice_columns, contract.personal_columns
    if slices:
        lines.append(
            _wrap(
                f"- Slices: each version's card reports the primary metric for each "
                f"value of {_names(slices)}, and a slice gap table of how far apart "
                "the best and the worst value are. _Record here why any flagged gap "
                "is acceptable, or what was done about it._",
                indent="  ",
            )
        )
    else:
        lines.append(
            _wrap(
                "- Slices: the contract marks no slice column, so the cards have no "
                f"slice gap table: mark the columns that groups of "
                f"{md_cell(entity.plural)} differ by with `slice: true` in "
                "`contract.yaml`.",
                indent="  ",
            )
        )
    sensitive = contract.sensitive_columns
    if sensitive:
        lines.append(
            _wrap(
                f"- Sensitive attributes: each version's evaluation report compares "
                f"the model's rates across the groups of {_names(sensitive)} "
                "(section Fairness). _Record here which gaps are acceptable for the "
                "intended use, and why._",
                indent="  ",
            )
        )
    if personal:
        verb, noun = ("is", "a feature") if len(personal) == 1 else ("are", "features")
        stored = ", and pseudonymised before storage" if pseudonymised else ""
        lines.append(
            _wrap(
                f"- Personal data: {_names(personal)} {verb} never {noun}{stored}.",
                indent="  ",
            )
        )
    lines.append(MODEL_CARD_END)
    return "\n".join(lines) + "\n"


def pipeline_outputs_section(contract: DataContract) -> str:
    """Where the pipeline writes the contract's dataset, markers included."""
    dataset = contract.dataset_name
    curated = f"data/curated/{dataset}/{contract.partition_column}=YYYY-MM/*.parquet"
    lines = [
        OUTPUTS_BEGIN,
        _wrap(
            "Outputs, relative to the repository root (folders come from "
            "`configs/<env>.yaml`; files are named after the dataset, the entity's "
            f"plural in `contract.yaml`: {code_span(dataset)}). `contract infer` and "
            "`features docs` rewrite this table when the contract changes."
        ),
        "",
        "| Output | Where |",
        "| --- | --- |",
        f"| Raw sample | {code_span(f'data/raw/{dataset}.csv')}, and "
        f"{code_span(f'{dataset}.csv.sample.json')} beside it |",
        f"| Curated data | {code_span(curated)} |",
        "| Quarantine | `data/quarantine/<source file name>.parquet`: `source_row`, "
        "`reason`, the raw values |",
        OUTPUTS_END,
    ]
    return "\n".join(lines) + "\n"


def section_of(
    text: str, begin: str = SECTION_BEGIN, end: str = SECTION_END
) -> str | None:
    """The generated section of a document, markers included, or None."""
    start = text.find(begin)
    stop = text.find(end, start + 1)
    if start < 0 or stop < 0:
        return None
    return text[start : stop + len(end)] + "\n"


def replace_section(
    text: str, section: str, begin: str = SECTION_BEGIN, end: str = SECTION_END
) -> str:
    """`text` with its generated section replaced; unchanged when it has no markers."""
    start = text.find(begin)
    stop = text.find(end, start + 1)
    if start < 0 or stop < 0:
        return text
    tail = text[stop + len(end) :].removeprefix("\n")
    return text[:start] + section + tail
