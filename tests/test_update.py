"""`copier update` carries a project forward without losing a line the team wrote.

Each test builds its own template repository in a temporary folder from the
working tree: version A is tagged v1.0.0, then the test changes the template the
way a real release would (edited files, a new file, a renamed question with its
migration, a moved file, a new plan task) and tags v2.0.0. Nothing depends on tags
in the checkout.
"""

from __future__ import annotations

import filecmp
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from ucforge_support import BASE_ANSWERS, ROOT

pytestmark = pytest.mark.update

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Team",
    "GIT_AUTHOR_EMAIL": "team@example.com",
    "GIT_COMMITTER_NAME": "Test Team",
    "GIT_COMMITTER_EMAIL": "team@example.com",
}
PACKAGE = "uc_001_customer_churn"
CONFLICT_MARKERS = re.compile(r"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)
SERVING_RUNBOOK_OLD = "packages/serving/RUNBOOK.md"
SERVING_RUNBOOK_NEW = "packages/serving/docs/RUNBOOK.md"
NEW_TASK_TITLE = "Backfill two years of history into the curated store"
ENGINE_VERSION = importlib.import_module("ucforge_planning").__version__
NEW_ENGINE_VERSION = f"{ENGINE_VERSION}.post1"
NEW_ENGINE_LINE = f'__version__ = "{NEW_ENGINE_VERSION}"'


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "--all")
    git(cwd, "commit", "--quiet", "--no-verify", "-m", message)


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture
def template_repo(template_dir: Path, tmp_path: Path) -> Path:
    """The template at version A (tag v1.0.0), in its own git repository."""
    repo = tmp_path / "ucforge"
    shutil.copytree(template_dir, repo)
    git(repo, "init", "--quiet", "--initial-branch", "main")
    commit_all(repo, "version A")
    git(repo, "tag", "v1.0.0")
    return repo


def release_version_b(
    repo: Path, log: Path, contributing_heading: str = "## Conventions"
) -> None:
    """Change the template as a release would, commit and tag v2.0.0.

    Its renaming migration goes through a wrapper that appends a line to `log` on
    every run, so a test can count the runs.
    """
    template = repo / "template"
    # An edited file: the Conventions section gains a rule and a new heading.
    replace_in(
        template / "CONTRIBUTING.md.jinja",
        "## Conventions\n",
        f"{contributing_heading}\n\n- Every public function has a docstring.\n",
    )
    # A new file.
    (template / "docs" / "SECURITY.md.jinja").write_text(
        "# Security\n\nReport vulnerabilities in {{ use_case_id }} to the owner.\n"
    )
    # A renamed question, with a migration that keeps the answer.
    for path in [repo / "copier.yml", *repo.rglob("*.py"), *template.rglob("*.jinja")]:
        text = path.read_text(encoding="utf-8")
        if "tracking_server_url" in text:
            path.write_text(text.replace("tracking_server_url", "mlflow_server_url"))
    # A moved file, with a migration that carries the team's edits along.
    (template / "packages/serving/docs").mkdir(exist_ok=True)
    (template / "packages/serving/RUNBOOK.md.jinja").rename(
        template / "packages/serving/docs/RUNBOOK.md.jinja"
    )
    # A wrapper that logs each run, so the test can count the migration's runs.
    (repo / "hooks" / "logged_rename.py").write_text(
        "import subprocess, sys\n"
        "from pathlib import Path\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write('rename-answer\\n')\n"
        "script = Path(__file__).with_name('migrate.py')\n"
        "sys.exit(subprocess.call([sys.executable, str(script), *sys.argv[1:]]))\n"
    )
    replace_in(
        repo / "copier.yml",
        "_migrations:\n",
        "_migrations:\n"
        "  - version: v2.0.0\n"
        "    command:\n"
        '      - "{{ _copier_python }}"\n'
        '      - "{{ _copier_conf.src_path }}/hooks/logged_rename.py"\n'
        "      - rename-answer\n"
        "      - tracking_server_url\n"
        "      - mlflow_server_url\n"
        "    when: \"{{ _stage == 'before' }}\"\n"
        "  - version: v2.0.0\n"
        "    command:\n"
        '      - "{{ _copier_python }}"\n'
        '      - "{{ _copier_conf.src_path }}/hooks/migrate.py"\n'
        "      - move-file\n"
        f"      - {SERVING_RUNBOOK_OLD}\n"
        f"      - {SERVING_RUNBOOK_NEW}\n"
        "    when: \"{{ _stage == 'after' }}\"\n",
    )
    # A new task in the plan's catalogue, at the end of the data pipeline's tasks,
    # in a new version of the planning engine.
    engine = repo / "planning" / "src" / "ucforge_planning"
    replace_in(
        engine / "__init__.py", f'__version__ = "{ENGINE_VERSION}"', NEW_ENGINE_LINE
    )
    pipeline = engine / "catalogue_data" / "phases" / "data_pipeline.yaml"
    text = pipeline.read_text(encoding="utf-8")
    end = text.index("\ndeliverables:\n")
    new_task = (
        "\n"
        "  - key: dp.backfill\n"
        "    category: Storage\n"
        f"    title: {NEW_TASK_TITLE}\n"
        "    role: data_engineer\n"
        "    effort: [2, 3, 5]\n"
        "    acceptance: Two years of history are stored and pass validation\n"
    )
    pipeline.write_text(text[:end] + new_task + text[end:], encoding="utf-8")
    commit_all(repo, "version B")
    git(repo, "tag", "v2.0.0")


def copy_at(repo: Path, destination: Path, ref: str, **answers: Any) -> Path:
    copier.run_copy(
        str(repo),
        str(destination),
        data={**BASE_ANSWERS, **answers},
        vcs_ref=ref,
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    commit_all(destination, "Start from the template")
    return destination


def update_to(project: Path, ref: str) -> None:
    copier.run_update(
        str(project),
        vcs_ref=ref,
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
    )


def team_edits(project: Path) -> dict[str, str]:
    """The team's everyday edits; returns file -> a line that must survive."""
    lines = {
        "packages/model/README.md": "Team note: retrain monthly, after finance closes.",
        SERVING_RUNBOOK_OLD: "- Page the on-call ML engineer first (team rule).",
        f"src/{PACKAGE}/cli/__init__.py": (
            "# Team: keep commands thin; logic lives in packages."
        ),
    }
    for path, line in lines.items():
        # Formatted as the team's tools would: two blank lines before a top-level
        # comment in Python, one in Markdown.
        gap = "\n\n" if path.endswith(".py") else "\n"
        with (project / path).open("a", encoding="utf-8") as handle:
            handle.write(f"{gap}{line}\n")
    tasks = project / "plan" / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    # Two tasks' status lines (not the header comment that lists the statuses).
    done = re.sub(r"^  status: TODO$", "  status: DONE", text, count=2, flags=re.M)
    assert done != text
    tasks.write_text(done, encoding="utf-8")
    return lines


def assert_no_conflicts(project: Path) -> None:
    assert list(project.rglob("*.rej")) == []
    marked = [
        str(p.relative_to(project))
        for p in project.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and ".venv" not in p.parts
        and CONFLICT_MARKERS.search(p.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert marked == []


def run_make(project: Path, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        ["make", target],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_update_keeps_every_team_line_and_brings_every_template_change(
    template_repo: Path, tmp_path: Path
) -> None:
    project = copy_at(
        template_repo,
        tmp_path / "project",
        "v1.0.0",
        tracking_server_url="https://mlflow.example.com",
    )
    survivors = team_edits(project)
    picture = project / "docs" / "architecture.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    commit_all(project, "Team work")
    log = tmp_path / "migrations.log"
    release_version_b(template_repo, log)
    update_to(project, "v2.0.0")

    for path, line in survivors.items():
        target = SERVING_RUNBOOK_NEW if path == SERVING_RUNBOOK_OLD else path
        assert line in (project / target).read_text(encoding="utf-8"), target
    assert not (project / SERVING_RUNBOOK_OLD).exists()
    assert (
        "Every public function has a docstring."
        in (project / "CONTRIBUTING.md").read_text()
    )
    assert (project / "docs" / "SECURITY.md").read_text().startswith("# Security")
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert len(picture.read_bytes()) == 8 + 256 * 4

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["mlflow_server_url"] == "https://mlflow.example.com"
    assert "tracking_server_url" not in answers
    assert answers["_commit"] == "v2.0.0"
    assert log.read_text().splitlines() == ["rename-answer"]

    tasks = (project / "plan" / "tasks.yaml").read_text(encoding="utf-8")
    assert tasks.count("status: DONE") == 2
    assert NEW_TASK_TITLE in tasks
    plan = next(project.glob("AE01_Implementations/*/03_Implementation/*.md"))
    rendered = plan.read_text(encoding="utf-8")
    assert NEW_TASK_TITLE in rendered
    assert "| DONE |" in rendered
    assert_no_conflicts(project)
    # The project moved to the new engine: its pin and the one wheel it holds.
    wheel = f"ucforge_planning-{NEW_ENGINE_VERSION}-py3-none-any.whl"
    assert [p.name for p in (project / "wheels").iterdir()] == [wheel]
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"ucforge-planning=={NEW_ENGINE_VERSION}"' in pyproject

    assert run_make(project, "install").returncode == 0
    checked = run_make(project, "check")
    assert checked.returncode == 0, checked.stdout[:6000] + checked.stderr[-2000:]


def load_template_module(template: Path, relative: str, name: str) -> Any:
    """A light module of the generated pipeline, imported from a template tree."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        name,
        template / relative / "__init__.py",
        submodule_search_locations=[str(template / relative)],
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


ADOPTED_CONTRACT = {
    "version": 1,
    "problem_type": "binary_classification",
    "entity": {"singular": "shipment", "plural": "shipments"},
    "id_column": None,
    "event_time": None,
    "label": {"name": "arrived late", "positive": "late", "negative": "on time"},
    "columns": [
        {"name": "distance km", "type": "number", "minimum": 0, "maximum": 20000},
        {"name": "carrier", "type": "category", "values": ["air", "sea", "road"]},
        {"name": "stops", "type": "integer", "minimum": 0, "maximum": 40},
    ],
}


def adopt_contract(template: Path, project: Path) -> dict[str, str]:
    """What `contract infer` leaves behind: a new contract and refreshed documents."""
    relative = "template/packages/data-pipeline/src/{{ package_name }}_pipeline"
    package = load_template_module(template, relative, "adopted_pipeline")
    contract = importlib.import_module(f"{package.__name__}.contract")
    documents = importlib.import_module(f"{package.__name__}.contract_docs")
    adopted = contract.read_contract_text(yaml.safe_dump(ADOPTED_CONTRACT))
    (project / "contract.yaml").write_text(contract.contract_to_yaml(adopted))
    readme = project / "README.md"
    section = documents.readme_data_section(adopted, "uc-001-customer-churn")
    readme.write_text(documents.replace_section(readme.read_text(), section))
    dictionary = project / "docs" / "data-dictionary.md"
    dictionary.write_text("# Data dictionary\n\nOne row per shipment.\n")
    return {
        name: (project / name).read_text()
        for name in ("contract.yaml", "README.md", "docs/data-dictionary.md")
    }


def release_code_changes(repo: Path) -> dict[str, str]:
    """Version B changes pipeline, features and serving code; returns file -> line."""
    changed: dict[str, str] = {}
    for package, stem in (
        ("data-pipeline", "jobs"),
        ("features", "compute"),
        ("serving", "app"),
    ):
        source = next(
            (repo / "template/packages" / package / "src").glob(f"*/{stem}.py*")
        )
        line = f"# Template v2: a change to {package}."
        with source.open("a", encoding="utf-8") as handle:
            handle.write(f"\n\n{line}\n")
        rendered = source.relative_to(repo / "template").as_posix()
        rendered = rendered.replace("{{ package_name }}", PACKAGE).removesuffix(
            ".jinja"
        )
        changed[rendered] = line
    commit_all(repo, "version B: code changes")
    git(repo, "tag", "v2.0.0")
    return changed


def test_a_project_that_adopted_its_own_contract_updates_without_conflict(
    template_repo: Path, tmp_path: Path
) -> None:
    project = copy_at(template_repo, tmp_path / "project", "v1.0.0")
    adopted = adopt_contract(template_repo, project)
    commit_all(project, "Adopt our shipments data")
    changes = release_code_changes(template_repo)
    update_to(project, "v2.0.0")

    assert_no_conflicts(project)
    for name, text in adopted.items():
        assert (project / name).read_text() == text, name
    for path, line in changes.items():
        assert line in (project / path).read_text(encoding="utf-8"), path


def test_update_marks_a_line_both_sides_changed_and_the_checks_name_the_file(
    template_repo: Path, tmp_path: Path
) -> None:
    project = copy_at(template_repo, tmp_path / "project", "v1.0.0")
    replace_in(project / "CONTRIBUTING.md", "## Conventions\n", "## House rules\n")
    commit_all(project, "Team renames a heading")
    release_version_b(
        template_repo, tmp_path / "migrations.log", "## Conventions we keep"
    )
    update_to(project, "v2.0.0")

    contributing = (project / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "<<<<<<< before updating" in contributing
    assert ">>>>>>> after updating" in contributing
    assert "## House rules" in contributing
    assert "## Conventions we keep" in contributing
    assert list(project.rglob("*.rej")) == []

    assert run_make(project, "install").returncode == 0
    checked = run_make(project, "check")
    assert checked.returncode != 0
    assert "CONTRIBUTING.md" in checked.stdout + checked.stderr


def test_update_without_team_edits_equals_a_fresh_copy(
    template_repo: Path, tmp_path: Path
) -> None:
    updated = copy_at(template_repo, tmp_path / "updated", "v1.0.0")
    release_version_b(template_repo, tmp_path / "migrations.log")
    update_to(updated, "v2.0.0")
    fresh = copy_at(template_repo, tmp_path / "fresh", "v2.0.0")

    def differences(comparison: filecmp.dircmp[str], prefix: str = "") -> list[str]:
        found = [
            f"{prefix}{name}"
            for name in comparison.left_only
            + comparison.right_only
            + comparison.diff_files
            if name not in {".git", ".copier-answers.yml"}
        ]
        for name, sub in comparison.subdirs.items():
            if name != ".git":
                found += differences(sub, f"{prefix}{name}/")
        return found

    assert differences(filecmp.dircmp(updated, fresh)) == []
    answers = [
        yaml.safe_load((p / ".copier-answers.yml").read_text())
        for p in (updated, fresh)
    ]
    assert {**answers[0], "_src_path": ""} == {**answers[1], "_src_path": ""}


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    import importlib.util

    from ucforge_support import ROOT

    spec = importlib.util.spec_from_file_location("migrate", ROOT / "hooks/migrate.py")
    assert spec is not None and spec.loader is not None
    migrate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migrate)

    (tmp_path / ".copier-answers.yml").write_text("_commit: v1\nold_name: kept\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "old.md").write_text("team edit\n")
    (tmp_path / "docs" / "new.md").write_text("template copy\n")
    for _ in range(2):
        migrate.rename_answer(tmp_path, "old_name", "new_name")
        migrate.move_file(tmp_path, "docs/old.md", "docs/new.md")
    assert (
        tmp_path / ".copier-answers.yml"
    ).read_text() == "_commit: v1\nnew_name: kept\n"
    assert (tmp_path / "docs" / "new.md").read_text() == "team edit\n"
    assert not (tmp_path / "docs" / "old.md").exists()


def test_the_template_ships_no_binary_file_an_update_could_overwrite() -> None:
    from ucforge_support import ROOT

    binaries = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "template").rglob("*")
        if p.is_file() and b"\0" in p.read_bytes()
    ]
    assert binaries == []


# The last release before the planning engine became a distribution: its projects
# hold the engine in src/<package>/planning/ and the command line in cli.py.
RELEASE_0_2_0 = "2f5bb1b61717b969a18b51745b498d158b837411"


# The last release before the serving image carried its model and the project its
# pins (constraints.txt) and Kubernetes manifests (deploy/).
RELEASE_0_3_0 = "48f91857157144a1484c5d65ac32c12db653c524"


def from_release(commit: str, template_dir: Path, tmp_path: Path) -> Path:
    """A template repository: `commit` tagged v1.0.0, the working tree v2.0.0."""
    from ucforge_support import ROOT

    known = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        pytest.skip(f"this checkout's history does not hold release {commit}")
    repo = tmp_path / "ucforge"
    git(tmp_path, "clone", "--quiet", str(ROOT), str(repo))
    git(repo, "checkout", "--quiet", "-B", "main", commit)
    git(repo, "tag", "v1.0.0")
    git(repo, "rm", "-r", "--quiet", ".")
    shutil.copytree(template_dir, repo, dirs_exist_ok=True)
    commit_all(repo, "the working tree")
    git(repo, "tag", "v2.0.0")
    return repo


@pytest.fixture
def from_release_0_2_0(template_dir: Path, tmp_path: Path) -> Path:
    """Release 0.2.0 as v1.0.0, the working tree as v2.0.0."""
    return from_release(RELEASE_0_2_0, template_dir, tmp_path)


def test_a_project_of_release_0_2_0_moves_to_the_engine_as_a_dependency(
    from_release_0_2_0: Path, tmp_path: Path
) -> None:
    project = copy_at(from_release_0_2_0, tmp_path / "project", "v1.0.0")
    engine_copy = project / "src" / PACKAGE / "planning"
    assert (engine_copy / "catalogue.py").is_file()
    note = "Team note: retrain monthly, after finance closes."
    readme = project / "packages" / "model" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + f"\n{note}\n")
    tasks_file = project / "plan" / "tasks.yaml"
    text = tasks_file.read_text(encoding="utf-8")
    tasks_file.write_text(
        re.sub(r"^  status: TODO$", "  status: DONE", text, count=2, flags=re.M)
    )
    commit_all(project, "Team work")
    update_to(project, "v2.0.0")

    assert not engine_copy.exists()
    assert not (project / "tests" / "unit" / "planning").exists()
    assert not (project / "src" / PACKAGE / "cli.py").exists()
    assert (project / "src" / PACKAGE / "cli" / "plan.py").is_file()
    wheel = f"ucforge_planning-{ENGINE_VERSION}-py3-none-any.whl"
    assert [p.name for p in (project / "wheels").iterdir()] == [wheel]
    assert note in readme.read_text(encoding="utf-8")
    tasks = (project / "plan" / "tasks.yaml").read_text(encoding="utf-8")
    assert tasks.count("status: DONE") == 2
    plan = next(project.glob("AE01_Implementations/*/03_Implementation/*.md"))
    assert "| DONE |" in plan.read_text(encoding="utf-8")
    assert_no_conflicts(project)

    assert run_make(project, "install").returncode == 0
    checked = run_make(project, "plan-check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "is consistent" in checked.stdout


def test_a_project_of_release_0_3_0_gains_the_image_pins_and_manifests(
    template_dir: Path, tmp_path: Path
) -> None:
    repo = from_release(RELEASE_0_3_0, template_dir, tmp_path)
    project = copy_at(repo, tmp_path / "project", "v1.0.0")
    prod = project / "configs" / "prod.yaml"
    replace_in(prod, "sample_rows: 5000", "sample_rows: 250000")
    note = "Team note: the image runs behind the platform's gateway."
    readme = project / "packages" / "serving" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + f"\n{note}\n")
    commit_all(project, "Team work")
    update_to(project, "v2.0.0")

    assert_no_conflicts(project)
    prod_text = prod.read_text(encoding="utf-8")
    assert "sample_rows: 250000" in prod_text
    assert "${MLFLOW_TRACKING_URI" in prod_text
    assert note in readme.read_text(encoding="utf-8")
    assert (project / "constraints.txt").is_file()
    assert (project / "deploy" / "base" / "deployment.yaml").is_file()
    assert "USER 10001:10001" in (project / "Dockerfile").read_text(encoding="utf-8")
    installed = run_make(project, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    script = project / ".venv" / "bin" / PACKAGE.replace("_", "-")
    exported = subprocess.run(
        [str(script), "export", "--help"], capture_output=True, text=True, check=False
    )
    assert exported.returncode == 0, exported.stderr


# The last release that asked the number questions as numbers (type: int, float):
# its projects' answers files hold 85, not '85'.
RELEASE_0_4_0 = "b26a9fed475378113a238dd1e0b1a4df4aba5d90"


def test_a_project_of_release_0_4_0_keeps_its_number_answers_and_gains_make_update(
    template_dir: Path, tmp_path: Path
) -> None:
    repo = from_release(RELEASE_0_4_0, template_dir, tmp_path)
    project = copy_at(
        repo,
        tmp_path / "project",
        "v1.0.0",
        coverage_target=85,
        sprint_length_weeks=3,
        baseline_margin=0.1,
    )
    old = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert old["coverage_target"] == 85
    note = "Team note: coverage is reviewed every quarter."
    contributing = project / "CONTRIBUTING.md"
    contributing.write_text(contributing.read_text("utf-8") + f"\n{note}\n")
    commit_all(project, "Team work")
    update_to(project, "v2.0.0")

    assert_no_conflicts(project)
    saved = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert (saved["coverage_target"], saved["sprint_length_weeks"]) == ("85", "3")
    assert saved["baseline_margin"] == "0.1"
    assert note in contributing.read_text("utf-8")
    for package in ("data-pipeline", "features", "model", "serving"):
        pyproject = project / "packages" / package / "pyproject.toml"
        assert "fail_under = 85" in pyproject.read_text("utf-8")
    assert "baseline_margin: 0.1" in (project / "configs" / "local.yaml").read_text()
    assert "\nupdate:" in (project / "Makefile").read_text("utf-8")
    installed = run_make(project, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    checked = run_make(project, "plan-check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


# The last release with one constraints.txt for every project and no engine or
# orchestrator question.
RELEASE_0_5_0 = "568763fa12eda478b0c384510c03327889487a92"


def test_a_project_of_release_0_5_0_gains_the_engine_and_the_steps_and_keeps_its_config(
    template_dir: Path, tmp_path: Path
) -> None:
    repo = from_release(RELEASE_0_5_0, template_dir, tmp_path)
    project = copy_at(repo, tmp_path / "project", "v1.0.0")
    local = project / "configs" / "local.yaml"
    replace_in(local, "sample_rows: 5000", "sample_rows: 7000")
    commit_all(project, "Team work")
    update_to(project, "v2.0.0")

    assert_no_conflicts(project)
    saved = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert (saved["compute_engine"], saved["orchestrator"]) == ("duckdb", "none")
    config = yaml.safe_load(local.read_text("utf-8"))
    assert config["pipeline"]["sample_rows"] == 7000
    assert config["pipeline"]["engine"] == {"backend": "duckdb"}
    assert config["orchestration"]["retries"] == 2
    assert (project / "deploy/base/pipeline/cronjob.yaml").is_file()
    pins = (project / "constraints.txt").read_text("utf-8")
    assert pins == (ROOT / "includes/constraints/none.txt").read_text("utf-8")
