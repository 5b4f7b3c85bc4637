"""demo: the walking skeleton end to end, in the demo's own folder."""

from __future__ import annotations

import click

from .context import Context, pass_context, step


@click.command()
@click.option(
    "--rows",
    type=click.IntRange(min=200),
    help="Sample rows [default: pipeline.sample_rows].",
)
@pass_context
def demo(state: Context, rows: int | None) -> None:
    """Run the walking skeleton end to end and print where every output went."""
    from ..demo import run_demo

    run_demo(state.settings, rows=rows, echo=click.echo, step=step)
