"""The orchestrator and compute-engine answers shape the data-pipeline tasks."""

from __future__ import annotations

import pytest
from planning_support import answers
from ucforge_planning import catalogue
from ucforge_planning.catalogue_schema import When
from ucforge_planning.facts import facts_from_answers
from ucforge_planning.generate import generate_from_answers


def titles(**changes: object) -> dict[str, str]:
    found = catalogue.drafts(facts_from_answers(answers(**changes)))
    return {d.key: d.title for d in found}


def test_without_an_orchestrator_the_plan_stands_up_a_scheduler() -> None:
    plan = titles(orchestrator="none")
    assert plan["dp.scheduler"].startswith("Stand up a scheduler")
    assert plan["dp.orchestrate"] == (
        "Schedule the pipeline with dependencies, retries and alerts"
    )


def test_answers_from_before_the_orchestrator_question_plan_as_none() -> None:
    older = answers()
    older.pop("orchestrator", None)
    older.pop("compute_engine", None)
    assert titles(orchestrator="none") == {
        d.key: d.title for d in catalogue.drafts(facts_from_answers(older))
    }


@pytest.mark.parametrize(
    ("orchestrator", "name"),
    [("airflow", "Apache Airflow"), ("prefect", "Prefect"), ("dagster", "Dagster")],
)
def test_an_answered_orchestrator_is_existing_infrastructure_named_in_the_task(
    orchestrator: str, name: str
) -> None:
    plan = titles(orchestrator=orchestrator)
    assert "dp.scheduler" not in plan
    assert plan["dp.orchestrate"] == f"Register the pipeline in {name} with retries"
    found = catalogue.drafts(facts_from_answers(answers(orchestrator=orchestrator)))
    orchestrate = next(d for d in found if d.key == "dp.orchestrate")
    assert name in orchestrate.acceptance
    assert orchestrate.effort == (0.5, 1, 2)
    generated = generate_from_answers(answers(orchestrator=orchestrator))
    assert "No workflow orchestrator yet" not in generated["plan_markdown"]
    assert (
        f"Register the pipeline in {name} with retries" in (generated["plan_markdown"])
    )


def test_another_existing_orchestrator_keeps_the_generic_name() -> None:
    plan = titles(orchestrator="none", existing_infrastructure=["orchestrator"])
    assert "dp.scheduler" not in plan
    assert plan["dp.orchestrate"] == (
        "Register the pipeline in the existing orchestrator with retries"
    )


def test_on_spark_the_pipeline_runs_on_the_teams_cluster() -> None:
    duckdb, spark = titles(compute_engine="duckdb"), titles(compute_engine="spark")
    assert duckdb["dp.connect"] == (
        "Connect the production sources and manage their credentials"
    )
    assert spark["dp.connect"] == (
        "Connect the production sources and run the pipeline on the team's Spark "
        "cluster"
    )
    assert set(duckdb) == set(spark)


def test_the_compute_engine_condition_knows_its_engines() -> None:
    assert When.model_validate({"compute_engine": "spark"}).compute_engine == "spark"
    with pytest.raises(ValueError, match="unknown compute engine 'flink'"):
        When.model_validate({"compute_engine": "flink"})
