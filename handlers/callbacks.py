"""Typed callback data: one factory per action, typed fields and enums, always within Telegram's 64 bytes.

A press on a lead card is a `L…` factory whose first field is `lead_id` (wire form `L<x>:<lead_id>:…`);
`v` is the lead version the card showed: any other version is stale. A page of a list is a `P…` factory.
Data that does not unpack (forged, outdated, a number the database cannot hold) matches no handler and
is answered as an outdated button.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from db.enums import ActivityKind, ContactType, Role
from handlers.numbers import DbInt
from leadbot.errors import DomainError
from leadbot.i18n_marker import N_
from leadbot.services.reports import ReportName
from leadbot.when import Preset

CALLBACK_LIMIT = 64


class OutdatedButton(DomainError):
    """A press the bot cannot act on (its message is gone, or the button is not one of this card)."""

    code = "outdated_button"
    template = N_("This button is outdated.")


# --- a lead card and its menus -----------------------------------------------------------------------


class TakeCb(CallbackData, prefix="Lt"):
    lead_id: DbInt
    v: DbInt = 0


class CardCb(CallbackData, prefix="Lc"):
    """Back to the card's own buttons."""

    lead_id: DbInt
    v: DbInt = 0


class OpenCb(CallbackData, prefix="Lop"):
    """Post the lead's live card here (from a list, a reminder or a nudge)."""

    lead_id: DbInt


class StatusMenuCb(CallbackData, prefix="Lsm"):
    lead_id: DbInt
    v: DbInt = 0


class SetStatusCb(CallbackData, prefix="Lss"):
    lead_id: DbInt
    v: DbInt
    status: str


class JunkMenuCb(CallbackData, prefix="Ljm"):
    lead_id: DbInt
    v: DbInt = 0


class JunkCb(CallbackData, prefix="Lj"):
    lead_id: DbInt
    v: DbInt
    reason: str


class ExcludeAskCb(CallbackData, prefix="Lxa"):
    lead_id: DbInt
    v: DbInt = 0


class ExcludeCb(CallbackData, prefix="Lx"):
    lead_id: DbInt
    v: DbInt


class LinkMenuCb(CallbackData, prefix="Llm"):
    lead_id: DbInt
    v: DbInt = 0


class Party(StrEnum):
    CONTACT = "c"
    COMPANY = "o"


class LinkCb(CallbackData, prefix="Ll"):
    lead_id: DbInt
    v: DbInt
    party: Party
    party_id: DbInt


class LinkSearchCb(CallbackData, prefix="Llq"):
    lead_id: DbInt
    v: DbInt = 0


class ConvertMenuCb(CallbackData, prefix="Lcm"):
    """The convert menu with what is ticked so far (a contact and a deal, a client, at first)."""

    lead_id: DbInt
    v: DbInt = 0
    contact: bool = True
    company: bool = False
    deal: bool = True
    contact_type: ContactType = ContactType.CLIENT


class ConvertCb(CallbackData, prefix="Lcv"):
    lead_id: DbInt
    v: DbInt
    contact: bool
    company: bool
    deal: bool
    contact_type: ContactType


class RemindCb(CallbackData, prefix="Lr"):
    """The Remind menus, filled in step by step: the kind, then (supervisors) who is responsible."""

    lead_id: DbInt
    v: DbInt = 0
    kind: ActivityKind | None = None
    who: DbInt | None = None  # the responsible user; None: not chosen yet


class RemindAtCb(CallbackData, prefix="Lra"):
    lead_id: DbInt
    v: DbInt
    kind: ActivityKind
    who: DbInt | None
    preset: Preset


class RemindTextCb(CallbackData, prefix="Lrt"):
    """The time is typed."""

    lead_id: DbInt
    v: DbInt
    kind: ActivityKind
    who: DbInt | None


class CommentCb(CallbackData, prefix="Lcmt"):
    lead_id: DbInt
    v: DbInt = 0


class HistoryCb(CallbackData, prefix="Lh"):
    """`page` None: from the card (sent anew); a number: paging the history message itself."""

    lead_id: DbInt
    v: DbInt = 0
    page: DbInt | None = None


class ReopenCb(CallbackData, prefix="Lre"):
    lead_id: DbInt
    v: DbInt


LEAD_PRESSES: tuple[type[CallbackData], ...] = (
    TakeCb,
    CardCb,
    OpenCb,
    StatusMenuCb,
    SetStatusCb,
    JunkMenuCb,
    JunkCb,
    ExcludeAskCb,
    ExcludeCb,
    LinkMenuCb,
    LinkCb,
    LinkSearchCb,
    ConvertMenuCb,
    ConvertCb,
    RemindCb,
    RemindAtCb,
    RemindTextCb,
    CommentCb,
    HistoryCb,
    ReopenCb,
)


def lead_of(data: str | None) -> int | None:
    """The lead a button of a lead card is about; None for any other (or forged) data."""
    for factory in LEAD_PRESSES:
        try:
            lead_id = getattr(factory.unpack(data or ""), "lead_id", None)
        except (TypeError, ValueError):
            continue
        return lead_id if isinstance(lead_id, int) else None
    return None


# --- lists ----------------------------------------------------------------------------------------------


class ListKind(StrEnum):
    STATUS = "st"
    MINE = "my"
    FOUND = "fd"


class ListCb(CallbackData, prefix="P"):
    """A page of a lead list (`status`: of the STATUS list); `fresh` posts it as a new message (from the
    pipeline or a digest)."""

    kind: ListKind
    page: DbInt = 0
    status: str = ""
    fresh: bool = False


# --- administration and settings ------------------------------------------------------------------


class UserListCb(CallbackData, prefix="Ul"):
    pass


class UserShowCb(CallbackData, prefix="Us"):
    user_id: DbInt


class UserRoleCb(CallbackData, prefix="Ur"):
    user_id: DbInt
    role: Role


class UserBossCb(CallbackData, prefix="Uv"):
    user_id: DbInt
    boss_id: DbInt


class UserActiveCb(CallbackData, prefix="Ua"):
    user_id: DbInt
    active: bool


class SettingKey(StrEnum):
    LANGUAGE = "lang"
    ZONE = "tz"


class SettingsCb(CallbackData, prefix="S"):
    key: SettingKey
    value: str


class ExclusionOp(StrEnum):
    PAGE = "page"
    DELETE = "del"


class ExclusionCb(CallbackData, prefix="E"):
    op: ExclusionOp
    id: DbInt = 0
    page: DbInt = 0


class Move(StrEnum):
    UP = "up"
    DOWN = "down"


class StatusAdminCb(CallbackData, prefix="A"):
    op: Move
    code: str


# --- dialogs, reminders, reports ---------------------------------------------------------------------


class DraftOp(StrEnum):
    SKIP = "skip"
    SOURCE = "src"
    SAVE = "save"
    CANCEL = "cancel"


class DraftCb(CallbackData, prefix="N"):
    """A press in the /new dialog (`source`: the chosen source's code)."""

    op: DraftOp
    source: str = ""


class ReminderOp(StrEnum):
    DONE = "d"
    SNOOZE_15 = "s15"
    SNOOZE_HOUR = "s1h"
    SNOOZE_TOMORROW = "stm"
    RESCHEDULE = "r"
    DELETE = "x"


class ReminderCb(CallbackData, prefix="R"):
    op: ReminderOp
    id: DbInt


class Period(StrEnum):
    TODAY = "d"
    WEEK = "w"
    MONTH = "m"
    LAST_30 = "30"
    TYPED = "c"


class ReportCb(CallbackData, prefix="Q"):
    """A report for a period; no period: ask for it."""

    name: ReportName
    period: Period | None = None
