"""What every update needs before any handler, in one statement: who is acting (the active registered
user, as `UserService.find` would say) and where their dialog stands (the state, as `DialogStore.state`
would say)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, String, bindparam, literal, select

from db.models import DialogState, User
from leadbot.actor import Actor
from leadbot.services.context import ServiceContext
from leadbot.services.dialogs import live


@cache  # statements built once: building one costs about as much as running it
def _alone() -> Select[tuple[User]]:
    one = select(literal(1).label("one")).subquery()
    return select(User).select_from(one).outerjoin(User, User.telegram_id == bindparam("telegram_id"))


@cache
def _with_dialog() -> Select[tuple[User, DialogState]]:
    return (
        _alone()
        .add_columns(DialogState)
        .outerjoin(DialogState, DialogState.key == bindparam("dialog_key", type_=String))
    )


@dataclass(frozen=True)
class Arrival:
    actor: Actor | None
    state: str | None


class Arrivals:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def arrive(self, telegram_id: int, dialog_key: str | None) -> Arrival:
        """The user with this Telegram id and the dialog under `dialog_key` (None: no dialog to read),
        read together: one row, each side outer-joined to a constant so that either may be missing."""
        query = _with_dialog() if dialog_key is not None else _alone()
        async with self._ctx.reading() as session:
            row = (await session.execute(query, {"telegram_id": telegram_id, "dialog_key": dialog_key})).one()
        user: User | None = row[0]
        dialog: DialogState | None = row[1] if dialog_key is not None else None
        return Arrival(
            actor=Actor.of(user) if user is not None and user.active else None,
            state=dialog.state if dialog is not None and live(dialog, self._ctx.clock.now()) else None,
        )
