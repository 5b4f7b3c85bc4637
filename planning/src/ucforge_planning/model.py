"""The plan as data: immutable records read from plan/tasks.yaml, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The choices a plan's members and answers take, re-exported for the file format.
from .vocabulary import EXPERTISE as EXPERTISE
from .vocabulary import ROLES as ROLES
from .vocabulary import TEST_LEVELS as TEST_LEVELS

COMPONENTS = (
    "data_pipeline",
    "feature_engineering",
    "model_development",
    "serving",
    "testing",
)
COMPONENT_NAMES = {
    "data_pipeline": "Data Pipeline",
    "feature_engineering": "Feature Engineering",
    "model_development": "Model Development",
    "serving": "Serving",
    "testing": "Testing",
}
COMPONENT_PREFIXES = {
    "data_pipeline": "DP",
    "feature_engineering": "FE",
    "model_development": "MD",
    "serving": "SV",
    "testing": "TS",
}
# Where each component's code and README live, relative to the repository root.
COMPONENT_FOLDERS = {
    "data_pipeline": "packages/data-pipeline",
    "feature_engineering": "packages/features",
    "model_development": "packages/model",
    "serving": "packages/serving",
    "testing": "tests",
}
STATUSES = ("TODO", "IN_PROGRESS", "DONE", "BLOCKED")
LEVELS = ("L", "M", "H")
GATE_SCOPES = ("all", *COMPONENTS)


@dataclass(frozen=True)
class Estimate:
    """Three-point effort estimate in working days of the task's owner."""

    optimistic: float
    likely: float
    pessimistic: float


@dataclass(frozen=True)
class Task:
    """One unit of work with its owner, effort, dependencies and status."""

    id: str
    component: str
    category: str
    title: str
    role: str
    owner: str
    estimate: Estimate
    depends_on: tuple[str, ...]
    acceptance: str
    status: str
    # Tests that prove the acceptance criteria: pytest node ids or marker:NAME.
    verified_by: tuple[str, ...] = ()
    # Actual dates, when work on the task started and when it was finished.
    started: dt.date | None = None
    finished: dt.date | None = None


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass(frozen=True)
class Absence:
    """Days a member is away, first and last included, and why (optional)."""

    start: dt.date
    end: dt.date
    reason: str = ""


@dataclass(frozen=True)
class Member:
    """A team member; capacity is the share of each working day spent on the plan.

    `weekdays` are the days of the week they work (part-time: Mon to Thu, say);
    `absences` the days they are away.
    """

    name: str
    handle: str
    email: str
    role: str
    expertise: str
    capacity: float
    weekdays: tuple[str, ...] = WEEKDAYS
    absences: tuple[Absence, ...] = ()


@dataclass(frozen=True)
class Deadline:
    """A hard deadline; `tasks` (optional) must be finished by its date."""

    name: str
    date: dt.date
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class Risk:
    """A risk with likelihood and impact as L, M or H.

    A risk with a `probability` (0 to 1) and `impact_days` (a working-day range) is
    sampled in the forecast: in each run it happens with that probability and then
    delays the finish of the tasks it names by `delays` (the end when none).
    """

    risk: str
    likelihood: str
    impact: str
    mitigation: str
    probability: float | None = None
    impact_days: Estimate | None = None
    delays: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    """A quality gate; scope is 'all' or the component it applies to."""

    name: str
    timing: str
    criteria: str
    scope: str
    # Tests that prove the criteria: pytest node ids or marker:NAME.
    verified_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Calendar:
    """Working days: Monday to Friday from start, less non-working days and the
    public holidays of the region named."""

    start: dt.date
    target: dt.date
    sprint_length_weeks: int
    non_working_days: tuple[dt.date, ...]
    # The day progress is reported at; None: the latest actual date recorded.
    status_date: dt.date | None = None
    # The public holidays of a country or region ('DE', 'DE-BY'; '' for none).
    public_holidays: str = ""
    # The share of a member's plan time that goes to plan work (a full share if 1).
    focus_factor: float = 1.0


@dataclass(frozen=True)
class Project:
    """Identity of the use case and where its plan lives."""

    use_case_id: str
    name: str
    description: str
    problem_type: str
    target_column: str
    owner: str
    cli: str
    plan_dir: str


@dataclass(frozen=True)
class KeyAnswers:
    """The answered Key Questions 3 to 7 (1 and 2 are the team and the calendar)."""

    ci_provider: str
    tracking_server_url: str
    existing_infrastructure: tuple[str, ...]
    coverage_target: int
    test_levels: tuple[str, ...]
    latency_slo_p95_ms: int
    throughput_slo_rps: int
    primary_metric: str
    baseline_margin: float
    reviewers: tuple[str, ...]
    required_approvals: int
    documentation: tuple[str, ...]
    compliance: tuple[str, ...]


@dataclass(frozen=True)
class Forecast:
    """Settings of the Monte Carlo forecast."""

    seed: int
    runs: int


@dataclass(frozen=True)
class Plan:
    """Everything plan/tasks.yaml holds."""

    project: Project
    answers: KeyAnswers
    team: tuple[Member, ...]
    calendar: Calendar
    deadlines: tuple[Deadline, ...]
    forecast: Forecast
    deliverables: dict[str, tuple[str, ...]]
    tasks: tuple[Task, ...]
    risks: tuple[Risk, ...]
    gates: tuple[Gate, ...]

    def member(self, handle: str) -> Member | None:
        """The member with this handle, if any."""
        return next((m for m in self.team if m.handle == handle), None)
