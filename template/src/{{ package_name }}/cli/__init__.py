"""Command line: thin click commands over the components' jobs, one exit-code table.

Each command group has a module of its own; this one holds the root group and the
console-script entry point. Heavy libraries (MLflow, scikit-learn, uvicorn) are
imported inside the commands that need them, so `--help`, `data generate` and
`plan check` start quickly.
"""

from __future__ import annotations

import logging
from importlib import metadata

import click

from ..config import ENV_VARIABLE
from .context import DISTRIBUTION, USE_CASE_ID, Context, ExitCodeGroup
from .contract import contract
from .data import data
from .demo import demo
from .features import features
from .flow import flow
from .model import evaluate, export, promote, train
from .pipeline import pipeline
from .plan import plan
from .serve import serve


def _summary() -> str:
    """The use case in one line, from the installed distribution's metadata."""
    try:
        return metadata.metadata(DISTRIBUTION)["Summary"] or ""
    except metadata.PackageNotFoundError:
        return ""


@click.group(cls=ExitCodeGroup, help=f"{USE_CASE_ID}: {_summary()}")
@click.option(
    "--env",
    metavar="ENV",
    help=f"Configuration to use: configs/ENV.yaml [default: ${ENV_VARIABLE} or local]",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name=DISTRIBUTION)
@click.pass_context
def cli(ctx: click.Context, env: str | None, debug: bool) -> None:
    """The use case's command line."""
    logging.basicConfig(
        level=logging.INFO if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Context(env=env, debug=debug)


for command in (
    contract,
    data,
    pipeline,
    features,
    train,
    evaluate,
    promote,
    export,
    serve,
    demo,
    plan,
    flow,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name=DISTRIBUTION)
