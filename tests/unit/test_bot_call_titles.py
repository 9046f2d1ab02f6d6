"""A lead made by a call from an unknown number is titled by the number, in the team's language."""

from __future__ import annotations

import pytest

from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.calls import CallEvent, CallStatus, Direction
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services

CALLER = "8 916 000-11-22"
OFFICE = "+74950000000"


@pytest.mark.parametrize(
    ("locale", "status", "title"),
    [
        ("ru", CallStatus.MISSED, "Пропущенный звонок +7 916 000-11-22"),
        ("ru", CallStatus.ANSWERED, "Звонок +7 916 000-11-22"),
        ("en", CallStatus.MISSED, "Missed call +7 916 000-11-22"),
        ("en", CallStatus.ANSWERED, "Call +7 916 000-11-22"),
    ],
)
async def test_an_unknown_caller_s_lead_is_titled_by_the_number(
    settings: Settings, clock: FrozenClock, locale: str, status: CallStatus, title: str
) -> None:
    team = settings.model_copy(update={"locale": locale})
    async with open_database(team, clock) as ctx:
        services = Services.build(ctx)
        outcome = await services.calls.handle(CallEvent(CALLER, OFFICE, Direction.IN, status, 0, "pbx-1"))
        assert outcome.lead is not None
        card = await services.queries.card(outcome.lead.id)
        assert card.lead.title == title
        assert [row.title for row in await services.queries.rows([outcome.lead.id])] == [title]
        assert (await services.queries.find("звонок" if locale == "ru" else "call")).total == 1


async def test_an_outgoing_call_to_an_unknown_number_is_a_call(services: Services) -> None:
    event = CallEvent("101", "+7 903 111-22-33", Direction.OUT, CallStatus.MISSED, 0, "pbx-2")
    outcome = await services.calls.handle(event)
    assert outcome.lead is not None and outcome.lead.title == "Звонок +7 903 111-22-33"


async def test_a_known_caller_makes_no_lead_and_changes_no_title(services: Services) -> None:
    known = await services.leads.create(LeadDraft(name="Иван Петров", phones=[CALLER]))
    assert known.lead is not None
    outcome = await services.calls.handle(
        CallEvent(CALLER, OFFICE, Direction.IN, CallStatus.MISSED, 0, "pbx-3")
    )
    assert outcome.lead is None and outcome.matched is not None
    card = await services.queries.card(known.lead.id)
    assert (card.lead.title, card.lead.display_title) == (None, "Иван Петров")
