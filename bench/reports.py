"""Benchmark: every report over 1,000,000 leads on SQLite (or on an empty PostgreSQL database).

Run: .venv/bin/python bench/reports.py [LEADS] [DATABASE_URL]
Seeds LEADS leads over a year (20 managers, all sources and statuses, amounts in three currencies,
repeat flags, taken and first-action times), then times each report for the whole year, one month and
one day (best of 3 runs).
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from db.enums import Role
from db.models import Lead, User
from db.statistics import refresh_statistics
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.seed import JUNK_REASONS, SOURCES, STATUSES
from leadbot.services.reports import ReportName, ReportService

START = datetime(2026, 1, 1, tzinfo=UTC)
CURRENCIES = ["RUB"] * 16 + ["EUR"] * 3 + ["USD"]  # a fifth of the amounts in a foreign currency


async def main(count: int, database_url: str | None) -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url)
        async with open_database(settings) as ctx:
            async with ctx.transaction() as session:
                await session.execute(
                    insert(User),
                    [
                        {"id": i, "telegram_id": i, "name": f"Manager {i}", "role": Role.MANAGER}
                        for i in range(1, 21)
                    ],
                )
            began = time.perf_counter()
            statuses = [code for code, *_rest in STATUSES]
            sources = [code for code, *_rest in SOURCES]
            for chunk in range(0, count, 50_000):
                rows = []
                for i in range(chunk, min(count, chunk + 50_000)):
                    created = START + timedelta(seconds=rng.randrange(365 * 86400))
                    status = rng.choice(statuses)
                    assignee = rng.randrange(1, 21) if rng.random() < 0.85 else None
                    take = rng.randrange(60, 7200) if assignee else None
                    first = rng.randrange(60, 5400) if assignee else None
                    amount = rng.randrange(0, 100_000) if rng.random() < 0.5 else None
                    rows.append(
                        {
                            "name": f"Lead {i}",
                            "status_code": status,
                            "source_code": rng.choice(sources),
                            "assignee_id": assignee,
                            "amount": amount,
                            "currency": rng.choice(CURRENCIES) if amount is not None else None,
                            "is_repeat": rng.random() < 0.1,
                            "created_at": created,
                            "updated_at": created,
                            "taken_at": created + timedelta(seconds=take) if take else None,
                            "take_seconds": take,
                            "first_action_at": created + timedelta(seconds=first) if first else None,
                            "first_action_seconds": first,
                            "junk_reason_code": rng.choice(JUNK_REASONS)[0] if status == "JUNK" else None,
                            "version": 1,
                        }
                    )
                async with ctx.transaction() as session:
                    await session.execute(insert(Lead.__table__), rows)  # type: ignore[arg-type]
            print(f"seeded {count} leads in {time.perf_counter() - began:.0f} s")
            began = time.perf_counter()
            async with ctx.transaction() as session:
                await refresh_statistics(session)  # as `leadbot run` does at start and the import at its end
            print(f"statistics refreshed in {time.perf_counter() - began:.1f} s")
            service = ReportService(ctx)
            periods = {
                "year": (START, START + timedelta(days=365)),
                "month": (START + timedelta(days=120), START + timedelta(days=150)),
                "day": (START + timedelta(days=120), START + timedelta(days=121)),
            }
            for label, (since, until) in periods.items():
                for name in ReportName:
                    timings = []
                    for _attempt in range(3):
                        t0 = time.perf_counter()
                        report = await service.build(name, since, until)
                        timings.append(time.perf_counter() - t0)
                    print(
                        f"{label:5} {name.value:9} {min(timings) * 1000:7.0f} ms  ({len(report.rows)} rows)"
                    )


if __name__ == "__main__":
    asyncio.run(
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, sys.argv[2] if len(sys.argv) > 2 else None)
    )
