"""The web form speaks to visitors in LOCALE: its own title, and words about reaching them, not leads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from tests.e2e.test_forms import form_post
from tests.fakes.telegram import FakeTelegram

ASK = "Please leave your name and a phone or e-mail so we can reach you."


@pytest.fixture
async def english_app(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> AsyncIterator[Application]:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url, "locale": "en"})
    async with Application(configured, clock) as app:
        await app.services.forms.add("site")
        yield app


async def test_an_empty_submission_is_asked_for_a_way_to_reach_the_visitor(english_app: Application) -> None:
    status, page, _location = await form_post(english_app, "site", {"comment": "call me"})
    assert status == 400
    assert f'<p class="error" role="alert">{ASK}</p>' in page
    assert "lead" not in page.lower() and "company" not in page.lower()
    assert "<title>Leave a request</title>" in page and "<h1>Leave a request</h1>" in page
    assert "call me" in page  # what the visitor wrote is kept


async def test_the_blank_form_says_what_to_leave(english_app: Application) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{english_app.http_port}/forms/site") as reply,
    ):
        page = await reply.text()
    assert reply.status == 200 and f"<p>{ASK}</p>" in page
    assert '<html lang="en">' in page and "<title>Leave a request</title>" in page
