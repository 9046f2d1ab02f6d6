"""`leadbot import --dry-run` only reads (issue 11): it holds no write lock while it runs, so others write
meanwhile, and it still reports what a real run of the same file does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from db.models import Exclusion, Lead
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import Table, read_table
from leadbot.services import imports
from leadbot.services.imports import DuplicatePolicy, ImportReport
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services

LOCK_WAIT_MS = 200


async def bump_exclusion_hits(database_url: str) -> None:
    """A write from another connection (as the API's would be) that waits at most LOCK_WAIT_MS for a lock."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": LOCK_WAIT_MS / 1000})
    else:
        engine = create_async_engine(
            database_url, connect_args={"server_settings": {"lock_timeout": str(LOCK_WAIT_MS)}}
        )
    try:
        async with engine.begin() as connection:
            await connection.execute(update(Exclusion).values(hits=Exclusion.hits + 1))
    finally:
        await engine.dispose()


def pausing(table: Table, after: int, checkpoint: Callable[[], None]) -> Table:
    """The same table, calling `checkpoint` when the import asks for row number `after` (0-based)."""

    def rows() -> Iterator[tuple[int, list[str]]]:
        for index, row in enumerate(table.rows):
            if index == after:
                checkpoint()
            yield row

    return Table(table.headers, rows())


async def counts(services: Services) -> tuple[int, int]:
    async with services.ctx.reading() as session:
        leads = await session.scalar(select(func.count()).select_from(Lead)) or 0
        hits = await session.scalar(select(func.sum(Exclusion.hits))) or 0
    return leads, hits


async def test_others_write_while_a_dry_run_is_half_way(
    services: Services, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK", 10)
    await services.exclusions.add("+79990000000", None, "spam")
    path = tmp_path / "big.csv"
    clients = [f"Клиент {n};+7916{n:07d}" for n in range(30)]
    path.write_text("\n".join(["NAME;PHONE", "Спам;+79990000000", *clients]), "utf-8")
    written: list[str] = []

    def write_from_elsewhere() -> None:  # the dry run's event loop waits here: it is held mid-run
        with ThreadPoolExecutor(1) as other:
            other.submit(asyncio.run, bump_exclusion_hits(services.ctx.settings.database_url)).result()
        written.append("done")

    table = pausing(read_table(path), after=15, checkpoint=write_from_elsewhere)  # chunk 1 was applied
    report = await TableImport(services.imports).run(table, dry_run=True)
    assert written == ["done"]
    assert (report.created, report.excluded) == (30, 1)
    assert await counts(services) == (0, 1)  # the other write only: the dry run wrote nothing


def summary(report: ImportReport) -> tuple[object, ...]:
    skipped = [line for line, _why in report.skipped]  # a dry run cannot name a lead it did not create
    rejected = [(line, reason.render()) for line, reason, _cells in report.rejected]
    return (report.created, report.repeat, report.merged, skipped, report.excluded, report.already, rejected)


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
async def test_a_dry_run_reports_what_the_real_run_then_does(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: DuplicatePolicy
) -> None:
    monkeypatch.setattr(imports, "CHUNK", 3)
    await services.leads.create(LeadDraft(name="Старый", phones=["+79161111111"]))
    await services.exclusions.add("+79990000000", None, "spam")
    before = tmp_path / "before.csv"
    before.write_text("EXTERNAL_ID;NAME\next-1;Импортирован раньше\n", "utf-8")
    await TableImport(services.imports).run(read_table(before))
    path = tmp_path / "mixed.csv"
    path.write_text(
        "EXTERNAL_ID;NAME;PHONE;EMAIL\n"
        ";Анна;+79160000001;\n"
        ";Анна ещё раз;8 916 000 00 01;anna@example.com\n"  # same chunk as the first
        ";Борис;+79160000002;\n"
        ";Старый снова;+79161111111;\n"  # a lead in the database
        ";Спам;+79990000000;\n"
        ";Анна в третий раз;;anna@example.com\n"  # a later chunk: the merged e-mail
        "ext-1;Импортирован раньше;;\n"
        ";Борис снова;+79160000002;boris@example.com\n"  # a later chunk than his first row
        ";Плохой;;not-an-email\n"
        ";Борис в третий раз;;boris@example.com\n",
        "utf-8",
    )
    dry = await TableImport(services.imports).run(read_table(path), duplicates=policy, dry_run=True)
    assert await counts(services) == (2, 0)
    real = await TableImport(services.imports).run(read_table(path), duplicates=policy)
    assert summary(dry) == summary(real)
