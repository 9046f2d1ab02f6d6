"""An external id repeats a request; it never swallows a different lead, and calls keep their own ids."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, func, select, update

from db.models import Activity, Lead
from leadbot.errors import IdempotencyConflict
from leadbot.services.calls import CallEvent, CallStatus, Direction
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services


async def leads(services: Services) -> int:
    async with services.ctx.reading() as session:
        return await session.scalar(select(func.count()).select_from(Lead)) or 0


def site_lead(**fields: object) -> LeadDraft:
    base: dict[str, object] = {
        "name": "Ivan",
        "phones": ["+79161234567"],
        "emails": ["ivan@example.com"],
        "source_code": "WEB",
        "external_id": "site-1",
        "amount": "1500.5",
    }
    return LeadDraft(**{**base, **fields})  # type: ignore[arg-type]


async def test_a_repeat_with_other_data_is_refused_and_changes_nothing(services: Services) -> None:
    first = await services.leads.create(site_lead())
    with pytest.raises(IdempotencyConflict) as refusal:
        await services.leads.create(site_lead(name="Somebody else", phones=["+79035550000"]))
    assert first.lead is not None and refusal.value.params["id"] == first.lead.id
    with pytest.raises(IdempotencyConflict):
        await services.leads.create(site_lead(amount="99"))
    assert await leads(services) == 1
    async with services.ctx.reading() as session:
        stored = await session.get(Lead, first.lead.id)
    assert stored is not None and stored.name == "Ivan"


async def test_the_same_data_written_differently_is_the_same_request(services: Services) -> None:
    first = await services.leads.create(site_lead(phones=["+79161234567", "+79031112233"]))
    again = await services.leads.create(
        site_lead(
            name="  Ivan ",
            phones=["8 (903) 111-22-33", "8 916 123 45 67"],
            emails=["IVAN@example.com"],
            amount="1 500,50",
        )
    )
    assert first.lead is not None and again.lead is not None
    assert (again.created, again.lead.id) == (False, first.lead.id)


async def test_racing_requests_with_one_key_and_different_data(services: Services) -> None:
    drafts = [site_lead(name=f"Ivan {n}") for n in range(6)]
    outcomes = await asyncio.gather(*(services.leads.create(d) for d in drafts), return_exceptions=True)
    created = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(created) == 1
    assert all(isinstance(o, IdempotencyConflict) for o in outcomes if o not in created)
    assert await leads(services) == 1


async def test_a_lead_stored_without_a_fingerprint_still_answers_its_repeats(services: Services) -> None:
    first = await services.leads.create(site_lead())
    assert first.lead is not None
    async with services.ctx.transaction() as session:  # as leads created before fingerprints were kept
        await session.execute(update(Lead).values(request_fingerprint=None))
    again = await services.leads.create(site_lead(name="Ivan Petrov"))
    assert again.lead is not None and (again.created, again.lead.id) == (False, first.lead.id)


async def test_an_api_lead_does_not_take_a_calls_id(services: Services) -> None:
    tracked = await services.leads.create(
        LeadDraft(name="From call tracking", source_code="CALL", external_id="call-777")
    )
    call = CallEvent("+7 916 000-11-22", "+74950000000", Direction.IN, CallStatus.ANSWERED, 30, "call-777")
    outcome = await services.calls.handle(call)
    assert tracked.lead is not None and outcome.lead is not None and outcome.created
    assert outcome.lead.id != tracked.lead.id
    assert (await services.calls.handle(call)).repeated
    assert await leads(services) == 2


async def test_a_calls_id_does_not_take_an_api_leads_id(services: Services) -> None:
    call = CallEvent("+7 916 000-11-22", "+74950000000", Direction.IN, CallStatus.MISSED, 0, "call-778")
    by_call = await services.calls.handle(call)
    by_api = await services.leads.create(
        LeadDraft(name="From the site", source_code="CALLBACK", external_id="call-778")
    )
    assert by_call.lead is not None and by_api.lead is not None and by_api.created
    assert by_api.lead.id != by_call.lead.id


async def test_one_call_event_racing_itself_makes_one_lead(services: Services) -> None:
    call = CallEvent("+7 916 000-11-22", "+74950000000", Direction.IN, CallStatus.MISSED, 0, "pbx-9")
    outcomes = await asyncio.gather(*(services.calls.handle(call) for _ in range(5)))
    assert [o.created for o in outcomes].count(True) == 1
    assert await leads(services) == 1


async def test_a_call_retried_after_the_upgrade_finds_the_lead_it_made_before(services: Services) -> None:
    call = CallEvent("+7 916 000-33-44", "+74950000000", Direction.IN, CallStatus.MISSED, 0, "call-888")
    made = await services.calls.handle(call)
    assert made.lead is not None
    async with services.ctx.transaction() as session:  # as calls kept their ids before: on the lead
        await session.execute(delete(Activity).where(Activity.external_id == "call-888"))
        await session.execute(update(Lead).where(Lead.id == made.lead.id).values(external_id="call-888"))
    assert (await services.calls.handle(call)).repeated
    assert await leads(services) == 1
