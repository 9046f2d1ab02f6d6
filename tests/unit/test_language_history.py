"""The history service reads stored values for people, and keeps as stored what it cannot read."""

from __future__ import annotations

from decimal import Decimal

from db.models import LeadStatus
from leadbot.actor import Actor
from leadbot.services import history
from leadbot.services.history import CallNote, Phone, Record
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from tests.conftest import START, at


async def test_values_are_resolved_and_parsed_or_kept_as_stored(services: Services, anna: Actor) -> None:
    created = await services.leads.create(LeadDraft(name="Иван"))
    assert created.lead is not None
    rows: list[tuple[str, str | None, object]] = [
        ("status_code", "NEW", "IN_PROCESS"),
        ("status_code", None, "GONE"),  # a code no directory has (any more)
        ("assignee_id", None, str(anna.id)),
        ("contact_id", None, "999"),
        ("is_repeat", "False", "True"),
        ("amount", None, "250000.00"),
        ("amount", None, "a lot"),
        ("closed_at", None, at(3, 8)),  # stored as str(datetime), in UTC
        ("closed_at", None, "yesterday"),
        ("phone", None, "+79161234567"),
    ]
    async with services.ctx.transaction() as session:
        for field, old, new in rows:
            history.record(
                session,
                entity="lead",
                entity_id=created.lead.id,
                user_id=anna.id,
                action="edited",
                at=at(1, 10),
                field=field,
                old=old,
                new=new,
            )
        history.record(
            session,
            entity="lead",
            entity_id=created.lead.id,
            user_id=None,
            action="call",
            at=at(1, 11),
            field="in",
            new="← missed, 0 s",
        )
    log = await services.history.log_of_lead(created.lead.id)
    assert log.total == len(rows) + 2
    first, *changes, call = log.changes
    assert (first.who, first.at) == (None, START)  # created by the intake, not a user
    read = [(change.who, change.old, change.new) for change in changes]
    status_old, status_new = read[0][1], read[0][2]
    assert isinstance(status_old, LeadStatus) and isinstance(status_new, LeadStatus)
    assert (status_old.name("en"), status_new.name("ru")) == ("New", "В работе")
    assert read[0][0] == "Anna"
    assert [new for _who, _old, new in read[1:]] == [
        "GONE",
        "Anna",
        Record("contact", 999, None),
        True,
        Decimal("250000.00"),
        "a lot",
        at(3, 8),
        "yesterday",
        Phone("+79161234567"),
    ]
    assert read[4][1] is False
    assert (call.who, call.field, call.new) == (None, "in", CallNote(answered=False, seconds=0))
