"""/export and importing a file sent to the bot."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from db.enums import Role
from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import FakeTelegram, Person


async def test_supervisor_imports_a_csv_and_gets_the_rejected_rows_back(
    app: Application, telegram: FakeTelegram, sveta: Person
) -> None:
    data = "Имя;Мобильный телефон;Рабочий e-mail\nИван;8 916 123-45-67;ivan@mail.ru\nПлохой;;nope\n".encode(
        "cp1251"
    )
    summary = await sveta.sends_file("leads.csv", data)
    assert "Created: 1" in summary.text and "Rejected: 1" in summary.text and "Row 3" in summary.text
    rejected = await sveta.hears(method="sendDocument")
    assert "nope" in rejected.params["_document_bytes"].decode("utf-8-sig")
    assert (await app.services.queries.find("+79161234567")).total == 1


async def test_a_manager_may_neither_import_nor_export(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    assert "нет прав" in (await anna.sends_file("leads.csv", "NAME\nИван\n".encode())).text
    assert "нет прав" in (await anna.says("/export")).text
    assert (await app.services.queries.find("Иван")).total == 0


async def test_export_sends_an_xlsx(app: Application, telegram: FakeTelegram, admin: Person) -> None:
    await app.services.users.add(admin.id, Role.ADMIN, "Alla")
    await app.services.leads.create(LeadDraft(name="Иван", phones=["+79161234567"], amount="10"))
    sent = await admin.says("/export", method="sendDocument")
    sheet = load_workbook(io.BytesIO(sent.params["_document_bytes"])).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "title", "name") and rows[1][2] == "Иван" and "+79161234567" in rows[1]
