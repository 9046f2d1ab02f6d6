"""Working hours ("09:00-19:00 Mon-Fri"): the speed-to-lead clock runs only inside them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPEC = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(.+))?$")
MAX_DAYS = 31


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _sep, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"unknown day in {text!r}; use Mon, Tue, … Sun")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    return frozenset(days)


@dataclass(frozen=True)
class WorkHours:
    start: time
    end: time
    days: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> WorkHours | None:
        """None for an empty text: the clock always runs."""
        if not text.strip():
            return None
        match = _SPEC.match(text.strip())
        if match is None:
            raise ValueError(f"working hours {text!r} should look like 09:00-19:00 Mon-Fri")
        h1, m1, h2, m2, days = match.groups()
        start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        if end <= start:
            raise ValueError(f"working hours {text!r} end before they start")
        return cls(start, end, _days(days) if days else frozenset(range(7)))

    def is_open(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def minutes_between(self, since: datetime, until: datetime, zone: ZoneInfo) -> float:
        """Working minutes in [since, until), in the given zone (looks at most a month back)."""
        total = timedelta()
        day = max(since.astimezone(zone).date(), (until - timedelta(days=MAX_DAYS)).astimezone(zone).date())
        last = until.astimezone(zone).date()
        while day <= last:
            if day.weekday() in self.days:
                opens = datetime.combine(day, self.start, tzinfo=zone)
                closes = datetime.combine(day, self.end, tzinfo=zone)
                begin, finish = max(opens, since), min(closes, until)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 60


def working_minutes(hours: WorkHours | None, since: datetime, until: datetime, zone: ZoneInfo) -> float:
    if hours is None:
        return max(0.0, (until - since).total_seconds() / 60)
    return hours.minutes_between(since, until, zone)
