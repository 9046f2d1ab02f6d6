"""Codes stored in the database. Values are stable: they are written to rows and history."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class StatusSemantics(StrEnum):
    PROCESS = "process"
    SUCCESS = "success"
    FAILURE = "failure"


class ContactType(StrEnum):
    CLIENT = "client"
    SUPPLIER = "supplier"
    PARTNER = "partner"
    CONTRACTOR = "contractor"
    OTHER = "other"


class CommKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    TELEGRAM = "telegram"


class CommValueType(StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"
    OTHER = "other"


class OwnerType(StrEnum):
    LEAD = "lead"
    CONTACT = "contact"
    COMPANY = "company"


class ActivityKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    TASK = "task"
    COMMENT = "comment"
