"""Hostile input on the HTTP side (issue 11): bodies, headers and webhook posts that used to answer 500,
and the web form's per-visitor limit under a burst of parallel submissions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.services.forms import PER_WINDOW
from leadbot.web import webhook_secret
from tests.e2e.conftest import leads_count
from tests.e2e.test_webhook import free_port
from tests.fakes.telegram import FakeTelegram

TOKEN = b"Bearer secret-token"
DEEP = 100_000


async def raw_post(
    port: int,
    path: str,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    content_type: bytes = b"application/json",
) -> tuple[int, Any]:
    """POST exactly these bytes (header values included: no client library re-encodes them)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [
        b"POST " + path.encode() + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
        b"Content-Type: " + content_type,
        b"Content-Length: " + str(len(body)).encode(),
        *(name + b": " + value for name, value in headers),
    ]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    reply = await reader.read()
    writer.close()
    await writer.wait_closed()
    status_line, _, rest = reply.partition(b"\r\n")
    payload = rest.partition(b"\r\n\r\n")[2]
    return int(status_line.split()[1]), json.loads(payload) if payload.startswith(b"{") else payload


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/leads", b'{"name": "x", "assignee": ' + str(10**30).encode() + b"}", "assignee"),
        ("/api/v1/leads", b'{"name": "x", "assignee": -5}', "assignee"),
        ("/api/v1/leads", b'{"name": "x", "assignee": 1.5}', "assignee"),
        ("/api/v1/leads", b'{"name": "x", "amount": ' + str(10**30).encode() + b"}", "amount"),
        ("/api/v1/leads", b'{"name": "x", "amount": "1e99999"}', "amount"),
        ("/api/v1/leads", b'{"name": "x", "amount": 1e999}', "amount"),
        ("/api/v1/calls", b'{"from": "+79161234567", "duration": ' + str(10**30).encode() + b"}", "duration"),
        ("/api/v1/calls", b'{"from": "+79161234567", "duration": -1}', "duration"),
        ("/api/v1/calls", b'{"from": "+79161234567", "duration": 1e999}', "duration"),
    ],
)
async def test_out_of_range_numbers_are_422_with_the_field(
    app: Application, path: str, body: bytes, field: str
) -> None:
    status, answer = await raw_post(app.http_port, path, body, [(b"Authorization", TOKEN)])
    assert status == 422, answer
    assert set(answer) == {"error", "fields"} and field in answer["fields"]
    assert await leads_count(app) == 0


@pytest.mark.parametrize("path", ["/api/v1/leads", "/api/v1/calls"])
@pytest.mark.parametrize(
    "body",
    [
        nested(DEEP),
        b'{"name": "x", "comment": ' + nested(DEEP) + b"}",
        b'{"name": "x", "comment": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}",
        b'{"name": "x", "amount": 1' + b"0" * 5000 + b"}",
    ],
    ids=["array", "inside-an-object", "objects", "5000-digit-number"],
)
async def test_deeply_nested_or_huge_json_is_a_400(app: Application, path: str, body: bytes) -> None:
    status, answer = await raw_post(app.http_port, path, body, [(b"Authorization", TOKEN)])
    assert status == 400, answer
    assert set(answer) == {"error", "fields"}
    assert await leads_count(app) == 0


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer secret-token\xff", b"\xff", "Bearer секрет".encode(), b"Bearer secret-token\x80\x80"],
)
async def test_undecodable_authorization_is_a_401(app: Application, authorization: bytes) -> None:
    status, answer = await raw_post(
        app.http_port, "/api/v1/leads", b'{"name": "x"}', [(b"Authorization", authorization)]
    )
    assert (status, set(answer)) == (401, {"error", "fields"})
    assert await leads_count(app) == 0


@pytest.fixture
async def webhook_app(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> AsyncIterator[Application]:
    port = free_port()
    configured = settings.model_copy(
        update={
            "telegram_api_url": telegram.base_url,
            "http_port": port,
            "webhook_url": f"http://127.0.0.1:{port}/hook/telegram",
        }
    )
    async with Application(configured, clock) as application:
        yield application


@pytest.mark.parametrize(
    "secret", ["секрет".encode(), b"\xff\xfe", "Bearer ✓".encode(), b"x" * 300 + "ё".encode()]
)
async def test_webhook_with_a_non_ascii_secret_is_a_401(webhook_app: Application, secret: bytes) -> None:
    update = b'{"update_id": 1}'
    status, answer = await raw_post(
        webhook_app.http_port, "/hook/telegram", update, [(b"X-Telegram-Bot-Api-Secret-Token", secret)]
    )
    assert (status, set(answer)) == (401, {"error", "fields"})


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", nested(DEEP), b'{"update_id": 1, "message": ' + nested(DEEP) + b"}", b"[1]"],
    ids=["broken", "not-utf8", "nested-array", "nested-inside", "not-an-object"],
)
async def test_webhook_body_that_is_not_an_update_is_a_400(webhook_app: Application, body: bytes) -> None:
    secret = webhook_secret(webhook_app.settings).encode()
    status, answer = await raw_post(
        webhook_app.http_port, "/hook/telegram", body, [(b"X-Telegram-Bot-Api-Secret-Token", secret)]
    )
    assert (status, set(answer)) == (400, {"error", "fields"})


URLENCODED = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"name=\xff\xfe", URLENCODED),
        (b"name=x", URLENCODED + b"; charset=nonsense"),
        (
            b'--xx\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\xff\r\n--xx--\r\n',
            MULTIPART + b"; boundary=xx",
        ),
        (b"garbage", MULTIPART),
        (b"garbage", MULTIPART + b"; boundary=xx"),
        (b"garbage", MULTIPART + b"; boundary=\xff"),
    ],
    ids=[
        "raw-not-utf8",
        "unknown-charset",
        "multipart-not-utf8",
        "no-boundary",
        "boundary-missing",
        "boundary-not-ascii",
    ],
)
async def test_a_form_post_that_cannot_be_read_is_a_400_page(
    app: Application, body: bytes, content_type: bytes
) -> None:
    await app.services.forms.add("site")
    status, page = await raw_post(app.http_port, "/forms/site", body, [], content_type)
    assert status == 400 and b'role="alert"' in page
    assert await leads_count(app) == 0


async def test_forty_parallel_submissions_from_one_address_make_exactly_the_limit(app: Application) -> None:
    await app.services.forms.add("site")
    url = f"http://127.0.0.1:{app.http_port}/forms/site"

    async def submit(session: aiohttp.ClientSession, number: int) -> int:
        fields = {"name": f"Клиент {number}", "phone": f"+7903100{number:04d}"}
        async with session.post(url, data=fields, allow_redirects=False) as reply:
            return reply.status

    connector = aiohttp.TCPConnector(limit=0)  # all 40 at once, not 100 per host queued behind each other
    async with aiohttp.ClientSession(connector=connector) as session:
        statuses = await asyncio.gather(*(submit(session, number) for number in range(40)))
    assert sorted(statuses) == [200] * PER_WINDOW + [429] * (40 - PER_WINDOW)
    assert await leads_count(app) == PER_WINDOW
