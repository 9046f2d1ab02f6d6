"""Benchmark: import 100,000 rows with matching against 100,000 existing contacts.

Run: .venv/bin/python bench/import_leads.py [ROWS] [CONTACTS]
Every tenth row shares a phone with an existing contact (a returning client: imported as a repeat lead
with --duplicates allow, the slowest policy). Prints the wall time, rows per second and peak memory.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from db.enums import CommKind, CommValueType, ContactType, OwnerType
from db.models import Communication, Contact
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import read_table
from leadbot.services.imports import DuplicatePolicy, ImportService


def phone(number: int) -> str:
    return f"+7916{number:07d}"


async def main(rows: int, contacts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        async with open_database(settings) as ctx:
            async with ctx.transaction() as session:
                await session.execute(
                    insert(Contact),
                    [
                        {"id": i, "name": f"Client {i}", "type": ContactType.CLIENT}
                        for i in range(1, contacts + 1)
                    ],
                )
                await session.execute(
                    insert(Communication),
                    [
                        {
                            "owner_type": OwnerType.CONTACT,
                            "owner_id": i,
                            "kind": CommKind.PHONE,
                            "value_type": CommValueType.MOBILE,
                            "raw": phone(i),
                            "normalized": phone(i),
                        }
                        for i in range(1, contacts + 1)
                    ],
                )
            csv_path = Path(folder) / "leads.csv"
            with csv_path.open("w", encoding="utf-8") as file:
                file.write("NAME;LAST_NAME;PHONE_MOBILE;EMAIL_WORK;COMPANY_TITLE;OPPORTUNITY\n")
                for i in range(rows):
                    number = (i + 1) if i % 10 == 0 else contacts + i + 1  # every tenth: a known client
                    file.write(
                        f"Имя{i};Фамилия{i};8 916 {number:07d};lead{i}@example.com;"
                        f"Компания {i % 500};{i % 9000}\n"
                    )
            began = time.perf_counter()
            report = await TableImport(ImportService(ctx)).run(
                read_table(csv_path), duplicates=DuplicatePolicy.ALLOW
            )
            elapsed = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"imported {report.total} rows against {contacts} contacts in {elapsed:.1f} s "
            f"({report.total / elapsed:.0f} rows/s): created {report.created}, repeat {report.repeat}, "
            f"rejected {len(report.rejected)}; peak memory {peak:.0f} MB"
        )


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 100_000,
        )
    )
