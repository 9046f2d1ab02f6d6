"""The scheduler follows the application clock, and one broken job does not stop the others."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

from leadbot.clock import FrozenClock
from leadbot.clocked_scheduler import ClockedScheduler
from tests.conftest import START

ZONE = ZoneInfo("Europe/Moscow")


class BreaksAfterFirst(BaseTrigger):  # type: ignore[misc]
    """Due at `at`; asking for the run after that fails (a bug in a trigger)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is not None:
            raise RuntimeError("broken trigger")
        return self.at


async def test_jobs_run_by_the_application_clock_and_survive_a_broken_one() -> None:
    clock = FrozenClock(START)
    scheduler = ClockedScheduler(clock, ZONE)
    ran: list[str] = []
    done = asyncio.Event()

    async def job(name: str) -> None:
        ran.append(name)
        if name == "later":
            done.set()

    scheduler.start()
    try:
        scheduler.add(job, BreaksAfterFirst(START + timedelta(minutes=1)), "broken", ("broken",))
        scheduler.add(job, DateTrigger(START + timedelta(minutes=2), ZONE), "later", ("later",))
        await asyncio.sleep(0)  # the wall clock moves on; the application's does not
        assert ran == []
        clock.advance(timedelta(minutes=1))
        clock.advance(timedelta(minutes=1))
        await asyncio.wait_for(done.wait(), 5)
        assert "later" in ran
        assert scheduler.get_job("broken") is None  # dropped, not retried in a hot loop
    finally:
        scheduler.shutdown(wait=False)
