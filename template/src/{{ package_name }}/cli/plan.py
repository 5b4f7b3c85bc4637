"""plan: render, check, baseline and report on the plan (plan/tasks.yaml)."""

from __future__ import annotations

import datetime as dt

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
    help="The status date, YYYY-MM-DD (default: today).",
)


@plan.command("status")
@AS_OF
def plan_status(as_of: dt.datetime | None) -> None:
    """Progress by phase, and the forecast against the baseline."""
    from ucforge_planning.commands import plan_status as status

    click.echo(status(find_root(), as_of.date() if as_of else None), nl=False)


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
