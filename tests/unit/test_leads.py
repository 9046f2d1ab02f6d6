import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import ActivityKind, ContactType, OwnerType
from db.models import Communication, Contact, Deal, Exclusion, HistoryEntry, Lead, Outbox
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.errors import (
    AlreadyTaken,
    DuplicateContact,
    EmptyLead,
    FinalStatusNeedsAction,
    Forbidden,
    InvalidEmail,
    LeadClosed,
    NameRequired,
    ReasonRequired,
    StaleLead,
    TooLong,
    UnknownCode,
)
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import LeadEdit
from leadbot.services.registry import Services


async def count(services: Services, model: type) -> int:
    async with services.ctx.reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def lead_history(
    services: Services, lead_id: int
) -> list[tuple[str, str | None, str | None, str | None]]:
    page = await services.history.of_lead(lead_id)
    return [(e.action, e.field, e.old, e.new) for e in page.entries]


async def new_lead(services: Services, **fields: object) -> Lead:
    draft = LeadDraft(**{"name": "Ivan", "phones": ["+7 916 123-45-67"], **fields})  # type: ignore[arg-type]
    outcome = await services.leads.create(draft)
    assert outcome.lead is not None
    return outcome.lead


async def test_create_stores_normalised_phone_and_announces(services: Services, anna: Actor) -> None:
    outcome = await services.leads.create(
        LeadDraft(
            name="Ivan",
            phones=["8 (916) 123-45-67"],
            emails=[" Ivan@Mail.RU "],
            amount="15 000,50",
            assignee_id=anna.id,
            source_code="CALL",
        ),
        anna,
    )
    assert outcome.created and outcome.lead is not None
    lead = outcome.lead
    assert (lead.status_code, lead.amount, lead.currency) == ("NEW", Decimal("15000.50"), "RUB")
    async with services.ctx.reading() as session:
        comms = {(c.kind.value, c.normalized) for c in await session.scalars(select(Communication))}
        alerts = {(o.kind, o.chat_id) for o in await session.scalars(select(Outbox))}
    assert comms == {("phone", "+79161234567"), ("email", "ivan@mail.ru")}
    assert alerts == {("lead_alert", -1001234567890)}  # Anna made it: she has its card in her dialog
    assert await lead_history(services, lead.id) == [("created", None, None, None)]


async def test_the_assignee_is_alerted_unless_they_made_the_lead(
    services: Services, anna: Actor, supervisor: Actor
) -> None:
    group, private = -1001234567890, anna.telegram_id
    for by, expected in ((None, {group, private}), (supervisor, {group, private}), (anna, {group})):
        outcome = await services.leads.create(LeadDraft(name="Oleg", assignee_id=anna.id), by)
        assert outcome.lead is not None
        async with services.ctx.reading() as session:
            alerts = await session.scalars(select(Outbox.chat_id).where(Outbox.lead_id == outcome.lead.id))
            assert set(alerts) == expected, by


async def test_unparseable_phone_is_kept_raw_and_never_matches(services: Services) -> None:
    first = await new_lead(services, phones=["12-34"])
    second = await services.leads.create(LeadDraft(name="Petr", phones=["12-34"]))
    async with services.ctx.reading() as session:
        raw = await session.scalar(select(Communication).where(Communication.owner_id == first.id))
    assert raw is not None and (raw.raw, raw.normalized) == ("12-34", None)
    assert second.matches == []


@pytest.mark.parametrize(
    ("draft", "error"),
    [
        (LeadDraft(comment="only a comment"), EmptyLead),
        (LeadDraft(name="x" * 129), TooLong),
        (LeadDraft(name="Ivan", emails=["not-an-email"]), InvalidEmail),
        (LeadDraft(name="Ivan", source_code="NOPE"), UnknownCode),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    services: Services, draft: LeadDraft, error: type
) -> None:
    with pytest.raises(error):
        await services.leads.create(draft)
    assert await count(services, Lead) == 0
    assert await count(services, Outbox) == 0


async def test_excluded_phone_creates_nothing_and_is_counted(services: Services, admin: Actor) -> None:
    await services.exclusions.add("+7 916 123 45 67", admin, "spam")
    outcome = await services.leads.create(LeadDraft(name="Spammer", phones=["89161234567"]))
    assert outcome.excluded and outcome.lead is None
    assert await count(services, Lead) == 0
    assert await count(services, Outbox) == 0
    async with services.ctx.reading() as session:
        assert await session.scalar(select(Exclusion.hits)) == 1


async def test_same_external_id_returns_the_first_lead(services: Services) -> None:
    first = await services.leads.create(LeadDraft(name="Ivan", external_id="ext-1", source_code="WEB"))
    again = await services.leads.create(LeadDraft(name="Ivan", external_id="ext-1", source_code="WEB"))
    assert again.lead is not None and first.lead is not None
    assert (again.created, again.lead.id) == (False, first.lead.id)
    assert await count(services, Lead) == 1


async def test_concurrent_retries_with_one_external_id_create_one_lead(services: Services) -> None:
    drafts = [LeadDraft(name="Ivan", external_id="same", source_code="WEB") for _ in range(10)]
    outcomes = await asyncio.gather(*(services.leads.create(d) for d in drafts))
    assert len({o.lead.id for o in outcomes if o.lead}) == 1
    assert sum(o.created for o in outcomes) == 1
    assert await count(services, Lead) == 1


async def test_known_phone_marks_repeat_and_links_the_contact(services: Services, admin: Actor) -> None:
    lead = await new_lead(services, name="Ivan Petrov", emails=["ivan@mail.ru"])
    await services.conversion.convert(lead.id, ConvertRequest(contact=True), admin)
    again = await services.leads.create(
        LeadDraft(name="Ivan", phones=["89161234567"], emails=["new@mail.ru"])
    )
    assert again.lead is not None
    assert again.lead.is_repeat and again.lead.contact_id is not None
    assert again.matches[0].type is OwnerType.CONTACT
    async with services.ctx.reading() as session:
        contact_emails = set(
            await session.scalars(
                select(Communication.normalized).where(
                    Communication.owner_type == OwnerType.CONTACT,
                    Communication.owner_id == again.lead.contact_id,
                )
            )
        )
    assert "new@mail.ru" in contact_emails


async def test_take_and_already_taken(services: Services, anna: Actor, boris: Actor) -> None:
    lead = await new_lead(services)
    taken = await services.leads.take(lead.id, anna)
    assert taken.assignee_id == anna.id and taken.taken_at is not None
    with pytest.raises(AlreadyTaken) as refusal:
        await services.leads.take(lead.id, boris)
    assert refusal.value.params["owner"] == "Anna"
    assert await lead_history(services, lead.id) == [
        ("created", None, None, None),
        ("taken", "assignee_id", None, str(anna.id)),
    ]


async def test_two_simultaneous_takes_have_exactly_one_winner(
    services: Services, anna: Actor, boris: Actor
) -> None:
    for _ in range(5):
        lead = await new_lead(services)
        results = await asyncio.gather(
            services.leads.take(lead.id, anna), services.leads.take(lead.id, boris), return_exceptions=True
        )
        winners = [r for r in results if isinstance(r, Lead)]
        losers = [r for r in results if isinstance(r, AlreadyTaken)]
        assert (len(winners), len(losers)) == (1, 1), results
        async with services.ctx.reading() as session:
            stored = await session.get(Lead, lead.id)
            taken_rows = await session.scalar(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.entity_id == lead.id, HistoryEntry.action == "taken")
            )
        assert stored is not None and stored.assignee_id == winners[0].assignee_id
        assert taken_rows == 1


async def test_stale_card_version_is_refused(services: Services, anna: Actor) -> None:
    lead = await new_lead(services)
    await services.leads.change_status(lead.id, "IN_PROCESS", anna, expected_version=lead.version)
    with pytest.raises(StaleLead):
        await services.leads.change_status(lead.id, "PROCESSED", anna, expected_version=lead.version)


async def test_manager_cannot_touch_another_managers_lead(
    services: Services, anna: Actor, boris: Actor
) -> None:
    lead = await new_lead(services, assignee_id=anna.id)
    for action in (
        services.leads.change_status(lead.id, "IN_PROCESS", boris),
        services.leads.junk(lead.id, "SPAM", boris),
        services.leads.exclude(lead.id, boris),
        services.leads.edit(lead.id, LeadEdit(name="Hacked"), boris),
        services.conversion.convert(lead.id, ConvertRequest(deal=True), boris),
        services.leads.assign(lead.id, boris.id, boris),
    ):
        with pytest.raises(Forbidden):
            await action
    async with services.ctx.reading() as session:
        stored = await session.get(Lead, lead.id)
    assert stored is not None and (stored.status_code, stored.name, stored.version) == (
        "NEW",
        "Ivan",
        lead.version,
    )


async def test_supervisor_reassigns_and_the_new_owner_is_notified(
    services: Services, anna: Actor, boris: Actor, supervisor: Actor
) -> None:
    lead = await new_lead(services, assignee_id=anna.id)
    await services.leads.assign(lead.id, boris.id, supervisor)
    async with services.ctx.reading() as session:
        alerts = list(await session.scalars(select(Outbox.chat_id).where(Outbox.kind == "lead_alert")))
    assert boris.telegram_id in alerts


async def test_status_only_within_the_directory_and_never_final(services: Services, anna: Actor) -> None:
    lead = await new_lead(services)
    with pytest.raises(UnknownCode):
        await services.leads.change_status(lead.id, "NO_SUCH", anna)
    with pytest.raises(FinalStatusNeedsAction):
        await services.leads.change_status(lead.id, "CONVERTED", anna)
    with pytest.raises(FinalStatusNeedsAction):
        await services.leads.change_status(lead.id, "JUNK", anna)
    changed = await services.leads.change_status(lead.id, "IN_PROCESS", anna)
    assert changed.status_code == "IN_PROCESS"
    assert ("status", "status_code", "NEW", "IN_PROCESS") in await lead_history(services, lead.id)


async def test_junk_needs_a_reason(services: Services, anna: Actor) -> None:
    lead = await new_lead(services)
    with pytest.raises(ReasonRequired):
        await services.leads.junk(lead.id, None, anna)
    with pytest.raises(UnknownCode):
        await services.leads.junk(lead.id, "BECAUSE", anna)
    junked = await services.leads.junk(lead.id, "WRONG_NUMBER", anna)
    assert (junked.status_code, junked.junk_reason_code) == ("JUNK", "WRONG_NUMBER")
    with pytest.raises(LeadClosed):
        await services.leads.take(lead.id, anna)


async def test_exclude_blocks_the_caller_from_every_later_lead(services: Services, anna: Actor) -> None:
    lead = await new_lead(services, emails=["spam@spam.com"])
    added = await services.leads.exclude(lead.id, anna)
    assert {e.normalized for e in added} == {"+79161234567", "spam@spam.com"}
    async with services.ctx.reading() as session:
        stored = await session.get(Lead, lead.id)
    assert stored is not None and (stored.status_code, stored.junk_reason_code) == ("JUNK", "SPAM")
    again = await services.leads.create(LeadDraft(name="Again", phones=["8 916 123 45 67"]))
    by_mail = await services.leads.create(LeadDraft(name="Again", emails=["SPAM@spam.com"]))
    assert again.excluded and by_mail.excluded


async def test_reopen_is_for_supervisors(services: Services, anna: Actor, supervisor: Actor) -> None:
    lead = await new_lead(services, assignee_id=anna.id)
    await services.leads.junk(lead.id, "UNREACHABLE", anna)
    with pytest.raises(Forbidden):
        await services.leads.reopen(lead.id, anna)
    reopened = await services.leads.reopen(lead.id, supervisor)
    assert (reopened.status_code, reopened.junk_reason_code, reopened.closed_at) == ("IN_PROCESS", None, None)


async def test_edit_logs_old_and_new_and_adds_phone(services: Services, anna: Actor) -> None:
    lead = await new_lead(services)
    await services.leads.edit(
        lead.id, LeadEdit(name="Ivan Ivanovich", amount="100", add_phones=["8 903 000-00-01"]), anna
    )
    log = await lead_history(services, lead.id)
    assert ("edited", "name", "Ivan", "Ivan Ivanovich") in log
    assert ("edited", "amount", None, "100.00") in log
    assert ("edited", "phone", None, "+79030000001") in log


async def test_comment_goes_to_history(services: Services, anna: Actor) -> None:
    lead = await new_lead(services)
    await services.leads.comment(lead.id, "Called, asks for a quote", anna)
    assert ("commented", "comment", None, "Called, asks for a quote") in await lead_history(services, lead.id)


async def test_a_comment_or_a_planned_call_is_the_first_action_and_keeps_cards_valid(
    services: Services, clock: FrozenClock, anna: Actor
) -> None:
    commented, planned, taken = [await new_lead(services, phones=[f"+7916123450{i}"]) for i in range(3)]
    clock.advance(timedelta(minutes=7))
    await services.leads.comment(commented.id, "No answer, will call back", anna)
    await services.activities.plan(planned.id, ActivityKind.CALL, clock.now() + timedelta(hours=1), anna)
    await services.leads.take(taken.id, anna)
    clock.advance(timedelta(minutes=5))
    await services.leads.comment(commented.id, "Second try", anna)  # the first action stays the first
    await services.leads.change_status(  # the card posted before the comments is still valid
        commented.id, "IN_PROCESS", anna, expected_version=commented.version
    )
    async with services.ctx.reading() as session:
        ids = [commented.id, planned.id, taken.id]
        rows = await session.execute(select(Lead.id, Lead.first_action_seconds).where(Lead.id.in_(ids)))
        assert sorted(rows.tuples()) == [(commented.id, 420), (planned.id, 420), (taken.id, 420)]


async def test_history_filters_by_user_and_period(
    services: Services, anna: Actor, clock, supervisor: Actor
) -> None:
    from datetime import timedelta

    lead = await new_lead(services)
    await services.leads.take(lead.id, anna)
    clock.advance(timedelta(hours=2))
    await services.leads.change_status(lead.id, "IN_PROCESS", supervisor)
    by_anna = await services.history.of_lead(lead.id, user_id=anna.id)
    later = await services.history.of_lead(lead.id, since=clock.now() - timedelta(minutes=1))
    assert [e.action for e in by_anna.entries] == ["taken"]
    assert [e.action for e in later.entries] == ["status"]


# --- conversion -------------------------------------------------------------------------------------


async def test_convert_to_contact_company_and_deal(services: Services, anna: Actor) -> None:
    lead = await new_lead(
        services,
        name="Ivan",
        last_name="Petrov",
        company_title="ООО «Ромашка»",
        amount="5000",
        assignee_id=anna.id,
    )
    result = await services.conversion.convert(
        lead.id, ConvertRequest(contact=True, company=True, deal=True, contact_type=ContactType.PARTNER), anna
    )
    assert result.contact is not None and result.company is not None and result.deal is not None
    assert (result.contact.full_name, result.contact.type, result.contact.company_id) == (
        "Ivan Petrov",
        ContactType.PARTNER,
        result.company.id,
    )
    assert (result.deal.amount, result.deal.contact_id, result.deal.lead_id) == (
        Decimal("5000.00"),
        result.contact.id,
        lead.id,
    )
    assert (result.lead.status_code, result.lead.deal_id, result.lead.contact_id) == (
        "CONVERTED",
        result.deal.id,
        result.contact.id,
    )
    async with services.ctx.reading() as session:
        phones = list(
            await session.scalars(
                select(Communication.normalized).where(
                    Communication.owner_type == OwnerType.CONTACT, Communication.owner_id == result.contact.id
                )
            )
        )
    assert phones == ["+79161234567"]


@pytest.mark.parametrize("name", ["1", "2", "3", "test", "+79161234567", None])
async def test_convert_refuses_a_contact_without_a_real_name(
    services: Services, anna: Actor, name: str | None
) -> None:
    lead = await new_lead(
        services, name=name, company_title="Acme" if name is None else None, assignee_id=anna.id
    )
    with pytest.raises(NameRequired):
        await services.conversion.convert(lead.id, ConvertRequest(contact=True, deal=True), anna)
    assert await count(services, Contact) == 0
    fixed = await services.conversion.convert(
        lead.id, ConvertRequest(contact=True, deal=True, contact_name="Мария Сидорова"), anna
    )
    assert fixed.contact is not None and fixed.contact.name == "Мария Сидорова"


async def test_convert_refuses_a_duplicate_contact_and_points_to_it(
    services: Services, anna: Actor, admin: Actor
) -> None:
    first = await new_lead(services, name="Ivan Petrov")
    done = await services.conversion.convert(first.id, ConvertRequest(contact=True), admin)
    second = await services.leads.create(LeadDraft(name="Ivan P", phones=["+79161234567"]), anna)
    assert second.lead is not None
    # the intake linked it; unlink-free path: a lead with another contact's phone but no link
    async with services.ctx.transaction() as session:
        stored = await session.get(Lead, second.lead.id)
        assert stored is not None
        stored.contact_id = None
    with pytest.raises(DuplicateContact) as refusal:
        await services.conversion.convert(second.lead.id, ConvertRequest(contact=True), anna)
    assert done.contact is not None and refusal.value.params["id"] == done.contact.id
    assert await count(services, Contact) == 1


async def test_linked_lead_converts_into_its_existing_contact(
    services: Services, anna: Actor, admin: Actor
) -> None:
    first = await new_lead(services, name="Ivan Petrov")
    done = await services.conversion.convert(first.id, ConvertRequest(contact=True), admin)
    second = await new_lead(services, name="Ivan", phones=["+7 916 123 45 67"], assignee_id=anna.id)
    result = await services.conversion.convert(second.id, ConvertRequest(contact=True, deal=True), anna)
    assert done.contact is not None and result.contact is not None
    assert result.contact.id == done.contact.id
    assert await count(services, Contact) == 1


async def test_link_marks_repeat_and_gives_the_contact_the_new_phone(
    services: Services, anna: Actor, admin: Actor
) -> None:
    first = await new_lead(services, name="Ivan Petrov")
    done = await services.conversion.convert(first.id, ConvertRequest(contact=True), admin)
    assert done.contact is not None
    other = await services.leads.create(LeadDraft(name="Ivan", phones=["8 (903) 111-22-33"]))
    assert other.lead is not None and not other.lead.is_repeat
    linked = await services.conversion.link(other.lead.id, anna, contact_id=done.contact.id)
    assert linked.is_repeat and linked.contact_id == done.contact.id
    recognised = await services.leads.create(LeadDraft(name="Ivan", phones=["+79031112233"]))
    assert recognised.lead is not None and recognised.lead.contact_id == done.contact.id
    assert ("linked", "contact_id", None, str(done.contact.id)) in await lead_history(services, other.lead.id)


async def test_convert_rights_creator_assignee_supervisor_admin(
    services: Services, anna: Actor, boris: Actor, supervisor: Actor
) -> None:
    lead = await new_lead(services, assignee_id=anna.id, name="Ivan Petrov")
    with pytest.raises(Forbidden):
        await services.conversion.convert(lead.id, ConvertRequest(deal=True), boris)
    result = await services.conversion.convert(lead.id, ConvertRequest(deal=True), supervisor)
    assert result.deal is not None


async def test_nothing_changes_when_convert_is_refused(services: Services, anna: Actor) -> None:
    lead = await new_lead(services, name="1", assignee_id=anna.id, amount="10")
    with pytest.raises(NameRequired):
        await services.conversion.convert(lead.id, ConvertRequest(contact=True, deal=True), anna)
    async with services.ctx.reading() as session:
        stored = await session.get(Lead, lead.id)
        deals = await session.scalar(select(func.count()).select_from(Deal))
    assert stored is not None and stored.status_code == "NEW" and deals == 0
