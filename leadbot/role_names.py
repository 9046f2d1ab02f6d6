"""What each role is called for people: one definition for the bot and the command line."""

from __future__ import annotations

from collections.abc import Callable

from db.enums import Role
from leadbot.i18n_marker import N_, Msg

ROLE_NAMES: dict[Role, Msg] = {
    Role.ADMIN: N_("administrator"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MANAGER: N_("manager"),
}


def role_name(role: Role, translate: Callable[[str], str]) -> str:
    """The role's name in the reader's language (`translate` is the caller's gettext)."""
    return translate(ROLE_NAMES[role])
