"""Every rule of leadbot/permissions.py, one row each: who may do what to which lead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from db.enums import Role
from db.models import Lead, User
from leadbot.actor import Actor
from leadbot.errors import Forbidden
from leadbot.permissions import Permission, allowed, may_supervise, require, require_exclusion

ME, OTHER, SOMEONE = 1, 2, 3
# The lead as the acting user sees it: (creator, assignee) and whether the acting user supervises them.
LEADS: dict[str, tuple[int, int | None, bool] | None] = {
    "no lead": None,
    "nobody's": (SOMEONE, None, False),
    "mine": (SOMEONE, ME, False),
    "another's": (SOMEONE, OTHER, False),
    "I created it": (ME, OTHER, False),
    "I supervise": (SOMEONE, OTHER, True),
}
# Per permission and role, one letter per case of LEADS in order: Y allowed, - refused.
EVERYTHING, NOTHING = "YYYYYY", "------"
AS_MANAGER_TAKES = "-YY---"  # nobody's or their own
AS_CONVERTS = "--Y-YY"  # the assignee, the creator, their supervisors
RULES: dict[Permission, dict[Role, str]] = {
    Permission.TAKE: {Role.MANAGER: AS_MANAGER_TAKES, Role.SUPERVISOR: EVERYTHING},
    Permission.WORK: {Role.MANAGER: AS_MANAGER_TAKES, Role.SUPERVISOR: EVERYTHING},
    Permission.ASSIGN: {Role.MANAGER: NOTHING, Role.SUPERVISOR: EVERYTHING},
    Permission.REOPEN: {Role.MANAGER: NOTHING, Role.SUPERVISOR: EVERYTHING},
    Permission.IMPORT: {Role.MANAGER: NOTHING, Role.SUPERVISOR: EVERYTHING},
    Permission.EXPORT: {Role.MANAGER: NOTHING, Role.SUPERVISOR: EVERYTHING},
    Permission.CONVERT: {Role.MANAGER: AS_CONVERTS, Role.SUPERVISOR: AS_CONVERTS},
    Permission.MANAGE_DIRECTORIES: {Role.MANAGER: NOTHING, Role.SUPERVISOR: NOTHING},
    Permission.MANAGE_USERS: {Role.MANAGER: NOTHING, Role.SUPERVISOR: NOTHING},
    Permission.REMOVE_EXCLUSION: {Role.MANAGER: NOTHING, Role.SUPERVISOR: NOTHING},
}


def cases() -> Iterator[object]:
    for permission in Permission:
        for role in Role:
            expected = EVERYTHING if role is Role.ADMIN else RULES[permission][role]
            for case, verdict in zip(LEADS, expected, strict=True):
                yield pytest.param(permission, role, case, verdict == "Y", id=f"{permission}-{role}-{case}")


def actor(role: Role, user_id: int = ME) -> Actor:
    return Actor(id=user_id, telegram_id=100 + user_id, name=f"user {user_id}", role=role)


def lead_for(case: str) -> tuple[Lead | None, list[int]]:
    """The lead of the case, and the ids of the supervisors of its creator and assignee."""
    shape = LEADS[case]
    if shape is None:
        return None, []
    creator, assignee, supervised = shape
    return Lead(id=7, creator_id=creator, assignee_id=assignee), [ME] if supervised else [SOMEONE + 1]


def test_every_permission_has_its_rule() -> None:
    assert set(RULES) == set(Permission)
    assert all(set(by_role) == {Role.MANAGER, Role.SUPERVISOR} for by_role in RULES.values())


@pytest.mark.parametrize(("permission", "role", "case", "expected"), list(cases()))
def test_allowed(permission: Permission, role: Role, case: str, expected: bool) -> None:
    lead, supervisors = lead_for(case)
    assert allowed(actor(role), permission, lead, supervisors) is expected


@pytest.mark.parametrize(("permission", "role", "case", "expected"), list(cases()))
def test_require_refuses_exactly_what_is_not_allowed(
    permission: Permission, role: Role, case: str, expected: bool
) -> None:
    lead, supervisors = lead_for(case)
    if expected:
        require(actor(role), permission, lead, supervisors)
    else:
        with pytest.raises(Forbidden):
            require(actor(role), permission, lead, supervisors)


@pytest.mark.parametrize(
    ("role", "holders", "refused"),
    [
        (Role.MANAGER, [], False),
        (Role.MANAGER, [None], False),
        (Role.MANAGER, [ME], False),
        (Role.MANAGER, [ME, None], False),
        (Role.MANAGER, [OTHER], True),
        (Role.MANAGER, [ME, OTHER], True),
        (Role.MANAGER, [None, OTHER], True),
        (Role.SUPERVISOR, [OTHER, SOMEONE], False),
        (Role.ADMIN, [OTHER, SOMEONE], False),
    ],
)
def test_require_exclusion(role: Role, holders: list[int | None], refused: bool) -> None:
    if refused:
        with pytest.raises(Forbidden):
            require_exclusion(actor(role), holders)
    else:
        require_exclusion(actor(role), holders)


@pytest.mark.parametrize(
    ("role", "active", "boss_id", "may"),
    [
        (Role.SUPERVISOR, True, OTHER, True),
        (Role.ADMIN, True, OTHER, True),
        (Role.MANAGER, True, OTHER, False),
        (Role.SUPERVISOR, False, OTHER, False),
        (Role.ADMIN, False, OTHER, False),
        (Role.SUPERVISOR, True, ME, False),  # nobody supervises themselves
        (Role.ADMIN, True, ME, False),
    ],
)
def test_may_supervise(role: Role, active: bool, boss_id: int, may: bool) -> None:
    boss = User(id=boss_id, telegram_id=100 + boss_id, name="boss", role=role, active=active)
    user = User(id=ME, telegram_id=100 + ME, name="user", role=Role.MANAGER, active=True)
    assert may_supervise(boss, user) is may
