"""Request bodies of the HTTP intake API (DESIGN.md §6). Unknown fields are ignored, lengths capped."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
BIGINT_MAX = 2**63 - 1  # the largest id a BIGINT column holds: a bigger one is a 422, not an overflow


class LeadIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Title | None = None
    name: Short | None = None
    last_name: Short | None = None
    company: Title | None = None
    phone: Phone | None = None
    phones: list[Phone] = Field(default_factory=list, max_length=10)
    email: Email | None = None
    emails: list[Email] = Field(default_factory=list, max_length=10)
    source: Code = "WEB"
    comment: Annotated[str, StringConstraints(max_length=4000)] | None = None
    amount: Decimal | None = Field(default=None, ge=0, lt=Decimal("1e13"))
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    external_id: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] | None
    ) = None
    assignee: int | None = Field(
        default=None, ge=1, le=BIGINT_MAX, description="Telegram id of the responsible manager"
    )

    @model_validator(mode="after")
    def _someone(self) -> LeadIn:
        if not (
            self.name
            or self.last_name
            or self.company
            or self.phone
            or self.phones
            or self.email
            or self.emails
        ):
            raise ValueError("at least one of name, company, phone or email is required")
        return self

    def all_phones(self) -> list[str]:
        return [p for p in [self.phone, *self.phones] if p]

    def all_emails(self) -> list[str]:
        return [e for e in [self.email, *self.emails] if e]


class CallIn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    caller: Phone = Field(alias="from")
    callee: Phone = Field(default="", alias="to")
    direction: Literal["in", "out"] = "in"
    status: Literal["missed", "answered"] = "answered"
    duration: int = Field(default=0, ge=0, le=24 * 3600)
    external_id: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] | None
    ) = None

    @model_validator(mode="after")
    def _number(self) -> CallIn:
        if self.direction == "out" and not self.callee:
            raise ValueError("an outgoing call needs the number it went to")
        return self
