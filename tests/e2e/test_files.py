"""/export and importing a file sent to the bot."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from db.enums import Role
from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import FakeTelegram, User


async def test_supervisor_imports_a_csv_and_gets_the_rejected_rows_back(
    app: Application, telegram: FakeTelegram, sveta_user: User
) -> None:
    data = "Имя;Мобильный телефон;Рабочий e-mail\nИван;8 916 123-45-67;ivan@mail.ru\nПлохой;;nope\n".encode(
        "cp1251"
    )
    mark = telegram.mark()
    await telegram.send_document(sveta_user, "leads.csv", data)
    summary = await telegram.reply_to(sveta_user.id, after=mark)
    assert "Created: 1" in summary.text and "Rejected: 1" in summary.text and "Row 3" in summary.text
    rejected = await telegram.reply_to(sveta_user.id, method="sendDocument", after=mark)
    assert "nope" in rejected.params["_document_bytes"].decode("utf-8-sig")
    assert (await app.services.queries.find("+79161234567")).total == 1


async def test_a_manager_may_neither_import_nor_export(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    mark = telegram.mark()
    await telegram.send_document(anna_user, "leads.csv", "NAME\nИван\n".encode())
    assert "нет прав" in (await telegram.reply_to(anna_user.id, after=mark)).text
    mark = telegram.mark()
    await telegram.send_message(anna_user, "/export")
    assert "нет прав" in (await telegram.reply_to(anna_user.id, after=mark)).text
    assert (await app.services.queries.find("Иван")).total == 0


async def test_export_sends_an_xlsx(app: Application, telegram: FakeTelegram, admin_user: User) -> None:
    await app.services.users.add(admin_user.id, Role.ADMIN, "Alla")
    await app.services.leads.create(LeadDraft(name="Иван", phones=["+79161234567"], amount="10"))
    mark = telegram.mark()
    await telegram.send_message(admin_user, "/export")
    sent = await telegram.reply_to(admin_user.id, method="sendDocument", after=mark)
    sheet = load_workbook(io.BytesIO(sent.params["_document_bytes"])).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "title", "name") and rows[1][2] == "Иван" and "+79161234567" in rows[1]
