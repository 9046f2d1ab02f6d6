"""Excluding a phone or e-mail blocks a client: a manager may do it only where Exclude would let them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Exclusion, Lead
from leadbot.actor import Actor
from leadbot.errors import Forbidden
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services

BORIS_PHONE = "+7 916 123-45-67"


async def exclusions(services: Services) -> int:
    async with services.ctx.reading() as session:
        return await session.scalar(select(func.count()).select_from(Exclusion)) or 0


async def lead_of(
    services: Services, owner: Actor | None, phone: str = BORIS_PHONE, **fields: object
) -> Lead:
    draft = LeadDraft(
        **{"name": "Ivan Petrov", "phones": [phone], "assignee_id": owner.id if owner else None, **fields}  # type: ignore[arg-type]
    )
    outcome = await services.leads.create(draft)
    assert outcome.lead is not None
    return outcome.lead


async def test_a_manager_cannot_block_another_managers_client(
    services: Services, anna: Actor, boris: Actor
) -> None:
    await lead_of(services, boris, emails=["ivan@example.com"])
    with pytest.raises(Forbidden):
        await services.exclusions.add("8 916 123 45 67", anna, "spam")
    with pytest.raises(Forbidden):
        await services.exclusions.add("IVAN@example.com", anna)
    assert await exclusions(services) == 0


async def test_a_manager_cannot_block_another_managers_contact(
    services: Services, anna: Actor, boris: Actor
) -> None:
    lead = await lead_of(services, boris)
    await services.conversion.convert(lead.id, ConvertRequest(contact=True), boris)  # the lead is closed
    with pytest.raises(Forbidden):
        await services.exclusions.add(BORIS_PHONE, anna)
    assert await exclusions(services) == 0


async def test_a_manager_blocks_numbers_of_nobodys_or_their_own_clients(
    services: Services, anna: Actor, boris: Actor
) -> None:
    await lead_of(services, anna, phone="+79031112233")
    await lead_of(services, None, phone="+79035550000")
    await services.exclusions.add("+7 903 111-22-33", anna)
    await services.exclusions.add("+7 903 555-00-00", anna)
    await services.exclusions.add("+7 999 000-00-00", anna, "pizza delivery")  # not a client at all
    assert await exclusions(services) == 3


async def test_supervisors_and_admins_block_anyone(
    services: Services, boris: Actor, supervisor: Actor, admin: Actor
) -> None:
    await lead_of(services, boris, emails=["ivan@example.com"])
    await services.exclusions.add(BORIS_PHONE, supervisor)
    await services.exclusions.add("ivan@example.com", admin)
    assert await exclusions(services) == 2


async def test_the_exclude_button_cannot_block_another_managers_client_either(
    services: Services, anna: Actor, boris: Actor
) -> None:
    await lead_of(services, boris)
    spam = await lead_of(services, None, name="Spam")  # nobody's lead, with Boris's client's number
    with pytest.raises(Forbidden):
        await services.leads.exclude(spam.id, anna)
    assert await exclusions(services) == 0
    async with services.ctx.reading() as session:
        stored = await session.get(Lead, spam.id)
    assert stored is not None and stored.status_code == "NEW"
