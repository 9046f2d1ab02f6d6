"""Which column means what: our own headers, Bitrix24's field codes and its Russian headers."""

from __future__ import annotations

import difflib
import re

from leadbot.errors import DomainError
from leadbot.i18n_marker import N_

# field → the header spellings that mean it (compared after `header_key`)
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("title", "название лида", "название", "lead title"),
    "name": ("name", "имя", "first name"),
    "last_name": ("last_name", "фамилия", "last name"),
    "second_name": ("second_name", "отчество", "middle name"),
    "full_name": ("full_name", "имя, фамилия", "фио", "контактное лицо", "contact"),
    "company_title": ("company_title", "company", "название компании", "компания"),
    "post": ("post", "должность", "position"),
    "phone_work": ("phone_work", "рабочий телефон", "work phone"),
    "phone_mobile": ("phone_mobile", "мобильный телефон", "mobile phone"),
    "phone_home": ("phone_home", "домашний телефон", "home phone"),
    "phone": (
        "phone",
        "phones",
        "phone_2",
        "phone_3",
        "телефон",
        "телефоны",
        "phone_other",
        "другой телефон",
    ),
    "email_work": ("email_work", "рабочий email", "work email"),
    "email_home": ("email_home", "частный email", "личный email", "home email"),
    "email": ("email", "emails", "email_2", "email_3", "email_other", "другой email"),
    "comment": ("comments", "comment", "комментарий", "комментарии"),
    "status": ("status_id", "status", "стадия", "статус"),
    "source": ("source_id", "source", "источник"),
    "source_description": ("source_description", "дополнительно об источнике"),
    "amount": ("opportunity", "amount", "возможная сумма", "сумма"),
    "currency": ("currency_id", "currency", "валюта"),
    "assignee": ("assigned_by_id", "assignee", "ответственный"),
    "external_id": ("external_id", "внешний id", "id"),
    "address": (
        "address",
        "адрес",
        "address_2",
        "address_city",
        "address_postal_code",
        "address_region",
        "address_province",
        "address_country",
        "город",
        "индекс",
        "страна",
        "регион",
        "область",
    ),
}
CURRENCY_NAMES = {
    "rub": "RUB",
    "рубль": "RUB",
    "российский рубль": "RUB",
    "russian ruble": "RUB",
    "руб": "RUB",
    "₽": "RUB",
    "euro": "EUR",
    "евро": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "us dollar": "USD",
    "доллар сша": "USD",
    "доллар": "USD",
    "usd": "USD",
    "$": "USD",
    "kzt": "KZT",
    "тенге": "KZT",
    "byn": "BYN",
    "белорусский рубль": "BYN",
    "uah": "UAH",
    "гривна": "UAH",
}
_NON_WORD = re.compile(r"[\s_]+")
LISTED_HEADERS = 300  # characters of a file's headers quoted in a message


class UnknownField(DomainError):
    code = "unknown_field"
    template = N_("“{value}” is not a field. The fields: {fields}.")


class MisspeltField(DomainError):
    code = "misspelt_field"
    template = N_("“{value}” is not a field: did you mean “{guess}”? The fields: {fields}.")


class MappedColumnMissing(DomainError):
    code = "mapped_column_missing"
    template = N_("The file has no column “{header}” to map. Its columns: {headers}.")


def header_key(header: str) -> str:
    """Loose header comparison: case, spaces, "ё", "e-mail"/"email"."""
    text = header.strip().lower().replace("ё", "е").replace("e-mail", "email").replace("е-mail", "email")
    return _NON_WORD.sub(" ", text).strip()


_LOOKUP = {
    header_key(spelling): field for field, spellings in FIELD_HEADERS.items() for spelling in spellings
}


def map_headers(headers: list[str], extra: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field, for the columns we understand (`extra`: the user's --mapping HEADER=FIELD,
    refused when it names a field we do not have or a column the file does not have)."""
    custom = {header_key(h): known_field(f) for h, f in (extra or {}).items()}
    present = {header_key(header) for header in headers}
    for header in extra or {}:
        if header_key(header) not in present:
            raise MappedColumnMissing(header=header[:64], headers=", ".join(headers)[:LISTED_HEADERS])
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        field = custom.get(key) or _LOOKUP.get(key)
        if field is not None:
            mapping[index] = field
    return mapping


def known_field(name: str) -> str:
    """The field a mapping names (any case), or a refusal that lists the fields and guesses the one meant."""
    field = name.strip().lower()
    if field in FIELD_HEADERS:
        return field
    fields = ", ".join(FIELD_HEADERS)
    guesses = difflib.get_close_matches(field, FIELD_HEADERS, n=1)
    if guesses:
        raise MisspeltField(value=name[:64], guess=guesses[0], fields=fields)
    raise UnknownField(value=name[:64], fields=fields)


def unused_headers(headers: list[str], columns: dict[int, str]) -> list[str]:
    """The named columns that no field reads: the import says they were left out."""
    return [header for index, header in enumerate(headers) if index not in columns and header.strip()]


def currency_code(value: str) -> str:
    text = value.strip()
    return CURRENCY_NAMES.get(text.lower(), text.upper())
