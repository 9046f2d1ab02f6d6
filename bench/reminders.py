"""Benchmark: 10,000 pending reminders load at start and fire on time.

Run: .venv/bin/python bench/reminders.py [COUNT] [SPREAD_SECONDS]
Prints how long the scheduler takes to load every pending reminder, and how late each one was queued
for delivery (outbox row written) after its due time: median, 99th percentile and maximum.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from db.enums import ActivityKind, Role
from db.models import Activity, Lead, Outbox, User
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.scheduling import Scheduler
from leadbot.services.registry import Services


async def main(count: int, spread: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        async with open_database(settings) as ctx:
            services = Services.build(ctx)
            start_at = datetime.now(UTC) + timedelta(seconds=3)
            async with ctx.transaction() as session:
                session.add(User(id=1, telegram_id=1, name="Bench", role=Role.MANAGER))
                session.add(
                    Lead(
                        id=1,
                        status_code="NEW",
                        source_code="OTHER",
                        version=1,
                        created_at=start_at,
                        updated_at=start_at,
                    )
                )
                await session.flush()
                await session.execute(
                    insert(Activity),
                    [
                        {
                            "kind": ActivityKind.CALL,
                            "lead_id": 1,
                            "responsible_id": 1,
                            "created_at": start_at,
                            "due_at": start_at + timedelta(seconds=spread * i / count),
                        }
                        for i in range(count)
                    ],
                )
            scheduler = Scheduler(services)
            began = time.perf_counter()
            await scheduler.start()
            loaded = time.perf_counter() - began
            print(f"loaded {count} pending reminders in {loaded:.2f} s ({scheduler.reminder_jobs} jobs)")
            deadline = time.monotonic() + spread + 60
            while time.monotonic() < deadline:
                async with ctx.reading() as session:
                    done = await session.scalar(
                        select(func.count()).select_from(Outbox).where(Outbox.kind == "reminder")
                    )
                if (done or 0) >= count:
                    break
                await asyncio.sleep(2)
            scheduler.stop()
            async with ctx.reading() as session:
                due = {
                    row.id: row.due_at for row in await session.execute(select(Activity.id, Activity.due_at))
                }
                rows = (await session.scalars(select(Outbox).where(Outbox.kind == "reminder"))).all()
            by_due = sorted(
                (
                    due[row.payload["activity_id"]],
                    (row.created_at - due[row.payload["activity_id"]]).total_seconds(),
                )
                for row in rows
            )
            worst = sorted(by_due, key=lambda pair: -pair[1])[:5]
            print("worst:", [((d - start_at).total_seconds(), round(late, 3)) for d, late in worst])
            lateness = sorted(late for _d, late in by_due)
            print(f"fired {len(rows)} of {count} over {spread:.0f} s")
            if lateness:
                p99 = lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))]
                print(
                    f"lateness after due time: median {statistics.median(lateness) * 1000:.0f} ms, "
                    f"p99 {p99 * 1000:.0f} ms, max {lateness[-1] * 1000:.0f} ms"
                )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    spread = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    asyncio.run(main(count, spread))
