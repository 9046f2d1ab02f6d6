"""aiogram's FSM storage over DialogStore, so that dialogs survive a restart of the bot.

The dialog state every update starts with is read together with who is acting (`arrive`, called by
ActorMiddleware just before aiogram's FSM middleware asks for the state): one statement per update."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from leadbot.actor import Actor
from leadbot.services.arrival import Arrivals
from leadbot.services.dialogs import DialogStore

# The state read by `arrive` for this update, until the FSM middleware takes it: (built key, state).
_arrived: ContextVar[tuple[str, str | None] | None] = ContextVar("arrived_dialog", default=None)


class DatabaseStorage(BaseStorage):
    def __init__(self, dialogs: DialogStore, arrivals: Arrivals) -> None:
        self._dialogs = dialogs
        self._arrivals = arrivals
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_business_connection_id=True, with_destiny=True)

    async def arrive(self, telegram_id: int, key: StorageKey | None) -> Actor | None:
        """Who is acting, read with the dialog state under `key`; the next `get_state(key)` of this update
        answers from it instead of reading again."""
        built = self._keys.build(key) if key is not None else None
        arrival = await self._arrivals.arrive(telegram_id, built)
        _arrived.set((built, arrival.state) if built is not None else None)
        return arrival.actor

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        _arrived.set(None)
        name = state.state if isinstance(state, State) else state
        await self._dialogs.set_state(self._keys.build(key), name)

    async def get_state(self, key: StorageKey) -> str | None:
        built = self._keys.build(key)
        arrived = _arrived.get()
        if arrived is not None and arrived[0] == built:
            _arrived.set(None)  # once: later reads in this update see what handlers wrote
            return arrived[1]
        return await self._dialogs.state(built)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        _arrived.set(None)
        await self._dialogs.set_data(self._keys.build(key), data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._dialogs.data(self._keys.build(key))

    async def close(self) -> None:
        """Nothing to close: the database belongs to the application."""
