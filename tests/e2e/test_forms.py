"""The web-to-lead form over HTTP, and once in a real headless Chromium."""

from __future__ import annotations

import shutil
from ipaddress import ip_network
from pathlib import Path

import aiohttp
import pytest

from db.enums import Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from tests.e2e.conftest import leads_count
from tests.fakes.telegram import FakeTelegram, Person, User

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


async def form_post(
    app: Application, key: str, fields: dict[str, str], forwarded_for: str | None = None
) -> tuple[int, str, str]:
    url = f"http://127.0.0.1:{app.http_port}/forms/{key}"
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=fields, headers=headers, allow_redirects=False) as reply,
    ):
        return reply.status, await reply.text(), reply.headers.get("Location", "")


@pytest.fixture
async def form(app: Application) -> str:
    manager = await app.services.users.add(3001, Role.MANAGER, "Anna")
    await app.services.forms.add("site", title="Заявка с сайта", assignee_telegram_id=manager.telegram_id)
    await app.services.forms.add("promo", source="ADVERTISING", redirect="https://example.com/thanks")
    return "site"


async def test_the_page_is_an_accessible_form(app: Application, form: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{app.http_port}/forms/{form}") as r,
    ):
        page = await r.text()
    assert r.status == 200 and r.content_type == "text/html"
    assert '<html lang="ru">' in page and 'name="viewport"' in page
    for field in ("name", "phone", "email", "comment"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'type="tel"' in page and 'autocomplete="email"' in page
    assert "<title>Заявка с сайта</title>" in page and "<h1>Заявка с сайта</h1>" in page
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{app.http_port}/forms/promo") as r,
    ):
        untitled = await r.text()
    assert "<title>Оставьте заявку</title>" in untitled and "<h1>Оставьте заявку</h1>" in untitled
    assert "promo<" not in untitled  # the key is for the URL, not for visitors


async def test_a_submission_becomes_a_lead_with_the_forms_source_and_assignee(
    app: Application, form: str
) -> None:
    status, page, _ = await form_post(
        app, form, {"name": "Ольга", "phone": "8 903 123-45-67", "comment": "Перезвоните"}
    )
    assert status == 200 and "Спасибо" in page
    lead = (await app.services.queries.find("Ольга")).rows[0]
    card = await app.services.queries.card(lead.id)
    assert (card.lead.source_code, card.assignee and card.assignee.name) == ("WEBFORM", "Anna")
    assert card.phones[0].normalized == "+79031234567"


async def test_redirect_after_submission(app: Application, form: str) -> None:
    status, _page, location = await form_post(app, "promo", {"phone": "+79031234568"})
    assert (status, location) == (303, "https://example.com/thanks")
    assert (await app.services.queries.card(1)).lead.source_code == "ADVERTISING"


async def test_honeypot_bad_input_unknown_form_and_rate_limit(app: Application, form: str) -> None:
    status, page, _ = await form_post(
        app, form, {"name": "Bot", "phone": "+79031234567", "website": "http://spam"}
    )
    assert status == 200 and "Спасибо" in page
    status, page, _ = await form_post(app, form, {"name": "<b>Ира</b>", "email": "not-an-email"})
    assert status == 400 and "e-mail" in page and "&lt;b&gt;Ира&lt;/b&gt;" in page and "<b>Ира" not in page
    status, page, _ = await form_post(app, form, {"comment": "nothing else"})
    assert status == 400
    assert await leads_count(app) == 0
    assert (await form_post(app, "nope", {"name": "x"}))[0] == 404
    statuses = [
        (await form_post(app, form, {"name": f"Клиент {i}", "phone": f"+7903000000{i}"}))[0] for i in range(7)
    ]
    assert statuses.count(200) == 3 and statuses[-1] == 429  # 5 per window, 2 spent above on bad input
    assert await leads_count(app) == 3
    spoofed = await form_post(app, form, {"phone": "+79030000099"}, forwarded_for="203.0.113.9")
    assert spoofed[0] == 429  # X-Forwarded-For from a peer that is not a trusted proxy is ignored


async def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    configured = settings.model_copy(
        update={"telegram_api_url": telegram.base_url, "trusted_proxies": (ip_network("127.0.0.0/8"),)}
    )
    async with Application(configured, clock) as app:
        await app.services.forms.add("site")

        async def visit(number: int, forwarded_for: str) -> int:
            fields = {"name": f"Клиент {number}", "phone": f"+790300001{number:02d}"}
            return (await form_post(app, "site", fields, forwarded_for))[0]

        first = [await visit(i, "198.51.100.1") for i in range(6)]
        # the visitor forges a left part; the proxy appends the address it saw, which is what counts
        forged = await visit(6, "203.0.113.7, 198.51.100.1")
        second = await visit(7, "198.51.100.2, 127.0.0.1")  # through two of our proxies
        assert (first, forged, second) == ([200] * 5 + [429], 429, 200)
        assert await leads_count(app) == 6


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: install Debian's chromium (.ci/run does)")
async def test_a_real_browser_fills_and_sends_the_form(app: Application, form: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(f"http://127.0.0.1:{app.http_port}/forms/{form}")
        assert await page.title() == "Заявка с сайта"
        await page.get_by_role("button", name="Отправить").click()
        refusal = (await page.get_by_role("alert").inner_text()).lower()
        assert refusal and not any(word in refusal for word in ("лид", "компани", "lead", "company"))
        assert await page.title() == "Заявка с сайта"
        await page.get_by_label("Ваше имя").fill("Павел")
        await page.get_by_label("Телефон").fill("8 (916) 555-44-33")
        await page.get_by_label("Комментарий").fill("Нужна консультация")
        assert (
            await page.locator("#website").is_hidden()
            or await page.locator(".trap").bounding_box() is not None
        )
        await page.get_by_role("button", name="Отправить").click()
        await page.get_by_text("Спасибо!").wait_for()
        await browser.close()
    found = await app.services.queries.find("+7 916 555-44-33")
    assert found.total == 1


async def test_an_excluded_visitor_sees_thanks_and_creates_nothing(app: Application, form: str) -> None:
    await app.services.exclusions.add("+79035550000", None, "spam")
    status, page, _ = await form_post(app, form, {"name": "Спамер", "phone": "8 903 555-00-00"})
    assert status == 200 and "Спасибо" in page
    assert await leads_count(app) == 0


async def test_admin_defines_a_form_in_the_bot(
    app: Application, telegram: FakeTelegram, admin: Person, form: str
) -> None:
    await app.services.users.add(admin.id, Role.ADMIN, "Alla")
    reply = await admin.says("/forms add landing ADVERTISING https://example.com/ok")
    assert "/forms/landing" in reply.text
    assert (await app.services.forms.get("landing")).redirect_url == "https://example.com/ok"
    anna = telegram.person(User(3001, "Anna"))
    assert "нет прав" in (await anna.says("/forms add sneaky")).text
