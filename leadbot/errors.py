"""Domain errors. Each carries a stable `code`, an English message template the UI translates,
and the parameters to fill it with. Services raise them; handlers, the CLI and the HTTP API render them."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any, ClassVar

from leadbot.i18n_marker import N_, Msg


def _identity(text: str) -> str:
    return text


class DomainError(Exception):
    code: ClassVar[str] = "error"
    template: ClassVar[str] = N_("The action could not be done.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.render())

    def render(self, translate: Callable[[str], str] = _identity, *, html: bool = False) -> str:
        """The message in the UI's language; marked parameters (field names) are translated too,
        user-supplied ones are HTML-escaped when `html`."""
        values = {}
        for key, value in self.params.items():
            text = translate(value) if isinstance(value, Msg) else str(value)
            values[key] = escape(text) if html else text
        return translate(self.template).format(**values)


class NotFound(DomainError):
    code = "not_found"
    template = N_("{what} #{id} was not found.")


class NotRegistered(DomainError):
    code = "not_registered"
    template = N_("You are not registered in this bot. Ask an administrator for an invitation.")


class Forbidden(DomainError):
    code = "forbidden"
    template = N_("You have no rights to do this.")


class AlreadyTaken(DomainError):
    code = "already_taken"
    template = N_("Already taken by {owner}.")


class StaleLead(DomainError):
    code = "stale"
    template = N_("The lead was changed by someone else meanwhile. Look at the refreshed card and try again.")


class LeadClosed(DomainError):
    code = "lead_closed"
    template = N_("The lead is closed. Reopen it first.")


class LeadNotClosed(DomainError):
    code = "lead_not_closed"
    template = N_("The lead is not closed.")


class UnknownCode(DomainError):
    code = "unknown_code"
    template = N_("Unknown {what}: {value}.")


class FinalStatusNeedsAction(DomainError):
    code = "final_status"
    template = N_("A lead is closed only with a reason: use Convert or Junk.")


class InvalidPhone(DomainError):
    code = "invalid_phone"
    template = N_("“{value}” is not a phone number I know. Write it with the country code: +7 916 123-45-67.")


class InvalidEmail(DomainError):
    code = "invalid_email"
    template = N_("“{value}” is not a valid e-mail address.")


class EmptyLead(DomainError):
    code = "empty_lead"
    template = N_("A lead needs at least a name, a company, a phone or an e-mail.")


class TooLong(DomainError):
    code = "too_long"
    template = N_("{field} is too long: at most {limit} characters.")


class InvalidAmount(DomainError):
    code = "invalid_amount"
    template = N_("“{value}” is not an amount. Write a number, e.g. 15000 or 15 000,50.")


class NameRequired(DomainError):
    code = "name_required"
    template = N_("A contact needs a real name: “{value}” is not one.")


class DuplicateContact(DomainError):
    code = "duplicate_contact"
    template = N_("Contact “{name}” (#{id}) already has this phone or e-mail. Link the lead to it instead.")


class DuplicateCompany(DomainError):
    code = "duplicate_company"
    template = N_("Company “{name}” (#{id}) already exists. Link the lead to it instead.")


class NothingToConvert(DomainError):
    code = "nothing_to_convert"
    template = N_("Choose what to create: a contact, a company or a deal.")


class ReasonRequired(DomainError):
    code = "reason_required"
    template = N_("A lead is closed only with a reason: choose one.")


class NothingToExclude(DomainError):
    code = "nothing_to_exclude"
    template = N_("The lead has no phone or e-mail to exclude.")


class InvalidValue(DomainError):
    code = "invalid_value"
    template = N_("Invalid {field}: {value}.")


class InviteInvalid(DomainError):
    code = "invite_invalid"
    template = N_("This invitation is unknown, used or expired. Ask an administrator for a new one.")


class InvalidTime(DomainError):
    code = "invalid_time"
    template = N_("“{value}” is not a time I understand. Try: 25.11 14:30, tomorrow 9:00, in 2h.")


class TimeInPast(DomainError):
    code = "time_in_past"
    template = N_("{value} has already passed. Choose a time in the future.")


class ActivityClosed(DomainError):
    code = "activity_closed"
    template = N_("This reminder is already done or deleted.")


class IdempotencyConflict(DomainError):
    """The external id of an earlier lead came again with other data: a retry must repeat the request."""

    code = "idempotency_conflict"
    template = N_(
        "External id “{external_id}” already belongs to lead #{id}, made from other data. "
        "Repeat a request with the same data, or give a new lead a new external id."
    )


class UserDeactivated(DomainError):
    code = "user_deactivated"
    template = N_("Your access to this bot is turned off. Ask an administrator to turn it back on.")


class InvalidTelegramId(DomainError):
    code = "invalid_telegram_id"
    template = N_("{value} is not a Telegram user id: those are positive numbers, such as 123456789.")


class LastAdmin(DomainError):
    code = "last_admin"
    template = N_(
        "{name} is the only active admin: make another user an admin first, "
        "or nobody will be able to manage the team."
    )


class UnknownEntry(DomainError):
    code = "unknown_entry"
    template = N_("Unknown {what}: {value}. Use a code or a name: {known}.")


class InvalidFormKey(DomainError):
    code = "invalid_form_key"
    template = N_(
        "“{value}” cannot be a form key: it takes 2 to 64 lower-case Latin letters, digits, “-” or “_”, "
        "the first a letter or a digit, such as contact-us."
    )


class FormExists(DomainError):
    code = "form_exists"
    template = N_("A form with the key “{key}” already exists: choose another key.")
