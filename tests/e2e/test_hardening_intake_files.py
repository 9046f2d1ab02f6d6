"""A file the importer refuses is answered in the bot with the reason (issue 11), and imports nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leadbot.app import Application
from tests.fakes.telegram import FakeTelegram, User
from tests.unit.test_hardening_intake_tables import RANDOM_BYTES, csv_with_a_long_cell, shared_strings_bomb


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("long.csv", csv_with_a_long_cell, "Row 3: a cell is longer than 131 072 characters."),
        ("random.csv", lambda: RANDOM_BYTES, "not a text table in UTF-8 or Windows-1251"),
        ("bomb.xlsx", shared_strings_bomb, "too large"),
    ],
    ids=["long-cell", "random-bytes", "xlsx-bomb"],
)
async def test_a_refused_file_is_answered_with_the_reason(
    app: Application,
    telegram: FakeTelegram,
    sveta_user: User,
    name: str,
    make: Callable[[], bytes],
    says: str,
) -> None:
    answer = await telegram.person(sveta_user).sends_file(name, make())
    assert says in answer.text
    assert (await app.services.queries.find("Petr")).total == 0
