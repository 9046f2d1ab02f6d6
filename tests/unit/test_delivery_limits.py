"""Telegram's limits as the delivery worker keeps them (leadbot.delivery.limits): new messages are spaced
per chat, the edit of a card is not, and nothing passes the overall and group limits."""

from __future__ import annotations

from leadbot.delivery.limits import CHAT_INTERVAL, GLOBAL_PER_SECOND, GROUP_PER_MINUTE, RateLimits

PRIVATE = 3001
GROUP = -100


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_new_message_waits_its_second_but_an_edit_goes_at_once() -> None:
    time = Seconds()
    limits = RateLimits(monotonic=time)
    limits.spend(PRIVATE)
    limits.touch(PRIVATE, 10)
    assert not limits.ready(PRIVATE) and limits.wait(PRIVATE) == CHAT_INTERVAL
    assert limits.ready(PRIVATE, edit=7)  # a card sent earlier, pressed now
    limits.spend(PRIVATE)
    limits.touch(PRIVATE, 7)
    time.now += 0.5
    assert limits.wait(PRIVATE) == 0.5  # a new message still waits a second after the edit
    assert limits.ready(PRIVATE, edit=8)


def test_one_message_is_changed_at_most_once_a_second() -> None:
    time = Seconds()
    limits = RateLimits(monotonic=time)
    limits.spend(PRIVATE)
    limits.touch(PRIVATE, 10)  # just posted (or just edited)
    time.now += 0.25
    assert not limits.ready(PRIVATE, edit=10) and limits.wait(PRIVATE, edit=10) == 0.75
    time.now += 0.75
    assert limits.ready(PRIVATE, edit=10)


def test_edits_count_towards_the_group_limit() -> None:
    time = Seconds()
    limits = RateLimits(monotonic=time)
    for message_id in range(GROUP_PER_MINUTE):
        assert limits.ready(GROUP, edit=message_id)
        limits.spend(GROUP)
        limits.touch(GROUP, message_id)
        time.now += 0.1
    assert not limits.ready(GROUP, edit=99)
    assert abs(limits.wait(GROUP, edit=99) - (60.0 - 0.1 * GROUP_PER_MINUTE)) < 1e-9


def test_edits_count_towards_the_overall_limit() -> None:
    limits = RateLimits(monotonic=Seconds())
    for chat_id in range(GLOBAL_PER_SECOND):
        limits.spend(chat_id + 1)
    assert not limits.ready(PRIVATE, edit=1) and limits.wait(PRIVATE, edit=1) == 1.0


def test_a_paused_chat_waits_for_edits_too() -> None:
    limits = RateLimits(monotonic=Seconds())
    limits.pause(PRIVATE, 7)
    assert limits.wait(PRIVATE, edit=1) == 7 and limits.wait(PRIVATE) == 7
