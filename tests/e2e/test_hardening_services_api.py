"""Through the HTTP API: a reused external id is a conflict, and calls keep their own ids."""

from __future__ import annotations

from leadbot.app import Application
from tests.e2e.conftest import leads_count
from tests.e2e.test_api import call_api


async def test_api_answers_409_to_a_reused_external_id(app: Application) -> None:
    body = {"name": "Иван", "phone": "8 (916) 123-45-67", "source": "web", "external_id": "site-1"}
    status, created = await call_api(app, "/api/v1/leads", body)
    assert status == 201
    assert await call_api(app, "/api/v1/leads", {**body, "phone": "+7 916 123 45 67"}) == (200, created)
    status, conflict = await call_api(app, "/api/v1/leads", {**body, "name": "Другой"})
    assert status == 409 and "site-1" in conflict["error"]
    assert await leads_count(app) == 1


async def test_an_api_lead_with_a_calls_id_does_not_swallow_the_call(app: Application) -> None:
    tracked = {"name": "Call tracking", "source": "CALL", "external_id": "call-777"}
    assert (await call_api(app, "/api/v1/leads", tracked))[0] == 201
    call = {"from": "+7 916 000-11-22", "to": "+74950000000", "external_id": "call-777"}
    status, answer = await call_api(app, "/api/v1/calls", call)
    assert status == 201 and answer["lead"]["id"] == 2
    assert await call_api(app, "/api/v1/calls", call) == (200, {"duplicate": True})
    assert await leads_count(app) == 2
