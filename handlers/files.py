"""Files in the bot: /export sends the leads as XLSX; a .csv/.xlsx document sent by a supervisor or an
admin is imported like `leadbot import` (duplicates skipped) and answered with the same summary."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence

import aiohttp
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from handlers.i18n import _
from handlers.render import esc
from handlers.telegram_io import answer_long
from leadbot.actor import Actor
from leadbot.intake.table_import import TableImport
from leadbot.intake.tables import TableError, read_table_bytes, table_bytes
from leadbot.services.exports import HEADERS, ExportService
from leadbot.services.imports import ImportReport, Rejected

log = logging.getLogger("leadbot.files")
MAX_FILE = 20 * 1024 * 1024  # what the Bot API lets a bot download


async def export_command(message: Message, command: CommandObject, exports: ExportService, me: Actor) -> None:
    status = (command.args or "").strip().upper() or None
    rows = await exports.rows(status=status, by=me)
    data = table_bytes(True, HEADERS, rows)
    await message.answer_document(
        BufferedInputFile(data, filename="leads.xlsx"),
        caption=_("Leads exported: {count}").format(count=len(rows)),
    )


async def import_document(message: Message, bot: Bot, imports: TableImport, me: Actor) -> None:
    document = message.document
    if document is None:
        return
    name = document.file_name or "leads.csv"
    if (document.file_size or 0) > MAX_FILE:
        await message.answer(_("The file is too big: at most 20 MB."))
        return
    buffer = io.BytesIO()
    try:
        await bot.download(document, destination=buffer)
    except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not download %s from Telegram: %s", name, error)
        await message.answer(_("Could not download the file from Telegram. Please send it again."))
        return
    try:
        table = await asyncio.to_thread(read_table_bytes, buffer.getvalue(), name)  # the checks take a while
        report = await imports.run(table, by=me)
    except TableError as error:
        await message.answer(_("Cannot read the file: {reason}").format(reason=error.render(_, html=True)))
        return
    await answer_long(message, import_summary(name, report))
    if report.rejected:
        await send_rejected(message, table.headers, report.rejected)


def import_summary(name: str, report: ImportReport) -> str:
    lines = [
        "📥 <b>" + _("Import of {name}").format(name=esc(name)) + "</b>",
        _("Created: {count} (returning clients: {repeat})").format(
            count=report.created, repeat=report.repeat
        ),
        _("Duplicates skipped: {count}").format(count=len(report.skipped)),
        _("Excluded: {count}").format(count=report.excluded),
        _("Imported before: {count}").format(count=report.already),
        _("Rejected: {count}").format(count=len(report.rejected)),
    ]
    lines += [
        _("Row {line}: {reason}").format(line=row.line, reason=row.reason.render(_, html=True))
        for row in report.rejected[:10]
    ]
    if report.unused_columns:
        lines.append(_("Columns not used: {columns}").format(columns=esc(", ".join(report.unused_columns))))
    return "\n".join(lines)


async def send_rejected(message: Message, headers: Sequence[str], rejected: Sequence[Rejected]) -> None:
    """The rejected rows as a file to fix and send again."""
    data = table_bytes(
        False, [*headers, _("error")], [[*row.cells, row.reason.render(_)] for row in rejected]
    )
    await message.answer_document(
        BufferedInputFile(data, filename="rejected.csv"),
        caption=_("Fix these rows and send the file again."),
    )


def router() -> Router:
    routes = Router(name="files")
    routes.message.register(export_command, Command("export"))
    routes.message.register(import_document, F.document, F.chat.type == "private")
    return routes
