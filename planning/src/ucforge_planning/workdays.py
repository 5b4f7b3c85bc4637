"""Working-day arithmetic: Monday to Friday, less named non-working days and
the public holidays of a country or region (from the `holidays` package)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import re
from collections.abc import Container, Iterable
from typing import Any

EPSILON = 1e-9


class WorkCalendar:
    """Maps working-day offsets from the start to dates, and back."""

    def __init__(
        self,
        start: dt.date,
        non_working_days: Iterable[dt.date] = (),
        holidays: Container[dt.date] = frozenset(),
    ) -> None:
        self._closed = frozenset(non_working_days)
        self._holidays = holidays
        self._days: list[dt.date] = []
        day = start
        while not self._is_working(day):
            day += dt.timedelta(days=1)
        self._next = day

    def _is_working(self, day: dt.date) -> bool:
        return (
            day.weekday() < 5 and day not in self._closed and day not in self._holidays
        )

    def index_of(self, date: dt.date) -> int | None:
        """The index of a working day; None for a day off or before the start."""
        index = self.last_index_on_or_before(date)
        return index if index >= 0 and self.day(index) == date else None

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


# A region: a country's ISO code, then optionally '-' and a subdivision code.
_REGION = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,12}))?")


def region_problem(region: str) -> str:
    """Why the text names no known holiday region ('' when it does or is empty)."""
    text = region.strip()
    if not text:
        return ""
    match = _REGION.fullmatch(text)
    if match is None:
        return (
            "must be a country code such as DE, or a country and region such as "
            f"DE-BY, US-CA or GB-SCT (empty for none); got {region!r}"
        )
    try:
        supported = _supported()
    except ImportError:
        return "needs the holidays package (pip install holidays)"
    country, subdivision = match[1].upper(), match[2]
    if country not in supported:
        close = [c for c in supported if c[0] == country[0]][:12]
        return (
            f"names no country the holidays package knows; got {country!r} "
            f"(those starting with {country[0]}: {', '.join(close)})"
        )
    if subdivision is not None:
        known = [str(s) for s in supported[country]]
        wanted = subdivision.upper()
        if not any(s.upper() == wanted for s in known):
            shown = ", ".join(known[:40]) + (" ..." if len(known) > 40 else "")
            listed = f": {shown}" if known else "; it has none"
            return (
                f"names no region of {country}; got {subdivision!r} (regions{listed})"
            )
    return ""


@functools.cache
def _supported() -> dict[str, list[str]]:
    """Country codes and their subdivisions, from the holidays package."""
    import holidays

    return dict(holidays.list_supported_countries())


@functools.cache
def public_holidays(region: str) -> Any:
    """The public holidays of a region ('DE', 'DE-BY'), a mapping date -> name.

    Years are added as they are looked up. An empty region has none.
    """
    text = region.strip()
    if not text:
        return {}
    import holidays

    country, _, subdivision = text.partition("-")
    country = country.upper()
    if subdivision:
        known = {s.upper(): s for s in map(str, _supported()[country])}
        subdivision = known[subdivision.upper()]
    return holidays.country_holidays(country, subdiv=subdivision or None)


def holidays_between(
    region: str, first: dt.date, last: dt.date
) -> list[tuple[dt.date, str]]:
    """The region's public holidays on weekdays from first to last, with names."""
    if not region.strip():
        return []
    # Not `if not days`: a region's holidays hold no year until one is looked up.
    days = public_holidays(region)
    found = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day in days:
            found.append((day, str(days.get(day))))
        day += dt.timedelta(days=1)
    return found
