"""How much of each working day a person gives the plan.

Time is counted in team working days from the start: day `d` is the interval
[d, d + 1). A person works at their share of a full day on each day (their
capacity, times the team's focus factor), less the days they are away, so `work`
person-days started at `start` take longer than `work` days when the share is
below one, and stop during an absence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

EPSILON = 1e-9


class Availability:
    """A person's share of each working day: `share`, except on the listed days."""

    def __init__(self, share: float = 1.0, days: Mapping[int, float] | None = None):
        if share <= 0:
            raise ValueError(f"a person's share of a day must be positive; got {share}")
        self.share = share
        self._days = {d: s for d, s in (days or {}).items() if abs(s - share) > EPSILON}
        self._last = max(self._days, default=-1)

    @property
    def steady(self) -> bool:
        """True when every day has the same share."""
        return not self._days

    def on(self, day: int) -> float:
        """The share of working day `day`."""
        return self._days.get(day, self.share)

    def begin(self, start: float) -> float:
        """The first moment at or after `start` on which this person works."""
        day = math.floor(start + EPSILON)
        if day > self._last or self.on(day) > 0:
            return start
        while self.on(day) <= 0:
            day += 1
        return float(day)

    def finish(self, start: float, work: float) -> float:
        """When `work` person-days started at `start` are done."""
        if work <= EPSILON:
            return start
        time = start
        remaining = work
        while True:
            day = math.floor(time + EPSILON)
            if day > self._last:
                return time + remaining / self.share
            share = self.on(day)
            if share > 0:
                room = (day + 1 - time) * share
                if remaining <= room + EPSILON:
                    return time + remaining / share
                remaining -= room
            time = float(day + 1)


STEADY = Availability()
