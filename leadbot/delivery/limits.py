"""Telegram's sending limits, kept in memory by the one delivery worker.

About 30 messages a second overall, one a second per chat, 20 a minute per group; a 429 pauses a chat
for the `retry_after` Telegram asked for.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

GLOBAL_PER_SECOND = 30
CHAT_INTERVAL = 1.0
GROUP_PER_MINUTE = 20


def is_group(chat_id: int) -> bool:
    return chat_id < 0


class RateLimits:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = defaultdict(deque)
        self._paused: dict[int, float] = {}

    def ready(self, chat_id: int) -> bool:
        now = self._now()
        if self._paused.get(chat_id, 0.0) > now:
            return False
        self._trim(self._global, now - 1.0)
        if len(self._global) >= GLOBAL_PER_SECOND:
            return False
        sent = self._chats[chat_id]
        self._trim(sent, now - 60.0)
        if sent and now - sent[-1] < CHAT_INTERVAL:
            return False
        return not (is_group(chat_id) and len(sent) >= GROUP_PER_MINUTE)

    def spend(self, chat_id: int) -> None:
        now = self._now()
        self._global.append(now)
        self._chats[chat_id].append(now)

    def pause(self, chat_id: int, seconds: float) -> None:
        self._paused[chat_id] = self._now() + seconds

    @staticmethod
    def _trim(stamps: deque[float], before: float) -> None:
        while stamps and stamps[0] <= before:
            stamps.popleft()
