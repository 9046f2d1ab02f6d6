"""The callback data factories: the wire contract other code relies on (a lead card's buttons are
`L<x>:<lead_id>:…`), Telegram's 64 bytes at the largest values, and forged data refused."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from db.enums import ActivityKind, ContactType
from db.types import DB_INT_MAX
from handlers.callbacks import (
    CALLBACK_LIMIT,
    LEAD_PRESSES,
    ConvertCb,
    HistoryCb,
    LinkCb,
    Party,
    RemindAtCb,
    SetStatusCb,
    lead_of,
)
from leadbot.when import Preset

BIG = DB_INT_MAX
LONGEST = [
    ConvertCb(lead_id=BIG, v=BIG, contact=True, company=True, deal=True, contact_type=ContactType.CONTRACTOR),
    RemindAtCb(lead_id=BIG, v=BIG, kind=ActivityKind.MEETING, who=BIG, preset=Preset.NEXT_MONDAY_10),
    LinkCb(lead_id=BIG, v=BIG, party=Party.COMPANY, party_id=BIG),
    SetStatusCb(lead_id=BIG, v=BIG, status="X" * 20),
    HistoryCb(lead_id=BIG, v=BIG, page=BIG),
]


@pytest.mark.parametrize("data", LONGEST, ids=lambda d: type(d).__name__)
def test_the_largest_values_fit_in_telegram_s_64_bytes(data: CallbackData) -> None:
    packed = data.pack()
    assert len(packed.encode()) <= CALLBACK_LIMIT
    assert type(data).unpack(packed) == data


def test_every_lead_press_starts_with_l_and_the_lead_id() -> None:
    prefixes = [factory.__prefix__ for factory in LEAD_PRESSES]
    assert all(prefix.startswith("L") for prefix in prefixes)
    assert len(set(prefixes)) == len(prefixes)
    assert all(next(iter(factory.model_fields)) == "lead_id" for factory in LEAD_PRESSES)
    assert [lead_of(data.pack()) for data in LONGEST] == [BIG] * len(LONGEST)


@pytest.mark.parametrize(
    "data", [None, "", "totally:forged", f"Lt:{BIG + 1}:0", "Lt:²:0", "Lt:-1:0", "Lcv:1:1:5:0:1:client"]
)
def test_forged_data_is_no_lead(data: str | None) -> None:
    assert lead_of(data) is None
