"""Phones to E.164, e-mails to lower case, Telegram handles to their bare name; text without the
characters that hide or disguise it.

A phone that cannot be parsed is kept raw with no normalised value: it is shown, never matched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from db.enums import CommKind
from leadbot.errors import InvalidEmail, InvalidValue

MAX_RAW_LENGTH = 64
_TELEGRAM_HANDLE = re.compile(r"^[a-z][a-z0-9_]{4,31}$")
_PHONE_NOISE = re.compile(r"[^\d+]")
_LINE_BREAK = re.compile(r"\r\n?|[\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# Control (Cc), format (Cf: zero-width characters, bidirectional marks, overrides and isolates, the BOM,
# the soft hyphen) and surrogate code points; and letters that show as nothing (Hangul fillers).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _shown(char: str) -> bool:
    return unicodedata.category(char) not in _HIDDEN_CATEGORIES and char not in _BLANK_LETTERS


def visible_text(value: str, *, multiline: bool = False) -> str:
    """`value` as people will see it: without invisible and deceptive characters (a right-to-left
    override that shows "exe.gpj" as "jpg.exe", zero-width spaces, NUL, escape sequences), trimmed.

    Every stored name, title and comment passes through here. Line breaks are kept (as LF) when
    `multiline` (comments), otherwise they become spaces, as tabs do.
    """
    text = _LINE_BREAK.sub("\n" if multiline else " ", value).replace("\t", " ")
    return "".join(char for char in text if char == "\n" or _shown(char)).strip()


@dataclass(frozen=True, slots=True)
class CommValue:
    kind: CommKind
    raw: str
    normalized: str | None

    @property
    def recognised(self) -> bool:
        return self.normalized is not None


def _parse_valid(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw: str, region: str) -> str | None:
    """E.164 form of `raw`, or None when it is not a valid number.

    National formats use `region`; a number given with its country code but without "+"
    (as Telegram contacts often are) is recognised too.
    """
    text = raw.strip()
    if not text or len(text) > MAX_RAW_LENGTH:
        return None
    found = _parse_valid(text, region)
    if found is None and not text.startswith("+"):
        digits = _PHONE_NOISE.sub("", text)
        if len(digits) >= 8:
            found = _parse_valid("+" + digits, None)
    return found


def format_phone(e164: str) -> str:
    """Human form of an E.164 number (international, so that Telegram makes it tappable)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(raw: str) -> str:
    """Trimmed, lower-cased, validated e-mail; raises InvalidEmail."""
    text = raw.strip()
    if not text or len(text) > 254:
        raise InvalidEmail(value=text[:64])
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(value=text[:64]) from error
    return result.normalized.lower()


def normalize_telegram(raw: str) -> str:
    handle = raw.strip().removeprefix("https://t.me/").removeprefix("@").lower()
    if not _TELEGRAM_HANDLE.match(handle):
        raise InvalidValue(field="Telegram", value=raw[:64])
    return handle


def phone_value(raw: str, region: str) -> CommValue:
    text = visible_text(raw)[:MAX_RAW_LENGTH]
    return CommValue(CommKind.PHONE, text, normalize_phone(text, region))


def email_value(raw: str) -> CommValue:
    text = visible_text(raw)
    return CommValue(CommKind.EMAIL, text, normalize_email(text))


def looks_like_email(text: str) -> bool:
    return "@" in text and "." in text.rsplit("@", 1)[-1]
