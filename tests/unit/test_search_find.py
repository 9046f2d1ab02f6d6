"""/find by text: any case, ё as е, a part of a word, short queries, and the index kept right by every
way a lead is written (created, edited, imported in bulk, deleted). On SQLite, or on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, insert, update

from db.engine import create_engine
from db.migrate import upgrade
from db.models import Lead
from leadbot.actor import Actor
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import read_table
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import LeadEdit
from leadbot.services.queries import PAGE_SIZE
from leadbot.services.registry import Services
from tests.unit.test_migrations import downgrade


async def titles(services: Services, query: str) -> list[str]:
    return [row.title for row in (await services.queries.find(query)).rows]


async def test_case_and_yo_do_not_matter(services: Services) -> None:
    await services.leads.create(LeadDraft(name="Семён", last_name="Ёлкин"))
    await services.leads.create(LeadDraft(name="Семен", company_title="ООО «Ёж и Ко»"))
    for query in ("семен", "СЕМЁН", "Семен", "сЕмЁн", "семё"):
        assert await titles(services, query) == ["Семен", "Семён Ёлкин"], query
    assert await titles(services, "елкин") == ["Семён Ёлкин"]
    assert await titles(services, "ЁЖ И") == ["Семен"]


async def test_a_part_of_a_word_and_every_column(services: Services) -> None:
    await services.leads.create(LeadDraft(title="Окна ПВХ", name="Ivan", last_name="Petrov"))
    await services.leads.create(LeadDraft(name="Maria", company_title="Romashka LLC"))
    assert await titles(services, "пвх") == ["Окна ПВХ"]
    assert await titles(services, "etro") == ["Окна ПВХ"]
    assert await titles(services, "VAN") == ["Окна ПВХ"]
    assert await titles(services, "ashka l") == ["Maria"]
    assert await titles(services, "ivan petrov") == []  # as before: one column holds the whole query
    assert await titles(services, "zzz") == []


async def test_short_queries_still_find_a_part(services: Services) -> None:
    await services.leads.create(LeadDraft(name="Юлия"))
    await services.leads.create(LeadDraft(name="Ёрш"))
    await services.leads.create(LeadDraft(name="Al"))
    assert await titles(services, "ЮЛ") == ["Юлия"]
    assert await titles(services, "я") == ["Юлия"]
    assert await titles(services, "е") == ["Ёрш"]
    assert await titles(services, "l") == ["Al"]
    assert await titles(services, "%") == []
    assert await titles(services, '"') == []


async def test_quotes_and_like_signs_are_plain_text(services: Services) -> None:
    await services.leads.create(LeadDraft(title='ООО "Рога" 100%_x', name="Ян"))
    await services.leads.create(LeadDraft(title="ООО Рога 1000x", name="Ян"))
    assert await titles(services, '"рога"') == ['ООО "Рога" 100%_x']
    assert await titles(services, "100%_") == ['ООО "Рога" 100%_x']
    assert await titles(services, "OR рога") == []


async def test_newest_first_with_pages_and_the_count(services: Services) -> None:
    for number in range(PAGE_SIZE + 3):
        await services.leads.create(LeadDraft(title=f"Заказ {number}", name="Ольга"))
    await services.leads.create(LeadDraft(title="Другое", name="Олег"))
    first = await services.queries.find("ольг")
    assert (first.total, first.pages, first.page) == (PAGE_SIZE + 3, 2, 0)
    assert [row.title for row in first.rows] == [f"Заказ {n}" for n in range(PAGE_SIZE + 2, 2, -1)]
    last = await services.queries.find("ольг", 5)  # past the end: the last page
    assert (last.page, [row.title for row in last.rows]) == (1, ["Заказ 2", "Заказ 1", "Заказ 0"])


async def test_an_id_is_found_beside_the_text(services: Services) -> None:
    first = (await services.leads.create(LeadDraft(title="Первый", name="Ян"))).lead
    assert first is not None
    await services.leads.create(LeadDraft(title=f"Счёт {first.id}{first.id}{first.id}", name="Ян"))
    found = await titles(services, f"{first.id}{first.id}{first.id}")
    assert found == [f"Счёт {first.id}{first.id}{first.id}"]
    assert await titles(services, str(first.id)) == [f"Счёт {first.id}{first.id}{first.id}", "Первый"]


async def test_an_edit_moves_the_lead_in_the_index(services: Services, anna: Actor) -> None:
    lead = (await services.leads.create(LeadDraft(name="Фёдор", company_title="Альфа"), anna)).lead
    assert lead is not None
    await services.leads.edit(lead.id, LeadEdit(name="Степан", company_title=""), anna)
    assert await titles(services, "федор") == []
    assert await titles(services, "альфа") == []
    assert await titles(services, "степ") == ["Степан"]
    async with services.ctx.transaction() as session:  # a write outside the services, as a script's
        await session.execute(update(Lead).where(Lead.id == lead.id).values(last_name="Ёжиков"))
    assert await titles(services, "ежик") == ["Степан Ёжиков"]


async def test_imported_leads_are_found(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Название лида,Имя,Фамилия,Название компании\nОкна,Пётр,Сидоров,ООО Ромашка\n", "utf-8")
    report = await TableImport(services.imports).run(read_table(path))
    assert report.created == 1
    assert await titles(services, "петр") == ["Окна"]
    assert await titles(services, "РОМАШ") == ["Окна"]


async def test_deleted_leads_are_not_found(services: Services) -> None:
    kept = (await services.leads.create(LeadDraft(name="Анна Каренина"))).lead
    assert kept is not None
    async with services.ctx.transaction() as session:  # a lead nothing else refers to yet
        gone = await session.scalar(
            insert(Lead)
            .values(
                name="Анна Иванова", status_code=kept.status_code, source_code=kept.source_code, version=1
            )
            .returning(Lead.id)
        )
    assert await titles(services, "анна") == ["Анна Иванова", "Анна Каренина"]
    async with services.ctx.transaction() as session:
        await session.execute(delete(Lead).where(Lead.id == gone))
    assert await titles(services, "анна") == ["Анна Каренина"]
    assert (await services.queries.find("анна")).total == 1


async def test_the_migration_indexes_the_leads_already_there(services: Services, database_url: str) -> None:
    await services.leads.create(LeadDraft(name="Семён", company_title="Берёзка"))
    engine = create_engine(database_url)
    try:
        await downgrade(engine, "0014")
        await upgrade(engine)
    finally:
        await engine.dispose()
    assert await titles(services, "березк") == ["Семён"]
    assert await titles(services, "СЕМЕН") == ["Семён"]
