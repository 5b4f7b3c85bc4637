"""Working-day arithmetic: Monday to Friday, less named non-working days."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable

EPSILON = 1e-9


class WorkCalendar:
    """Maps working-day offsets from the start to dates, and back."""

    def __init__(
        self, start: dt.date, non_working_days: Iterable[dt.date] = ()
    ) -> None:
        self._closed = frozenset(non_working_days)
        self._days: list[dt.date] = []
        day = start
        while not self._is_working(day):
            day += dt.timedelta(days=1)
        self._next = day

    def _is_working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._closed

    def _extend(self, index: int) -> None:
        while len(self._days) <= index:
            day = self._next
            self._days.append(day)
            day += dt.timedelta(days=1)
            while not self._is_working(day):
                day += dt.timedelta(days=1)
            self._next = day

    def day(self, index: int) -> dt.date:
        """The working day `index` working days after the first (0 is the first)."""
        if index < 0:
            raise ValueError(f"working-day index must not be negative; got {index}")
        self._extend(index)
        return self._days[index]

    def start_date(self, start: float) -> dt.date:
        """The date on which work starting at offset `start` begins."""
        return self.day(math.floor(start + EPSILON))

    def end_date(self, start: float, finish: float) -> dt.date:
        """The last working day of work spanning offsets [start, finish)."""
        if finish - start < EPSILON:
            return self.start_date(start)
        return self.day(max(math.ceil(finish - EPSILON) - 1, 0))

    def last_index_on_or_before(self, date: dt.date) -> int:
        """Index of the last working day on or before `date` (-1 if none)."""
        return bisect.bisect_right(self._days, date) - 1 if self._ensure(date) else -1

    def _ensure(self, date: dt.date) -> bool:
        if date < self.day(0):
            return False
        while self._next <= date:
            self._extend(len(self._days))
        return True


def sprint_count(start: dt.date, target: dt.date, weeks: int) -> int:
    """Sprints of `weeks` weeks that the period from start to target touches.

    The target day counts: a target on the first day of a sprint adds that
    sprint, so no date up to the target falls in a sprint beyond the count.
    """
    return sprint_of(start, target, weeks)


def sprint_of(start: dt.date, date: dt.date, weeks: int) -> int:
    """The 1-based sprint that contains `date`."""
    return max(0, (date - start).days) // (7 * weeks) + 1
