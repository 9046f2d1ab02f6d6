"""What the delivery worker asks of the UI layer: a message ready to send, and who renders one.
Both sides import this small module, so delivery never imports the UI and the UI never imports the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram.types import InlineKeyboardMarkup


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


class Renderer(Protocol):
    """Turns ids into Telegram messages in the chat's language (implemented by the UI layer)."""

    async def lead_card(self, lead_id: int, chat_id: int, note: dict[str, Any] | None = None) -> Rendered: ...

    async def digest(self, lead_ids: Sequence[int], chat_id: int) -> Rendered: ...

    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered | None: ...
