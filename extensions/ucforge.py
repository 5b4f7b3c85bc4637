"""Jinja filters, globals and the context hook of the ucforge template.

Everything here is a pure function of its arguments: no subprocess, no network, no
file writes but one cache, of the templates compiled (`CompiledTemplates`).
Validators return an empty string when the answer is fine and otherwise
one message that names the question and the rule, which copier shows before it
writes anything.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import hashlib
import importlib
import importlib.util
import json
import keyword
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import pydantic
import yaml
from copier_template_extensions import ContextHook
from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache

# The planning engine and the data contract's models need this pydantic; copier
# itself accepts older ones, so say so instead of failing somewhere inside.
PYDANTIC_MIN = (2, 7)
if tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) < PYDANTIC_MIN:
    raise RuntimeError(
        f"ucforge needs pydantic >= 2.7 in copier's environment; found "
        f"{pydantic.VERSION}. Upgrade it in the environment that runs copier: "
        "pip install 'pydantic>=2.7'"
    )
# The template's own folder: the extension is loaded from extensions/ inside it.
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
DEMO_CONTRACT = TEMPLATE_ROOT / "includes" / "demo-contract.yaml"
# The generated package whose light modules the extension imports at copy time.
PIPELINE_DIR = "template/packages/data-pipeline/src/{{ package_name }}_pipeline"
# Import names the generated code cannot shadow.
RESERVED_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "ibis",
    "duckdb",
    "pandera",
    "mlflow",
    "fastapi",
    "sklearn",
    "pandas",
    "numpy",
    "click",
    "yaml",
    "pydantic",
    "tests",
}
# No braces or "$": configs/prod.yaml writes the URL as ${MLFLOW_TRACKING_URI:-URL}.
URL_PATTERN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d+)?(/[^\s\"'`$\\{}]*)?")
PACKAGE_NAME_MAX = 30
SLUG_MAX = 60


# ---------------------------------------------------------------------------
# Naming and escaping
# ---------------------------------------------------------------------------
def slugify(text: str, max_words: int = 0) -> str:
    """Lower-case ASCII words joined by hyphens: 'Café churn!' -> 'cafe-churn'."""
    ascii_text = (
        unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    )
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words) or "use-case"


# Characters a quoted string must not hold raw: JSON escapes C0 controls itself;
# DEL, the C1 controls and the Unicode line and paragraph separators read back as
# something else (or not at all) in YAML and TOML, so they are escaped too.
UNSAFE_IN_QUOTES = re.compile("[\x7f-\x9f\u2028\u2029]")


def quoted(value: Any) -> str:
    """A double-quoted string holding the value literally in TOML, YAML and Python.

    The three formats read JSON's string escapes alike, so one quoting serves the
    filters toml_str, yaml_str and py_str; each template names the format it writes.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return UNSAFE_IN_QUOTES.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def md_cell(value: Any) -> str:
    """Text shown as typed in a Markdown table cell (the engine's escaping)."""
    return str(MARKUP.cell(value))


def md_text(value: Any) -> str:
    """Text shown as typed in Markdown prose, at the start of a line too."""
    return str(MARKUP.text(value))


def title_case_role(role: str) -> str:
    """The role's name to start a table cell: 'ml_engineer' -> 'ML engineer'."""
    name = VOCABULARY.role_name(str(role))
    return name[:1].upper() + name[1:]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------
def parse_date(value: Any) -> dt.date | None:
    """The date in an ISO YYYY-MM-DD answer, or None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def next_monday(today: dt.date | None = None) -> str:
    """The next Monday after today (today itself if it is a Monday), ISO format."""
    day = today or dt.date.today()
    return (day + dt.timedelta(days=(7 - day.weekday()) % 7)).isoformat()


def add_weeks(value: Any, weeks: int) -> str:
    """ISO date `weeks` weeks after the given one; the input unchanged if invalid."""
    day = parse_date(value)
    if day is None:
        return str(value)
    return (day + dt.timedelta(weeks=int(weeks))).isoformat()


# ---------------------------------------------------------------------------
# Validators: '' when valid, else one message naming the question and the rule
# ---------------------------------------------------------------------------
def problems_use_case_id(value: Any) -> str:
    if not re.fullmatch(r"UC-\d{3}", str(value)):
        return (
            f"use_case_id must be 'UC-' followed by three digits, such as UC-042; "
            f"got {value!r}"
        )
    return ""


def _character(char: str) -> str:
    """A character as a message names it: U+0085 (NEXT LINE)."""
    name = unicodedata.name(char, "")
    if not name and 0xD800 <= ord(char) <= 0xDFFF:
        name = "a lone surrogate, which is not text"
    elif not name:
        name = "a control character"
    return f"U+{ord(char):04X} ({name})"


def _unreadable(text: str) -> str:
    """Why a text cannot be shown and saved as typed ('' when it can).

    A lone surrogate (from an escape in a data file) is not text at all; a line
    break of any kind (Python's splitlines() knows ten) or another control
    character would reach a document or a file as something other than what was
    typed.
    """
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) == "Cs":
            return f"holds {_character(char)} at character {position}"
        if len(f"a{char}b".splitlines()) > 1:
            return f"holds a line break, {_character(char)}, at character {position}"
        if unicodedata.category(char) == "Cc":
            return f"holds {_character(char)} at character {position}"
    return ""


def problems_one_line(value: Any, question: str, max_length: int) -> str:
    text = str(value)
    if not text.strip():
        return f"{question} must not be empty"
    unreadable = _unreadable(text)
    if unreadable:
        return f"{question} must be a single line of text; it {unreadable}"
    if len(text) > max_length:
        return f"{question} must be at most {max_length} characters; got {len(text)}"
    return ""


def one_line(value: Any, max_length: int) -> str:
    """A computed default as one line that fits its question: breaks and controls
    become spaces, runs of space one, and the end is cut at `max_length`."""
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c
        for c in str(value)
    )
    return " ".join(text.split())[:max_length].strip()


def problems_slug(value: Any) -> str:
    text = str(value)
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", text):
        return (
            "project_slug must start with a letter and use lower-case letters, "
            f"digits and single hyphens, such as uc-042-churn; got {text!r}"
        )
    if len(text) > SLUG_MAX:
        return f"project_slug must be at most {SLUG_MAX} characters; got {len(text)}"
    return ""


def slug_for(use_case_id: Any, use_case_name: Any) -> str:
    """The default project_slug: the id and the name's first two words, within
    SLUG_MAX characters (a word too long for it is cut)."""
    slug = f"{str(use_case_id).lower()}-{slugify(use_case_name, max_words=2)}"
    slug = slugify(slug)
    return slug[:SLUG_MAX].rstrip("-")


def package_name_for(slug: Any) -> str:
    """The default package_name from the slug, one its own validator accepts.

    Hyphens become underscores; words are dropped from the end (and a long first
    word is cut) until the name fits PACKAGE_NAME_MAX; a name that would shadow a
    keyword or library gets the suffix _uc.
    """
    words = re.findall(r"[a-z0-9]+", str(slug).lower()) or ["use", "case"]
    if words[0][0].isdigit():
        words.insert(0, "uc")
    while len(words) > 1 and len("_".join(words)) > PACKAGE_NAME_MAX:
        words.pop()
    name = "_".join(words)[:PACKAGE_NAME_MAX].rstrip("_")
    if keyword.iskeyword(name) or name in RESERVED_PACKAGES:
        name = f"{name[: PACKAGE_NAME_MAX - 3]}_uc"
    return name


def problems_package_name(value: Any) -> str:
    text = str(value)
    if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", text):
        return (
            "package_name must be a lower-case Python identifier of letters, digits "
            f"and single underscores, starting with a letter; got {text!r}"
        )
    if len(text) > PACKAGE_NAME_MAX:
        return (
            f"package_name must be at most {PACKAGE_NAME_MAX} characters "
            f"(the components append _pipeline, _features, ...); got {len(text)}"
        )
    if keyword.iskeyword(text) or text in RESERVED_PACKAGES:
        return f"package_name {text!r} would shadow a Python keyword or library"
    return ""


def _demo_columns() -> tuple[str, ...]:
    data = yaml.safe_load(DEMO_CONTRACT.read_text(encoding="utf-8"))
    return tuple(str(column["name"]) for column in data["columns"])


def _sample_path(data_sample: Any, destination: Any) -> Path | None:
    """The sample file to infer from, or None for the demo contract.

    On `copier update` the sample may be long gone; the project's own contract.yaml
    is then the contract, and the sample is not needed.
    """
    text = str(data_sample or "").strip()
    if not text or _project_contract(destination) is not None:
        return None
    path = Path(text).expanduser()
    if _updating(destination) and not path.is_file():
        return None  # an update renders the documents; the contract stays the team's
    return path


def _updating(destination: Any) -> bool:
    """Whether copier is updating a project (old and new render in temporary folders).

    Copier keeps the operation in a context variable and shows it to tasks only;
    without it, an update counts as one when the destination holds an answers file.
    """
    try:
        from copier._main import _operation

        if _operation.get() == "update":
            return True
    except (ImportError, LookupError):
        pass
    answers = Path(str(destination)) / ".copier-answers.yml" if destination else None
    return answers is not None and answers.is_file()


def _project_contract(destination: Any) -> Path | None:
    """The contract.yaml of an existing project (an update), if there is one."""
    if not destination:
        return None
    candidate = Path(str(destination)) / "contract.yaml"
    return candidate if candidate.is_file() else None


def problems_data_sample(value: Any, destination: Any = None) -> str:
    unreadable = _unreadable(str(value or ""))
    if unreadable:
        return f"data_sample must be the path of a CSV file; the answer {unreadable}"
    path = _sample_path(value, destination)
    if path is None:
        return ""
    if not path.is_file():
        return f"data_sample must be the path of a CSV file; {str(path)!r} is not one"
    try:
        _header_of(path)
    except ValueError as exc:
        return f"data_sample {str(path)!r} cannot be read: {exc}"
    return ""


def _header_of(path: Path) -> list[str]:
    """The column names of a CSV sample; ValueError when it has none."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise ValueError("it is not UTF-8 text") from exc
    except (OSError, csv.Error) as exc:
        raise ValueError(str(exc)) from exc
    if len([name for name in header if name.strip()]) < 2:
        raise ValueError("its first line must name at least two columns")
    return header


def problems_target_column(
    value: Any, data_sample: Any = "", problem_type: Any = "", destination: Any = None
) -> str:
    text = str(value)
    path = _sample_path(data_sample, destination)
    if path is not None and path.is_file():
        try:
            header = _header_of(path)
        except ValueError:
            return ""  # data_sample's own validator has said why
        if text not in header:
            return (
                f"target_column {text!r} is not a column of {path.name}; its columns "
                f"are {', '.join(header)}"
            )
        return ""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", text) or keyword.iskeyword(text):
        return (
            "target_column must be a snake_case identifier of at most 40 characters; "
            f"got {text!r}"
        )
    demo_columns = _demo_columns()
    if text in demo_columns:
        return (
            f"target_column {text!r} is already a data column; "
            f"choose a name other than {', '.join(demo_columns)}"
        )
    return ""


def problems_id_column(
    value: Any,
    data_sample: Any = "",
    problem_type: Any = "binary_classification",
    target_column: Any = "",
    destination: Any = None,
) -> str:
    text = str(value or "").strip()
    path = _sample_path(data_sample, destination)
    if path is None:
        if str(data_sample or "").strip() or text in ("", "customer_id"):
            return ""
        return (
            "id_column of the demo data must be customer_id or empty (rows keyed by "
            f"a hash of their values); got {text!r}"
        )
    if not path.is_file():
        return ""  # data_sample's own validator has said why
    try:
        infer_sample(str(path), str(problem_type), str(target_column), text or None)
    except ValueError as exc:
        return f"the contract cannot be inferred from {path.name}: {exc}"
    return ""


def problems_entity_word(value: Any, question: str) -> str:
    text = str(value)
    rule = _pipeline_module("contract").ENTITY_WORD
    if not rule.fullmatch(text) or text != text.strip():
        return (
            f"{question} must be 1 to 40 letters, digits, spaces or hyphens, starting "
            f"with a letter; got {text!r}"
        )
    return ""


def problems_team(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return "team_members must be a non-empty YAML list of members"
    handles: set[str] = set()
    emails: set[str] = set()
    for position, member in enumerate(value, start=1):
        where = f"team_members entry {position}"
        if not isinstance(member, dict):
            return (
                f"{where} must be a mapping with name, handle, email, role, expertise"
            )
        missing = [
            k
            for k in ("name", "handle", "email", "role", "expertise")
            if k not in member
        ]
        if missing:
            return f"{where} is missing {', '.join(missing)}"
        unknown = sorted(set(member) - {"name", "handle", "email", "role", "expertise"})
        if unknown:
            return f"{where} has unknown keys {', '.join(unknown)}"
        name_problem = problems_one_line(member["name"], f"{where} name", 80)
        if name_problem:
            return name_problem
        handle = str(member["handle"])
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?", handle):
            return (
                f"{where} handle must be a GitHub or GitLab user name "
                f"(letters, digits, '.', '_', '-'); got {handle!r}"
            )
        if handle.lower() in handles:
            return f"{where} repeats the handle {handle!r}; handles must be unique"
        handles.add(handle.lower())
        email = str(member["email"])
        if _unreadable(email) or not re.fullmatch(
            r"[^@\s<>\"',]+@[^@\s<>\"',]+\.[A-Za-z]{2,}", email
        ):
            return f"{where} email must look like name@example.com; got {email!r}"
        if email.lower() in emails:
            return f"{where} repeats the email {email!r}"
        emails.add(email.lower())
        if member["role"] not in VOCABULARY.ROLES:
            return (
                f"{where} role must be one of {', '.join(VOCABULARY.ROLES)}; "
                f"got {member['role']!r}"
            )
        if member["expertise"] not in VOCABULARY.EXPERTISE:
            return (
                f"{where} expertise must be one of {', '.join(VOCABULARY.EXPERTISE)}; "
                f"got {member['expertise']!r}"
            )
    return ""


def _handles(team: Any) -> list[str]:
    if not isinstance(team, list):
        return []
    return [str(m.get("handle")) for m in team if isinstance(m, dict)]


def problems_member_handle(value: Any, question: str, team: Any) -> str:
    handles = _handles(team)
    if str(value) not in handles:
        return (
            f"{question} must be the handle of a team member "
            f"({', '.join(handles) or 'no members yet'}); got {value!r}"
        )
    return ""


def problems_date(value: Any, question: str) -> str:
    if parse_date(value) is None:
        return f"{question} must be a real date written YYYY-MM-DD; got {value!r}"
    return ""


def problems_start_date(value: Any) -> str:
    problem = problems_date(value, "start_date")
    if problem:
        return problem
    day = parse_date(value)
    if day is not None and day.weekday() >= 5:
        return (
            f"start_date must be a working day (Monday to Friday); {day} is a {day:%A}"
        )
    return ""


def problems_target_date(value: Any, start: Any) -> str:
    target = parse_date(value)
    if target is None:
        return problems_date(value, "target_date")
    begin = parse_date(start)
    if begin is not None and target < begin + dt.timedelta(weeks=2):
        return (
            f"target_date must be at least two weeks after start_date ({begin}); "
            f"got {target}"
        )
    return ""


def problems_deadlines(value: Any, start: Any, target: Any) -> str:
    if not isinstance(value, list):
        return (
            "hard_deadlines must be a YAML list of {name, date} with an optional "
            "phase and tasks each (or [] for none)"
        )
    begin, end = parse_date(start), parse_date(target)
    names: set[str] = set()
    for position, item in enumerate(value, start=1):
        where = f"hard_deadlines entry {position}"
        if (
            not isinstance(item, dict)
            or not {"name", "date"} <= set(item)
            or not set(item) <= set(DEADLINES.ENTRY_KEYS)
        ):
            return (
                f"{where} must be a mapping with name and date, and optionally "
                "phase and tasks"
            )
        problem = problems_one_line(item["name"], f"{where} name", 80)
        if problem:
            return problem
        if str(item["name"]) in names:
            return f"{where} repeats the name {item['name']!r}"
        names.add(str(item["name"]))
        day = parse_date(item["date"])
        if day is None:
            return f"{where} date must be YYYY-MM-DD; got {item['date']!r}"
        if begin and end and not begin < day <= end:
            return (
                f"{where} date {day} must fall after start_date ({begin}) and on or "
                f"before target_date ({end})"
            )
        # The shape of phase and tasks here; whether each id is in the plan once
        # every answer is known (UcforgeContext).
        linked = DEADLINES.entry_problems(item, where)
        if linked:
            return str(linked[0])
    return ""


def problems_url(value: Any, question: str) -> str:
    text = str(value)
    if text and (_unreadable(text) or not URL_PATTERN.fullmatch(text)):
        return (
            f"{question} must be empty or an http(s) URL such as "
            f"https://mlflow.example.com; got {text!r}"
        )
    return ""


# Numbers are asked as text and parsed here, so a word or a unit in the answer gets
# this template's message (copier's own conversion would stop with a bare ValueError).
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
DECIMAL_NUMBER = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?|\.[0-9]{1,9}")


def whole_number(value: Any) -> int | None:
    """The whole number an answer holds (ASCII digits only), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


def decimal_number(value: Any) -> float | None:
    """The decimal number an answer holds (digits and one '.'), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return float(text) if DECIMAL_NUMBER.fullmatch(text) else None


def problems_int_range(value: Any, question: str, low: int, high: int) -> str:
    number = whole_number(value)
    if number is None:
        return (
            f"{question} must be a whole number from {low} to {high}, written in "
            f"digits without a unit or sign, such as {max(low, min(high, 80))}; "
            f"got {value!r}"
        )
    if not low <= number <= high:
        return f"{question} must be between {low} and {high}; got {number}"
    return ""


def problems_test_levels(value: Any) -> str:
    levels = list(value or [])
    unknown = [lv for lv in levels if lv not in VOCABULARY.TEST_LEVELS]
    if unknown:
        return f"test_levels has unknown levels {', '.join(map(str, unknown))}"
    missing = [lv for lv in VOCABULARY.REQUIRED_TEST_LEVELS if lv not in levels]
    if missing:
        return (
            "test_levels must include unit and integration (the walking skeleton "
            f"is proven by them); missing {', '.join(missing)}"
        )
    return ""


def problems_metric(value: Any, problem_type: Any) -> str:
    allowed = VOCABULARY.METRICS.get(str(problem_type), ())
    if value not in allowed:
        return (
            f"primary_metric {value!r} does not fit problem_type {problem_type!r}; "
            f"choose one of {', '.join(allowed)}"
        )
    return ""


def problems_margin(value: Any) -> str:
    margin = decimal_number(value)
    if margin is None:
        return (
            "baseline_margin must be a fraction written as a decimal number, such "
            f"as 0.05 for 5%; got {value!r}"
        )
    if not 0 <= margin < 1:
        return f"baseline_margin must be at least 0 and below 1; got {margin:g}"
    return ""


def problems_reviewers(value: Any, team: Any) -> str:
    if not isinstance(value, list) or not value:
        return "reviewers must be a non-empty YAML list of team member handles"
    handles = _handles(team)
    strangers = [str(r) for r in value if str(r) not in handles]
    if strangers:
        return (
            f"reviewers must be team members ({', '.join(handles)}); "
            f"not in the team: {', '.join(strangers)}"
        )
    if len(set(map(str, value))) != len(value):
        return "reviewers lists a handle twice"
    return ""


def problems_approvals(value: Any, reviewers: Any, team: Any) -> str:
    approvals = whole_number(value)
    if approvals is None:
        return (
            "required_approvals must be a whole number written in digits, such as "
            f"1; got {value!r}"
        )
    count = len(reviewers) if isinstance(reviewers, list) else 0
    team_size = len(team) if isinstance(team, list) else 0
    if approvals < 0:
        return f"required_approvals must not be negative; got {approvals}"
    if approvals == 0 and team_size > 1:
        return "required_approvals must be at least 1 when the team has several members"
    if approvals > count:
        return (
            f"required_approvals ({approvals}) cannot exceed the number of "
            f"reviewers ({count})"
        )
    if team_size > 1 and approvals > count - (1 if count == team_size else 0):
        # An author never approves their own change: with every member a reviewer,
        # one of them is the author, so at most count - 1 can approve.
        return (
            f"required_approvals ({approvals}) leaves no one to approve a change "
            f"written by a reviewer; use at most {count - 1} or add reviewers"
        )
    return ""


def problems_relative_dir(value: Any, question: str) -> str:
    text = str(value)
    parts = text.split("/")
    if parts[0].lower() == ".git":
        return f"{question} must not be inside .git/, which git owns; got {text!r}"
    if (
        not text
        or text.startswith("/")
        or text.endswith("/")
        or not all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", p) for p in parts)
    ):
        return (
            f"{question} must be a relative folder such as docs/plan: names that start "
            "with a letter or digit and go on with letters, digits, '.', '_' or '-', "
            f"separated by single '/' (no '.', '..' or hidden folders); got {text!r}"
        )
    if parts[0] in {"packages", "src", "tests", "configs", "plan", "docs"}:
        return f"{question} must not be inside the generated {parts[0]}/ folder"
    return ""


# ---------------------------------------------------------------------------
# Derived values for the templates
# ---------------------------------------------------------------------------
def _load_package(package_dir: Path, prefix: str) -> Any:
    """Import a package of the generated project from the template tree.

    The module name is derived from the path, so two template versions rendered in
    one process (as `copier update` does) never share a module.
    """
    digest = hashlib.sha256(str(package_dir.resolve()).encode()).hexdigest()[:12]
    name = f"{prefix}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    if spec is None or spec.loader is None:
        raise RuntimeError(f"package not found under {package_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_planning(template_root: Path) -> Any:
    """The planning engine distribution, from the template's planning/ folder."""
    package_dir = template_root / "planning" / "src" / "ucforge_planning"
    return _load_package(package_dir, "ucforge_planning")


# The answers' words (roles, levels, metrics, regimes and their duties), which the
# planning engine defines once for the copy, the plan and the generated checks.
VOCABULARY = importlib.import_module(
    f"{_load_planning(TEMPLATE_ROOT).__name__}.vocabulary"
)
# Its Markdown escaping, so an answer reads as typed in the plan and in every other
# document alike.
MARKUP = importlib.import_module(f"{_load_planning(TEMPLATE_ROOT).__name__}.markup")
# Its reading of a hard deadline's phases and task ids, which the question checks.
DEADLINES = importlib.import_module(
    f"{_load_planning(TEMPLATE_ROOT).__name__}.deadlines"
)
# Its holiday regions, so the copy refuses a region the plan could not resolve.
WORKDAYS = importlib.import_module(f"{_load_planning(TEMPLATE_ROOT).__name__}.workdays")


def problems_public_holidays(value: Any) -> str:
    """A holiday region the holidays package knows (DE, DE-BY), or empty."""
    if value is None:
        return ""
    problem = str(WORKDAYS.region_problem(str(value)))
    return f"public_holidays {problem}" if problem else ""


def _pipeline_module(name: str, template_root: Path = TEMPLATE_ROOT) -> Any:
    """One light module of the generated data pipeline (contract, infer)."""
    package = _load_package(template_root / PIPELINE_DIR, "ucforge_pipeline")
    return importlib.import_module(f"{package.__name__}.{name}")


def plural_of(word: Any) -> str:
    """The default plural of an entity word."""
    return str(_pipeline_module("contract").plural_of(str(word)))


def plural_default(word: Any) -> str:
    """The entity_plural default: the plural, or the word itself when the plural
    would break the entity words' length rule."""
    plural = plural_of(word)
    rule = _pipeline_module("contract").ENTITY_WORD
    return plural if rule.fullmatch(plural) else str(word)


# Names a label column goes by, in the order they are tried.
LABEL_NAMES = ("target", "label", "y", "class", "outcome")


def label_guess(data_sample: Any, destination: Any = None) -> str:
    """The target_column default for a sample: a column named like a label, else
    the last column (where most published datasets keep it)."""
    path = _sample_path(data_sample, destination)
    if path is None or not path.is_file():
        return ""
    try:
        header = [name for name in _header_of(path) if name.strip()]
    except ValueError:
        return ""
    by_name = {name.strip().lower(): name for name in header}
    return next((by_name[n] for n in LABEL_NAMES if n in by_name), header[-1])


@functools.lru_cache(maxsize=16)
def _inferred(
    path: str, modified: int, problem_type: str, target: str, id_column: str | None
) -> Any:
    infer = _pipeline_module("infer")
    return infer.infer_contract(
        Path(path), problem_type=problem_type, target=target, id_column=id_column
    )


def infer_sample(
    path: str, problem_type: str, target: str, id_column: str | None
) -> Any:
    """The contract inferred from a CSV sample (cached per file version and answers)."""
    file = Path(path)
    return _inferred(
        str(file.resolve()), file.stat().st_mtime_ns, problem_type, target, id_column
    )


def demo_contract(answers: Mapping[str, Any]) -> Any:
    """The demo's churn contract with the answered label and entity words."""
    contract = _pipeline_module("contract")
    data = yaml.safe_load(DEMO_CONTRACT.read_text(encoding="utf-8"))
    classification = answers["problem_type"] == "binary_classification"
    data["problem_type"] = answers["problem_type"]
    data["label"] = (
        {
            "name": answers["target_column"],
            "description": "1 when the customer cancelled in the following month",
            "positive": "1",
            "negative": "0",
        }
        if classification
        else {
            "name": answers["target_column"],
            "description": "What the customer spent in the following month",
            "minimum": 0,
            "maximum": 1_000_000,
        }
    )
    data["id_column"] = answers["id_column"] or None
    return contract.read_contract_text(yaml.safe_dump(data), source="demo contract")


def answered_contract(
    answers: Mapping[str, Any], destination: Any
) -> tuple[Any, bool, tuple[str, ...]]:
    """The contract a copy renders with (the project's own, inferred, or the demo's),
    whether it is the demo's, and what the inference noted for the team to review.
    """
    contract = _pipeline_module("contract")
    existing = _project_contract(destination)
    is_demo = not str(answers["data_sample"] or "").strip()
    if existing is not None:
        return contract.load_contract(existing), is_demo, ()
    path = _sample_path(answers["data_sample"], destination)
    notes: tuple[str, ...] = ()
    if path is None:
        found = demo_contract(answers)
    else:
        inference = infer_sample(
            str(path),
            answers["problem_type"],
            answers["target_column"],
            answers["id_column"] or None,
        )
        found, notes = inference.contract, tuple(inference.notes)
    entity = contract.Entity(
        singular=answers["entity_name"], plural=answers["entity_plural"]
    )
    return found.model_copy(update={"entity": entity}), is_demo, notes


def contract_header(answers: Mapping[str, Any], is_demo: bool) -> str:
    """The comment that opens contract.yaml."""
    source = (
        "the demo's synthetic customer table"
        if is_demo
        else f"a sample ({Path(str(answers['data_sample'])).name})"
    )
    return (
        f"The data contract of {answers['use_case_id']}: what one row of the raw "
        "data is.\n"
        f"Written from {source} when the repository was generated.\n"
        "Review every column's rule; for your own data, replace this file with\n"
        "`contract infer`. Every package reads this file; no code names a column.\n"
    )


def _question_names(copier_file: Path) -> tuple[str, ...]:
    """The questions copier.yml asks, in its order: the one list of answer keys."""
    settings = yaml.safe_load(copier_file.read_text(encoding="utf-8"))
    return tuple(key for key in settings if not key.startswith("_"))


ANSWER_KEYS = _question_names(TEMPLATE_ROOT / "copier.yml")


# The questions asked as text that hold numbers, and how each is read: the
# templates and the planning engine get the number.
NUMBER_ANSWERS = {
    "sprint_length_weeks": whole_number,
    "coverage_target": whole_number,
    "latency_slo_p95_ms": whole_number,
    "throughput_slo_rps": whole_number,
    "baseline_margin": decimal_number,
    "required_approvals": whole_number,
}


def answers_of(context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answers in a copier context, numbers read, or None while questions are
    still asked."""
    if any(key not in context for key in ANSWER_KEYS):
        return None
    answers = {key: context[key] for key in ANSWER_KEYS}
    for key, read in NUMBER_ANSWERS.items():
        number = read(answers[key])
        if number is not None:
            answers[key] = number
    return answers


# A Kubernetes Service name and a label value hold at most 63 characters.
KUBERNETES_NAME_MAX = 63


def serving_name(slug: Any) -> str:
    """The serving objects' Kubernetes name: '<slug>-serving', or the slug if longer."""
    name = f"{slug}-serving"
    return name if len(name) <= KUBERNETES_NAME_MAX else str(slug)


def derived_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Values several templates need, computed once from the answers.

    The regimes' duties and display names come from the engine's vocabulary, so
    the plan and the other documents name and apply them alike.
    """
    compliance = list(answers["compliance"] or [])
    documentation = list(answers["documentation"] or [])
    team = list(answers["team_members"])
    return {
        "pseudonymise_ids": VOCABULARY.pseudonymises(compliance),
        "audit_logging": VOCABULARY.audits(compliance),
        "model_governance": VOCABULARY.governs_models(compliance),
        "model_card": VOCABULARY.needs_model_card(documentation, compliance),
        "compliance_names": [VOCABULARY.COMPLIANCE_NAMES[r] for r in compliance],
        "owner_member": next(
            (m for m in team if m["handle"] == answers["use_case_owner"]), team[0]
        ),
        "higher_is_better": answers["primary_metric"] in VOCABULARY.HIGHER_IS_BETTER,
        "serving_name": serving_name(answers["project_slug"]),
    }


@functools.lru_cache(maxsize=8)
def engine_digest(template_root: Path) -> str:
    """A digest of every file of the template's planning engine package.

    Two template trees whose engines have the same files compute the same plan
    from the same answers: `copier update` renders from three clones, most often
    with one engine.
    """
    package_dir = template_root / "planning" / "src" / "ucforge_planning"
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class LazyPlan:
    """The computed plan, made on first use: only the plan files ever render it.

    The documents are kept per engine (its files' digest) and answers, so the
    renders of one `copier update` with the same engine compute the plan once.
    """

    _computed: ClassVar[dict[str, dict[str, str]]] = {}

    def __init__(self, template_root: Path, answers: Mapping[str, Any]) -> None:
        self._template_root = template_root
        self._answers = dict(answers)
        self._documents: dict[str, str] | None = None
        self._checklist: list[str] | None = None

    def document(self, name: str) -> str:
        if self._documents is None:
            key = hashlib.sha256(
                json.dumps(
                    [engine_digest(self._template_root), self._answers],
                    sort_keys=True,
                    default=str,
                ).encode()
            ).hexdigest()
            if key not in LazyPlan._computed:
                planning = _load_planning(self._template_root)
                LazyPlan._computed[key] = planning.generate_from_answers(self._answers)
            self._documents = LazyPlan._computed[key]
        return self._documents[name]

    def checklist(self) -> list[str]:
        """The Code Review Checklist items, from the engine that renders the plan."""
        if self._checklist is None:
            planning = _load_planning(self._template_root)
            answers = planning.key_answers(self._answers)
            self._checklist = list(planning.review_checklist(answers))
        return self._checklist


class PlanDocument:
    """One document of a LazyPlan; Jinja renders it through str()."""

    def __init__(self, plan: LazyPlan, name: str) -> None:
        self._plan = plan
        self._name = name

    def __str__(self) -> str:
        return self._plan.document(self._name)


class ReviewChecklist:
    """The checklist items of a LazyPlan; Jinja iterates over it like a list."""

    def __init__(self, plan: LazyPlan) -> None:
        self._plan = plan

    def __iter__(self) -> Iterator[str]:
        return iter(self._plan.checklist())

    def __len__(self) -> int:
        return len(self._plan.checklist())

    def __getitem__(self, index: int) -> str:
        return self._plan.checklist()[index]


class UcforgeContext(ContextHook):
    """Adds derived values and the computed plan to the rendering context."""

    _cache: ClassVar[dict[str, dict[str, Any]]] = {}
    # The source, answers and values of the last call: copier builds its context
    # some thousands of times per copy, nearly always for the same answers, and
    # comparing them costs far less than writing them out for the key.
    _last: ClassVar[tuple[str, dict[str, Any], dict[str, Any]] | None] = None

    def hook(self, context: dict[str, Any]) -> None:
        answers = answers_of(context)
        if answers is None:
            return
        # The template folder is part of the key: `copier update` renders two
        # versions in one process, and each must use its own engine.
        source = str(context["_copier_conf"]["src_path"])
        last = UcforgeContext._last
        if last is not None and last[0] == source and _same(last[1], answers):
            context.update(last[2])
            return
        key = hashlib.sha256(
            json.dumps([source, answers], sort_keys=True, default=str).encode()
        ).hexdigest()
        if key not in self._cache:
            engine = _load_planning(Path(source))
            refuse_deadlines(engine.deadline_problems(answers))
            values = derived_values(answers)
            values["engine_version"] = engine.__version__
            plan = LazyPlan(Path(source), answers)
            values["plan_tasks_yaml"] = PlanDocument(plan, "plan_tasks_yaml")
            values["plan_markdown"] = PlanDocument(plan, "plan_markdown")
            values["review_checklist"] = ReviewChecklist(plan)
            found, is_demo, notes = answered_contract(
                answers, context["_copier_conf"].get("dst_path")
            )
            values["contract_notes"] = list(notes)
            contract_module = _pipeline_module("contract", Path(source))
            values["contract"] = found
            values["entity"] = found.entity
            values["contract_is_demo"] = is_demo
            values["contract_yaml"] = contract_module.contract_to_yaml(
                found, header=contract_header(answers, is_demo)
            )
            documents = _pipeline_module("contract_docs", Path(source))
            values["contract_readme_section"] = documents.readme_data_section(
                found, answers["project_slug"]
            )
            values.update({name: answers[name] for name in NUMBER_ANSWERS})
            self._cache[key] = values
        UcforgeContext._last = (source, answers, self._cache[key])
        context.update(self._cache[key])


def _same(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two sets of answers are equal, value for value and, for each answer,
    type for type (`True == 1` in Python, and the two must not share a plan)."""
    return first.keys() == second.keys() and all(
        type(value) is type(second[key]) and value == second[key]
        for key, value in first.items()
    )


def _outside_a_prompt_of_copiers_cli() -> bool:
    """Whether copier's command line is checking an answer it did not prompt for.

    That is an answer from --data, --data-file or a default under --defaults: copier
    then raises the validator's message with a traceback of some forty lines. In a
    prompt (copier's `_validate`), copier shows the message under the question and
    asks again; called from Python (run_copy), the caller gets copier's ValueError.
    """
    in_cli = False
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("copier."):
            name = module.rsplit(".", 1)[-1].lstrip("_")
            if name == "user_data" and frame.f_code.co_name == "_validate":
                return False
            in_cli = in_cli or name == "cli"
        frame = frame.f_back  # type: ignore[assignment]
    return in_cli


def refusing(check: Any) -> Any:
    """The validator, stopping copier's command line with its message alone.

    Copier has no way for a template to refuse an answer without a traceback, so
    the refusal leaves the process itself, before anything is written; prompts and
    Python callers are left to copier.
    """

    @functools.wraps(check)
    def refuse_or_report(*args: Any, **kwargs: Any) -> str:
        message = str(check(*args, **kwargs))
        if message and _outside_a_prompt_of_copiers_cli():
            print(
                f"Refused: {message}.\nNothing was written; correct the answer and "
                "run the command again.",
                file=sys.stderr,
                flush=True,
            )
            raise SystemExit(1)
        return message

    return refuse_or_report


def refuse_deadlines(problems: list[str]) -> None:
    """Stop the copy when a hard deadline names a task id the plan does not have.

    The ids follow from the later answers, so this runs once every answer is known,
    before anything is written; it refuses as a question's validator does.
    """
    if problems:
        # On copier's command line this leaves the process with the message alone.
        message = refusing(lambda: "; ".join(problems))()
        raise ValueError(f"Validation error for question 'hard_deadlines': {message}")


FILTERS = {
    f.__name__: f
    for f in (
        slugify,
        md_cell,
        md_text,
        title_case_role,
        add_weeks,
        problems_use_case_id,
        problems_one_line,
        problems_slug,
        problems_package_name,
        problems_data_sample,
        problems_target_column,
        problems_id_column,
        problems_entity_word,
        plural_of,
        problems_team,
        problems_member_handle,
        problems_date,
        problems_start_date,
        problems_target_date,
        problems_deadlines,
        problems_public_holidays,
        problems_url,
        problems_int_range,
        problems_test_levels,
        problems_metric,
        problems_margin,
        problems_reviewers,
        problems_approvals,
        problems_relative_dir,
    )
}
FILTERS = {
    name: refusing(check) if name.startswith("problems_") else check
    for name, check in FILTERS.items()
}
FILTERS.update(
    one_line=one_line,
    slug_for=slug_for,
    package_name_for=package_name_for,
    plural_default=plural_default,
    label_guess=label_guess,
)
# One quoting, named by the format each template writes.
FILTERS.update(toml_str=quoted, yaml_str=quoted, py_str=quoted)


class CompiledTemplates(FileSystemBytecodeCache):
    """The templates' compiled code, kept between renders in the user's cache folder.

    A copy renders about 180 templates and an update renders them twice (the old
    version and the new); compiling them is much of that time. An entry is found by
    the template's name, as copier renders from a new clone each time, and used
    only for the same source (Jinja compares its checksum); the folder is one per
    Jinja, Python and environment settings (`cache_folder`), found on first use,
    when the environment has all its extensions. A cache that cannot be read or
    written costs time, never the render.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(directory="")
        self._environment = environment
        self._usable: bool | None = None

    def _ready(self) -> bool:
        if self._usable is None:
            folder = cache_folder(self._environment)
            self._usable = folder is not None
            if folder is not None:
                self.directory = str(folder)
        return self._usable

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        if not self._ready():
            return
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self._ready():
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)


def _settings_of(environment: Environment) -> str:
    """What the compiled code of a template depends on besides its source."""
    escape = environment.autoescape
    return json.dumps(
        [
            jinja2.__version__,
            sys.version,
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            escape if isinstance(escape, bool) else getattr(escape, "__qualname__", ""),
            type(environment).__qualname__,
            sorted(environment.extensions),
        ]
    )


def cache_folder(environment: Environment) -> Path | None:
    """Where `environment`'s compiled templates are kept; None where they cannot be.

    $XDG_CACHE_HOME/ucforge (~/.cache/ucforge), a folder per environment's settings
    that only its user may read and write; deleting it is always safe.
    """
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.sha256(_settings_of(environment).encode("utf-8")).hexdigest()
    folder = Path(home) / "ucforge" / f"templates-{digest[:16]}"
    try:
        folder.mkdir(mode=stat.S_IRWXU, parents=True, exist_ok=True)
        found = folder.lstat()
        owned = not hasattr(os, "getuid") or found.st_uid == os.getuid()
        if not (stat.S_ISDIR(found.st_mode) and owned):  # a link, a file, another's
            return None
        if stat.S_IMODE(found.st_mode) != stat.S_IRWXU:  # a folder made before
            folder.chmod(stat.S_IRWXU)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to find
        return None
    return folder


class CompiledStrings:
    """`Environment.compile` that compiles each template string once per render.

    Copier renders every part of every path as a template string, and the answers
    file's name once per part: some 2,500 compiles of 350 strings per copy, the
    costliest part of rendering the paths. The compiled code of a string depends
    on its source and the environment's settings, which do not change during a
    render, so it is kept, per environment, for the same source. Every source
    still goes through the extensions' `preprocess`, as a compile does: copier's
    yield extension resets its state there, and sets it while the string
    renders. Named templates (the files) go through `CompiledTemplates`.
    """

    def __init__(self, environment: Environment) -> None:
        self._environment = environment
        self._compile = environment.compile
        self._codes: dict[str, Any] = {}

    def __call__(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if (
            not isinstance(source, str)
            or name is not None
            or filename is not None
            or raw
            or defer_init
        ):
            return self._compile(source, name, filename, raw, defer_init)
        code = self._codes.get(source)
        if code is None:
            code = self._codes[source] = self._compile(source)
        else:
            self._environment.preprocess(source)
        return code


class UcforgeExtension(UcforgeContext):
    """Registers the filters and globals, and adds the derived context."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = CompiledTemplates(environment)
        if not isinstance(environment.compile, CompiledStrings):
            environment.compile = CompiledStrings(environment)  # type: ignore[method-assign]
        environment.filters.update(FILTERS)
        environment.globals["next_monday"] = next_monday
        environment.globals["vocabulary"] = VOCABULARY
