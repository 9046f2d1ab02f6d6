"""Reports as they read in the chat on a phone: blocks of labelled figures, no table, no cut words."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from db.models import Lead
from handlers.report_text import WIDTH, chat_text
from leadbot.actor import Actor
from leadbot.services.registry import Services
from leadbot.services.reports import ReportName
from leadbot.translations import translator

MOSCOW = ZoneInfo("Europe/Moscow")
SINCE = datetime(2026, 11, 1, tzinfo=MOSCOW)
UNTIL = datetime(2026, 12, 1, tzinfo=MOSCOW)
TAG = re.compile(r"<[^>]+>")


async def seed_small_team(services: Services, anna: Actor, boris: Actor) -> None:
    """Six leads of 10 November: Anna's converted (1000 RUB), in progress (200 EUR) and junk (spam);
    Boris's new (500 RUB) and processed; one new and unassigned."""
    created = datetime(2026, 11, 10, 12, 0, tzinfo=MOSCOW)
    leads = [
        (anna.id, "CONVERTED", "CALL", Decimal(1000), "RUB", None),
        (anna.id, "IN_PROCESS", "WEB", Decimal(200), "EUR", None),
        (anna.id, "JUNK", "CALL", None, None, "SPAM"),
        (boris.id, "NEW", "WEB", Decimal(500), "RUB", None),
        (boris.id, "PROCESSED", "CALL", None, None, None),
        (None, "NEW", "WEB", None, None, None),
    ]
    rows = [
        {
            "name": "Client",
            "assignee_id": who,
            "status_code": status,
            "source_code": source,
            "amount": amount,
            "currency": currency,
            "junk_reason_code": reason,
            "created_at": created + timedelta(minutes=index),
            "updated_at": created,
            "first_action_seconds": 300 * (index + 1) if who else None,
            "take_seconds": 60 * (index + 1) if who else None,
            "version": 1,
        }
        for index, (who, status, source, amount, currency, reason) in enumerate(leads)
    ]
    async with services.ctx.transaction() as session:
        await session.execute(insert(Lead.__table__), rows)  # type: ignore[arg-type]


@pytest.fixture
async def small_team(services: Services, anna: Actor, boris: Actor) -> Services:
    await seed_small_team(services, anna, boris)
    return services


def visible_lines(text: str) -> list[str]:
    return html.unescape(TAG.sub("", text)).splitlines()


async def test_the_report_by_manager_as_a_person_reads_it(small_team: Services) -> None:
    report = await small_team.reports.build(ReportName.MANAGERS, SINCE, UNTIL, locale="en")
    text = chat_text(report, translator("en"), "en", "By manager: Nov 1 – 30, 2026")
    assert text == (
        "<b>By manager: Nov 1 – 30, 2026</b>\n"
        "leads: 6\n"
        "\n"
        "<b>Anna</b>\n"
        "leads: 3 (50%) · new: 0\n"
        "in work: 1 · converted: 1 (33.3%)\n"
        "junk: 1 (33.3%)\n"
        "\n"
        "<b>Boris</b>\n"
        "leads: 2 (33.3%) · new: 1\n"
        "in work: 1 · converted: 0 (0%)\n"
        "junk: 0 (0%)\n"
        "\n"
        "<b>Unassigned</b>\n"
        "leads: 1 (16.7%) · new: 1\n"
        "in work: 0 · converted: 0 (0%)\n"
        "junk: 0 (0%)"
    )


async def test_each_currency_is_summed_and_shown_apart(small_team: Services) -> None:
    report = await small_team.reports.build(ReportName.STATUSES, SINCE, UNTIL, locale="en")
    text = chat_text(report, translator("en"), "en", "By status")
    assert text.split("\n\n")[:3] == [
        "<b>By status</b>\nleads: 6 · amount: RUB1,500\namount: €200",
        "<b>New</b>\nleads: 2 (33.3%) · RUB500 (33.3%)",
        "<b>In progress</b>\nleads: 1 (16.7%) · €200 (100%)",
    ]
    ru = chat_text(report, translator("ru"), "ru", "По статусам")
    assert "1\xa0500\xa0₽" in ru and "200\xa0€" in ru and "1\xa0700" not in ru  # never one sum


async def test_junk_reads_per_manager_then_per_source(small_team: Services) -> None:
    report = await small_team.reports.build(ReportName.JUNK, SINCE, UNTIL, locale="en")
    text = chat_text(report, translator("en"), "en", "Junk")
    assert text.split("\n\n")[1:] == [
        "<b><u>By manager</u></b>",
        "<b>Anna</b>\nSpam: 1",
        "<b><u>By source</u></b>",
        "<b>Call</b>\nSpam: 1",
    ]


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("name", list(ReportName))
async def test_every_line_of_figures_fits_a_phone(
    small_team: Services, name: ReportName, locale: str
) -> None:
    report = await small_team.reports.build(name, SINCE, UNTIL, locale=locale)
    text = chat_text(report, translator(locale), locale, "…")
    assert "<pre>" not in text
    names = {html.unescape(bold) for bold in re.findall(r"<b>(.*?)</b>", text)}
    figures = [line for line in visible_lines(text) if line and line not in names]
    assert figures
    assert max(len(line) for line in figures) <= WIDTH


async def test_an_empty_report_says_so(services: Services) -> None:
    report = await services.reports.build(ReportName.MANAGERS, SINCE, UNTIL, locale="en")
    assert report.is_empty
    assert chat_text(report, translator("en"), "en", "By manager") == (
        "<b>By manager</b>\nleads: 0\nNo data for this period."
    )
