"""What every command shares: the Context it receives, progress lines, exit codes.

Public names: Context, pass_context, step, ExitCodeGroup; DISTRIBUTION and
USE_CASE_ID are re-exported from the package's identity module.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

from ..config import Settings, load_settings
from ..errors import ExitCode, exit_code_for
from ..identity import DISTRIBUTION as DISTRIBUTION
from ..identity import USE_CASE_ID as USE_CASE_ID


@dataclass
class Context:
    """What every command gets: the chosen environment and, once loaded, settings."""

    env: str | None
    debug: bool
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """Settings of the environment, read on first use."""
        if self._settings is None:
            self._settings = load_settings(self.env)
        return self._settings


pass_context = click.make_pass_decorator(Context)


class ExitCodeGroup(click.Group):
    """Turns errors raised by a command into a message and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            code = exit_code_for(error)
            click.secho(f"error: {error}", fg="red", err=True)
            if code == ExitCode.UNEXPECTED:
                state = ctx.find_object(Context)
                if state is not None and state.debug:
                    click.echo(traceback.format_exc(), err=True)
                else:
                    click.echo(
                        f"({type(error).__name__}; run again with --debug for the "
                        "traceback)",
                        err=True,
                    )
            ctx.exit(int(code))


@contextmanager
def step(label: str) -> Iterator[None]:
    """Show a long step as it starts and how long it took when it ends."""
    click.echo(f"- {label} ...")
    started = time.perf_counter()
    yield
    click.echo(f"  done in {time.perf_counter() - started:.1f} s")
