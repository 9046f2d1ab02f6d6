"""A failed file download (issue 11, finding 4): the user is answered and no log line carries a secret."""

from __future__ import annotations

import logging
import time

import pytest

from leadbot.app import Application
from leadbot.config import Settings
from leadbot.web import webhook_secret
from tests.fakes.telegram import FakeTelegram, User


async def send_unknown_document(telegram: FakeTelegram, user: User) -> None:
    """A document whose file the fake does not hold, so that downloading it answers 404 (the fake has no
    public way to send one: `send_document` always stores the bytes first)."""
    message = {
        "message_id": 777,
        "date": int(time.time()),
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "from": user.as_dict(),
        "document": {"file_id": "lost", "file_unique_id": "lost", "file_name": "leads.csv", "file_size": 10},
    }
    await telegram._push({"message": message})


async def test_a_failed_download_is_answered_and_logs_no_secret(
    app: Application,
    telegram: FakeTelegram,
    settings: Settings,
    sveta_user: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await send_unknown_document(telegram, sveta_user)
    answer = await telegram.next_message(sveta_user.id)
    assert answer.text == "Could not download the file from Telegram. Please send it again."
    assert any("/file/bot***/documents/lost" in record.getMessage() for record in caplog.records)
    secrets = [settings.bot_token, settings.api_token, webhook_secret(settings)]
    for secret in filter(None, secrets):
        assert secret not in caplog.text
        assert secret not in answer.text
        for record in caplog.records:
            assert secret not in record.getMessage() and secret not in (record.exc_text or "")
