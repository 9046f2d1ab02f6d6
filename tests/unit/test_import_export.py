"""Import (CSV in both encodings and separators, Bitrix24 headers, XLSX, broken rows, duplicates,
re-import, dry run) and export round-trips."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from db.enums import OwnerType
from db.models import Communication, Exclusion, Lead
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import read_table, write_table
from leadbot.services.exports import HEADERS
from leadbot.services.imports import DuplicatePolicy, Skipped
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from leadbot.translations import translator
from tests.unit.test_cli import run_cli

DATA = Path(__file__).parent.parent / "data"
RUSSIAN = (
    "Название лида,Имя,Фамилия,Мобильный телефон,Рабочий E-mail,Название компании,Источник,"
    "Возможная сумма,Валюта\n"
    'Окна,Иван,Петров,8 (916) 123-45-67,ivan@mail.ru,ООО Ромашка,Звонок,"15 000,50",Российский рубль\n'
    "Двери,Мария,Сидорова,+7 903 111-22-33,,,Реклама,,\n"
)


async def leads(services: Services) -> list[Lead]:
    async with services.ctx.reading() as session:
        return list((await session.scalars(select(Lead).order_by(Lead.id))).all())


async def phones_of(services: Services, lead_id: int) -> set[str | None]:
    async with services.ctx.reading() as session:
        rows = await session.scalars(
            select(Communication.normalized).where(
                Communication.owner_type == OwnerType.LEAD, Communication.owner_id == lead_id
            )
        )
        return set(rows)


async def run(services: Services, path: Path, **options: object):  # type: ignore[no-untyped-def]
    return await TableImport(services.imports).run(read_table(path), **options)  # type: ignore[arg-type]


async def test_bitrix24_sample(services: Services) -> None:
    report = await run(services, DATA / "bitrix24-lead-import-sample.csv")
    assert (report.created, report.rejected) == (1, [])
    lead = (await leads(services))[0]
    assert (lead.title, lead.name, lead.last_name, lead.second_name, lead.post) == (
        "Lead",
        "Fedor",
        "Sumkin",
        "Ivanovich",
        "director",
    )
    assert (lead.status_code, lead.source_code, lead.amount, lead.currency) == (
        "NEW",
        "CALL",
        Decimal("200.00"),
        "EUR",
    )
    assert "company address" in (lead.comment or "")
    assert await phones_of(services, lead.id) == {None, "f.sumkin@example.com"}  # the short phone is kept raw


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("separator", [",", ";"])
async def test_russian_headers_in_both_encodings_and_separators(
    services: Services, tmp_path: Path, encoding: str, separator: str
) -> None:
    text = RUSSIAN if separator == "," else RUSSIAN.replace(",", ";").replace('"15 000;50"', '"15 000,50"')
    path = tmp_path / "leads.csv"
    path.write_bytes(text.encode(encoding))
    report = await run(services, path)
    assert (report.created, report.rejected) == (2, [])
    first, second = await leads(services)
    assert (first.title, first.name, first.company_title, first.source_code) == (
        "Окна",
        "Иван",
        "ООО Ромашка",
        "CALL",
    )
    assert (first.amount, first.currency) == (Decimal("15000.50"), "RUB")
    assert await phones_of(services, first.id) == {"+79161234567", "ivan@mail.ru"}
    assert second.source_code == "ADVERTISING"


async def test_xlsx(services: Services, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["NAME", "PHONE_MOBILE", "EMAIL_HOME", "OPPORTUNITY"])
    sheet.append(["Олег", 79031234567, "oleg@example.com", 2500])
    sheet.append([None, None, None, None])
    book.save(tmp_path / "leads.xlsx")
    report = await run(services, tmp_path / "leads.xlsx")
    assert report.created == 1
    lead = (await leads(services))[0]
    assert lead.amount == Decimal("2500.00")
    assert await phones_of(services, lead.id) == {"+79031234567", "oleg@example.com"}


async def test_broken_rows_are_rejected_with_reasons_and_the_rest_imported(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        "NAME;EMAIL_WORK;STATUS_ID;PHONE_WORK\n"
        "Good;good@example.com;New;+79160000001\n"
        "Bad mail;not-an-email;;\n"
        "Bad status;;Whatever;\n"
        "Closed;;JUNK;\n"
        ";;;\n"
        f"{'x' * 300};;;\n"
        ";;;;\n"
        "Also good;;IN_PROCESS;8 916 000 00 02\n",
        encoding="utf-8",
    )
    report = await run(services, path)
    assert report.created == 2
    assert [line for line, _reason, _cells in report.rejected] == [3, 4, 5, 7]
    reasons = " | ".join(reason.render() for _line, reason, _cells in report.rejected)
    assert "not a valid e-mail" in reasons and "Unknown status" in reasons and "too long" in reasons
    assert [lead.status_code for lead in await leads(services)] == ["NEW", "IN_PROCESS"]


async def test_reimport_creates_nothing_new(services: Services) -> None:
    first = await run(services, DATA / "bitrix24-lead-import-sample.csv")
    again = await run(services, DATA / "bitrix24-lead-import-sample.csv", duplicates=DuplicatePolicy.ALLOW)
    assert (first.created, again.created, again.already) == (1, 0, 1)
    assert len(await leads(services)) == 1


async def test_duplicates_skip_merge_allow(services: Services, tmp_path: Path) -> None:
    existing = await services.leads.create(LeadDraft(name="Иван", phones=["+79161234567"]))
    assert existing.lead is not None
    path = tmp_path / "dups.csv"
    path.write_text(
        "NAME;LAST_NAME;PHONE;EMAIL;COMPANY_TITLE\nИван;Петров;8 916 123 45 67;new@mail.ru;Ромашка\n", "utf-8"
    )

    skipped = await run(services, path)
    assert (skipped.created, len(skipped.skipped)) == (0, 1)
    assert skipped.skipped[0][0] == 2

    merged = await run(services, path, duplicates=DuplicatePolicy.MERGE)
    assert merged.merged == 1
    lead = (await leads(services))[0]
    assert (lead.name, lead.last_name, lead.company_title) == ("Иван", "Петров", "Ромашка")
    assert await phones_of(services, lead.id) == {"+79161234567", "new@mail.ru"}

    path.write_text("NAME;PHONE\nИван снова;+7 916 123-45-67\n", "utf-8")
    allowed = await run(services, path, duplicates=DuplicatePolicy.ALLOW)
    assert (allowed.created, allowed.repeat) == (1, 1)
    assert (await leads(services))[-1].is_repeat


async def test_duplicates_inside_one_file(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("NAME;PHONE\nИван;+79161234567\nИван П.;8 916 123 45 67\n", "utf-8")
    report = await run(services, path)
    assert (report.created, len(report.skipped)) == (1, 1)


async def test_excluded_rows_create_nothing_and_are_counted(services: Services, tmp_path: Path) -> None:
    await services.exclusions.add("+79990000000", None, "spam")
    path = tmp_path / "spam.csv"
    path.write_text("NAME;PHONE\nSpam;8 999 000 00 00\nClient;+79160000001\n", "utf-8")
    report = await run(services, path)
    assert (report.created, report.excluded) == (1, 1)
    async with services.ctx.reading() as session:
        assert await session.scalar(select(Exclusion.hits)) == 1


async def test_dry_run_changes_nothing(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(RUSSIAN.encode("utf-8"))
    report = await run(services, path, dry_run=True)
    assert report.created == 2
    assert await leads(services) == []


async def test_custom_mapping(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Клиент;Тел. клиента\nИван;+79161234567\n", "utf-8")
    report = await run(services, path, mapping={"Клиент": "name", "Тел. клиента": "phone"})
    assert report.created == 1
    assert await phones_of(services, (await leads(services))[0].id) == {"+79161234567"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_export_round_trips_through_import(
    services: Services, settings: Settings, clock: FrozenClock, tmp_path: Path, suffix: str
) -> None:
    await services.leads.create(
        LeadDraft(
            name="Иван",
            last_name="Петров",
            phones=["+79161234567", "+79031112233"],
            emails=["i@p.ru"],
            company_title="Ромашка",
            amount="100.5",
            source_code="CALL",
            comment="строка 1\nстрока 2",
        )
    )
    await services.leads.create(LeadDraft(name="Мария", emails=["m@s.ru"], source_code="WEB"))
    path = tmp_path / f"export{suffix}"
    write_table(path, HEADERS, await services.exports.rows())
    fresh = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"})
    async with open_database(fresh, clock) as ctx:
        other = Services.build(ctx)
        report = await TableImport(other.imports).run(read_table(path))
        assert (report.created, report.rejected) == (2, [])
        copied = await leads(other)
        assert [(lead.name, lead.last_name, lead.source_code, lead.amount) for lead in copied] == [
            ("Иван", "Петров", "CALL", Decimal("100.50")),
            ("Мария", None, "WEB", None),
        ]
        assert copied[0].comment == "строка 1\nстрока 2"
        assert await phones_of(other, copied[0].id) == {"+79161234567", "+79031112233", "i@p.ru"}
        again = await TableImport(other.imports).run(read_table(path))
        assert again.already == 2


def test_cli_import_writes_the_rejected_rows_to_fix_and_reimport(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("NAME;EMAIL\nGood;g@example.com\nBad;nope\n", "utf-8")
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "Created: 1" in result.stdout and "Rejected: 1" in result.stdout and "Row 3" in result.stdout
    rejected = tmp_path / "mixed.rejected.csv"
    table = read_table(rejected)
    assert table.headers == ["NAME", "EMAIL", "error"]
    rows = list(table.rows)
    assert rows[0][1][:2] == ["Bad", "nope"]
    rejected.write_text("NAME;EMAIL\nBad;fixed@example.com\n", "utf-8")
    assert "Created: 1" in run_cli(tmp_path, "import", str(rejected)).stdout
    export = run_cli(tmp_path, "export", str(tmp_path / "all.xlsx"), "--source", "IMPORT")
    assert f"Exported 2 leads to {tmp_path / 'all.xlsx'}" in export.stdout, export.stderr


async def test_the_report_says_what_each_row_became_for_any_reader(
    services: Services, tmp_path: Path
) -> None:
    known = await services.leads.create(LeadDraft(name="Иван", phones=["+79161234567"]))
    assert known.lead is not None
    path = tmp_path / "rows.csv"
    path.write_text(
        "NAME;PHONE;EMAIL;FAX\nИван;8 916 123 45 67;;1\nАнна;+79160000001;;\n"
        "Аня;+79160000001;;\nBad;;nope;\n",
        "utf-8",
    )
    report = await run(services, path)
    assert report.skipped == [Skipped(2, (OwnerType.LEAD, known.lead.id)), Skipped(4, None)]
    assert [(row.line, row.cells) for row in report.rejected] == [(5, ["Bad", "", "nope", ""])]
    reason = report.rejected[0].reason
    assert reason.render(translator("ru")) == "«nope» — неверный адрес e-mail."
    assert reason.render(translator("en")) == "“nope” is not a valid e-mail address."
    assert report.unused_columns == ["FAX"]
