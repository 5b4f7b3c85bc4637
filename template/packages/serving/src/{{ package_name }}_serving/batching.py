"""Micro-batching: the requests that arrive while the model is busy run together.

A model call costs about the same for one row as for a few dozen (the trees are
walked once per call), so under concurrent load the service answers many more
requests when it predicts for all the waiting ones at once. `MicroBatcher`
queues each request's checked inputs; one model thread takes everything queued
(up to `max_rows` rows for one model) as a single call, then the next lot. A
request that arrives when the model is idle runs at once: the batches form only
while a call is running, so a lone request waits for nothing. `wait_seconds`
(default 0) lets the first request of a lot wait that long for company, which
trades latency at low load for larger batches (docs/adr, micro-batching).

Every request gets the predictions of its own rows, in order. When a lot fails,
its requests run one by one, so an error reaches only the request that caused it.

Public names: MicroBatcher.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

Inputs = Mapping[str, list[Any]]
Predict = Callable[[Any, Inputs], np.ndarray]


@dataclass(frozen=True)
class _Pending:
    model: Any
    inputs: Inputs
    rows: int
    future: asyncio.Future[np.ndarray]


def _joined(lot: list[_Pending]) -> dict[str, list[Any]]:
    if len(lot) == 1:
        return dict(lot[0].inputs)
    return {
        name: [value for pending in lot for value in pending.inputs[name]]
        for name in lot[0].inputs
    }


def _settle(
    future: asyncio.Future[np.ndarray], outcome: np.ndarray | Exception
) -> None:
    if future.done():
        return  # the client went away
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class MicroBatcher:
    """Runs `predict(model, inputs)` for queued requests together, on one thread."""

    def __init__(
        self, predict: Predict, *, max_rows: int, wait_seconds: float = 0.0
    ) -> None:
        self._predict = predict
        self._max_rows = max_rows
        self._wait_seconds = wait_seconds
        self._queue: deque[_Pending] = deque()
        self._lock = threading.Lock()
        self._draining = False
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self.calls = 0  # model calls so far (the tests read it)

    async def predict(self, model: Any, inputs: Inputs, rows: int) -> np.ndarray:
        """The predictions of `rows` rows of checked `inputs`, in order."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[np.ndarray] = loop.create_future()
        with self._lock:
            self._queue.append(_Pending(model, inputs, rows, future))
            start = not self._draining
            self._draining = True
        if start:
            # A task of its own: the request that found the queue idle must not
            # wait for the lots of the requests that came after it.
            self._task = loop.create_task(self._drain())
        return await future

    def close(self) -> None:
        """Stop the model thread (after the call it is running, if any)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _model_thread(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="model"
                )
            return self._executor

    def _next_lot(self) -> list[_Pending]:
        """The queued requests of the first one's model, up to max_rows rows."""
        with self._lock:
            if not self._queue:
                self._draining = False
                return []
            first = self._queue.popleft()
            lot, rows, kept = [first], first.rows, deque[_Pending]()
            while self._queue:
                pending = self._queue.popleft()
                if (
                    pending.model is first.model
                    and rows + pending.rows <= self._max_rows
                ):
                    lot.append(pending)
                    rows += pending.rows
                else:
                    kept.append(pending)
            self._queue.extendleft(reversed(kept))
            return lot

    async def _drain(self) -> None:
        """Run lots until the queue is empty."""
        loop = asyncio.get_running_loop()
        lot: list[_Pending] = []
        try:
            if self._wait_seconds > 0:
                await asyncio.sleep(self._wait_seconds)
            while lot := self._next_lot():
                outcomes = await loop.run_in_executor(
                    self._model_thread(), self._run, lot
                )
                self._deliver(loop, lot, outcomes)
        except BaseException as exc:
            # The model thread is gone (the app is stopping): nobody waits forever.
            with self._lock:
                waiting = [*lot, *self._queue]
                self._queue.clear()
                self._draining = False
            failure = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
            self._deliver(loop, waiting, [failure] * len(waiting))
            raise

    @staticmethod
    def _deliver(
        loop: asyncio.AbstractEventLoop,
        lot: list[_Pending],
        outcomes: list[np.ndarray | Exception],
    ) -> None:
        for pending, outcome in zip(lot, outcomes, strict=True):
            owner = pending.future.get_loop()
            if owner is loop:
                _settle(pending.future, outcome)
            elif not owner.is_closed():
                owner.call_soon_threadsafe(_settle, pending.future, outcome)

    def _run(self, lot: list[_Pending]) -> list[np.ndarray | Exception]:
        """Each request's predictions, or the error its own rows raise."""
        self.calls += 1
        try:
            values = self._predict(lot[0].model, _joined(lot))
        except Exception as exc:
            if len(lot) == 1:
                return [exc]
            return [outcome for pending in lot for outcome in self._run([pending])]
        bounds = np.cumsum([0, *(pending.rows for pending in lot)])
        return [values[start:end] for start, end in itertools.pairwise(bounds)]
