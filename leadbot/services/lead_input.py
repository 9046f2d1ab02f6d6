"""What a new lead or an edit carries in, validated before anything is written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import overload

from leadbot.errors import EmptyLead, InvalidAmount, InvalidValue, TooLong
from leadbot.i18n_marker import N_
from leadbot.normalize import CommValue, email_value, phone_value, visible_text

FIELD_LIMITS = {
    "title": 255,
    "name": 128,
    "second_name": 128,
    "last_name": 128,
    "company_title": 255,
    "post": 128,
    "comment": 4000,
    "source_description": 255,
    "external_id": 128,
}
FIELD_LABELS = {
    "title": N_("Title"),
    "name": N_("Name"),
    "second_name": N_("Middle name"),
    "last_name": N_("Last name"),
    "company_title": N_("Company"),
    "post": N_("Position"),
    "comment": N_("Comment"),
    "source_description": N_("Source details"),
    "external_id": N_("External id"),
}
MULTILINE_FIELDS = frozenset({"comment"})
MAX_COMMS = 10
MAX_AMOUNT = Decimal("1e13")
NEW_STATUS = "NEW"


def clean_text(field_name: str, value: str | None) -> str | None:
    """Visible, trimmed text or None (nothing left to see); refuses text over the field's limit."""
    if value is None:
        return None
    text = visible_text(value, multiline=field_name in MULTILINE_FIELDS)
    if not text:
        return None
    limit = FIELD_LIMITS[field_name]
    if len(text) > limit:
        raise TooLong(field=FIELD_LABELS[field_name], limit=limit)
    return text


def parse_amount(value: str | int | float | Decimal | None) -> Decimal | None:
    """ "15 000,50" / 15000 / Decimal → Decimal with two places; refuses anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise InvalidAmount(value=str(value)[:32]) from error
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise InvalidAmount(value=str(value)[:32])
    return amount.quantize(Decimal("0.01"))


def parse_currency(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidValue(field=N_("currency"), value=value[:16])
    return code


@overload
def currency_for(amount: Decimal, currency: str | None, default: str) -> str: ...
@overload
def currency_for(amount: Decimal | None, currency: str | None, default: str) -> str | None: ...
def currency_for(amount: Decimal | None, currency: str | None, default: str) -> str | None:
    """The currency of an amount: one given without a currency is in the default one (DEFAULT_CURRENCY);
    no amount, no currency unless one is given."""
    if currency:
        return currency
    return default if amount is not None else None


@dataclass
class LeadDraft:
    """A lead as it arrives from any intake path, before validation."""

    title: str | None = None
    name: str | None = None
    second_name: str | None = None
    last_name: str | None = None
    company_title: str | None = None
    post: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    source_code: str = "OTHER"
    source_description: str | None = None
    comment: str | None = None
    amount: Decimal | str | int | float | None = None
    currency: str | None = None
    external_id: str | None = None
    assignee_id: int | None = None
    status_code: str | None = None


@dataclass(frozen=True)
class CleanLead:
    texts: dict[str, str | None]
    comms: list[CommValue]
    amount: Decimal | None
    currency: str | None


def clean_draft(draft: LeadDraft, region: str) -> CleanLead:
    texts = {name: clean_text(name, getattr(draft, name)) for name in FIELD_LIMITS}
    comms = clean_comms(draft.phones, draft.emails, region)
    if not (texts["name"] or texts["last_name"] or texts["company_title"] or comms):
        raise EmptyLead()
    amount = parse_amount(draft.amount)
    currency = parse_currency(draft.currency)
    return CleanLead(texts=texts, comms=comms, amount=amount, currency=currency)


def clean_comms(phones: list[str], emails: list[str], region: str) -> list[CommValue]:
    """Normalised phones and e-mails without repeats; an invalid e-mail is refused, an odd phone kept raw."""
    phones = [p for p in phones if p and visible_text(p)]
    emails = [e for e in emails if e and visible_text(e)]
    if len(phones) > MAX_COMMS or len(emails) > MAX_COMMS:
        raise TooLong(field=N_("Phones and e-mails"), limit=MAX_COMMS)
    values = [phone_value(p, region) for p in phones] + [email_value(e) for e in emails]
    seen: set[tuple[str, str]] = set()
    unique = []
    for value in values:
        key = (value.kind, value.normalized or value.raw)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def fingerprint(draft: LeadDraft, clean: CleanLead) -> str:
    """A digest of the normalised request: the same lead written differently ("8 916…" or "+7916…",
    phones in another order, "1 500,50" or 1500.5) gives the same fingerprint, other data another."""
    request = {
        "texts": clean.texts,
        "comms": sorted([str(value.kind), value.normalized or value.raw] for value in clean.comms),
        "amount": None if clean.amount is None else str(clean.amount),
        "currency": clean.currency,
        "source": draft.source_code,
        "status": draft.status_code,
        "assignee": draft.assignee_id,
    }
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def new_lead_values(
    draft: LeadDraft, clean: CleanLead, *, creator_id: int | None, now: datetime, default_currency: str
) -> dict[str, object]:
    """The columns of a new lead made from a validated draft: what every intake path writes."""
    return {
        **clean.texts,
        "source_code": draft.source_code,
        "status_code": draft.status_code or NEW_STATUS,
        "assignee_id": draft.assignee_id,
        "creator_id": creator_id,
        "amount": clean.amount,
        "currency": currency_for(clean.amount, clean.currency, default_currency),
        "created_at": now,
        "updated_at": now,
        "taken_at": now if draft.assignee_id is not None else None,
    }
