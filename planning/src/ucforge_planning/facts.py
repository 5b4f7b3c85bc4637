"""The answers the catalogue reads, and the placeholders its texts may name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .vocabulary import (
    DOCUMENT_NAMES,
    HIGHER_IS_BETTER,
    METRIC_NAMES,
    ORCHESTRATOR_NAMES,
    needs_model_card,
)


@dataclass(frozen=True)
class Facts:
    """The answers the catalogue reads, in the shape it needs."""

    problem_type: str
    target_column: str
    metric: str
    higher_is_better: bool
    margin: float
    coverage: int
    latency_ms: int
    throughput_rps: int
    levels: frozenset[str]
    infrastructure: frozenset[str]
    tracking_server: bool
    documents: frozenset[str]
    compliance: tuple[str, ...]
    approvals: int
    team_size: int
    reviewers: tuple[str, ...] = ()
    # The answered orchestrator ("none": the command line's runner) and engine.
    orchestrator: str = "none"
    compute_engine: str = "duckdb"

    @property
    def orchestrator_name(self) -> str:
        """The orchestrator the pipeline is registered in, as the plan names it."""
        if self.orchestrator == "none":
            return "the existing orchestrator"
        return ORCHESTRATOR_NAMES.get(self.orchestrator, self.orchestrator)

    @property
    def metric_name(self) -> str:
        """The primary metric as people write it."""
        return METRIC_NAMES.get(self.metric, self.metric)

    @property
    def margin_text(self) -> str:
        """The baseline margin as a percentage, such as '5%'."""
        return f"{self.margin * 100:g}%"

    @property
    def model_card(self) -> bool:
        """Whether a model card is required (asked for, or by regulation)."""
        return needs_model_card(self.documents, self.compliance)

    @property
    def published_documents(self) -> list[str]:
        """The documents the plan publishes besides READMEs, runbooks and ADRs."""
        found = [
            DOCUMENT_NAMES[key]
            for key in ("api_reference", "data_dictionary")
            if key in self.documents
        ]
        if self.model_card:
            found.append(DOCUMENT_NAMES["model_card"])
        return found


def facts_from_answers(answers: Mapping[str, Any]) -> Facts:
    """Read the answers the catalogue needs.

    An orchestrator the flow is generated for is infrastructure that exists, as
    much as one named under existing_infrastructure: the plan registers the
    pipeline in it instead of standing up a scheduler.
    """
    metric = str(answers["primary_metric"])
    orchestrator = str(answers.get("orchestrator") or "none")
    infrastructure = set(answers["existing_infrastructure"] or ())
    if orchestrator != "none":
        infrastructure.add("orchestrator")
    return Facts(
        problem_type=str(answers["problem_type"]),
        target_column=str(answers["target_column"]),
        metric=metric,
        higher_is_better=metric in HIGHER_IS_BETTER,
        margin=float(answers["baseline_margin"]),
        coverage=int(answers["coverage_target"]),
        latency_ms=int(answers["latency_slo_p95_ms"]),
        throughput_rps=int(answers["throughput_slo_rps"]),
        levels=frozenset(answers["test_levels"] or ()),
        infrastructure=frozenset(infrastructure),
        tracking_server=bool(str(answers["tracking_server_url"] or "").strip()),
        documents=frozenset(answers["documentation"] or ()),
        compliance=tuple(answers["compliance"] or ()),
        approvals=int(answers["required_approvals"]),
        team_size=len(answers["team_members"] or ()),
        reviewers=tuple(str(r) for r in answers.get("reviewers") or ()),
        orchestrator=orchestrator,
        compute_engine=str(answers.get("compute_engine") or "duckdb"),
    )


# What each {placeholder} of a catalogue text becomes; a data file may name no other.
PLACEHOLDERS: dict[str, Callable[[Facts], object]] = {
    "metric_name": lambda f: f.metric_name,
    "metric_direction": lambda f: "higher" if f.higher_is_better else "lower",
    "margin_text": lambda f: f.margin_text,
    "target_column": lambda f: f.target_column,
    "coverage": lambda f: f.coverage,
    "latency_ms": lambda f: f.latency_ms,
    "throughput_rps": lambda f: f.throughput_rps,
    "approvals": lambda f: f.approvals,
    "reviewers": lambda f: ", ".join(f"@{r}" for r in f.reviewers),
    "published_documents": lambda f: ", ".join(f.published_documents),
    "orchestrator_name": lambda f: f.orchestrator_name,
}


def placeholder_values(f: Facts) -> dict[str, str]:
    """The text of every placeholder for these facts."""
    return {name: str(value(f)) for name, value in PLACEHOLDERS.items()}
