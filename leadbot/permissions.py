"""Who may do what. The one place that checks rights; every service calls it before changing anything."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from db.enums import Role
from db.models import Lead, User
from leadbot.actor import Actor
from leadbot.errors import Forbidden


class Permission(StrEnum):
    TAKE = "take"
    WORK = "work"  # status, edit, comment, link, junk, exclude, remind
    ASSIGN = "assign"
    CONVERT = "convert"
    REOPEN = "reopen"
    MANAGE_DIRECTORIES = "manage_directories"
    MANAGE_USERS = "manage_users"
    REMOVE_EXCLUSION = "remove_exclusion"
    IMPORT = "import"
    EXPORT = "export"


def allowed(
    actor: Actor, permission: Permission, lead: Lead | None = None, supervisors: Collection[int] = ()
) -> bool:
    """`supervisors`: ids of the supervisors of the lead's creator and assignee (needed for CONVERT)."""
    if actor.role is Role.ADMIN:
        return True
    match permission:
        case Permission.MANAGE_DIRECTORIES | Permission.MANAGE_USERS | Permission.REMOVE_EXCLUSION:
            return False
        case Permission.ASSIGN | Permission.REOPEN | Permission.IMPORT | Permission.EXPORT:
            return actor.role is Role.SUPERVISOR
        case Permission.TAKE | Permission.WORK:
            return actor.role is Role.SUPERVISOR or (
                lead is not None and lead.assignee_id in (None, actor.id)
            )
        case Permission.CONVERT:
            return lead is not None and (
                actor.id in (lead.creator_id, lead.assignee_id) or actor.id in supervisors
            )
    return False


def require(
    actor: Actor, permission: Permission, lead: Lead | None = None, supervisors: Collection[int] = ()
) -> None:
    if not allowed(actor, permission, lead, supervisors):
        raise Forbidden()


def require_exclusion(actor: Actor, holders: Collection[int | None]) -> None:
    """Excluding a phone or e-mail blocks every lead, contact and company that has it. As with WORK on a
    lead (the Exclude button), a manager may do it only when each of them is theirs or nobody's;
    `holders` are their assignees."""
    if actor.role is Role.MANAGER and any(holder not in (None, actor.id) for holder in holders):
        raise Forbidden()


def may_supervise(boss: User, user: User) -> bool:
    """A supervisor of `user`: another active user who is a supervisor or an admin."""
    return boss.active and boss.role is not Role.MANAGER and boss.id != user.id
