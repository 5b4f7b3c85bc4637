"""flow: run the pipeline's steps in order, with retries, timeouts and alerts.

The scheduler-free runner: what the Kubernetes CronJob runs and what a team runs
by hand. The logic lives in orchestration/runner.py; this module prints progress.
"""

from __future__ import annotations

import click

from ..orchestration.runner import StepFailedError, StepResult, run_flow, select_steps
from ..orchestration.steps import STEPS, Step
from .context import Context, pass_context


class _Progress:
    """Prints each step as it starts, retries, ends or fails, like step()."""

    def started(self, step: Step, attempt: int) -> None:
        suffix = f" (attempt {attempt})" if attempt > 1 else ""
        click.echo(f"- {step.title}{suffix} ...")

    def succeeded(self, result: StepResult) -> None:
        click.echo(f"  done in {result.seconds:.1f} s")

    def retrying(
        self, step: Step, attempt: int, error: BaseException, delay: float
    ) -> None:
        click.echo(f"  attempt {attempt} failed: {error}; retrying in {delay:g} s")

    def failed(self, step: Step, attempts: int, error: BaseException) -> None:
        click.echo(f"  failed after {attempts} attempt(s): {error}")


@click.group()
def flow() -> None:
    """The pipeline's steps, run in order in this process (no scheduler needed)."""


@flow.command("steps")
def flow_steps() -> None:
    """List the steps in the order they run, with the steps each one needs."""
    for step in STEPS:
        needs = ", ".join(step.upstream) or "-"
        click.echo(f"{step.name:<10} after: {needs:<10} {step.title}")


@flow.command("run")
@click.option(
    "--step",
    "names",
    multiple=True,
    metavar="NAME",
    help="Run only this step (repeat for several) [default: every step].",
)
@click.option(
    "--from",
    "start",
    metavar="NAME",
    help="Start at this step and run the ones after it.",
)
@pass_context
def flow_run(state: Context, names: tuple[str, ...], start: str | None) -> None:
    """Run the steps with the retries, back-off and timeout of configs/ENV.yaml."""
    try:
        chosen = select_steps(names, start)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--step/--from") from None
    settings = state.settings
    try:
        results = run_flow(settings, chosen, listener=_Progress())
    except StepFailedError as failure:
        raise failure.cause from failure
    click.echo(f"{len(results)} step(s) done: {', '.join(r.step for r in results)}")
