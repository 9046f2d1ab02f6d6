"""How many SQL statements the bot's hot reads cost: a lead card, and who is acting with their dialog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from leadbot.actor import Actor
from leadbot.services.arrival import Arrivals
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    """Every statement the database is sent inside the block."""
    engine = services.ctx.sessions.kw["bind"].sync_engine
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def new_lead(services: Services, **fields: Any) -> int:
    draft = LeadDraft(**{"name": "Иван Петров", "phones": ["+7 916 123-45-67"], **fields})
    outcome = await services.leads.create(draft)
    assert outcome.lead is not None
    return outcome.lead.id


async def test_a_card_costs_at_most_two_statements(services: Services, anna: Actor) -> None:
    lead_id = await new_lead(services, company_title="ООО «Ромашка»", emails=["ivan@example.com"])
    await services.leads.take(lead_id, anna)
    with statements(services) as sent:
        card = await services.queries.card(lead_id)
    assert card.assignee is not None and card.assignee.name == "Anna"
    assert [c.normalized for c in card.phones] == ["+79161234567"]
    assert len(sent) <= 2, sent


async def test_a_card_of_a_lead_without_phones_costs_at_most_two(services: Services) -> None:
    lead_id = await new_lead(services, phones=[], emails=["ivan@example.com"])
    with statements(services) as sent:
        card = await services.queries.card(lead_id)
    assert card.known == [] and card.next_activity is None
    assert len(sent) <= 2, sent


async def test_who_acts_and_their_dialog_cost_one_statement(services: Services, anna: Actor) -> None:
    await services.dialogs.set_state("fsm:key", "Comment:text")
    arrivals = Arrivals(services.ctx)
    with statements(services) as sent:
        arrival = await arrivals.arrive(anna.telegram_id, "fsm:key")
    assert arrival.actor == anna and arrival.state == "Comment:text"
    assert len(sent) == 1, sent


async def test_a_stranger_and_no_dialog_cost_one_statement(services: Services) -> None:
    arrivals = Arrivals(services.ctx)
    with statements(services) as sent:
        arrival = await arrivals.arrive(999_999, "fsm:nobody")
    assert arrival.actor is None and arrival.state is None
    assert len(sent) == 1, sent


async def test_a_deactivated_user_is_nobody(services: Services, admin: Actor, boris: Actor) -> None:
    await services.users.set_active(boris.telegram_id, False)
    arrival = await Arrivals(services.ctx).arrive(boris.telegram_id, None)
    assert arrival.actor is None
    assert (await Arrivals(services.ctx).arrive(admin.telegram_id, None)).actor == admin


async def test_an_expired_dialog_is_no_dialog(services: Services, clock: Any, anna: Actor) -> None:
    from leadbot.services.dialogs import DIALOG_TTL

    await services.dialogs.set_state("fsm:old", "Comment:text")
    clock.advance(DIALOG_TTL + timedelta(seconds=1))
    arrival = await Arrivals(services.ctx).arrive(anna.telegram_id, "fsm:old")
    assert arrival.actor == anna and arrival.state is None
    assert await services.dialogs.state("fsm:old") is None
