"""aiogram's FSM storage over DialogStore, so that dialogs survive a restart of the bot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from leadbot.services.dialogs import DialogStore


class DatabaseStorage(BaseStorage):
    def __init__(self, dialogs: DialogStore) -> None:
        self._dialogs = dialogs
        self._keys = DefaultKeyBuilder(with_bot_id=True, with_business_connection_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._dialogs.set_state(self._keys.build(key), name)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._dialogs.state(self._keys.build(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise DataNotDictLikeError(f"Data must be a dict or dict-like object, got {type(data).__name__}")
        await self._dialogs.set_data(self._keys.build(key), data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._dialogs.data(self._keys.build(key))

    async def close(self) -> None:
        """Nothing to close: the database belongs to the application."""
