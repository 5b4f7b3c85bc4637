"""The catalogue is data: a platform team extends it, and a mistake is refused.

Each test copies the shipped catalogue_data/ folder, changes one file as a person
would, and reads it with load_catalogue; the messages must name the file, the
entry and the rule broken.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from planning_support import answers, submodule

schema = submodule("catalogue_schema")
catalogue = submodule("catalogue")
guidance = submodule("guidance")

PLATFORM_TASK = """
  - key: dp.lineage
    category: Storage
    title: Register the curated tables in the platform's lineage service
    role: data_engineer
    effort: [0.5, 1, 2]
    acceptance: Every curated table has an owner and upstream sources in the service
    after: [dp.storage]
    when: {infrastructure_lacks: feature_store}
    variants:
      - when: {infrastructure_has: orchestrator}
        title: Emit lineage events from the existing orchestrator
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue to edit."""
    return Path(shutil.copytree(schema.DATA_FOLDER, tmp_path / "catalogue_data"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, section: str, entry: str) -> None:
    """Add an entry at the end of one section of a data file."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{section}:\n") + len(section) + 3
    following = re.compile(r"^[a-z]+:$", re.MULTILINE).search(text, start)
    end = following.start() if following else len(text)
    added = text[:end].rstrip("\n") + "\n" + entry.strip("\n") + "\n\n" + text[end:]
    path.write_text(added, encoding="utf-8")


def problems_of(folder: Path) -> str:
    with pytest.raises(schema.CatalogueError) as refused:
        schema.load_catalogue(folder)
    return str(refused.value)


def pipeline(data: Path) -> Path:
    return data / "phases" / "data_pipeline.yaml"


def test_the_shipped_catalogue_is_valid() -> None:
    loaded = schema.load_catalogue()
    assert loaded == catalogue.default_catalogue()
    assert catalogue.default_catalogue() is catalogue.default_catalogue()
    assert {p.component for p in loaded.tasks} == set(submodule("model").COMPONENTS)


def test_the_catalogue_refuses_an_unknown_key(data: Path) -> None:
    edit(pipeline(data), "    title: Connect the", "    titel: Connect the")
    message = problems_of(data)
    assert f"{pipeline(data)}: tasks[0] 'dp.connect': unknown key 'titel'" in message
    assert "tasks[0] 'dp.connect': title: required, and missing" in message


def test_the_catalogue_refuses_an_unknown_condition(data: Path) -> None:
    edit(pipeline(data), "{infrastructure_lacks: orchestrator}", "{no_orchestrator: 1}")
    message = problems_of(data)
    assert f"{pipeline(data)}: tasks[6] 'dp.scheduler': when: " in message
    assert "unknown condition 'no_orchestrator'; the conditions are: " in message


def test_the_catalogue_refuses_a_condition_on_an_unknown_choice(data: Path) -> None:
    edit(
        pipeline(data), "{infrastructure_lacks: orchestrator}", "{regime: [gdpr, ccpa]}"
    )
    message = problems_of(data)
    assert "tasks[6] 'dp.scheduler': when.regime[1]: unknown regime 'ccpa'" in message


def test_the_catalogue_refuses_an_unknown_placeholder(data: Path) -> None:
    model = data / "phases" / "model_development.yaml"
    edit(model, "its {metric_name} on", "its {metric} on")
    message = problems_of(data)
    assert f"{model}: tasks[1] 'md.baseline': title: unknown placeholder" in message
    assert "{metric}; use one of {metric_name}, " in message


def test_only_a_mitigation_names_tasks(data: Path) -> None:
    edit(pipeline(data), "reads every production source", "reads {dp.formats}")
    message = problems_of(data)
    assert "tasks[0] 'dp.connect': acceptance: unknown placeholder {dp.formats}" in (
        message
    )


@pytest.mark.parametrize(
    ("effort", "rule"),
    [
        ("[3, 2, 1]", "must not decrease, got [3.0, 2.0, 1.0]"),
        ("[2, 3]", "must be three numbers of working days"),
        ('[2, "3", 5]', "effort[1]: Input should be a valid number"),
        ("[0, 1, 2]", "effort[0]: Input should be greater than 0"),
    ],
)
def test_the_catalogue_refuses_a_bad_effort(data: Path, effort: str, rule: str) -> None:
    edit(pipeline(data), "effort: [2, 3, 5]", f"effort: {effort}")
    message = problems_of(data)
    assert f"{pipeline(data)}: tasks[0] 'dp.connect': effort" in message
    assert rule in message


def test_the_catalogue_refuses_a_task_key_given_twice(data: Path) -> None:
    serving = data / "phases" / "serving.yaml"
    edit(serving, "key: sv.integrate", "key: dp.connect")
    message = problems_of(data)
    assert (
        f"{serving}: tasks[4] 'dp.connect': key: already the key of "
        f"{pipeline(data)}: tasks[0] 'dp.connect'"
    ) in message


def test_the_catalogue_refuses_a_yaml_key_given_twice(data: Path) -> None:
    edit(
        pipeline(data),
        "    role: data_engineer\n",
        "    role: data_engineer\n    role: x\n",
    )
    message = problems_of(data)
    assert (
        f"{pipeline(data)}: line 10: duplicate key 'role' in the entry 'dp.connect'"
    ) in message


def test_the_catalogue_refuses_a_file_that_is_not_yaml(data: Path) -> None:
    edit(pipeline(data), "    title: Connect the", "    title: Connect: the")
    message = problems_of(data)
    assert f"{pipeline(data)}: line 8: not valid YAML: mapping values" in message


def test_the_catalogue_refuses_a_dependency_on_an_unknown_task(data: Path) -> None:
    edit(
        pipeline(data),
        "after: [dp.schema, dp.formats]",
        "after: [dp.schema, dp.format]",
    )
    message = problems_of(data)
    assert (
        f"{pipeline(data)}: tasks[4] 'dp.transform': after: 'dp.format' is not a "
        "task of the catalogue"
    ) in message


def test_the_catalogue_refuses_a_risk_naming_an_unknown_task(data: Path) -> None:
    project = data / "project.yaml"
    edit(project, "({dp.schema})", "({dp.rules})")
    message = problems_of(data)
    assert (
        f"{project}: risks[0] 'Production data differs from the sample data the …': "
        "mitigation: {dp.rules} is not a task of the catalogue"
    ) in message


def test_the_catalogue_refuses_a_dependency_cycle(data: Path) -> None:
    edit(pipeline(data), "after: [dp.connect]\n", "after: [dp.storage]\n")
    message = problems_of(data)
    assert "the tasks wait for each other in a cycle: " in message
    assert "dp.transform -> dp.formats -> dp.storage -> dp.transform" in message


def test_the_catalogue_refuses_a_regime_task_without_its_phase(data: Path) -> None:
    gdpr = data / "regimes" / "gdpr.yaml"
    edit(gdpr, "    component: data_pipeline\n", "")
    message = problems_of(data)
    assert f"{gdpr}: tasks[0] 'gdpr.dpia': component: required outside phases/" in (
        message
    )


def test_the_catalogue_refuses_a_file_it_does_not_read(data: Path) -> None:
    (data / "phases" / "monitoring.yaml").write_text("tasks: []\n", "utf-8")
    message = problems_of(data)
    assert f"{data / 'phases' / 'monitoring.yaml'}: not a catalogue file" in message


def test_the_catalogue_needs_one_task_that_closes_the_plan(data: Path) -> None:
    edit(data / "release.yaml", "    closes_the_plan: true\n", "")
    message = problems_of(data)
    assert "needs exactly one task with closes_the_plan: true, found none" in message


def test_only_a_phase_file_lists_deliverables(data: Path) -> None:
    hipaa = data / "regimes" / "hipaa.yaml"
    hipaa.write_text(
        hipaa.read_text("utf-8") + "\ndeliverables:\n  - deliverable: Signed BAAs\n",
        "utf-8",
    )
    message = problems_of(data)
    assert f"{hipaa}: deliverables: only a phase file lists deliverables" in message


def test_the_catalogue_names_every_problem_at_once(data: Path) -> None:
    edit(pipeline(data), "role: data_engineer", "role: data_engneer")
    edit(data / "phases" / "testing.yaml", "scope: serving", "scope: everything")
    with pytest.raises(schema.CatalogueError) as refused:
        schema.load_catalogue(data)
    assert len(refused.value.problems) == 2
    assert "unknown role 'data_engneer'" in refused.value.problems[0]
    assert (
        "gates[1] 'Performance': scope: unknown scope 'everything'"
        in (refused.value.problems[1])
    )


def test_a_platform_teams_task_joins_the_plan_with_its_conditions(data: Path) -> None:
    append(pipeline(data), "tasks", PLATFORM_TASK)
    extended = schema.load_catalogue(data)
    facts = catalogue.facts_from_answers

    def titles(**changes: object) -> dict[str, str]:
        found = catalogue.drafts(facts(answers(**changes)), extended)
        return {d.key: d.title for d in found}

    assert titles()["dp.lineage"] == (
        "Register the curated tables in the platform's lineage service"
    )
    assert titles(existing_infrastructure=["orchestrator"])["dp.lineage"] == (
        "Emit lineage events from the existing orchestrator"
    )
    assert "dp.lineage" not in titles(existing_infrastructure=["feature_store"])
    shipped = catalogue.drafts(facts(answers()))
    assert [d.key for d in catalogue.drafts(facts(answers()), extended)] == [
        *(d.key for d in shipped[:8]),
        "dp.lineage",
        *(d.key for d in shipped[8:]),
    ]


def test_a_platform_teams_risk_and_gate_join_the_plan(data: Path) -> None:
    append(
        data / "regimes" / "soc2.yaml",
        "risks",
        "  - risk: Access reviews of the feature store are missed\n"
        "    likelihood: L\n"
        "    impact: M\n"
        "    mitigation: Review access with the registry's ({soc2.promotion})\n"
        "    when: {infrastructure_has: feature_store}\n",
    )
    extended = schema.load_catalogue(data)
    facts = catalogue.facts_from_answers(
        answers(compliance=["soc2"], existing_infrastructure=["feature_store"])
    )
    assert guidance.risks(facts, extended)[-1] == (
        "Access reviews of the feature store are missed",
        "L",
        "M",
        "Review access with the registry's ({soc2.promotion})",
    )


def test_an_installed_engine_plans_the_data_files_it_ships(tmp_path: Path) -> None:
    """A platform team edits the data file, and the engine built from it plans it."""
    package = Path(catalogue.__file__).parent
    copy = Path(
        shutil.copytree(
            package,
            tmp_path / "src" / package.name,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    )
    append(
        copy / "catalogue_data" / "phases" / "data_pipeline.yaml",
        "tasks",
        PLATFORM_TASK,
    )
    script = (
        "import json, sys, ucforge_planning; "
        "out = ucforge_planning.generate_from_answers(json.load(sys.stdin)); "
        "print(ucforge_planning.__file__); print(out['plan_tasks_yaml'])"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(answers()),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
    ).stdout
    assert shown.startswith(str(copy))
    assert "title: Register the curated tables in the platform's lineage service" in (
        shown
    )
    assert "id: DP-09" in shown
