"""plan: render, check, baseline, report on and verify the plan (plan/tasks.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..config import find_root
from ..errors import ExitCode


@click.group()
def plan() -> None:
    """The implementation plan (plan/tasks.yaml)."""


@plan.command("render")
def plan_render() -> None:
    """Render the implementation plan from plan/tasks.yaml."""
    from ucforge_planning.commands import render_plan

    click.echo(f"plan: {render_plan(find_root())}")


@plan.command("check")
def plan_check() -> None:
    """Check plan/tasks.yaml; exit 4 when it has problems."""
    from ucforge_planning.commands import check_report

    problems, report = check_report(find_root())
    if problems:
        click.echo(report, err=True)
        raise click.exceptions.Exit(int(ExitCode.DATA))
    click.echo(report)


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The status date, YYYY-MM-DD (default: calendar.status_date, else today).",
)


@plan.command("status")
@AS_OF
def plan_status(as_of: dt.datetime | None) -> None:
    """Progress by phase, and the forecast against the baseline."""
    from ucforge_planning.commands import plan_status as status

    click.echo(status(find_root(), as_of.date() if as_of else None), nl=False)


@plan.command("verify")
@click.argument("junit", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append the report in Markdown to this file (CI: $GITHUB_STEP_SUMMARY).",
)
def plan_verify(junit: tuple[Path, ...], summary: Path | None) -> None:
    """Mark each acceptance criterion verified, failing or unverified.

    Reads the JUnit XML of a test run (default: reports/junit/*.xml, which
    make test writes) and records the result in plan/verification.yaml; exit 5
    when a criterion's test failed.
    """
    from ucforge_planning.commands import plan_verify as verify
    from ucforge_planning.commands import report_markdown, report_text

    result = verify(find_root(), [path.resolve() for path in junit])
    click.echo(report_text(result), nl=False)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as stream:
            stream.write(report_markdown(result))
    if result.failing:
        raise click.exceptions.Exit(int(ExitCode.GATE_NOT_MET))


@plan.command("baseline")
@AS_OF
@click.option("--force", is_flag=True, help="Replace an existing baseline.")
def plan_baseline(as_of: dt.datetime | None, force: bool) -> None:
    """Keep today's forecast in plan/baseline.yaml to measure progress against."""
    from ucforge_planning.commands import take_baseline

    path = take_baseline(
        find_root(), as_of=as_of.date() if as_of else None, force=force
    )
    click.echo(f"baseline: {path}")
