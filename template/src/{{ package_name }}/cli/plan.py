"""plan: render, check and summarise the implementation plan (plan/tasks.yaml)."""

from __future__ import annotations

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


@plan.command("status")
def plan_status() -> None:
    """Progress by phase and component."""
    from ucforge_planning.commands import plan_status as status

    click.echo(status(find_root()))
