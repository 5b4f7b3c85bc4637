"""Runs the steps in order in this process's control: retries, timeouts, alerts.

This is the scheduler-free way to run the pipeline: `flow run` and the Kubernetes
CronJob call run_flow(). Each attempt of a step runs in a child process of its own,
so a step that overruns step_timeout_minutes can be stopped even while it is busy
in native code; the parent waits for its result, retries it after the configured
delay and alerts when it fails for good. The steps' jobs are the ones in steps.py.

Public names: select_steps, run_flow, run_attempt, longest_run_seconds,
FlowListener, StepResult, StepFailedError, StepCrashedError, RETRYABLE.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from ..config import Settings
from ..errors import ExitCode, StepTimeoutError, exit_code_for
from . import steps as steps_module
from .settings import OrchestrationSettings
from .steps import Step, alert_failure

logger = logging.getLogger(__name__)

# Errors whose exit code says that waiting cannot help (a wrong configuration, a
# model that does not pass its gate) fail at once; every other failure is retried.
RETRYABLE = frozenset(set(ExitCode) - {ExitCode.CONFIGURATION, ExitCode.GATE_NOT_MET})

# Seconds a stopped step gets to exit after SIGTERM before it is killed.
_GRACE_SECONDS = 10


class StepCrashedError(Exception):
    """The process of a step ended without reporting a result (killed, crashed)."""


class StepFailedError(Exception):
    """A step failed for good; `cause` is the error of its last attempt."""

    def __init__(self, step: str, attempts: int, cause: BaseException) -> None:
        super().__init__(f"step {step} failed after {attempts} attempt(s): {cause}")
        self.step = step
        self.attempts = attempts
        self.cause = cause


@dataclass(frozen=True)
class StepResult:
    """What one step did: its summary, how many attempts and seconds it took."""

    step: str
    attempts: int
    seconds: float
    summary: dict[str, Any]


class FlowListener(Protocol):
    """Hears of the run as it goes: the command line prints these as progress."""

    def started(self, step: Step, attempt: int) -> None: ...

    def succeeded(self, result: StepResult) -> None: ...

    def retrying(
        self, step: Step, attempt: int, error: BaseException, delay: float
    ) -> None: ...

    def failed(self, step: Step, attempts: int, error: BaseException) -> None: ...


class _Silent:
    """A listener that ignores everything (the log has the failures)."""

    def started(self, step: Step, attempt: int) -> None:
        pass

    def succeeded(self, result: StepResult) -> None:
        pass

    def retrying(
        self, step: Step, attempt: int, error: BaseException, delay: float
    ) -> None:
        pass

    def failed(self, step: Step, attempts: int, error: BaseException) -> None:
        pass


def select_steps(
    names: Iterable[str] = (),
    start: str | None = None,
    steps: Sequence[Step] | None = None,
) -> tuple[Step, ...]:
    """The steps to run, in the pipeline's order.

    `names` picks single steps (all when empty); `start` runs from that step on.
    An unknown name is a ValueError that lists the steps.
    """
    available = tuple(steps if steps is not None else steps_module.STEPS)
    known = [step.name for step in available]
    wanted = list(names)
    for name in [*wanted, *([start] if start else [])]:
        if name not in known:
            raise ValueError(f"no step {name!r}; the steps are {', '.join(known)}")
    chosen = [step for step in available if not wanted or step.name in wanted]
    if start is not None:
        first = known.index(start)
        chosen = [step for step in chosen if known.index(step.name) >= first]
    if not chosen:
        raise ValueError(
            f"--step {', '.join(wanted)} and --from {start} leave no step to run"
        )
    return tuple(chosen)


def longest_run_seconds(orchestration: OrchestrationSettings, steps: int) -> int:
    """The longest a run of `steps` steps can take before the runner gives up.

    Every attempt of every step at its full timeout, plus the waits between the
    attempts: the bound a scheduler's deadline for the whole run should allow.
    """
    attempts = orchestration.retries + 1
    waits = sum(
        orchestration.retry_delay(n) for n in range(1, orchestration.retries + 1)
    )
    per_step = attempts * orchestration.step_timeout_minutes * 60 + waits
    return int(steps * per_step + 0.5)


def _process_context() -> (
    multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext
):
    """Fork each attempt from a server that has imported the jobs' libraries.

    The server is a clean process started once, without the parent's threads and
    locks; it imports the jobs' modules (seconds of imports) once instead of once
    per attempt. Where there is no fork server (Windows) each attempt starts a new
    interpreter.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([steps_module.__name__, *steps_module.JOB_MODULES])
    return context


def _attempt_in_child(
    step: Step,
    settings: Settings,
    log_level: int,
    channel: Connection,
    environ: dict[str, str],
) -> None:
    """Body of the child process: run the job once and send back what happened.

    The fork server keeps the environment it was started with; the child takes the
    parent's as it is now (multiprocessing moves it to the parent's folder itself).
    """
    os.environ.clear()
    os.environ.update(environ)
    logging.basicConfig(level=log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        outcome: tuple[str, Any] = ("ok", step.job(settings))
    except Exception as error:
        outcome = ("error", error)
    try:
        channel.send(outcome)
    except Exception as error:  # the error or summary does not pickle
        channel.send(("error", StepCrashedError(f"{type(error).__name__}: {error}")))
    channel.close()


def run_attempt(
    step: Step, settings: Settings, timeout_seconds: float
) -> dict[str, Any]:
    """Run a step's job once in a child process; stop it after `timeout_seconds`.

    Returns the job's summary, raises the job's error, StepTimeoutError when the
    step overran, or StepCrashedError when its process died without a result.
    """
    context = _process_context()
    receiver, sender = context.Pipe(duplex=False)
    level = logging.getLogger().getEffectiveLevel()
    process = context.Process(
        target=_attempt_in_child,
        args=(step, settings, level, sender, dict(os.environ)),
        name=f"step-{step.name}",
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_seconds):
            _stop(process)
            raise StepTimeoutError(
                f"step {step.name} ran longer than {timeout_seconds / 60:g} minutes "
                "(orchestration.step_timeout_minutes) and was stopped"
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            process.join()
            raise StepCrashedError(
                f"step {step.name} ended with exit status {process.exitcode} "
                "and no result"
            ) from None
    finally:
        receiver.close()
    process.join()
    if status == "error":
        raise payload
    summary: dict[str, Any] = payload
    return summary


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    """Terminate a step's process, then kill it if it does not exit in time."""
    process.terminate()
    process.join(_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()


def run_flow(
    settings: Settings,
    steps: Sequence[Step] | None = None,
    *,
    listener: FlowListener | None = None,
    attempt: Callable[[Step, Settings, float], dict[str, Any]] = run_attempt,
    sleep: Callable[[float], None] = time.sleep,
    environ: dict[str, str] | None = None,
) -> list[StepResult]:
    """Run `steps` (default: all) in order, each with retries, timeout and alert.

    A step that fails is tried again after OrchestrationSettings.retry_delay(n),
    up to `retries` times, unless its error cannot heal by waiting (see
    RETRYABLE). When it fails for good, alert_failure() reports it once and
    StepFailedError stops the run: the steps after it do not run.
    """
    orchestration = settings.orchestration
    hears = listener if listener is not None else _Silent()
    timeout = orchestration.step_timeout_minutes * 60
    results: list[StepResult] = []
    for step in steps if steps is not None else steps_module.STEPS:
        started = time.perf_counter()
        tries = 0
        while True:
            tries += 1
            hears.started(step, tries)
            try:
                summary = attempt(step, settings, timeout)
            except Exception as error:
                retryable = exit_code_for(error) in RETRYABLE
                if retryable and tries <= orchestration.retries:
                    delay = orchestration.retry_delay(tries)
                    logger.warning(
                        "step %s, attempt %d failed (%s); retrying in %g s",
                        step.name,
                        tries,
                        error,
                        delay,
                    )
                    hears.retrying(step, tries, error, delay)
                    sleep(delay)
                    continue
                hears.failed(step, tries, error)
                alert_failure(
                    orchestration, step.name, error, attempt=tries, environ=environ
                )
                raise StepFailedError(step.name, tries, error) from error
            result = StepResult(
                step.name, tries, time.perf_counter() - started, summary
            )
            results.append(result)
            hears.succeeded(result)
            break
    return results
