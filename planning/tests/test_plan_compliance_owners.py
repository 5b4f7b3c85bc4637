"""Compliance tasks go to the roles that own them; validation stays independent."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from planning_support import make_answers, submodule
from ucforge_planning import build_plan
from ucforge_planning.model import Plan

schema = submodule("catalogue_schema")
catalogue = submodule("catalogue")

REGIMES = ["gdpr", "hipaa", "soc2", "pci_dss", "eu_ai_act", "sr_11_7"]
PEOPLE = {
    "data_engineer": ("Dee Engel", "dee"),
    "data_scientist": ("Sol Ito", "sol"),
    "ml_engineer": ("Mo Lind", "mo"),
    "mlops_engineer": ("Ops Park", "ops"),
}


def team_of(*roles: str, expertise: str = "senior") -> dict[str, Any]:
    members = []
    for number, role in enumerate(roles, start=1):
        name, handle = PEOPLE[role]
        members.append(
            {
                "name": f"{name} {number}",
                "handle": f"{handle}{number}",
                "email": f"{handle}{number}@example.com",
                "role": role,
                "expertise": expertise,
            }
        )
    handles = [m["handle"] for m in members]
    return {
        "team_members": members,
        "use_case_owner": handles[0],
        "reviewers": handles,
        "required_approvals": 1 if len(handles) > 1 else 0,
    }


def regulated(*roles: str) -> Plan:
    return build_plan(make_answers(compliance=REGIMES, **team_of(*roles)))


def catalogue_tasks() -> dict[str, Any]:
    return {p.entry.key: p.entry for p in catalogue.default_catalogue().tasks}


def compliance_titles() -> dict[str, Any]:
    return {
        p.entry.title: p.entry for p in catalogue.default_catalogue().tasks if p.regime
    }


def test_every_compliance_task_names_the_roles_that_own_it() -> None:
    for placed in catalogue.default_catalogue().tasks:
        if placed.regime:
            owners = (placed.entry.role, *placed.entry.fallback_roles)
            assert len(owners) >= 3, placed.entry.key
            assert len(set(owners)) == len(owners), placed.entry.key


TEAMS = [
    ("data_scientist", "ml_engineer"),
    ("ml_engineer", "mlops_engineer"),
    ("data_engineer", "data_scientist"),
    ("data_engineer", "mlops_engineer", "ml_engineer"),
    ("data_scientist", "mlops_engineer", "data_scientist"),
]


@pytest.mark.parametrize("roles", TEAMS, ids="+".join)
def test_a_compliance_task_goes_to_the_first_owning_role_the_team_has(
    roles: tuple[str, ...],
) -> None:
    plan = regulated(*roles)
    entries = compliance_titles()
    role_of = {m.handle: m.role for m in plan.team}
    checked = 0
    for task in plan.tasks:
        entry = entries.get(task.title)
        if entry is None or entry.independent_of:
            continue
        owning = next(r for r in (entry.role, *entry.fallback_roles) if r in roles)
        assert role_of[task.owner] == owning, (task.id, task.title)
        checked += 1
    assert checked >= 14


def test_a_dpia_without_a_data_engineer_goes_to_the_data_scientist() -> None:
    plan = regulated("ml_engineer", "data_scientist", "mlops_engineer")
    dpia = next(t for t in plan.tasks if "(DPIA)" in t.title)
    assert (dpia.id, dpia.owner) == ("CMP-GDPR-01", "sol2")


def owners_by_title(plan: Plan) -> dict[str, str]:
    return {t.title: t.owner for t in plan.tasks}


DEVELOPMENT = (
    "Train candidate models and tune hyperparameters",
    "Evaluate metrics, errors, slices and fairness",
)
VALIDATION = "Coordinate the independent model validation and close its findings"


@pytest.mark.parametrize(
    "roles",
    [
        ("ml_engineer", "data_engineer", "data_scientist"),
        ("data_scientist", "data_scientist", "ml_engineer"),
        ("data_scientist", "data_engineer"),
        ("data_scientist", "data_scientist", "data_scientist", "mlops_engineer"),
    ],
    ids="+".join,
)
def test_the_model_validation_is_not_owned_by_the_models_developer(
    roles: tuple[str, ...],
) -> None:
    plan = regulated(*roles)
    owners = owners_by_title(plan)
    developers = {owners[title] for title in DEVELOPMENT}
    assert owners[VALIDATION] not in developers
    others = [
        m.handle
        for m in plan.team
        if m.role == "data_scientist" and m.handle not in developers
    ]
    if others:
        assert owners[VALIDATION] in others
    assert not [r for r in plan.risks if "independent of" in r.risk]


def test_a_team_with_no_independent_member_is_told_to_find_one() -> None:
    plan = regulated("data_scientist")
    validation = next(t for t in plan.tasks if t.title == VALIDATION)
    risks = [r for r in plan.risks if "independent of" in r.risk]
    assert [r.risk for r in risks] == [
        f"{validation.id} needs an owner independent of MD-04 and MD-05, and every "
        f"member owns one of them: Sol Ito 1 owns {validation.id} too"
    ]
    assert (risks[0].likelihood, risks[0].impact) == ("H", "H")
    assert "outside the team" in risks[0].mitigation


def test_independent_owners_are_deterministic() -> None:
    roles = ("data_scientist", "data_scientist", "ml_engineer")
    assert regulated(*roles) == regulated(*roles)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(schema.DATA_FOLDER, tmp_path / "catalogue_data"))


def problems_of(folder: Path) -> str:
    with pytest.raises(schema.CatalogueError) as refused:
        schema.load_catalogue(folder)
    return str(refused.value)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_catalogue_refuses_a_compliance_task_without_owning_roles(
    data: Path,
) -> None:
    gdpr = data / "regimes" / "gdpr.yaml"
    edit(gdpr, "    fallback_roles: [data_scientist, ml_engineer]\n", "")
    assert (
        f"{gdpr}: tasks[0] 'gdpr.dpia': fallback_roles: required for a compliance "
        "task: the roles, in order, that own it when the team has no data_engineer"
    ) in problems_of(data)


def test_the_catalogue_refuses_a_fallback_role_given_twice(data: Path) -> None:
    gdpr = data / "regimes" / "gdpr.yaml"
    edit(gdpr, "[data_scientist, ml_engineer]", "[data_engineer, ml_engineer]")
    assert (
        f"{gdpr}: tasks[0] 'gdpr.dpia': fallback_roles: each role once, and not the "
        "task's own role data_engineer; got ['data_engineer', 'ml_engineer']"
    ) in problems_of(data)


def test_the_catalogue_refuses_an_unknown_fallback_role(data: Path) -> None:
    gdpr = data / "regimes" / "gdpr.yaml"
    edit(gdpr, "[data_scientist, ml_engineer]", "[data_scientist, lawyer]")
    message = problems_of(data)
    assert re.search(
        r"gdpr\.yaml: tasks\[0\] 'gdpr\.dpia': fallback_roles\[1\]: ", message
    )
    assert "lawyer" in message


def test_the_catalogue_refuses_independence_of_an_unknown_task(data: Path) -> None:
    sr117 = data / "regimes" / "sr_11_7.yaml"
    edit(sr117, "independent_of: [md.train, md.evaluate]", "independent_of: [md.fit]")
    assert (
        f"{sr117}: tasks[1] 'sr117.validation': independent_of: 'md.fit' is not a "
        "task of the catalogue"
    ) in problems_of(data)


def test_every_team_of_two_gets_each_compliance_task_an_owner_in_the_team() -> None:
    for roles in itertools.combinations_with_replacement(sorted(PEOPLE), 2):
        plan = regulated(*roles)
        handles = {m.handle for m in plan.team}
        assert {t.owner for t in plan.tasks} <= handles
