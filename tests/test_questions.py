"""Every validator rejects what it should, with a message naming the question and rule.

The pure validators are tested directly (fast, many cases); a sample of them is also
driven through copier to prove that a rejected answer stops the copy before anything
is written at the destination.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
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
        ("carriage\rreturn", "U+000D"),
        ("line\u2028separator", "U+2028 (LINE SEPARATOR)"),
        ("paragraph\u2029separator", "U+2029"),
        ("next\x85line", "U+0085"),
        ("vertical\x0btab", "U+000B"),
        ("form\x0cfeed", "U+000C"),
        ("file\x1cseparator", "U+001C"),
        ("tab\there", "U+0009"),
        ("nul\x00byte", "U+0000"),
        ("delete\x7fhere", "U+007F"),
        ("lone \ud800 surrogate", "U+D800 (a lone surrogate"),
        ("escaped \udcff byte", "U+DCFF"),
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
    # Joiners and non-breaking spaces are text, not breaks or controls.
    joined = "\u0915\u094d\u200d\u0937 \u0632\u200c\u0646 a\u00a0b \U0001f469\u200d"
    assert ext.problems_one_line(joined, "x", 80) == ""


def test_every_line_break_python_knows_is_refused() -> None:
    breaks = [c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) > 1]
    assert len(breaks) == 10
    for char in breaks:
        message = ext.problems_one_line(f"a{char}b", "description", 240)
        assert message.startswith("description must be a single line")
        assert f"U+{ord(char):04X}" in message


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("coverage_target", "eighty"),
        ("coverage_target", "80%"),
        ("coverage_target", "80.0"),
        ("coverage_target", "٨٠"),
        ("coverage_target", ""),
        ("latency_slo_p95_ms", "200ms"),
        ("latency_slo_p95_ms", "1e3"),
        ("throughput_slo_rps", "fifty"),
        ("throughput_slo_rps", "-5"),
        ("throughput_slo_rps", "9" * 5000),
    ],
)
def test_words_and_units_in_number_questions_are_refused_by_the_question(
    question: str, value: str
) -> None:
    message = ext.problems_int_range(value, question, 1, 100)
    assert message.startswith(f"{question} must be a whole number")
    assert "digits" in message


@pytest.mark.parametrize("value", ["5%", "five", "0,05", "1e-2", "nan", ""])
def test_the_margin_must_be_a_decimal_fraction(value: str) -> None:
    message = ext.problems_margin(value)
    assert message.startswith("baseline_margin must be a fraction")
    assert "0.05 for 5%" in message


@pytest.mark.parametrize("value", ["one", "1.0", "-1", "two approvals"])
def test_required_approvals_must_be_written_in_digits(value: str) -> None:
    message = ext.problems_approvals(value, ["a", "b"], [{}, {}])
    assert message.startswith("required_approvals must")


def test_numbers_written_in_digits_are_read_as_numbers() -> None:
    assert ext.problems_int_range(" 85 ", "coverage_target", 50, 100) == ""
    assert ext.whole_number("85") == 85
    assert ext.decimal_number(".05") == pytest.approx(0.05)
    assert ext.problems_margin("0.10") == ""
    assert ext.problems_approvals("1", ["a", "b"], [{}, {}]) == ""


@pytest.mark.parametrize(
    "name",
    [
        "Telecommunications subscriber churn",
        "Supercalifragilisticexpialidocious-level forecasting of everything",
        "x" * 80,
        "😀 🎉",
        "2027 renewals",
        "Json",
        "Class",
        "Ünïcödé naïve café",
    ],
)
def test_computed_names_always_pass_their_own_questions(name: str) -> None:
    slug = ext.slug_for("UC-001", name)
    assert ext.problems_slug(slug) == ""
    assert ext.problems_package_name(ext.package_name_for(slug)) == ""


@settings(max_examples=300, deadline=None)
@given(
    number=st.integers(0, 999),
    name=st.text(min_size=1, max_size=80).filter(str.strip),
)
def test_any_answered_name_gives_a_valid_slug_and_package(
    number: int, name: str
) -> None:
    slug = ext.slug_for(f"UC-{number:03d}", name)
    assert ext.problems_slug(slug) == ""
    assert ext.problems_package_name(ext.package_name_for(slug)) == ""


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9]{0,12}(-[a-z0-9]{1,12}){0,5}", fullmatch=True))
def test_any_valid_slug_gives_a_valid_package_name(slug: str) -> None:
    assert ext.problems_package_name(ext.package_name_for(slug)) == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_a_computed_one_line_default_passes_the_one_line_rule(text: str) -> None:
    line = ext.one_line(f"Predict {text}", 240)
    assert ext.problems_one_line(line, "description", 240) == ""


def test_a_computed_plural_passes_the_entity_rule() -> None:
    for word in ("customer", "batch", "x" * 39, "y" * 40, "city"):
        assert ext.problems_entity_word(ext.plural_default(word), "entity_plural") == ""


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


def test_public_holidays_name_a_known_country_or_region() -> None:
    for region in ("", "DE", "DE-BY", "us-ca", "GB-SCT"):
        assert ext.problems_public_holidays(region) == ""
    assert ext.problems_public_holidays("XX").startswith(
        "public_holidays names no country the holidays package knows; got 'XX'"
    )
    assert ext.problems_public_holidays("DE-ZZ").startswith(
        "public_holidays names no region of DE; got 'ZZ'"
    )
    assert "such as DE-BY" in ext.problems_public_holidays("Bavaria")


def test_hard_deadlines_must_fall_between_start_and_target() -> None:
    start, target = "2027-01-04", "2027-03-29"
    late = [{"name": "Launch", "date": "2027-04-01"}]
    assert "must fall after start_date" in ext.problems_deadlines(late, start, target)
    twice = [{"name": "A", "date": "2027-02-01"}, {"name": "A", "date": "2027-02-02"}]
    assert "repeats the name" in ext.problems_deadlines(twice, start, target)
    assert "with name and date, and optionally phase and tasks" in (
        ext.problems_deadlines([{"name": "A"}], start, target)
    )
    assert "with name and date, and optionally phase and tasks" in (
        ext.problems_deadlines(
            [{"name": "A", "date": "2027-02-01", "phases": "serving"}], start, target
        )
    )
    assert (
        ext.problems_deadlines([{"name": "A", "date": "2027-02-01"}], start, target)
        == ""
    )


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ({"phase": "Data Pipeline"}, ""),
        ({"phase": ["model_development", "Serving"], "tasks": ["DP-03"]}, ""),
        ({"tasks": ["CMP-GDPR-01"]}, ""),
        (
            {"phase": "Modelling"},
            "hard_deadlines entry 1 phase must be a phase or a list of phases, each "
            "by key or name: data_pipeline (Data Pipeline), feature_engineering "
            "(Feature Engineering), model_development (Model Development), serving "
            "(Serving), testing (Testing); got 'Modelling'",
        ),
        (
            {"tasks": ["dp-3"]},
            "hard_deadlines entry 1 tasks must be a list of task ids as the plan "
            "numbers them, such as DP-03 or CMP-GDPR-01; got 'dp-3'",
        ),
    ],
)
def test_a_deadline_names_phases_by_key_or_name_and_tasks_by_id(
    links: dict[str, Any], expected: str
) -> None:
    entry = {"name": "Pilot", "date": "2027-02-01", **links}
    assert ext.problems_deadlines([entry], "2027-01-04", "2027-03-29") == expected


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


def test_plan_dir_inside_git_is_refused_for_what_it_is() -> None:
    message = ext.problems_relative_dir(".git/hooks", "plan_dir")
    assert (
        message == "plan_dir must not be inside .git/, which git owns; got '.git/hooks'"
    )
    hidden = ext.problems_relative_dir("docs/.plan", "plan_dir")
    assert "start with a letter or digit" in hidden
    assert "no '.', '..' or hidden folders" in hidden


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
        ({"coverage_target": "eighty"}, "coverage_target", "whole number"),
        ({"sprint_length_weeks": "two"}, "sprint_length_weeks", "'two' is not in"),
        ({"baseline_margin": "5%"}, "baseline_margin", "0.05 for 5%"),
        ({"required_approvals": "one"}, "required_approvals", "in digits"),
        ({"plan_dir": ".git/hooks"}, "plan_dir", "inside .git/"),
        ({"use_case_name": "a\u2028b"}, "use_case_name", "U+2028"),
        ({"description": "lone \ud800"}, "description", "lone surrogate"),
        (
            {
                "hard_deadlines": [
                    {"name": "Pilot", "date": "2027-02-01", "tasks": ["DP-42"]}
                ]
            },
            "hard_deadlines",
            "entry 1 ('Pilot') names the task DP-42, which this plan does not have",
        ),
        ({"public_holidays": "DE-XX"}, "public_holidays", "no region of DE"),
    ],
)
def test_a_rejected_answer_stops_the_copy_before_anything_is_written(
    copie: Any, answers: dict[str, Any], question: str, fragment: str
) -> None:
    result = copie.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exit_code != 0
    message = str(result.exception)
    assert f"'{question}'" in message
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


COPIER = Path(sys.executable).with_name("copier")
DEFAULTS_AND_DATES = tuple(
    ["--defaults"] + [f"--data={k}={v}" for k, v in BASE_ANSWERS.items()]
)


def copier_cli(*arguments: str, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COPIER), "copy", "--trust", *(["--quiet"] if quiet else []), *arguments],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            "coverage_target=eighty",
            "Refused: coverage_target must be a whole number from 50 to 100, written "
            "in digits without a unit or sign, such as 80; got 'eighty'.",
        ),
        (
            "project_slug=Not A Slug",
            "Refused: project_slug must start with a letter and use lower-case "
            "letters, digits and single hyphens, such as uc-042-churn; "
            "got 'Not A Slug'.",
        ),
    ],
)
def test_a_refusal_on_the_command_line_is_two_lines_without_a_traceback(
    template_dir: Path, tmp_path: Path, answer: str, expected: str
) -> None:
    destination = tmp_path / "project"
    result = copier_cli(
        *DEFAULTS_AND_DATES,
        "--data",
        answer,
        str(template_dir),
        str(destination),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-2:] == [
        expected,
        "Nothing was written; correct the answer and run the command again.",
    ]
    assert not destination.exists()


def test_a_deadline_task_the_plan_lacks_is_refused_in_two_lines(
    template_dir: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(
        'start_date: "2027-01-04"\ntarget_date: "2027-03-29"\n'
        "hard_deadlines:\n"
        '  - {name: Pilot, date: "2027-02-01", phase: Serving, tasks: [CMP-GDPR-01]}\n',
        encoding="utf-8",
    )
    destination = tmp_path / "project"
    result = copier_cli(
        "--defaults", "--data-file", str(answers), str(template_dir), str(destination)
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-2].startswith(
        "Refused: hard_deadlines entry 1 ('Pilot') names the task CMP-GDPR-01, which "
        "this plan does not have; with these answers its tasks are DP-01 to DP-"
    )
    assert lines[-1] == (
        "Nothing was written; correct the answer and run the command again."
    )
    assert not destination.exists()


def test_a_data_file_answer_is_refused_the_same_way(
    template_dir: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(
        'start_date: "2027-01-04"\ntarget_date: "2027-03-29"\n'
        'description: "one \\ud800 surrogate"\n',
        encoding="utf-8",
    )
    destination = tmp_path / "project"
    result = copier_cli(
        "--defaults", "--data-file", str(answers), str(template_dir), str(destination)
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Refused: description must be a single line of text; it holds U+D800" in (
        result.stderr
    )
    assert not destination.exists()


def test_a_long_name_with_defaults_gets_names_that_fit_and_a_first_commit(
    template_dir: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "project"
    result = copier_cli(
        *DEFAULTS_AND_DATES,
        "--data",
        "use_case_name=Telecommunications subscriber churn",
        str(template_dir),
        str(destination),
        quiet=False,
    )
    assert result.returncode == 0, result.stderr
    saved = yaml.safe_load((destination / ".copier-answers.yml").read_text("utf-8"))
    assert saved["project_slug"] == "uc-001-telecommunications-subscriber"
    assert saved["package_name"] == "uc_001_telecommunications"
    assert (destination / "packages/model/src/uc_001_telecommunications_model").is_dir()
    # The closing message names the first commit, and that command works as shown.
    said = result.stdout + result.stderr
    command = 'git commit -m "Start UC-001"'
    assert command in said
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "New User",
        "GIT_AUTHOR_EMAIL": "new.user@example.com",
        "GIT_COMMITTER_NAME": "New User",
        "GIT_COMMITTER_EMAIL": "new.user@example.com",
    }
    subprocess.run(
        ["git", "commit", "--quiet", "-m", "Start UC-001"],
        cwd=destination,
        env=env,
        check=True,
    )
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=destination, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "README.md" in tracked and ".copier-answers.yml" in tracked


# One bad answer per question, as a user would type it on the command line.
BAD_ANSWER = {
    "use_case_id": "UC-42",
    "problem_type": "classification",
    "data_sample": "/no/such/sample.csv",
    "target_column": "Churned?",
    "id_column": "row_number",
    "entity_name": "<b>",
    "entity_plural": "2 many",
    "use_case_name": "x" * 81,
    "project_slug": "Not A Slug",
    "package_name": "json",
    "description": "",
    "team_members": "[]",
    "use_case_owner": "nobody",
    "start_date": "next monday",
    "target_date": "2027-01-05",
    "sprint_length_weeks": "two",
    "hard_deadlines": "[{name: Pilot}]",
    "public_holidays": "Atlantis",
    "ci_provider": "jenkins",
    "tracking_server_url": "mlflow.example.com",
    "existing_infrastructure": "[kubernetes]",
    "compute_engine": "flink",
    "orchestrator": "cron",
    "coverage_target": "eighty",
    "test_levels": "[unit]",
    "latency_slo_p95_ms": "200ms",
    "throughput_slo_rps": "fifty",
    "primary_metric": "rmse",
    "baseline_margin": "5%",
    "reviewers": "[nobody]",
    "required_approvals": "one",
    "documentation": "[wiki]",
    "compliance": "[iso_27001]",
    "plan_dir": "../plan",
}
QUESTIONS = {
    name: question
    for name, question in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
    if not name.startswith("_")
}
CHOICE_QUESTIONS = {
    name for name, question in QUESTIONS.items() if "choices" in question
}


def test_every_question_has_a_bad_answer_in_this_test() -> None:
    assert sorted(BAD_ANSWER) == sorted(QUESTIONS)


@pytest.mark.parametrize("question", sorted(BAD_ANSWER))
def test_every_questions_bad_answer_is_refused_by_name(
    template_dir: Path, tmp_path: Path, question: str
) -> None:
    # In process, as run_copy's callers see it; the command line's two-line form
    # of the same refusal is tested above.
    destination = tmp_path / "project"
    answer = BAD_ANSWER[question]
    if QUESTIONS[question].get("type") == "yaml" or QUESTIONS[question].get(
        "multiselect"
    ):
        answer = yaml.safe_load(answer)
    with pytest.raises(ValueError) as refused:
        copier.run_copy(
            str(template_dir),
            str(destination),
            data={**BASE_ANSWERS, question: answer},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
    message = str(refused.value)
    if message.startswith("Invalid choice"):
        # Copier checks that an answer is one of the choices itself.
        assert question in CHOICE_QUESTIONS
        assert message.startswith(f"Invalid choice for '{question}': ")
    else:
        assert message.startswith(
            f"Validation error for question '{question}': {question}"
        ), message
    assert not destination.exists()


def test_the_readmes_answers_from_a_file_come_with_defaults() -> None:
    # Without --defaults, copier prompts for every other question, and without a
    # terminal it stops with "Interactive session required".
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = " ".join(readme.split("\\\n")).splitlines()
    with_data = [
        line for line in commands if "copier copy" in line and "--data" in line
    ]
    assert with_data
    assert all("--defaults" in line for line in with_data), with_data
