"""Every validator rejects what it should, with a message naming the question and rule.

The pure validators are tested directly (fast, many cases); a sample of them is also
driven through copier to prove that a rejected answer stops the copy before anything
is written at the destination.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ucforge_support import BASE_ANSWERS, ROOT

spec = importlib.util.spec_from_file_location(
    "ucforge_extension", ROOT / "extensions" / "ucforge.py"
)
assert spec is not None and spec.loader is not None
ext = importlib.util.module_from_spec(spec)
sys.modules["ucforge_extension"] = ext
spec.loader.exec_module(ext)

DEFAULT_TEAM = yaml.safe_load((ROOT / "copier.yml").read_text())["team_members"][
    "default"
]


def member(**overrides: Any) -> dict[str, Any]:
    return {**DEFAULT_TEAM[0], **overrides}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("UC-42", "three digits"),
        ("uc-042", "three digits"),
        ("UC-0420", "three digits"),
        ("UC-042; rm -rf /", "three digits"),
    ],
)
def test_use_case_id_rejects_malformed_ids(value: str, fragment: str) -> None:
    message = ext.problems_use_case_id(value)
    assert message.startswith("use_case_id")
    assert fragment in message


def test_use_case_id_accepts_uc_and_three_digits() -> None:
    assert ext.problems_use_case_id("UC-042") == ""


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "must not be empty"),
        ("two\nlines", "single line"),
        ("x" * 81, "at most 80"),
    ],
)
def test_one_line_answers_reject_empty_multiline_and_long_text(
    value: str, fragment: str
) -> None:
    message = ext.problems_one_line(value, "use_case_name", 80)
    assert message.startswith("use_case_name")
    assert fragment in message


def test_one_line_answers_accept_quotes_braces_and_unicode() -> None:
    assert ext.problems_one_line('Churn "beta" {{ 7*7 }} #1: café ü 😀', "x", 80) == ""


@pytest.mark.parametrize(
    "value", ["Churn", "uc_042", "-uc", "uc--042", "uc-042-", "uc 042", "a" * 61]
)
def test_project_slug_rejects_what_is_not_a_lower_case_hyphenated_name(
    value: str,
) -> None:
    assert ext.problems_slug(value).startswith("project_slug")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("Churn", "lower-case Python identifier"),
        ("uc-042", "lower-case Python identifier"),
        ("1uc", "lower-case Python identifier"),
        ("a" * 31, "at most 30"),
        ("class", "shadow"),
        ("json", "shadow"),
        ("mlflow", "shadow"),
    ],
)
def test_package_name_rejects_invalid_long_and_shadowing_names(
    value: str, fragment: str
) -> None:
    message = ext.problems_package_name(value)
    assert message.startswith("package_name")
    assert fragment in message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("Churned", "snake_case"), ("plan", "already a data column"), ("for", "snake")],
)
def test_target_column_rejects_bad_names_and_data_columns(
    value: str, fragment: str
) -> None:
    message = ext.problems_target_column(value)
    assert message.startswith("target_column")
    assert fragment in message


@pytest.mark.parametrize(
    ("team", "fragment"),
    [
        ([], "non-empty"),
        ("Ada", "non-empty YAML list"),
        ([{"name": "Ada"}], "missing handle, email, role, expertise"),
        ([member(role="wizard")], "role must be one of"),
        ([member(expertise="guru")], "expertise must be one of"),
        ([member(email="not-an-email")], "email must look like"),
        ([member(handle="bad handle!")], "handle must be"),
        ([member(), member(email="other@example.com")], "repeats the handle"),
        ([member(shoe_size=42)], "unknown keys shoe_size"),
        ([member(name="")], "name must not be empty"),
    ],
)
def test_team_rejects_incomplete_or_invalid_members(team: Any, fragment: str) -> None:
    message = ext.problems_team(team)
    assert message.startswith("team_members")
    assert fragment in message


def test_team_accepts_the_default_team() -> None:
    assert ext.problems_team(DEFAULT_TEAM) == ""


def test_owner_and_reviewers_must_be_team_members() -> None:
    assert "must be the handle of a team member" in ext.problems_member_handle(
        "stranger", "use_case_owner", DEFAULT_TEAM
    )
    message = ext.problems_reviewers(["priya-n", "stranger"], DEFAULT_TEAM)
    assert message.startswith("reviewers must be team members")
    assert "stranger" in message
    assert ext.problems_reviewers(["priya-n", "priya-n"], DEFAULT_TEAM).endswith(
        "twice"
    )
    assert ext.problems_reviewers(["priya-n"], DEFAULT_TEAM) == ""


def test_dates_must_be_real_iso_dates() -> None:
    assert ext.problems_date("2027-02-30", "start_date").startswith("start_date")
    assert ext.problems_date("04/01/2027", "start_date").startswith("start_date")
    assert ext.problems_date("2027-01-04", "start_date") == ""


def test_start_date_must_be_a_working_day() -> None:
    message = ext.problems_start_date("2027-01-09")
    assert message.startswith("start_date must be a working day")
    assert "Saturday" in message
    assert ext.problems_start_date("2027-01-11") == ""
    assert ext.problems_start_date("2027-13-01").startswith("start_date must be a real")


def test_target_date_must_come_at_least_two_weeks_after_the_start() -> None:
    message = ext.problems_target_date("2027-01-10", "2027-01-04")
    assert message.startswith("target_date must be at least two weeks after")
    assert ext.problems_target_date("2026-12-01", "2027-01-04") != ""
    assert ext.problems_target_date("2027-01-18", "2027-01-04") == ""


def test_hard_deadlines_must_fall_between_start_and_target() -> None:
    start, target = "2027-01-04", "2027-03-29"
    late = [{"name": "Launch", "date": "2027-04-01"}]
    assert "must fall after start_date" in ext.problems_deadlines(late, start, target)
    twice = [{"name": "A", "date": "2027-02-01"}, {"name": "A", "date": "2027-02-02"}]
    assert "repeats the name" in ext.problems_deadlines(twice, start, target)
    assert "exactly name and date" in ext.problems_deadlines(
        [{"name": "A"}], start, target
    )
    assert (
        ext.problems_deadlines([{"name": "A", "date": "2027-02-01"}], start, target)
        == ""
    )


@pytest.mark.parametrize(
    "value",
    [
        "mlflow.example.com",
        "ftp://x.org",
        "https://x.org/$(id)",
        "http://a b",
        # configs/prod.yaml writes it inside ${MLFLOW_TRACKING_URI:-...}.
        "https://x.org/{a}",
    ],
)
def test_tracking_server_url_must_be_empty_or_http(value: str) -> None:
    assert ext.problems_url(value, "tracking_server_url").startswith(
        "tracking_server_url"
    )


def test_ranges_levels_metric_and_margin() -> None:
    assert "between 50 and 100" in ext.problems_int_range(
        49, "coverage_target", 50, 100
    )
    assert "whole number" in ext.problems_int_range("many", "coverage_target", 50, 100)
    assert "must include unit and integration" in ext.problems_test_levels(["unit"])
    assert "unknown levels" in ext.problems_test_levels(["unit", "integration", "x"])
    assert "does not fit problem_type" in ext.problems_metric(
        "rmse", "binary_classification"
    )
    assert ext.problems_metric("mae", "regression") == ""
    assert "below 1" in ext.problems_margin(1.5)
    assert ext.problems_margin(0.05) == ""


def test_approvals_must_be_possible_for_the_team() -> None:
    handles = [m["handle"] for m in DEFAULT_TEAM]
    assert "leaves no one to approve" in ext.problems_approvals(
        3, handles, DEFAULT_TEAM
    )
    assert "at least 1" in ext.problems_approvals(0, handles, DEFAULT_TEAM)
    assert ext.problems_approvals(2, handles, DEFAULT_TEAM) == ""
    solo = DEFAULT_TEAM[:1]
    assert ext.problems_approvals(0, [solo[0]["handle"]], solo) == ""


@pytest.mark.parametrize(
    "value", ["/abs/plan", "../outside", "a/../b", "docs/plan", "a//b", "plan dir"]
)
def test_plan_dir_must_be_a_safe_relative_folder(value: str) -> None:
    assert ext.problems_relative_dir(value, "plan_dir").startswith("plan_dir")


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_data_sample_must_be_a_readable_csv_file(tmp_path: Path) -> None:
    assert ext.problems_data_sample("") == ""
    missing = ext.problems_data_sample(str(tmp_path / "nowhere.csv"))
    assert missing.startswith("data_sample") and "nowhere.csv" in missing
    (tmp_path / "one.csv").write_text("only\n1\n")
    assert "at least two columns" in ext.problems_data_sample(str(tmp_path / "one.csv"))
    (tmp_path / "latin.csv").write_bytes("größe,b\n1,2\n".encode("latin-1"))
    assert "not UTF-8" in ext.problems_data_sample(str(tmp_path / "latin.csv"))
    good = write_csv(tmp_path / "good.csv", ["a", "b"], [[1, 0], [2, 1]])
    assert ext.problems_data_sample(str(good)) == ""


def test_with_a_sample_the_label_and_the_id_must_be_its_columns(
    tmp_path: Path,
) -> None:
    rows = [[f"K{n}", n % 7, n * 0.5, n % 2] for n in range(60)]
    sample = write_csv(tmp_path / "s.csv", ["key", "count", "size", "Outcome"], rows)
    assert ext.problems_target_column("Outcome", str(sample)) == ""
    absent = ext.problems_target_column("label", str(sample))
    assert "not a column of s.csv" in absent and "Outcome" in absent
    assert (
        ext.problems_id_column("key", str(sample), "binary_classification", "Outcome")
        == ""
    )
    assert (
        ext.problems_id_column("", str(sample), "binary_classification", "Outcome")
        == ""
    )
    duplicated = ext.problems_id_column(
        "count", str(sample), "binary_classification", "Outcome"
    )
    assert "count" in duplicated and "s.csv" in duplicated
    numeric_label = ext.problems_id_column("key", str(sample), "regression", "size")
    assert numeric_label == ""


def test_the_demo_keeps_its_id_column_and_entity_words_are_words() -> None:
    assert ext.problems_id_column("customer_id") == ""
    assert ext.problems_id_column("") == ""
    assert "customer_id or empty" in ext.problems_id_column("account")
    assert ext.problems_entity_word("patient", "entity_name") == ""
    assert ext.problems_entity_word("site visit", "entity_name") == ""
    assert ext.problems_entity_word("<b>", "entity_name").startswith("entity_name")
    assert ext.plural_of("city") == "cities"
    assert ext.plural_of("batch") == "batches"


@pytest.mark.parametrize(
    ("answers", "question", "fragment"),
    [
        ({"use_case_id": "UC-7"}, "use_case_id", "three digits"),
        ({"data_sample": "/no/such/sample.csv"}, "data_sample", "not one"),
        ({"target_date": "2027-01-05"}, "target_date", "two weeks after"),
        ({"reviewers": ["nobody"]}, "reviewers", "must be team members"),
        ({"package_name": "class"}, "package_name", "shadow"),
        ({"team_members": [member(role="wizard")]}, "team_members", "role"),
        ({"primary_metric": "rmse"}, "primary_metric", "does not fit"),
    ],
)
def test_a_rejected_answer_stops_the_copy_before_anything_is_written(
    copie: Any, answers: dict[str, Any], question: str, fragment: str
) -> None:
    result = copie.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exit_code != 0
    message = str(result.exception)
    assert f"question '{question}'" in message
    assert fragment in message
    destination = Path(copie.test_dir) / "copie000"
    assert not destination.exists() or not any(destination.iterdir())


def test_a_copier_environment_with_an_older_pydantic_is_refused_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pydantic

    monkeypatch.setattr(pydantic, "VERSION", "2.4.2")
    older = importlib.util.spec_from_file_location(
        "ucforge_extension_old_pydantic", ROOT / "extensions" / "ucforge.py"
    )
    assert older is not None and older.loader is not None
    with pytest.raises(RuntimeError, match=r"pydantic >= 2\.7.*found 2\.4\.2"):
        older.loader.exec_module(importlib.util.module_from_spec(older))
