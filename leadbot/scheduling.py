"""The process's one APScheduler: a date job per pending reminder (ids only) and periodic checks.

The activities table is the source of truth; jobs are rebuilt from it at start. Reminders whose time
passed while the bot was down are sent once on start, marked late (LATE_AFTER). APScheduler's own
misfire limit is off (`misfire_grace_time=None`): a job delayed by a busy loop still runs, and the
conditional claim in ActivityService.fire keeps every reminder to one message. Every timer follows the
application clock (ClockedScheduler). Only one process may run this (RUN_BACKGROUND=true on exactly one
instance).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from leadbot.clocked_scheduler import ClockedScheduler
from leadbot.services.registry import Services

log = logging.getLogger("leadbot.scheduler")
SPEED_TO_LEAD_EVERY = 30  # seconds
DIGESTS_EVERY = 60  # seconds
NIGHTLY_AT = {"hour": 3, "minute": 0}  # in TIMEZONE: housekeeping while nobody works


def quiet_apscheduler() -> None:
    """APScheduler logs every run of every job at INFO ("Running job …", "… executed successfully"):
    with the interval checks that is two lines every 30 s. Its warnings and errors (a failed job) still
    show; our own lines (leadbot.scheduler) stay at INFO. A level set for it on purpose is kept."""
    aps_log = logging.getLogger("apscheduler")
    if aps_log.level == logging.NOTSET:
        aps_log.setLevel(logging.WARNING)


class Scheduler:
    def __init__(self, services: Services) -> None:
        quiet_apscheduler()
        self._services = services
        self._zone = ZoneInfo(services.ctx.settings.timezone)
        self._aps = ClockedScheduler(services.ctx.clock, self._zone)

    @property
    def reminder_jobs(self) -> int:
        return sum(1 for job in self._aps.get_jobs() if job.id.startswith("activity-"))

    def next_run(self, job_id: str) -> datetime | None:
        """When a job (e.g. "nightly") runs next; None if there is no such job."""
        job = self._aps.get_job(job_id)
        return job.next_run_time if job is not None else None

    async def start(self) -> None:
        """Start inside the running loop; send what was missed, then mirror every pending reminder."""
        self._aps.start()
        late = await self._services.activities.fire_due()
        if late:
            log.info("sent %d reminder(s) missed while the bot was down", late)
        for activity_id, due_at in await self._services.activities.pending():
            self.schedule(activity_id, due_at)
        self._services.activities.on_schedule_change(self.schedule)
        nudges, now = self._services.nudges, self._aps.now()
        self._aps.add(nudges.check_speed_to_lead, self._every(SPEED_TO_LEAD_EVERY, now), "speed_to_lead")
        self._aps.add(nudges.send_morning_digests, self._every(DIGESTS_EVERY, now), "morning_digests")
        self._aps.add(nudges.send_weekly_summaries, self._every(DIGESTS_EVERY, now), "weekly_summaries")
        self._aps.add(
            self._services.maintenance.nightly, CronTrigger(timezone=self._zone, **NIGHTLY_AT), "nightly"
        )

    def _every(self, seconds: int, now: datetime) -> IntervalTrigger:
        return IntervalTrigger(
            seconds=seconds, start_date=now + timedelta(seconds=seconds), timezone=self._zone
        )

    def schedule(self, activity_id: int, due_at: datetime | None) -> None:
        job_id = f"activity-{activity_id}"
        if due_at is None:
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(job_id)
            return
        self._aps.add(self._services.activities.fire, DateTrigger(due_at, self._zone), job_id, (activity_id,))

    def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)
