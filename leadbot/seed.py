"""Default directories with Bitrix24 codes. Idempotent: adds what is missing, keeps what admins edited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import StatusSemantics
from db.models import JunkReason, LeadStatus, Source

STATUSES = [
    ("NEW", "Новый", "New", StatusSemantics.PROCESS),
    ("IN_PROCESS", "В работе", "In progress", StatusSemantics.PROCESS),
    ("PROCESSED", "Обработан", "Processed", StatusSemantics.PROCESS),
    ("CONVERTED", "Сконвертирован", "Converted", StatusSemantics.SUCCESS),
    ("JUNK", "Некачественный", "Junk", StatusSemantics.FAILURE),
]
SOURCES = [
    ("CALL", "Звонок", "Call"),
    ("EMAIL", "Электронная почта", "E-mail"),
    ("WEB", "Веб-сайт", "Website"),
    ("WEBFORM", "CRM-форма", "Web form"),
    ("CALLBACK", "Обратный звонок", "Callback"),
    ("ADVERTISING", "Реклама", "Advertising"),
    ("PARTNER", "Существующий клиент", "Existing client"),
    ("RECOMMENDATION", "По рекомендации", "Recommendation"),
    ("TRADE_SHOW", "Выставка", "Trade show"),
    ("IMPORT", "Импорт", "Import"),
    ("TELEGRAM", "Telegram", "Telegram"),
    ("OTHER", "Другое", "Other"),
]
JUNK_REASONS = [
    ("WRONG_NUMBER", "Ошиблись номером", "Wrong number"),
    ("SPAM", "Спам", "Spam"),
    ("NOT_OUR_CUSTOMER", "Не наш клиент", "Not our customer"),
    ("DUPLICATE", "Дубль", "Duplicate"),
    ("UNREACHABLE", "Не дозвонились", "Unreachable"),
    ("OTHER", "Другое", "Other"),
]


async def seed_directories(session: AsyncSession) -> None:
    have_statuses = set(await session.scalars(select(LeadStatus.code)))
    for sort, (code, ru, en, semantics) in enumerate(STATUSES, start=1):
        if code not in have_statuses:
            session.add(LeadStatus(code=code, name_ru=ru, name_en=en, sort=sort * 10, semantics=semantics))
    for model, rows in ((Source, SOURCES), (JunkReason, JUNK_REASONS)):
        have = set(await session.scalars(select(model.code)))
        for sort, (code, ru, en) in enumerate(rows, start=1):
            if code not in have:
                session.add(model(code=code, name_ru=ru, name_en=en, sort=sort * 10))
