"""At the default level the scheduler's log says what matters: our own lines, not every run of every job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from db.enums import ActivityKind
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.scheduling import DIGESTS_EVERY, Scheduler
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services

INTERVAL_JOBS = ("check_speed_to_lead", "send_morning_digests", "send_weekly_summaries")


def announcing(job: Callable[[], Awaitable[Any]], done: asyncio.Event) -> Callable[[], Awaitable[Any]]:
    """The job, setting `done` when it returns: APScheduler has logged "Running job" before it started
    and logs "executed successfully" in the same step as it returns, so both are in when `done` is seen."""

    async def run() -> Any:
        result = await job()
        done.set()
        return result

    return run


async def test_interval_jobs_log_nothing_at_info_and_our_own_lines_stay(
    services: Services,
    clock: FrozenClock,
    anna: Actor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO)
    lead = await services.leads.create(LeadDraft(name="Ivan", assignee_id=anna.id))
    assert lead.lead is not None
    await services.activities.plan(lead.lead.id, ActivityKind.CALL, clock.now() + timedelta(minutes=1), anna)
    clock.advance(timedelta(minutes=2))  # the reminder is missed "while the bot was down"
    runs = {name: asyncio.Event() for name in INTERVAL_JOBS}
    for name, done in runs.items():
        monkeypatch.setattr(services.nudges, name, announcing(getattr(services.nudges, name), done))
    scheduler = Scheduler(services)
    await scheduler.start()
    try:
        clock.advance(timedelta(seconds=DIGESTS_EVERY))  # every interval job is due
        await asyncio.wait_for(asyncio.gather(*(done.wait() for done in runs.values())), timeout=10)
    finally:
        scheduler.stop()

    chatter = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("apscheduler") and r.levelno < logging.WARNING
    ]
    assert chatter == []
    ours = [
        r.getMessage() for r in caplog.records if r.name == "leadbot.scheduler" and r.levelno == logging.INFO
    ]
    assert ours == ["sent 1 reminder(s) missed while the bot was down"]
