"""Typed callback data. Only ids, a short op and a short argument: always within Telegram's 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.numbers import DbInt

CALLBACK_LIMIT = 64


class LeadOp(StrEnum):
    TAKE = "t"
    STATUS_MENU = "sm"
    SET_STATUS = "ss"
    LINK_MENU = "lm"
    LINK_CONTACT = "lc"
    LINK_COMPANY = "lo"
    LINK_SEARCH = "lq"
    CONVERT_MENU = "cm"
    CONVERT = "cv"
    JUNK_MENU = "jm"
    JUNK = "j"
    EXCLUDE_ASK = "xa"
    EXCLUDE = "x"
    REMIND = "r"  # arg: a packed RemindChoice, filled in step by step (kind, responsible, time)
    REMIND_AT = "ra"
    REMIND_TEXT = "rt"  # the time is typed
    COMMENT = "cmt"
    HISTORY = "h"
    CARD = "c"
    OPEN = "op"
    REOPEN = "o"


class LeadCb(CallbackData, prefix="L"):
    """A press on a lead card. `v` is the lead version the card showed: any other version is stale."""

    op: LeadOp
    id: DbInt
    v: DbInt = 0
    arg: str = ""


class ListKind(StrEnum):
    STATUS = "st"
    MINE = "my"
    FOUND = "fd"
    PIPELINE = "pl"


class ListCb(CallbackData, prefix="P"):
    """A page of a lead list; `fresh` = 1 posts it as a new message (from the pipeline or a digest)."""

    kind: ListKind
    page: DbInt = 0
    arg: str = ""
    fresh: int = 0


class UserOp(StrEnum):
    SHOW = "s"
    ROLE = "r"
    SUPERVISOR = "v"
    ACTIVE = "a"
    LIST = "l"


class UserCb(CallbackData, prefix="U"):
    op: UserOp
    id: DbInt = 0
    arg: str = ""


class SettingsCb(CallbackData, prefix="S"):
    key: str
    value: str = ""


class ExclusionCb(CallbackData, prefix="E"):
    op: str  # "page" or "del"
    id: DbInt = 0
    page: DbInt = 0


class StatusAdminCb(CallbackData, prefix="A"):
    op: str  # "up", "down", "ren"
    code: str


class DraftOp(StrEnum):
    SKIP = "skip"
    SOURCE = "src"
    SAVE = "save"
    CANCEL = "cancel"


class DraftCb(CallbackData, prefix="N"):
    """A press in the /new dialog."""

    op: DraftOp
    arg: str = ""


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


class ReportCb(CallbackData, prefix="Q"):
    """A report (`name`) for a period: "" asks for it; d, w, m, 30 or c (typed)."""

    name: str
    period: str = ""
