"""Names, titles and comments lose invisible and deceptive characters before they are stored."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from db.enums import OwnerType, Role
from db.models import Communication, Lead, User
from leadbot.actor import Actor
from leadbot.errors import EmptyLead, NameRequired
from leadbot.normalize import visible_text
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import LeadEdit
from leadbot.services.registry import Services

RLO, PDF, ZWSP, ZWJ, BOM = "\u202e", "\u202c", "\u200b", "\u200d", "\ufeff"
INVISIBLE = [
    ZWSP,
    "\u200c",
    ZWJ,
    "\u200e",
    "\u200f",
    "\u202a",
    RLO,
    "\u2066",
    "\u2069",
    BOM,
    "\u2060",
    "\u00ad",
    "\x00",
    "\x1b",
    "\x7f",
    "\u3164",
]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_dropped(char: str) -> None:
    assert visible_text(f"An{char}na") == "Anna"
    assert visible_text(char * 3) == ""


def test_a_right_to_left_override_cannot_disguise_a_name() -> None:
    assert visible_text(f"{RLO}gpj.exe{PDF} Ivan") == "gpj.exe Ivan"


def test_comments_keep_their_lines_and_lose_other_controls() -> None:
    comment = visible_text("one\r\ntwo\rthree\u2028four\x00\x1b[31m", multiline=True)
    assert comment == "one\ntwo\nthree\nfour[31m"
    assert visible_text("one\ntwo\tthree") == "one two three"


@given(st.text())
def test_nothing_invisible_or_controlling_survives(text: str) -> None:
    for multiline in (False, True):
        cleaned = visible_text(text, multiline=multiline)
        assert cleaned == cleaned.strip()
        assert not [ch for ch in cleaned if (ch < " " and ch != "\n") or "\u200b" <= ch <= "\u200f"]
        assert "\n" not in cleaned or multiline
        assert visible_text(cleaned, multiline=multiline) == cleaned


async def stored_lead(services: Services, lead_id: int) -> Lead:
    async with services.ctx.reading() as session:
        lead = await session.get(Lead, lead_id)
    assert lead is not None
    return lead


async def test_lead_texts_are_stored_visible(services: Services) -> None:
    outcome = await services.leads.create(
        LeadDraft(
            title=f"{BOM}Order",
            name=f"{RLO}Ivan{PDF}",
            last_name="Pet\x00rov",
            company_title=f"Acme{ZWSP}",
            phones=[f"{RLO}12-34"],
            comment="line 1\r\nline 2\x07",
        )
    )
    assert outcome.lead is not None
    lead = await stored_lead(services, outcome.lead.id)
    assert (lead.title, lead.name, lead.last_name, lead.company_title, lead.comment) == (
        "Order",
        "Ivan",
        "Petrov",
        "Acme",
        "line 1\nline 2",
    )
    async with services.ctx.reading() as session:
        raw = await session.scalar(
            select(Communication.raw).where(
                Communication.owner_type == OwnerType.LEAD, Communication.owner_id == lead.id
            )
        )
    assert raw == "12-34"


async def test_a_name_of_invisible_characters_is_no_name(services: Services) -> None:
    with pytest.raises(EmptyLead):
        await services.leads.create(LeadDraft(name=ZWSP * 3, last_name=f"{RLO}\x00", company_title=BOM))
    outcome = await services.leads.create(LeadDraft(name=ZWSP + ZWJ, phones=["+79161234567"]))
    assert outcome.lead is not None and outcome.lead.name is None


async def test_edits_and_conversion_are_cleaned_too(services: Services, anna: Actor) -> None:
    outcome = await services.leads.create(LeadDraft(name="1", phones=["+79161234567"], assignee_id=anna.id))
    assert outcome.lead is not None
    edited = await services.leads.edit(outcome.lead.id, LeadEdit(post="\u2066CEO\u2069"), anna)
    assert edited.post == "CEO"
    with pytest.raises(NameRequired):
        await services.conversion.convert(
            outcome.lead.id, ConvertRequest(contact=True, contact_name=ZWSP * 2), anna
        )
    done = await services.conversion.convert(
        outcome.lead.id,
        ConvertRequest(
            contact=True, company=True, contact_name=f"{RLO}Maria Sidorova", company_title=f"{ZWSP}Acme"
        ),
        anna,
    )
    assert done.contact is not None and done.company is not None
    assert (done.contact.name, done.company.title) == ("Maria Sidorova", "Acme")


async def test_user_names_from_telegram_are_cleaned(services: Services, admin: Actor) -> None:
    added = await services.users.add(4001, Role.MANAGER, f"{RLO}nimda\x00")
    code = await services.users.create_invite(Role.MANAGER, admin)
    invited = await services.users.accept_invite(code, 4002, ZWSP * 4)
    assert (added.name, invited.name) == ("nimda", "id4002")
    async with services.ctx.reading() as session:
        names = set(await session.scalars(select(User.name)))
    assert not [name for name in names if RLO in name or ZWSP in name or "\x00" in name]
