"""The answers shape the plan: team, infrastructure, compliance, tests, dates."""

from __future__ import annotations

from typing import Any

import yaml
from planning_support import answers, submodule

document = submodule("document")
analysis = submodule("analysis")
generate = submodule("generate")

CATEGORIES = {
    "data_pipeline": {
        "Ingestion",
        "Validation",
        "Transformation",
        "Storage",
        "Orchestration",
    },
    "feature_engineering": {
        "Feature Definition",
        "Computation",
        "Storage",
        "Serving",
        "Validation",
    },
    "model_development": {
        "Experiment Setup",
        "Data Preparation",
        "Model Training",
        "Evaluation",
        "Model Registry",
    },
    "serving": {
        "API Development",
        "Model Loading",
        "Inference",
        "Scaling",
        "Integration",
    },
    "testing": {
        "Unit Tests",
        "Integration Tests",
        "Performance Tests",
        "Model Tests",
        "Chaos Tests",
    },
}


def plan_for(**changes: Any):
    output = generate.generate_from_answers(answers(**changes))
    plan = document.load_plan(output["plan_tasks_yaml"])
    return plan, output


def solo(role: str = "ml_engineer", expertise: str = "senior") -> list[dict[str, str]]:
    return [
        {
            "name": "Sam Solo",
            "handle": "sam",
            "email": "sam@example.com",
            "role": role,
            "expertise": expertise,
        }
    ]


def test_the_default_plan_is_valid_and_covers_every_task_category() -> None:
    plan, _ = plan_for()
    for component, categories in CATEGORIES.items():
        found = {t.category for t in plan.tasks if t.component == component}
        assert categories <= found, component
    assert all(t.status == "TODO" for t in plan.tasks)
    assert all(t.acceptance for t in plan.tasks)


def test_the_same_answers_give_the_same_plan_byte_for_byte() -> None:
    first = generate.generate_from_answers(answers())
    second = generate.generate_from_answers(answers())
    assert first == second


def test_owners_follow_roles_when_the_team_has_them() -> None:
    plan, _ = plan_for()
    owners = {m.handle: m.role for m in plan.team}
    for task in plan.tasks:
        if task.role in owners.values():
            assert owners[task.owner] == task.role, task.id


def test_a_one_person_team_owns_every_task_and_is_warned_of_key_person_risk() -> None:
    plan, output = plan_for(
        team_members=solo(),
        use_case_owner="sam",
        reviewers=["sam"],
        required_approvals=0,
    )
    assert {t.owner for t in plan.tasks} == {"sam"}
    risks = [r.risk for r in analysis.analyse(plan).risks]
    assert any("Key-person risk" in r for r in risks)
    assert any("No data engineer in the team" in r for r in risks)
    assert "self-review" in output["plan_markdown"]


def test_a_team_without_a_role_gives_its_tasks_to_the_fallback_roles() -> None:
    plan, _ = plan_for()
    scheduler = [t for t in plan.tasks if t.role == "mlops_engineer"]
    assert scheduler
    assert {t.owner for t in scheduler} <= {"priya-n", "tortega"}
    risks = [r.risk for r in analysis.analyse(plan).risks]
    assert any(r.startswith("No MLOps engineer in the team") for r in risks)


def test_junior_owners_get_longer_estimates_than_senior_ones() -> None:
    senior, _ = plan_for(
        team_members=solo(expertise="senior"),
        use_case_owner="sam",
        reviewers=["sam"],
        required_approvals=0,
    )
    junior, _ = plan_for(
        team_members=solo(expertise="junior"),
        use_case_owner="sam",
        reviewers=["sam"],
        required_approvals=0,
    )
    by_id = {t.id: t.estimate.likely for t in senior.tasks}
    assert all(t.estimate.likely >= by_id[t.id] for t in junior.tasks)
    assert sum(t.estimate.likely for t in junior.tasks) > 1.4 * sum(by_id.values())


def test_a_hipaa_project_adds_audit_logging_de_identification_risks_and_gates() -> None:
    plan, output = plan_for(compliance=["hipaa"])
    titles = {t.id: t.title for t in plan.tasks}
    assert any("Audit-log every access to health data" in t for t in titles.values())
    assert any(t.startswith("CMP-HIPAA-") for t in titles)
    access = next(t.id for t in plan.tasks if "BAAs" in t.title)
    assert access in next(t for t in plan.tasks if t.id == "DP-01").depends_on
    assert any(g.name == "HIPAA safeguards" for g in plan.gates)
    assert any("(HIPAA)" in r.risk for r in plan.risks)
    assert "HIPAA" in output["plan_markdown"]


def test_gdpr_adds_a_data_protection_impact_assessment_before_production_data() -> None:
    plan, _ = plan_for(compliance=["gdpr"])
    dpia = next(t for t in plan.tasks if "DPIA" in t.title)
    assert dpia.id == "CMP-GDPR-01"
    assert dpia.id in next(t for t in plan.tasks if t.id == "DP-01").depends_on
    assert any(g.name == "GDPR: DPIA approved" for g in plan.gates)


def test_every_regime_adds_its_own_tasks() -> None:
    regimes = ["gdpr", "hipaa", "soc2", "pci_dss", "eu_ai_act", "sr_11_7"]
    plan, _ = plan_for(compliance=regimes)
    for part in ("GDPR", "HIPAA", "SOC2", "PCI", "EUAI", "SR117"):
        assert any(t.id.startswith(f"CMP-{part}-") for t in plan.tasks), part
    assert len(plan.gates) > len(plan_for()[0].gates) + 5


def test_a_target_date_too_early_shows_up_as_a_high_risk_with_its_mitigation() -> None:
    plan, output = plan_for(target_date="2027-01-25")
    result = analysis.analyse(plan)
    first = result.risks[0]
    assert "is unlikely to be met" in first.risk
    assert (first.likelihood, first.impact) == ("H", "H")
    assert "Agree a new target" in first.mitigation
    assert result.on_time_probability == 0
    assert "the target is unlikely to be met" in output["plan_markdown"]


def test_the_default_target_is_achievable() -> None:
    plan, output = plan_for()
    result = analysis.analyse(plan)
    assert result.p80 <= plan.calendar.target
    assert "the target is achievable" in output["plan_markdown"]


def test_existing_infrastructure_removes_and_shrinks_tasks() -> None:
    bare, _ = plan_for()
    ready, _ = plan_for(
        existing_infrastructure=[
            "feature_store",
            "orchestrator",
            "container_platform",
            "monitoring",
        ],
        tracking_server_url="https://mlflow.example.com",
    )
    assert any("Stand up a scheduler" in t.title for t in bare.tasks)
    assert not any("Stand up a scheduler" in t.title for t in ready.tasks)
    assert any("existing feature store" in t.title for t in ready.tasks)
    assert any("existing MLflow server" in t.title for t in ready.tasks)
    assert (
        sum(t.estimate.likely for t in ready.tasks)
        < sum(t.estimate.likely for t in bare.tasks) - 8
    )


def test_the_chosen_test_levels_and_slos_become_tasks_and_gates() -> None:
    full, _ = plan_for(latency_slo_p95_ms=120, throughput_slo_rps=75)
    assert any("p95 120 ms at 75 requests" in t.title for t in full.tasks)
    assert any(g.name == "Performance" and "120 ms" in g.criteria for g in full.gates)
    lean, output = plan_for(test_levels=["unit", "integration"])
    categories = {t.category for t in lean.tasks}
    assert not {"Performance Tests", "Model Tests", "Chaos Tests"} & categories
    assert not {"Performance", "Chaos", "Model tests"} & {g.name for g in lean.gates}
    assert (
        "Not in scope for this use case: Performance, Model, Chaos tests."
        in (output["plan_markdown"])
    )


def test_hard_deadlines_become_milestones() -> None:
    plan, output = plan_for(
        hard_deadlines=[{"name": "Pilot with retention team", "date": "2027-02-15"}]
    )
    names = [m.name for m in analysis.analyse(plan).milestones]
    assert "Pilot with retention team" in names
    assert (
        "| Pilot with retention team | 2027-02-15 (sprint 4) |"
        in (output["plan_markdown"])
    )


def test_answers_with_quotes_braces_colons_and_unicode_stay_literal() -> None:
    name = "Churn: \"quoted\" 'single' {{ 7*7 }} # | ünïcödé"
    team = answers()["team_members"]
    team[0]["name"] = "Zoë O'Brien: {% raw %} | #1"
    _, output = plan_for(use_case_name=name, description=name, team_members=team)
    data = yaml.safe_load(output["plan_tasks_yaml"])
    assert data["project"]["name"] == name
    assert data["team"][0]["name"] == "Zoë O'Brien: {% raw %} | #1"
    markdown = output["plan_markdown"]
    assert "{{ 7\\*7 }}" in markdown or "{{ 7*7 }}" in markdown
    assert "ünïcödé" in markdown
    assert "Zoë O'Brien: {% raw %} \\| #1" in markdown


def test_the_seed_depends_on_the_use_case() -> None:
    one, _ = plan_for()
    two, _ = plan_for(use_case_id="UC-002")
    assert one.forecast.seed != two.forecast.seed
    assert one.forecast.runs == 2000
