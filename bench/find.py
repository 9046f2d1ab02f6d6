"""Benchmark: /find over LEADS leads, beside the query it replaced (a LIKE over lower() of four columns,
run once to count and once for the page), in the same run.

Run: .venv/bin/python bench/find.py [LEADS] [DATABASE_URL]   (1,000,000 on a temporary SQLite file by
default). A DATABASE_URL names an empty database, or one this script seeded before: then it measures
again. Seeds leads with Russian and English names, companies and titles and a phone each, then times
LeadQueries.find (session, count and first page) for queries by name, by company, by a fragment of
three or four letters, by a name no lead has, by two letters (no trigram: a scan) and by phone:
p50/p99 over the queries of each kind. The old query runs over fewer (seconds each at a million leads).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, or_, select

from db.enums import CommKind, OwnerType
from db.models import Communication, Lead
from db.statistics import refresh_statistics
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.context import ServiceContext
from leadbot.services.lead_search import escape_like
from leadbot.services.queries import PAGE_SIZE, LeadQueries

START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 20_000


def words(text: str) -> list[str]:
    return text.split()


FIRST = words(
    "Иван Пётр Семён Алексей Сергей Андрей Дмитрий Михаил Фёдор Николай Ольга Анна Мария Елена Наталья "
    "Татьяна Юлия Алёна Ксения Дарья John Michael David James Anna Emily Sarah Laura Peter Thomas"
)
LAST = words(
    "Иванов Петров Сидоров Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов Волков Соловьёв "
    "Васильев Зайцев Павлов Семёнов Голубев Виноградов Богданов Воробьёв Фёдоров Михайлов Беляев Тарасов "
    "Белов Комаров Орлов Киселёв Макаров Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark"
)
COMPANY = words(
    "Ромашка Вектор Альфа Стройсервис Техноком Север Меридиан Гранит Импульс Прогресс Созвездие Ёлочка "
    "Берёзка Орион Атлант Феникс Сигма Интеграл Полюс Acme Globex Initech Umbrella Stark Wayne Hooli "
    "Vandelay Contoso Fabrikam"
)
FORM = ["ООО", "АО", "ИП", "ЗАО", "LLC", "Ltd", "Inc"]
TITLE = words(
    "Окна Двери Кухня Ремонт Поставка Монтаж Консультация Доставка Заказ Аренда Website Quote Order"
)


def lead_row(rng: random.Random, number: int) -> dict[str, object]:
    created = START + timedelta(seconds=number * 30)
    company = f"{rng.choice(FORM)} {rng.choice(COMPANY)}" if rng.random() < 0.6 else None
    return {
        "title": f"{rng.choice(TITLE)} {rng.randrange(1, 1000)}" if rng.random() < 0.5 else None,
        "name": rng.choice(FIRST),
        "last_name": rng.choice(LAST) if rng.random() < 0.8 else None,
        "company_title": company,
        "status_code": "NEW",
        "source_code": "OTHER",
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }


def phone(number: int) -> str:
    return f"+79{number:09d}"


async def seed(ctx: ServiceContext, count: int, rng: random.Random) -> None:
    began = time.perf_counter()
    for first in range(0, count, CHUNK):
        numbers = range(first, min(count, first + CHUNK))
        async with ctx.transaction() as session:
            await session.execute(insert(Lead.__table__), [lead_row(rng, n) for n in numbers])  # type: ignore[arg-type]
            comms = [
                {"owner_type": OwnerType.LEAD, "owner_id": n + 1, "kind": CommKind.PHONE, "raw": phone(n)}
                | {"normalized": phone(n), "created_at": START}
                for n in numbers
            ]
            await session.execute(insert(Communication.__table__), comms)  # type: ignore[arg-type]
    async with ctx.transaction() as session:
        await refresh_statistics(session)
    print(f"seeded {count} leads in {time.perf_counter() - began:.0f} s")


def queries(rng: random.Random, count: int) -> dict[str, list[str]]:
    def fragment(word: str, size: int) -> str:
        size = min(size, len(word))
        at = rng.randrange(0, len(word) - size + 1)
        return word[at : at + size]

    def name() -> str:
        word = rng.choice(FIRST + LAST).replace("ё", rng.choice("её"))
        return rng.choice([word, word.lower(), word.upper()])

    return {
        "name": [name() for _ in range(200)],
        "company": [fragment(rng.choice(COMPANY), 5).lower() for _ in range(200)],
        "fragment": [fragment(rng.choice(FIRST + LAST), rng.choice([3, 4])).lower() for _ in range(200)],
        "no match": [f"{rng.choice(FIRST)}{rng.choice('щъы')}".lower() for _ in range(50)],
        "2 letters": [fragment(rng.choice(FIRST + LAST), 2).lower() for _ in range(20)],
        "phone": [f"8 (9{n // 10**7 % 100:02d}) {n % 10**7:07d}" for n in rng.sample(range(count), 200)],
    }


async def old_find(ctx: ServiceContext, text: str) -> int:
    """The query /find ran before migration 0016: the count, then the first page."""
    pattern = f"%{escape_like(text.strip().lower())}%"
    columns = (Lead.title, Lead.name, Lead.last_name, Lead.company_title)
    condition = or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
    async with ctx.reading() as session:
        total = await session.scalar(select(func.count()).select_from(Lead).where(condition)) or 0
        page = await session.scalars(select(Lead).where(condition).order_by(Lead.id.desc()).limit(PAGE_SIZE))
        page.all()
        return total


async def timed(run: Callable[[str], Awaitable[object]], texts: list[str]) -> tuple[float, float]:
    timings = []
    for text in texts:
        began = time.perf_counter()
        await run(text)
        timings.append((time.perf_counter() - began) * 1000)
    p99 = statistics.quantiles(timings, n=100)[98] if len(timings) > 1 else timings[0]
    return statistics.median(timings), p99


async def measure(ctx: ServiceContext, kinds: dict[str, list[str]], baseline_share: int) -> None:
    service = LeadQueries(ctx)
    found = [(await service.find(text)).total for text in kinds["name"][:50]]
    print(f"names find {statistics.median(found):.0f} leads at the median, {max(found)} at most")
    print(f"{'query':10} {'now p50':>9} {'now p99':>9}   {'before p50':>10} {'before p99':>10} (queries)")
    for kind, texts in kinds.items():
        now50, now99 = await timed(service.find, texts)
        if kind == "phone":  # the old query read phones as now: through the communications index
            print(f"{kind:10} {now50:7.1f}ms {now99:7.1f}ms   (unchanged)")
            continue
        old_texts = texts[: max(3, len(texts) // baseline_share)]
        old50, old99 = await timed(lambda text: old_find(ctx, text), old_texts)
        print(
            f"{kind:10} {now50:7.1f}ms {now99:7.1f}ms   {old50:8.0f}ms {old99:8.0f}ms "
            f"({len(texts)}/{len(old_texts)}) ×{old50 / now50:.0f} at p50"
        )


async def main(count: int, database_url: str | None) -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with open_database(Settings(_env_file=None, database_url=url)) as ctx:
            async with ctx.reading() as session:
                there = await session.scalar(select(func.count()).select_from(Lead)) or 0
            if there:  # a database this script seeded before: measure again
                print(f"measuring the {there} leads already there")
                count = there
            else:
                await seed(ctx, count, rng)
            await measure(ctx, queries(rng, count), baseline_share=max(1, count // 20_000))


if __name__ == "__main__":
    asyncio.run(
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, sys.argv[2] if len(sys.argv) > 2 else None)
    )
