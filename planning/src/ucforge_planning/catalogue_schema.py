"""The catalogue's data files: their strict models, their conditions, their loader.

The files live in catalogue_data/: project.yaml, one file per phase under phases/,
one per compliance regime under regimes/, and release.yaml, read in that order.
Reading them is all this module does; catalogue.py and guidance.py select the
entries whose conditions hold and fill their placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from .errors import CatalogueError
from .facts import PLACEHOLDERS, Facts
from .graph import describe_cycle, find_cycles
from .model import COMPONENTS, GATE_SCOPES, LEVELS
from .verify import TEST_LINK_RULE, is_test_link
from .vocabulary import (
    COMPLIANCE_NAMES,
    COMPUTE_ENGINE_NAMES,
    DOCUMENT_NAMES,
    INFRASTRUCTURE_NAMES,
    METRIC_NAMES,
    ORCHESTRATOR_NAMES,
    PROBLEM_TYPES,
    ROLES,
    TEST_LEVELS,
    audits,
    pseudonymises,
)

DATA_FOLDER = Path(__file__).with_name("catalogue_data")
TASK_KEY = re.compile(r"[a-z0-9]+\.[a-z0-9]+")
BRACED = re.compile(r"\{([^{}]*)\}")


# ---------------------------------------------------------------------------
# Field rules
# ---------------------------------------------------------------------------


def _one_of(kind: str, choices: Any) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(
                f"unknown {kind} {value!r}; expected one of: {', '.join(choices)}"
            )
        return value

    return check


def _text_rule(task_references: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        outside = BRACED.sub("", value)
        if "{" in outside or "}" in outside:
            raise ValueError("has a brace that opens or closes no {placeholder}")
        for name in BRACED.findall(value):
            if name in PLACEHOLDERS:
                continue
            if task_references and TASK_KEY.fullmatch(name):
                continue
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            tasks = " or a task key such as {dp.connect}" if task_references else ""
            raise ValueError(
                f"unknown placeholder {{{name}}}; use one of {known}{tasks}"
            )
        return value

    return check


def _key_rule(value: str) -> str:
    if not TASK_KEY.fullmatch(value):
        raise ValueError(
            f"task key {value!r} is not two lower-case words joined by a dot, "
            "such as dp.connect"
        )
    return value


def _non_decreasing(value: tuple[float, float, float]) -> tuple[float, float, float]:
    if not value[0] <= value[1] <= value[2]:
        raise ValueError(
            "optimistic, likely and pessimistic days must not decrease, "
            f"got {list(value)}"
        )
    return value


def _as_list(value: Any) -> Any:
    """One name or a list of names."""
    return [value] if isinstance(value, str) else value


def _effort_shape(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValueError(
            "must be three numbers of working days: [optimistic, likely, pessimistic]"
        )
    return value


Text = Annotated[str, Field(strict=True), AfterValidator(_text_rule(False))]
Mitigation = Annotated[str, Field(strict=True), AfterValidator(_text_rule(True))]
TaskKey = Annotated[str, Field(strict=True), AfterValidator(_key_rule)]
Role = Annotated[str, Field(strict=True), AfterValidator(_one_of("role", ROLES))]
Component = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("component", COMPONENTS))
]
Scope = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("scope", GATE_SCOPES))
]
Level = Annotated[str, Field(strict=True), AfterValidator(_one_of("level", LEVELS))]
ProblemType = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("problem type", PROBLEM_TYPES))
]
Metric = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("metric", METRIC_NAMES))
]
Infrastructure = Annotated[
    str,
    Field(strict=True),
    AfterValidator(_one_of("infrastructure", INFRASTRUCTURE_NAMES)),
]
Document = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("document", DOCUMENT_NAMES))
]
TestLevel = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("test level", TEST_LEVELS))
]
Regime = Annotated[
    str, Field(strict=True), AfterValidator(_one_of("regime", COMPLIANCE_NAMES))
]
Regimes = Annotated[tuple[Regime, ...], BeforeValidator(_as_list), Field(min_length=1)]
Days = Annotated[float, Field(strict=True, gt=0)]
Effort = Annotated[
    tuple[Days, Days, Days],
    BeforeValidator(_effort_shape),
    AfterValidator(_non_decreasing),
]
Keys = tuple[TaskKey, ...]


def _test_link_rule(value: str) -> str:
    if not is_test_link(value):
        raise ValueError(f"{value!r}: a test link {TEST_LINK_RULE}")
    return value


TestLink = Annotated[str, Field(strict=True), AfterValidator(_test_link_rule)]


def _link_shape(value: Any) -> Any:
    """A link given as its text alone, without conditions."""
    return {"test": value} if isinstance(value, str) else value


class Strict(BaseModel):
    """Unknown keys are refused and a loaded entry never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# ---------------------------------------------------------------------------
# Conditions: `when:` holds when every condition it names holds
# ---------------------------------------------------------------------------

# Each condition's test on the facts; When declares the value each one takes.
CONDITIONS: dict[str, Callable[[Facts, Any], bool]] = {
    "problem_type": lambda f, v: f.problem_type == v,
    "metric": lambda f, v: f.metric == v,
    "infrastructure_has": lambda f, v: v in f.infrastructure,
    "infrastructure_lacks": lambda f, v: v not in f.infrastructure,
    "documents_has": lambda f, v: v in f.documents,
    "test_levels_has": lambda f, v: v in f.levels,
    "regime": lambda f, v: any(r in f.compliance for r in v),
    "pseudonymises": lambda f, v: pseudonymises(f.compliance) == v,
    "audits": lambda f, v: audits(f.compliance) == v,
    "tracking_server": lambda f, v: f.tracking_server == v,
    "compute_engine": lambda f, v: f.compute_engine == v,
    "orchestrator": lambda f, v: f.orchestrator == v,
    "model_card": lambda f, v: f.model_card == v,
    "publishes_documents": lambda f, v: bool(f.published_documents) == v,
    "approvals": lambda f, v: f.approvals == v,
    "latency_ms_at_most": lambda f, v: f.latency_ms <= v,
    "throughput_rps_at_least": lambda f, v: f.throughput_rps >= v,
}


class When(Strict):
    """Conditions on the answers; all of those given must hold."""

    problem_type: ProblemType | None = None
    metric: Metric | None = None
    infrastructure_has: Infrastructure | None = None
    infrastructure_lacks: Infrastructure | None = None
    documents_has: Document | None = None
    test_levels_has: TestLevel | None = None
    # One regime or a list: holds when any of them is answered.
    regime: Regimes | None = None
    # Whether the answered regimes ask for pseudonymised identifiers, or for an
    # audit log of predictions (the duties the vocabulary gives each regime).
    pseudonymises: StrictBool | None = None
    audits: StrictBool | None = None
    # Whether a shared MLflow server was answered.
    tracking_server: StrictBool | None = None
    # The engine the pipeline and the feature build run on.
    compute_engine: (
        Annotated[
            str,
            Field(strict=True),
            AfterValidator(_one_of("compute engine", COMPUTE_ENGINE_NAMES)),
        ]
        | None
    ) = None
    # The orchestrator the flow is generated for ("none": the command line's).
    orchestrator: (
        Annotated[
            str,
            Field(strict=True),
            AfterValidator(_one_of("orchestrator", ORCHESTRATOR_NAMES)),
        ]
        | None
    ) = None
    # Whether a model card is required, asked for or by a regime.
    model_card: StrictBool | None = None
    # Whether the plan publishes any document besides READMEs, runbooks and ADRs.
    publishes_documents: StrictBool | None = None
    approvals: Annotated[StrictInt, Field(ge=0)] | None = None
    latency_ms_at_most: Annotated[StrictInt, Field(gt=0)] | None = None
    throughput_rps_at_least: Annotated[StrictInt, Field(gt=0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_conditions(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for name, value in data.items():
                if name not in CONDITIONS:
                    raise ValueError(
                        f"unknown condition {name!r}; the conditions are: "
                        + ", ".join(CONDITIONS)
                    )
                if value is None:
                    raise ValueError(f"condition {name!r} needs a value")
        return data

    def holds(self, f: Facts) -> bool:
        """Whether every condition given holds for these facts."""
        return all(CONDITIONS[n](f, getattr(self, n)) for n in self.model_fields_set)


ALWAYS = When()


class TestLinkEntry(Strict):
    """A test that proves a criterion; in the plan only when its `when` holds."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    test: TestLink
    when: When = ALWAYS


def _links_once(links: tuple[TestLinkEntry, ...]) -> tuple[TestLinkEntry, ...]:
    tests = [link.test for link in links]
    twice = sorted({t for t in tests if tests.count(t) > 1})
    if twice:
        raise ValueError(f"names {', '.join(map(repr, twice))} more than once")
    return links


# The tests of the generated project that prove an entry's criteria.
TestLinks = Annotated[
    tuple[Annotated[TestLinkEntry, BeforeValidator(_link_shape)], ...],
    AfterValidator(_links_once),
]


def holding_links(links: tuple[TestLinkEntry, ...], f: Facts | None) -> tuple[str, ...]:
    """The tests of the links whose conditions hold (unconditional ones if no facts)."""
    return tuple(
        link.test
        for link in links
        if (link.when.holds(f) if f is not None else not link.when.model_fields_set)
    )


# ---------------------------------------------------------------------------
# Entries: each may have variants, the first whose `when` holds overriding it
# ---------------------------------------------------------------------------


class TaskVariant(Strict):
    when: When
    title: Text | None = None
    role: Role | None = None
    effort: Effort | None = None
    acceptance: Text | None = None
    after: Keys | None = None


class TaskEntry(Strict):
    """A task: efforts in working days of a senior member of its role."""

    key: TaskKey
    # The phase the task belongs to: the file's phase, given only outside phases/.
    component: Component | None = None
    category: Text
    title: Text
    role: Role
    effort: Effort
    acceptance: Text
    after: Keys = ()
    # Tasks that wait for this one, when they are in the plan.
    before: Keys = ()
    when: When = ALWAYS
    variants: tuple[TaskVariant, ...] = ()
    # The plan's last task: after every task no other task waits for.
    closes_the_plan: StrictBool = False
    # Who owns the task when the team has no one in its role: the first of these
    # roles the team has (a compliance task names them; other tasks may).
    fallback_roles: tuple[Role, ...] = ()
    # Tasks whose owners must not own this one, such as a model's development for
    # its independent validation.
    independent_of: Keys = ()
    # Tests of the generated project that prove the acceptance criteria.
    verified_by: TestLinks = ()


class DeliverableVariant(Strict):
    when: When
    deliverable: Text | None = None


class DeliverableEntry(Strict):
    deliverable: Text
    when: When = ALWAYS
    variants: tuple[DeliverableVariant, ...] = ()


class RiskVariant(Strict):
    when: When
    risk: Text | None = None
    likelihood: Level | None = None
    impact: Level | None = None
    mitigation: Mitigation | None = None


class RiskEntry(Strict):
    """A risk; {dp.connect} in its mitigation becomes that task's id."""

    risk: Text
    likelihood: Level
    impact: Level
    mitigation: Mitigation
    when: When = ALWAYS
    variants: tuple[RiskVariant, ...] = ()


class GateVariant(Strict):
    when: When
    gate: Text | None = None
    timing: Text | None = None
    criteria: Text | None = None
    scope: Scope | None = None


class GateEntry(Strict):
    gate: Text
    timing: Text
    criteria: Text
    scope: Scope
    when: When = ALWAYS
    variants: tuple[GateVariant, ...] = ()
    # Tests of the generated project that prove the criteria.
    verified_by: TestLinks = ()


class CatalogueFile(Strict):
    """One data file; every section is optional."""

    tasks: tuple[TaskEntry, ...] = ()
    deliverables: tuple[DeliverableEntry, ...] = ()
    risks: tuple[RiskEntry, ...] = ()
    gates: tuple[GateEntry, ...] = ()


EntryT = TypeVar("EntryT", TaskEntry, DeliverableEntry, RiskEntry, GateEntry)


@dataclass(frozen=True)
class Placed(Generic[EntryT]):
    """An entry where its file puts it: its phase, and its regime if any."""

    entry: EntryT
    component: str
    regime: str

    def applies(self, f: Facts) -> bool:
        """Whether the entry is in the plan for these facts."""
        if self.regime and self.regime not in f.compliance:
            return False
        return self.entry.when.holds(f)

    def resolved(self, f: Facts) -> EntryT:
        """The entry with its first variant that holds applied."""
        for variant in self.entry.variants:
            if variant.when.holds(f):
                changes = {
                    n: getattr(variant, n) for n in variant.model_fields_set - {"when"}
                }
                return self.entry.model_copy(update=changes)
        return self.entry


@dataclass(frozen=True)
class Catalogue:
    """Every entry of the data files, in reading order."""

    tasks: tuple[Placed[TaskEntry], ...]
    deliverables: tuple[Placed[DeliverableEntry], ...]
    risks: tuple[Placed[RiskEntry], ...]
    gates: tuple[Placed[GateEntry], ...]


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

SECTIONS = ("tasks", "deliverables", "risks", "gates")
# The key that names an entry of each section in messages.
ENTRY_NAMES = {
    "tasks": "key",
    "deliverables": "deliverable",
    "risks": "risk",
    "gates": "gate",
}


@dataclass(frozen=True)
class _File:
    path: Path
    phase: str
    regime: str


def _catalogue_files(folder: Path) -> list[_File]:
    """The files of a catalogue folder, in reading order."""
    return [
        _File(folder / "project.yaml", "", ""),
        *(_File(folder / "phases" / f"{c}.yaml", c, "") for c in COMPONENTS),
        *(_File(folder / "regimes" / f"{r}.yaml", "", r) for r in COMPLIANCE_NAMES),
        _File(folder / "release.yaml", "", ""),
    ]


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML (libyaml's parser where PyYAML has it) refusing a repeated key."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    pairs = loader.construct_pairs(node, deep=True)
    seen: set[Any] = set()
    for (key, _), (key_node, _) in zip(pairs, node.value, strict=True):
        if key in seen:
            named = dict(pairs)
            label = next(
                (
                    named[n]
                    for n in ENTRY_NAMES.values()
                    if isinstance(named.get(n), str)
                ),
                None,
            )
            raise _DuplicateKeyError(
                problem=f"duplicate key {key!r}"
                + (f" in the entry {_short(label)}" if label else ""),
                problem_mark=key_node.start_mark,
            )
        seen.add(key)
    return dict(pairs)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _line(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    return f"line {mark.line + 1}: " if mark is not None else ""


def _short(text: str) -> str:
    words = text.split()
    return repr(" ".join(words[:8]) + (" …" if len(words) > 8 else ""))


def _entry_label(raw: Any, section: str, index: int) -> str:
    """tasks[3] 'dp.anomaly': where an entry is and what it is called."""
    label = f"{section}[{index}]"
    try:
        name = raw[section][index][ENTRY_NAMES[section]]
    except (KeyError, IndexError, TypeError):
        return label
    return f"{label} {_short(name)}" if isinstance(name, str) else label


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def _validation_problems(path: Path, raw: Any, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = item["loc"]
        message = str(item["msg"]).removeprefix("Value error, ")
        message = message.replace("a valid tuple", "a list")
        if item["type"] == "extra_forbidden" and len(loc) == 1:
            message = f"unknown section {loc[0]!r}; the sections are "
            message += ", ".join(SECTIONS)
            loc = ()
        elif item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}"
            loc = loc[:-1]
        elif item["type"] == "missing":
            message = "required, and missing"
        if len(loc) >= 2 and loc[0] in SECTIONS and isinstance(loc[1], int):
            where = _entry_label(raw, str(loc[0]), loc[1])
            field = _field_path(loc[2:])
        else:
            where, field = "", _field_path(loc)
        parts = [str(path), where, f"{field}: {message}" if field else message]
        problems.append(": ".join(p for p in parts if p))
    return problems


def _read(file: _File, problems: list[str]) -> CatalogueFile | None:
    try:
        text = file.path.read_text(encoding="utf-8")
    except OSError as error:
        problems.append(f"{file.path}: cannot be read: {error.strerror or error}")
        return None
    try:
        raw = yaml.load(text, Loader=_Loader)  # a SafeLoader, refusing duplicate keys
    except _DuplicateKeyError as error:
        problems.append(f"{file.path}: {_line(error)}{error.problem}")
        return None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or error
        problems.append(f"{file.path}: {_line(error)}not valid YAML: {problem}")
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append(
            f"{file.path}: must be a mapping of {', '.join(SECTIONS)}, "
            f"not {type(raw).__name__}"
        )
        return None
    try:
        return CatalogueFile.model_validate(raw)
    except ValidationError as error:
        problems.extend(_validation_problems(file.path, raw, error))
        return None


def _strays(folder: Path, files: list[_File]) -> list[str]:
    expected = {f.path for f in files}
    found = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))
    return [
        f"{path}: not a catalogue file; the files are project.yaml, "
        "phases/<phase>.yaml, regimes/<regime>.yaml and release.yaml"
        for path in found
        if path not in expected
    ]


def _placement_problems(file: _File, content: CatalogueFile) -> Iterator[str]:
    for index, task in enumerate(content.tasks):
        where = f"{file.path}: tasks[{index}] {task.key!r}"
        if file.phase and task.component is not None:
            yield (
                f"{where}: component: a task of a phase file is in its phase; "
                "remove component"
            )
        if not file.phase and task.component is None:
            yield (
                f"{where}: component: required outside phases/ (one of "
                f"{', '.join(COMPONENTS)})"
            )
        if file.regime and not task.fallback_roles:
            yield (
                f"{where}: fallback_roles: required for a compliance task: the "
                f"roles, in order, that own it when the team has no {task.role}"
            )
        repeated = [task.role, *task.fallback_roles]
        if len(set(repeated)) < len(repeated):
            yield (
                f"{where}: fallback_roles: each role once, and not the task's own "
                f"role {task.role}; got {list(task.fallback_roles)}"
            )
    if content.deliverables and not file.phase:
        yield f"{file.path}: deliverables: only a phase file lists deliverables"


def _task_problems(placed: list[tuple[_File, int, TaskEntry]]) -> Iterator[str]:
    where = {
        task.key: f"{file.path}: tasks[{index}] {task.key!r}"
        for file, index, task in reversed(placed)
    }
    seen: dict[str, str] = {}
    for file, index, task in placed:
        here = f"{file.path}: tasks[{index}] {task.key!r}"
        if task.key in seen:
            yield f"{here}: key: already the key of {seen[task.key]}"
        seen.setdefault(task.key, here)
        waits = [
            ("after", task.after),
            ("before", task.before),
            *(
                (f"variants[{i}].after", v.after or ())
                for i, v in enumerate(task.variants)
            ),
        ]
        for field, keys in waits:
            for key in keys:
                if key not in where:
                    yield f"{here}: {field}: {key!r} is not a task of the catalogue"
                elif key == task.key:
                    yield f"{here}: {field}: a task cannot wait for itself"
        for key in task.independent_of:
            if key not in where:
                yield f"{here}: independent_of: {key!r} is not a task of the catalogue"
            elif key == task.key:
                yield f"{here}: independent_of: a task cannot exclude its own owner"
        if task.closes_the_plan and (
            task.after or task.before or task.when.model_fields_set
        ):
            yield (
                f"{here}: closes_the_plan: the closing task follows every other "
                "task; it takes no after, before or when"
            )
    closing = [
        f"{f.path}: tasks[{i}] {t.key!r}" for f, i, t in placed if t.closes_the_plan
    ]
    if len(closing) != 1:
        yield (
            "the catalogue needs exactly one task with closes_the_plan: true, found "
            + (", ".join(closing) if closing else "none")
        )
    graph: dict[str, list[str]] = {key: [] for key in where}
    for _, _, task in placed:
        graph[task.key] += [
            *task.after,
            *(k for v in task.variants for k in v.after or ()),
        ]
        for blocked in task.before:
            graph.setdefault(blocked, []).append(task.key)
    for cycle in find_cycles(graph):
        yield (
            f"{where[cycle[0]]}: after/before: the tasks wait for each other in a "
            f"cycle: {describe_cycle(cycle)}"
        )


def _reference_problems(
    file: _File, content: CatalogueFile, keys: set[str]
) -> Iterator[str]:
    for index, risk in enumerate(content.risks):
        texts = [("mitigation", risk.mitigation)] + [
            (f"variants[{i}].mitigation", v.mitigation or "")
            for i, v in enumerate(risk.variants)
        ]
        for field, text in texts:
            for name in BRACED.findall(text):
                if TASK_KEY.fullmatch(name) and name not in keys:
                    yield (
                        f"{file.path}: risks[{index}] {_short(risk.risk)}: {field}: "
                        f"{{{name}}} is not a task of the catalogue"
                    )


def load_catalogue(folder: Path = DATA_FOLDER) -> Catalogue:
    """Read and check every data file of a catalogue folder.

    Raises CatalogueError naming each problem's file, entry and rule.
    """
    files = _catalogue_files(folder)
    problems = _strays(folder, files)
    read = [(file, _read(file, problems)) for file in files]
    contents = [(file, content) for file, content in read if content is not None]
    for file, content in contents:
        problems.extend(_placement_problems(file, content))
    if len(contents) == len(files):
        placed = [(f, i, t) for f, c in contents for i, t in enumerate(c.tasks)]
        problems.extend(_task_problems(placed))
        keys = {t.key for _, _, t in placed}
        for file, content in contents:
            problems.extend(_reference_problems(file, content, keys))
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise CatalogueError(
            f"the task catalogue in {folder} has {len(problems)} problem(s):\n{listed}",
            problems,
        )

    def placed_all(section: str) -> tuple[Placed[Any], ...]:
        return tuple(
            Placed(entry, _component(file, entry), file.regime)
            for file, content in contents
            for entry in getattr(content, section)
        )

    return Catalogue(
        tasks=placed_all("tasks"),
        deliverables=placed_all("deliverables"),
        risks=placed_all("risks"),
        gates=placed_all("gates"),
    )


def _component(file: _File, entry: Any) -> str:
    """The phase an entry belongs to: its file's, or the one the task names."""
    return file.phase or getattr(entry, "component", None) or ""
