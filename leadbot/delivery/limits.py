"""Telegram's sending limits, kept in memory by the one delivery worker.

About 30 messages a second overall, one a second per chat, 20 a minute per group; a 429 pauses a chat
for the `retry_after` Telegram asked for. The one-a-second rule is for new messages: the edit of a card
someone just pressed goes out at once. An edit still counts towards the overall and the group limits (and
a new message right after it still waits its second), and one message is changed at most once a second:
edits in quick succession (a card changed right after it was posted) are folded into one.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

GLOBAL_PER_SECOND = 30
CHAT_INTERVAL = 1.0
GROUP_PER_MINUTE = 20
TOUCHED_KEPT = 1000  # messages remembered before the stale ones are forgotten


def is_group(chat_id: int) -> bool:
    return chat_id < 0


class RateLimits:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = defaultdict(deque)
        self._paused: dict[int, float] = {}
        self._touched: dict[tuple[int, int], float] = {}  # (chat, message) -> when it was sent or edited

    def ready(self, chat_id: int, *, edit: int | None = None) -> bool:
        return self.wait(chat_id, edit=edit) <= 0.0

    def wait(self, chat_id: int, *, edit: int | None = None) -> float:
        """Seconds until a new message (or the edit of message `edit`) may go to the chat; 0: it may now."""
        now = self._now()
        waits = [self._paused.get(chat_id, now) - now]
        if edit is not None:
            waits.append(self._touched.get((chat_id, edit), now - CHAT_INTERVAL) + CHAT_INTERVAL - now)
        self._trim(self._global, now - 1.0)
        if len(self._global) >= GLOBAL_PER_SECOND:
            waits.append(self._global[-GLOBAL_PER_SECOND] + 1.0 - now)
        sent = self._chats[chat_id]
        self._trim(sent, now - 60.0)
        if sent and edit is None:
            waits.append(sent[-1] + CHAT_INTERVAL - now)
        if is_group(chat_id) and len(sent) >= GROUP_PER_MINUTE:
            waits.append(sent[-GROUP_PER_MINUTE] + 60.0 - now)
        return max(0.0, *waits)

    def spend(self, chat_id: int) -> None:
        now = self._now()
        self._global.append(now)
        self._chats[chat_id].append(now)

    def touch(self, chat_id: int, message_id: int) -> None:
        """The message was just sent or edited: it is not edited again within the second."""
        now = self._now()
        if len(self._touched) > TOUCHED_KEPT:
            self._touched = {key: at for key, at in self._touched.items() if at > now - CHAT_INTERVAL}
        self._touched[(chat_id, message_id)] = now

    def pause(self, chat_id: int, seconds: float) -> None:
        self._paused[chat_id] = self._now() + seconds

    @staticmethod
    def _trim(stamps: deque[float], before: float) -> None:
        while stamps and stamps[0] <= before:
            stamps.popleft()
