"""Contract tests of the HTTP intake API (DESIGN.md §6) against the running application."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from db.enums import Role
from db.models import Activity, Outbox
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of, leads_count
from tests.fakes.telegram import FakeTelegram, Person

AUTH = {"Authorization": "Bearer secret-token"}


async def call_api(
    app: Application,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{app.http_port}{path}"
    sent_headers = {**AUTH, **(headers or {})}
    async with aiohttp.ClientSession() as session:
        if raw is not None:
            request = session.post(
                url, data=raw, headers={"Content-Type": "application/json", **sent_headers}
            )
        else:
            request = session.post(url, json=body, headers=sent_headers)
        async with request as reply:
            text = await reply.text()
            return reply.status, json.loads(text) if text.startswith(("{", "[")) else text


async def test_healthz(app: Application) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{app.http_port}/healthz") as r,
    ):
        assert (r.status, await r.json()) == (200, {"status": "ok"})


async def test_create_then_the_same_external_id_again(app: Application, telegram: FakeTelegram) -> None:
    body = {
        "name": "Иван",
        "phone": "8 (916) 123-45-67",
        "source": "web",
        "external_id": "site-1",
        "amount": "1500.5",
    }
    status, created = await call_api(app, "/api/v1/leads", body)
    assert status == 201
    assert created == {"id": 1, "status": "NEW", "repeat": False, "matches": []}
    async with app.services.ctx.reading() as session:  # committed, alert queued, before the answer
        alerts = await session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.kind == "lead_alert")
        )
    assert alerts == 1
    status, again = await call_api(app, "/api/v1/leads", {**body, "phone": "+7 916 123 45 67"})
    assert (status, again["id"]) == (200, 1)  # the same lead, written otherwise: a retry
    assert await leads_count(app) == 1
    await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and card_of(c) == 1)


async def test_twenty_concurrent_retries_make_one_lead(app: Application) -> None:
    body = {"name": "Иван", "external_id": "retry-me", "source": "WEB"}
    answers = await asyncio.gather(*(call_api(app, "/api/v1/leads", body) for _ in range(20)))
    assert sorted({status for status, _ in answers}) in ([200, 201], [201])
    assert [status for status, _ in answers].count(201) == 1
    assert len({answer["id"] for _, answer in answers}) == 1
    assert await leads_count(app) == 1


async def test_known_client_is_a_linked_repeat_lead(app: Application) -> None:
    admin = await app.services.users.add(1000, Role.ADMIN, "Admin")
    first = await app.services.leads.create(LeadDraft(name="Иван Петров", emails=["ivan@mail.ru"]))
    assert first.lead is not None
    done = await app.services.conversion.convert(first.lead.id, ConvertRequest(contact=True), admin)
    assert done.contact is not None
    status, answer = await call_api(app, "/api/v1/leads", {"name": "Ваня", "email": "IVAN@mail.ru"})
    assert status == 201 and answer["repeat"] is True
    assert {"type": "contact", "id": done.contact.id, "name": "Иван Петров"} in answer["matches"]
    card = await app.services.queries.card(answer["id"])
    assert card.lead.contact_id == done.contact.id


async def test_excluded_phone_is_acknowledged_but_creates_nothing(app: Application) -> None:
    await app.services.exclusions.add("+79161234567", None, "spam")
    status, answer = await call_api(app, "/api/v1/leads", {"phone": "89161234567"})
    assert (status, answer) == (200, {"excluded": True})
    assert await leads_count(app) == 0


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [
        (b'{"name": "x"}', {"Authorization": "Bearer wrong"}, 401),
        (b'{"name": "x"}', {"Authorization": ""}, 401),
        (b"name=x", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        (b"{not json", {}, 400),
        (b'{"name": "\xff\xfe"}', {}, 400),
        (b'["name"]', {}, 400),
        (b"{}", {}, 422),
        (b'{"comment": "only a comment"}', {}, 422),
        (b'{"name": "' + b"x" * 200 + b'"}', {}, 422),
        (b'{"name": "x", "amount": "lots"}', {}, 422),
        (b'{"name": "x", "amount": -5}', {}, 422),
        (b'{"name": "x", "phones": "+79161234567"}', {}, 422),
        (b'{"name": "x", "email": "not-an-email"}', {}, 422),
        (b'{"name": "x", "source": "NOPE"}', {}, 422),
        (b'{"name": "x", "assignee": 424242}', {}, 422),
        (b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}', {}, 413),
    ],
)
async def test_bad_requests_get_json_errors_and_write_nothing(
    app: Application, raw: bytes, headers: dict[str, str], status: int
) -> None:
    got, answer = await call_api(app, "/api/v1/leads", raw=raw, headers=headers)
    assert got == status
    assert set(answer) == {"error", "fields"}
    assert await leads_count(app) == 0


async def test_no_api_token_configured_refuses_everything(app: Application) -> None:
    object.__setattr__(
        app.services.ctx, "settings", app.services.ctx.settings.model_copy(update={"api_token": None})
    )
    status, _answer = await call_api(
        app, "/api/v1/leads", {"name": "x"}, headers={"Authorization": "Bearer "}
    )
    assert status == 401


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_fields = st.sampled_from(
    [
        "name",
        "phone",
        "phones",
        "email",
        "emails",
        "amount",
        "currency",
        "source",
        "external_id",
        "assignee",
        "company",
        "comment",
        "title",
        "last_name",
    ]
)
_bad_bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(_fields, _json_values, max_size=6).map(lambda d: json.dumps(d).encode()),
    _json_values.map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bad_bodies)
async def test_hostile_bodies_never_cause_a_500(app: Application, body: bytes) -> None:
    status, answer = await call_api(app, "/api/v1/leads", raw=body)
    assert status in (200, 201, 400, 413, 415, 422), (status, body)
    if status >= 400:
        assert set(answer) == {"error", "fields"}


async def test_hostile_bodies_wrote_only_valid_leads(app: Application) -> None:
    """Companion of the property test: every stored lead has one of name/company/phone/email."""
    for body in ([1, 2], {"name": None}, {"phones": [None]}, {"email": {"a": 1}}, {"amount": 1e308}):
        status, _ = await call_api(app, "/api/v1/leads", raw=json.dumps(body).encode())
        assert status in (400, 422)
    assert await leads_count(app) == 0


# --- telephony ---------------------------------------------------------------------------------------


async def test_unknown_caller_becomes_a_lead(app: Application) -> None:
    status, answer = await call_api(
        app,
        "/api/v1/calls",
        {"from": "8 916 000-11-22", "to": "+74950000000", "status": "missed", "external_id": "pbx-1"},
    )
    assert status == 201
    card = await app.services.queries.card(answer["lead"]["id"])
    assert card.lead.source_code == "CALLBACK" and card.phones[0].normalized == "+79160001122"
    status, _ = await call_api(app, "/api/v1/calls", {"from": "89160001122", "external_id": "pbx-1"})
    assert status == 200 and await leads_count(app) == 1


async def test_a_missed_call_lead_is_named_by_the_number_in_its_alert_and_nudge(
    app: Application, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    status, answer = await call_api(
        app, "/api/v1/calls", {"from": "8 916 123-45-67", "to": "+74950000000", "status": "missed"}
    )
    assert status == 201
    lead_id = answer["lead"]["id"]
    title = "Пропущенный звонок +7 916 123-45-67"
    alert = (await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and card_of(c) == lead_id))[0]
    assert f"Лид #{lead_id}: {title}" in alert.text
    clock.advance(timedelta(minutes=6))  # nobody took it: the speed-to-lead nudge
    nudge = (
        await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and "без ответственного" in c.text)
    )[0]
    assert f"Лид #{lead_id} ({title})" in nudge.text


async def test_known_caller_is_logged_and_the_manager_sees_who_calls(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    anna_actor = await app.services.users.actor(anna.id)
    created = await app.services.leads.create(
        LeadDraft(name="Иван Петров", phones=["+79161234567"], assignee_id=anna_actor.id)
    )
    assert created.lead is not None
    status, answer = await call_api(
        app,
        "/api/v1/calls",
        {"from": "+7 916 123 45 67", "to": "100", "duration": 35, "external_id": "pbx-2"},
    )
    assert (status, answer["known"]["type"]) == (200, "lead")
    assert await leads_count(app) == 1
    calling = await anna.receives(lambda c: "Звонит" in c.text)
    assert "Иван Петров" in calling.text and any("Статус" in b["text"] for b in calling.buttons)
    async with app.services.ctx.reading() as session:
        calls = (await session.scalars(select(Activity).where(Activity.external_id == "pbx-2"))).all()
    assert len(calls) == 1 and calls[0].lead_id == created.lead.id
    status, _ = await call_api(app, "/api/v1/calls", {"from": "+79161234567", "external_id": "pbx-2"})
    assert status == 200
    async with app.services.ctx.reading() as session:
        assert (
            await session.scalar(select(func.count()).select_from(Activity).where(Activity.kind == "call"))
            == 1
        )


async def test_excluded_numbers_never_create_leads_in_either_direction(app: Application) -> None:
    await app.services.exclusions.add("+7 999 000-00-00", None, "pizza delivery")
    incoming = await call_api(app, "/api/v1/calls", {"from": "89990000000"})
    outgoing = await call_api(app, "/api/v1/calls", {"from": "101", "to": "+79990000000", "direction": "out"})
    assert incoming == (200, {"excluded": True}) and outgoing == (200, {"excluded": True})
    status, _ = await call_api(
        app, "/api/v1/calls", {"from": "101", "to": "+79031112233", "direction": "out"}
    )
    assert status == 201
    assert await leads_count(app) == 1


async def test_bad_call_events(app: Application) -> None:
    assert (await call_api(app, "/api/v1/calls", {"to": "1"}))[0] == 422
    assert (await call_api(app, "/api/v1/calls", {"from": "abc"}))[0] == 422
    assert (await call_api(app, "/api/v1/calls", {"from": "+79161234567", "direction": "sideways"}))[0] == 422
    assert await leads_count(app) == 0
