"""The memory of strangers already told (issue 11, finding 15) stays bounded."""

from __future__ import annotations

from datetime import timedelta

from handlers.middlewares import StrangerRefusals
from leadbot.clock import FrozenClock
from tests.conftest import START


def test_only_the_latest_strangers_are_remembered() -> None:
    refusals = StrangerRefusals(FrozenClock(START), remember=2)
    assert [refusals.due(user) for user in (1, 2, 1, 3)] == [True, True, False, True]
    assert refusals.due(1)  # forgotten when 3 came: the one told longest ago goes first
    assert not refusals.due(3)


def test_a_crowd_of_strangers_is_told_within_a_budget_per_minute() -> None:
    clock = FrozenClock(START)
    refusals = StrangerRefusals(clock, per_minute=20)
    assert sum(refusals.due(user) for user in range(1, 2002)) == 20
    clock.advance(timedelta(minutes=1))
    assert refusals.due(5000)  # a new minute, a new budget
