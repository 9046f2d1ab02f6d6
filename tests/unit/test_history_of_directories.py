"""Directory entries and a user's own settings change through the unit of work: each change writes its
history rows (directory entries keyed by their code), a refusal writes none, and a lead's log shows none."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.models import HistoryEntry
from leadbot.actor import Actor
from leadbot.errors import Forbidden, InvalidValue, NotFound, NotRegistered
from leadbot.services.directories import Directory
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from tests.conftest import at

Row = tuple[str, int | str | None, str, str | None, str | None, str | None, int | None]


async def _last_id(services: Services) -> int:
    async with services.ctx.reading() as session:
        return await session.scalar(select(func.max(HistoryEntry.id))) or 0


async def _rows_after(services: Services, since: int) -> list[Row]:
    """(entity, id or code, action, field, old, new, user id) of the rows written after `since`."""
    async with services.ctx.reading() as session:
        entries = await session.scalars(
            select(HistoryEntry).where(HistoryEntry.id > since).order_by(HistoryEntry.id)
        )
        return [
            (
                e.entity,
                e.entity_id if e.entity_code is None else e.entity_code,
                e.action,
                e.field,
                e.old,
                e.new,
                e.user_id,
            )
            for e in entries
        ]


async def _writes(services: Services, change: Awaitable[object]) -> list[Row]:
    since = await _last_id(services)
    await change
    return await _rows_after(services, since)


async def _refused(services: Services, change: Awaitable[object], error: type[Exception]) -> None:
    since = await _last_id(services)
    with pytest.raises(error):
        await change
    assert await _rows_after(services, since) == []


async def test_adding_logs_the_creation_and_who_moved(services: Services, admin: Actor) -> None:
    directories = services.directories
    assert await _writes(
        services, directories.add(Directory.SOURCES, "tiktok", "ТикТок", "TikTok", admin)
    ) == [("source", "TIKTOK", "created", None, None, None, admin.id)]
    # a new status goes before the final ones, which move down
    assert await _writes(
        services, directories.add(Directory.STATUSES, "CALL_BACK", "Перезвонить", "Call back", admin)
    ) == [
        ("status", "CONVERTED", "edited", "sort", "40", "50", admin.id),
        ("status", "JUNK", "edited", "sort", "50", "60", admin.id),
        ("status", "CALL_BACK", "created", None, None, None, admin.id),
    ]


async def test_renaming_logs_each_name_that_changed(services: Services, admin: Actor) -> None:
    directories = services.directories
    rename = directories.rename(Directory.STATUSES, "IN_PROCESS", admin, ru="В работе у менеджера", en=None)
    assert await _writes(services, rename) == [
        ("status", "IN_PROCESS", "edited", "name_ru", "В работе", "В работе у менеджера", admin.id)
    ]
    rename = directories.rename(Directory.JUNK_REASONS, "SPAM", admin, ru="Спам", en="Junk mail")
    assert await _writes(services, rename) == [
        ("junk_reason", "SPAM", "edited", "name_en", "Spam", "Junk mail", admin.id)
    ]


async def test_moving_logs_the_sort_of_each_entry_that_moved(services: Services, admin: Actor) -> None:
    directories = services.directories
    assert await _writes(services, directories.move(Directory.STATUSES, "PROCESSED", -1, admin)) == [
        ("status", "PROCESSED", "edited", "sort", "30", "20", admin.id),
        ("status", "IN_PROCESS", "edited", "sort", "20", "30", admin.id),
    ]
    assert await _writes(services, directories.reorder(Directory.JUNK_REASONS, ["SPAM"], admin)) == [
        ("junk_reason", "SPAM", "edited", "sort", "20", "10", admin.id),
        ("junk_reason", "WRONG_NUMBER", "edited", "sort", "10", "20", admin.id),
    ]
    assert await _writes(services, directories.reorder(Directory.SOURCES, ["CALL"], admin)) == []


async def test_refused_directory_changes_log_nothing(services: Services, admin: Actor, anna: Actor) -> None:
    directories = services.directories
    await _refused(
        services, directories.add(Directory.SOURCES, "TIKTOK", "ТикТок", "TikTok", anna), Forbidden
    )
    await _refused(
        services, directories.add(Directory.SOURCES, "CALL", "Звонок", "Call", admin), InvalidValue
    )
    await _refused(services, directories.rename(Directory.SOURCES, "NOPE", admin, ru="x", en=None), NotFound)
    await _refused(services, directories.rename(Directory.SOURCES, "CALL", anna, ru="x", en=None), Forbidden)
    # the first name is fine, the second is not: neither is kept, nor logged
    rename = directories.rename(Directory.SOURCES, "CALL", admin, ru="Звонки", en="\u200b")
    await _refused(services, rename, InvalidValue)
    await _refused(services, directories.reorder(Directory.SOURCES, ["WEB", "NOPE"], admin), NotFound)
    await _refused(services, directories.move(Directory.SOURCES, "NOPE", 1, admin), NotFound)
    await _refused(services, directories.move(Directory.SOURCES, "WEB", -1, anna), Forbidden)


async def test_own_settings_are_logged_as_the_users_own(services: Services, anna: Actor) -> None:
    users = services.users
    assert await _writes(services, users.set_language(anna.telegram_id, "en")) == [
        ("user", anna.id, "edited", "language", anna.language, "en", anna.id)
    ]
    assert await _writes(services, users.set_timezone(anna.telegram_id, " Asia/Yekaterinburg ")) == [
        ("user", anna.id, "edited", "timezone", anna.timezone, "Asia/Yekaterinburg", anna.id)
    ]
    assert await _writes(services, users.set_language(anna.telegram_id, "en")) == []  # no change


async def test_the_telegram_language_is_noted_by_the_system(services: Services, anna: Actor) -> None:
    users = services.users
    assert await _writes(services, users.note_telegram_language(anna.telegram_id, "en")) == [
        ("user", anna.id, "edited", "telegram_language", anna.telegram_language, "en", None)
    ]
    assert await _writes(services, users.note_telegram_language(anna.telegram_id, "en")) == []


async def test_refused_settings_log_nothing(services: Services, anna: Actor, admin: Actor) -> None:
    users = services.users
    await _refused(services, users.set_language(anna.telegram_id, "xx"), InvalidValue)
    await _refused(services, users.set_timezone(anna.telegram_id, "Mars/Olympus"), InvalidValue)
    await _refused(services, users.note_telegram_language(anna.telegram_id, "xx"), InvalidValue)
    await _refused(services, users.set_language(999_999, "en"), NotRegistered)
    await users.change(anna.id, admin, active=False)
    await _refused(services, users.set_timezone(anna.telegram_id, "Asia/Omsk"), NotRegistered)


async def test_a_leads_log_shows_none_of_them(services: Services, admin: Actor, anna: Actor) -> None:
    created = await services.leads.create(LeadDraft(name="Иван"))
    assert created.lead is not None
    before = await services.history.log_of_lead(created.lead.id)
    await services.directories.add(Directory.SOURCES, "TIKTOK", "ТикТок", "TikTok", admin)
    await services.directories.rename(Directory.STATUSES, "NEW", admin, ru="Новенький", en=None)
    await services.directories.move(Directory.STATUSES, "NEW", 1, admin)
    await services.users.set_language(anna.telegram_id, "en")
    await services.users.note_telegram_language(anna.telegram_id, "en")
    after = await services.history.log_of_lead(created.lead.id)
    assert (after.total, after.changes) == (before.total, before.changes)


async def test_a_history_row_has_one_key(services: Services) -> None:
    for entity_id, entity_code in ((None, None), (1, "NEW")):
        with pytest.raises(IntegrityError):
            async with services.ctx.transaction() as session:
                session.add(
                    HistoryEntry(
                        entity="status",
                        entity_id=entity_id,
                        entity_code=entity_code,
                        action="edited",
                        at=at(1, 10),
                    )
                )
