"""State kept in the database rather than in the process (dialogs, form rate limits), and the nightly
housekeeping that clears what has expired."""

from datetime import timedelta

from sqlalchemy import func, select, text

from db.models import DialogState, Outbox
from leadbot.clock import FrozenClock
from leadbot.services.dialogs import DIALOG_TTL
from leadbot.services.forms import PER_WINDOW, WINDOW, FormService
from leadbot.services.maintenance import KEEP_SENT_MESSAGES
from leadbot.services.registry import Services


async def dialog_rows(services: Services) -> int:
    async with services.ctx.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(DialogState)) or 0)


async def test_state_and_data_are_kept_apart_and_cleared_together(services: Services) -> None:
    dialogs = services.dialogs
    await dialogs.set_state("fsm:1:2", "NewLead:phone")
    await dialogs.set_data("fsm:1:2", {"draft": {"name": "Иван"}, "lead_id": 7})
    await dialogs.set_state("fsm:1:2", "NewLead:email")
    assert await dialogs.state("fsm:1:2") == "NewLead:email"
    assert await dialogs.data("fsm:1:2") == {"draft": {"name": "Иван"}, "lead_id": 7}
    assert (await dialogs.state("fsm:1:3"), await dialogs.data("fsm:1:3")) == (None, {})

    await dialogs.set_state("fsm:1:2", None)  # FSMContext.clear(): state, then data
    assert await dialogs.data("fsm:1:2") == {"draft": {"name": "Иван"}, "lead_id": 7}
    await dialogs.set_data("fsm:1:2", {})
    assert await dialog_rows(services) == 0


async def test_an_abandoned_dialog_is_forgotten_and_starts_afresh(
    services: Services, clock: FrozenClock
) -> None:
    dialogs = services.dialogs
    await dialogs.set_state("fsm:1:2", "CommentText:text")
    await dialogs.set_data("fsm:1:2", {"lead_id": 7})
    clock.advance(DIALOG_TTL - timedelta(seconds=1))
    assert await dialogs.state("fsm:1:2") == "CommentText:text"
    clock.advance(timedelta(seconds=2))
    assert (await dialogs.state("fsm:1:2"), await dialogs.data("fsm:1:2")) == (None, {})

    await dialogs.set_state("fsm:1:2", "LinkSearch:query")  # the old data does not leak into a new dialog
    assert await dialogs.data("fsm:1:2") == {}
    assert await dialogs.state("fsm:1:2") == "LinkSearch:query"


async def test_form_limit_per_visitor_and_form_holds_across_instances_and_expires(
    services: Services, clock: FrozenClock
) -> None:
    site = await services.forms.add("site")
    promo = await services.forms.add("promo")
    allowed = [await services.forms.allow_submission(site, "198.51.100.1") for _ in range(PER_WINDOW)]
    another_process = FormService(services.ctx, services.leads)  # a restart, or a second instance
    assert allowed == [True] * PER_WINDOW
    assert not await another_process.allow_submission(site, "198.51.100.1")
    assert await another_process.allow_submission(site, "198.51.100.2")
    assert await another_process.allow_submission(promo, "198.51.100.1")
    clock.advance(WINDOW)
    assert await services.forms.allow_submission(site, "198.51.100.1")


async def test_nightly_forgets_old_dialogs_and_messages_and_refreshes_statistics(
    services: Services, clock: FrozenClock
) -> None:
    now = clock.now()
    form = await services.forms.add("site")
    await services.forms.allow_submission(form, "198.51.100.1")
    await services.dialogs.set_state("fsm:old", "CommentText:text")
    clock.advance(DIALOG_TTL + timedelta(minutes=1))
    await services.dialogs.set_state("fsm:fresh", "CommentText:text")
    await services.forms.allow_submission(form, "198.51.100.1")
    async with services.ctx.transaction() as session:
        session.add_all(
            [
                Outbox(kind="text", chat_id=1, payload={}, sent_at=now - KEEP_SENT_MESSAGES),  # old
                Outbox(kind="text", chat_id=2, payload={}, sent_at=clock.now() - timedelta(days=1)),
                Outbox(kind="text", chat_id=3, payload={}),  # not sent yet: never purged
            ]
        )
        sqlite = session.bind.dialect.name == "sqlite"
        if sqlite:
            await session.execute(text("DELETE FROM sqlite_stat1"))  # as before the first ANALYZE

    done = await services.maintenance.nightly()

    assert (done.dialogs_forgotten, done.messages_purged, done.form_hits_purged) == (1, 1, 1)
    assert await services.dialogs.state("fsm:fresh") == "CommentText:text"
    async with services.ctx.reading() as session:
        left = await session.scalars(select(Outbox.chat_id).order_by(Outbox.chat_id))
        assert left.all() == [2, 3]
        if sqlite:
            assert await session.scalar(text("SELECT count(*) FROM sqlite_stat1")) > 0
