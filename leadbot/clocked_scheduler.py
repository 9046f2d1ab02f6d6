"""APScheduler's AsyncIOScheduler, reading "now" from the application clock instead of the wall clock.

APScheduler 3 asks `datetime.now()` when it looks for due jobs, so a test clock (or any clock other than
the system's) would be ignored: a reminder "tomorrow" for the services could already be past for the
scheduler. Here the due-job pass uses `Clock.now()`, and a jump of the clock wakes the scheduler, so one
clock drives services and timers alike. The job store, executors and triggers stay APScheduler's own.

Supported use: the in-memory job store, coroutine jobs, `coalesce=True` and `misfire_grace_time=None`
(the only options whose checks read the wall clock elsewhere), jobs added with `ClockedScheduler.add`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.base import MaxInstancesReachedError
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from apscheduler.triggers.base import BaseTrigger

from leadbot.clock import Clock, Unsubscribe

log = logging.getLogger("leadbot.scheduler")
LONGEST_WAIT = 3600.0  # seconds: look again at least hourly, whatever the clock did meanwhile


class ClockedScheduler(AsyncIOScheduler):
    def __init__(self, clock: Clock, zone: ZoneInfo) -> None:
        super().__init__(
            timezone=zone, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        self._clock = clock
        self._unsubscribe: Unsubscribe | None = None

    def start(self, paused: bool = False) -> None:
        super().start(paused)
        self._unsubscribe = self._clock.on_jump(self.wakeup)

    def shutdown(self, wait: bool = True) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().shutdown(wait)

    def now(self) -> datetime:
        return self._clock.now().astimezone(self.timezone)

    def add(
        self, func: Callable[..., Any], trigger: BaseTrigger, job_id: str, args: tuple[Any, ...] = ()
    ) -> Job:
        """Add or replace a job whose first run is computed by the application clock."""
        first_run = trigger.get_next_fire_time(None, self.now())
        return self.add_job(
            func, trigger, id=job_id, args=args, replace_existing=True, next_run_time=first_run
        )

    def _process_jobs(self) -> float | None:
        """Submit the jobs that are due by the application clock; return seconds until the next one."""
        if self.state == STATE_PAUSED:
            return None
        now = self.now()
        next_wakeup: datetime | None = None
        with self._jobstores_lock:
            for alias, store in self._jobstores.items():
                for job in store.get_due_jobs(now):
                    try:
                        self._submit(job, alias, store, now)
                    except Exception:  # one broken job must not stop the others, nor spin in a hot loop
                        log.exception("job %s could not be run; it is dropped", job.id)
                        self.remove_job(job.id, alias)
                store_next = store.get_next_run_time()
                if store_next is not None and (next_wakeup is None or store_next < next_wakeup):
                    next_wakeup = store_next
        if next_wakeup is None:
            return None
        return min(max((next_wakeup - self.now()).total_seconds(), 0.0), LONGEST_WAIT)

    def _submit(self, job: Job, alias: str, store: Any, now: datetime) -> None:
        run_times = job._get_run_times(now)[-1:]  # coalesced: a job late by many runs runs once
        if not run_times:
            return
        try:
            self._lookup_executor(job.executor).submit_job(job, run_times)
        except MaxInstancesReachedError:
            log.warning("job %s is still running; this run is skipped", job.id)
        next_run = job.trigger.get_next_fire_time(run_times[-1], now)
        if next_run is None:
            self.remove_job(job.id, alias)
        else:
            job._modify(next_run_time=next_run)
            store.update_job(job)
