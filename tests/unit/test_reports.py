"""Every report figure against values computed by hand on a small fixed data set."""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from db.models import Lead
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.reporting import text_table
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from leadbot.services.reports import Report, ReportName

MOSCOW = ZoneInfo("Europe/Moscow")
SINCE = datetime(2026, 11, 1, tzinfo=MOSCOW)
UNTIL = datetime(2026, 12, 1, tzinfo=MOSCOW)


def figures(report: Report) -> dict[str, tuple[object, ...]]:
    return {str(row.label): row.values for row in report.rows}


@pytest.fixture
async def data(
    services: Services, clock: FrozenClock, anna: Actor, boris: Actor, supervisor: Actor
) -> Services:
    """Seven leads in November (Moscow time) and two just outside it.

    #1 CALL, Anna, taken after 5 min, converted (amount 1000)
    #2 CALL, Anna, taken after 15 min, junk SPAM
    #3 WEB, Boris (taken by Anna after 10 min, reassigned to Boris), amount 500
    #4 WEB, unassigned, repeat client
    #5 WEB, Boris from the start, junked then reopened (in work again)
    #6 CALL, Boris, taken after 30 min, PROCESSED
    #7 WEB, created 30.11 23:30 Moscow (inside), unassigned
    outside: 31.10 23:59 Moscow and 01.12 00:00 Moscow
    """
    leads = services.leads

    async def at(moment: datetime, **fields: object) -> int:
        clock.set(moment.astimezone(UTC))
        outcome = await leads.create(LeadDraft(**fields))  # type: ignore[arg-type]
        assert outcome.lead is not None
        return outcome.lead.id

    start = datetime(2026, 11, 10, 10, 0, tzinfo=MOSCOW)
    one = await at(start, name="Иван Петров", phones=["+79160000001"], source_code="CALL", amount="1000")
    clock.advance(timedelta(minutes=5))
    await leads.take(one, anna)
    await services.conversion.convert(one, ConvertRequest(contact=True, deal=True), anna)

    two = await at(start + timedelta(hours=1), name="Спам", source_code="CALL")
    clock.advance(timedelta(minutes=15))
    await leads.take(two, anna)
    await leads.junk(two, "SPAM", anna)

    three = await at(start + timedelta(hours=2), name="Ольга", source_code="WEB", amount="500")
    clock.advance(timedelta(minutes=10))
    await leads.take(three, anna)
    await leads.assign(three, boris.id, supervisor)

    await at(start + timedelta(hours=3), name="Иван снова", phones=["+79160000001"], source_code="WEB")

    five = await at(start + timedelta(hours=4), name="Пётр", source_code="WEB", assignee_id=boris.id)
    await leads.junk(five, "UNREACHABLE", boris)
    await leads.reopen(five, supervisor)

    six = await at(start + timedelta(hours=5), name="Мария", source_code="CALL")
    clock.advance(timedelta(minutes=30))
    await leads.take(six, boris)
    await leads.change_status(six, "PROCESSED", boris)

    await at(datetime(2026, 11, 30, 23, 30, tzinfo=MOSCOW), name="Поздний", source_code="WEB")
    await at(datetime(2026, 10, 31, 23, 59, tzinfo=MOSCOW), name="Октябрь", source_code="WEB")
    await at(datetime(2026, 12, 1, 0, 0, tzinfo=MOSCOW), name="Декабрь", source_code="WEB")
    return services


async def test_by_manager(data: Services) -> None:
    report = await data.reports.build(ReportName.MANAGERS, SINCE, UNTIL)
    # leads, share %, new, in work, converted, conv %, junk, junk %. New: open in the first status (#3 was
    # taken but never moved on; #4, #7). In work: open in a later one (#5 reopened, #6 Processed).
    assert figures(report) == {
        "Anna": (2, 28.6, 0, 0, 1, 50.0, 1, 50.0),
        "Boris": (3, 42.9, 1, 2, 0, 0.0, 0, 0.0),
        "Unassigned": (2, 28.6, 2, 0, 0, 0.0, 0, 0.0),
    }
    assert report.totals == {"leads": 7}


async def test_new_in_work_converted_and_junk_add_up_to_each_managers_leads(data: Services) -> None:
    report = await data.reports.build(ReportName.MANAGERS, SINCE, UNTIL)
    for row in report.rows:
        n, _share, new, work, converted, _conv, junk, _junk_share = row.values
        assert new + work + converted + junk == n


async def test_by_status(data: Services) -> None:
    report = await data.reports.build(ReportName.STATUSES, SINCE, UNTIL, locale="en")
    # Take does not change the status: #3 (taken, reassigned) is still New; #5 was reopened into In progress.
    # Amounts without a currency are in the default one (RUB); leads, share %, then RUB amount and share %.
    assert report.currencies == ("RUB",)
    assert report.columns[3:] == ("Amount, RUB", "Amount %, RUB")
    assert figures(report) == {
        "New": (3, 42.9, Decimal("500.00"), 33.3),
        "In progress": (1, 14.3, Decimal("0.00"), 0.0),
        "Processed": (1, 14.3, Decimal("0.00"), 0.0),
        "Converted": (1, 14.3, Decimal("1000.00"), 66.7),
        "Junk": (1, 14.3, Decimal("0.00"), 0.0),
    }


async def test_by_source(data: Services) -> None:
    report = await data.reports.build(ReportName.SOURCES, SINCE, UNTIL, locale="en")
    assert figures(report) == {"Website": (4, 57.1, 0, 0.0, 0, 0.0), "Call": (3, 42.9, 1, 33.3, 1, 33.3)}


async def test_funnel(data: Services) -> None:
    report = await data.reports.build(ReportName.FUNNEL, SINCE, UNTIL)
    # created 7; taken: #1 #2 #3 #5 (assigned at creation) #6 = 5;
    # work started (moved past New, open or closed): #1 #2 #5 #6 = 4; converted 1
    assert figures(report) == {
        "Created": (7, 100.0, 100.0),
        "Taken": (5, 71.4, 71.4),
        "Work started": (4, 57.1, 80.0),
        "Converted": (1, 14.3, 25.0),
    }


async def test_amounts_are_summed_per_currency_never_across(
    services: Services, clock: FrozenClock, anna: Actor
) -> None:
    clock.set(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    for amount, currency in [("1000", "RUB"), ("250.50", None), ("200", "EUR"), ("300", "EUR"), (None, None)]:
        draft = LeadDraft(name="Client", source_code="WEB", amount=amount, currency=currency)
        outcome = await services.leads.create(draft)
        assert outcome.lead is not None
        if currency == "EUR" and amount == "300":
            await services.leads.junk(outcome.lead.id, "SPAM", anna)

    report = await services.reports.build(ReportName.STATUSES, SINCE, UNTIL, locale="en")

    assert report.currencies == ("RUB", "EUR")  # the default currency first
    assert report.totals["amount"] == {"RUB": Decimal("1250.50"), "EUR": Decimal("500.00")}
    # leads, share %, RUB and its share of all RUB, EUR and its share of all EUR
    assert figures(report) == {
        "New": (4, 80.0, Decimal("1250.50"), 100.0, Decimal("200.00"), 40.0),
        "Junk": (1, 20.0, Decimal("0.00"), 0.0, Decimal("300.00"), 60.0),
    }


async def test_junk(data: Services) -> None:
    report = await data.reports.build(ReportName.JUNK, SINCE, UNTIL, locale="en")
    assert report.totals == {"leads": 7, "junk": 1, "junk_rate": 14.3}
    assert [(str(row.label), str(row.values[0]), row.values[1:]) for row in report.rows] == [
        ("Anna", "Manager", ("Spam", 1, 100.0)),
        ("Call", "Source", ("Spam", 1, 100.0)),
    ]


async def test_speed(data: Services) -> None:
    report = await data.reports.build(ReportName.SPEED, SINCE, UNTIL)
    # by current assignee, nearest-rank percentiles; first action: Anna #1 5, #2 15 → median 5, p90 15;
    # Boris #5 0 (junked at once), #3 10 (Anna's take), #6 30 → median 10, p90 30. Assignment is the same.
    assert figures(report) == {
        "Anna": (5.0, 15.0, 5.0, 15.0),
        "Boris": (10.0, 30.0, 10.0, 30.0),
    }


async def test_repeat(data: Services) -> None:
    report = await data.reports.build(ReportName.REPEAT, SINCE, UNTIL, locale="en")
    assert report.totals == {"leads": 7, "repeat": 1, "repeat_rate": 14.3}
    assert figures(report)["Website"] == (4, 1, 25.0)


async def test_a_manager_sees_only_their_own_figures(data: Services, anna: Actor) -> None:
    report = await data.reports.build(ReportName.MANAGERS, SINCE, UNTIL, by=anna)
    assert list(figures(report)) == ["Anna"]


async def test_the_terminal_table_has_every_column_with_whole_headers(data: Services) -> None:
    report = await data.reports.build(ReportName.MANAGERS, SINCE, UNTIL)
    header, *rows = text_table(report, str).splitlines()
    assert re.split(r"\s{2,}", header) == list(report.columns)
    assert rows[0].split() == ["Boris", "3", "42.9", "1", "2", "0", "0", "0", "0"]


def nearest_rank(values: list[int], percent: int) -> float | None:
    ordered = sorted(values)
    return round(ordered[math.ceil(percent * len(ordered) / 100) - 1] / 60, 1) if ordered else None


@pytest.mark.parametrize("seed", range(6))
async def test_speed_percentiles_match_nearest_rank(
    services: Services, anna: Actor, boris: Actor, seed: int
) -> None:
    """Random durations (some missing, some leads outside the period) against Python's own sort."""
    rng = random.Random(seed)
    owners: dict[str, int | None] = {"Anna": anna.id, "Boris": boris.id, "Unassigned": None}
    expected: dict[str, tuple[float | None, ...]] = {}
    rows = []
    for label, owner in owners.items():
        inside: dict[str, list[int]] = {"first_action_seconds": [], "take_seconds": []}
        for _ in range(rng.randrange(1, 45)):
            created = SINCE + timedelta(minutes=rng.randrange(-600, 50_000))
            durations = {column: rng.randrange(0, 4000) if rng.random() < 0.8 else None for column in inside}
            if SINCE <= created < UNTIL:
                for column, value in durations.items():
                    if value is not None:
                        inside[column].append(value)
            rows.append(
                {
                    "name": "Lead",
                    "status_code": "NEW",
                    "source_code": "WEB",
                    "assignee_id": owner,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    **durations,
                }
            )
        if any(inside.values()):
            expected[label] = tuple(
                nearest_rank(values, percent) for values in inside.values() for percent in (50, 90)
            )
    async with services.ctx.transaction() as session:
        await session.execute(insert(Lead.__table__), rows)  # type: ignore[arg-type]

    report = await services.reports.build(ReportName.SPEED, SINCE, UNTIL)

    assert figures(report) == expected
