"""What counts as a real name for a contact (sales rule: no bare phones, no "1", "2", "test")."""

import re

from leadbot.normalize import looks_like_email

PLACEHOLDER_NAMES = frozenset(
    {
        "test",
        "тест",
        "client",
        "клиент",
        "customer",
        "покупатель",
        "заказчик",
        "name",
        "имя",
        "noname",
        "no name",
        "без имени",
        "unknown",
        "неизвестно",
        "неизвестный",
        "аноним",
        "anonymous",
        "user",
        "пользователь",
        "контакт",
        "contact",
        "lead",
        "лид",
        "new",
        "новый",
        "x",
        "xx",
        "xxx",
        "asdf",
        "qwerty",
        "йцукен",
        "nobody",
        "none",
        "null",
        "нет",
        "-",
        "?",
    }
)
_LETTER = re.compile(r"[^\W\d_]")


def is_real_name(text: str | None) -> bool:
    if not text:
        return False
    name = " ".join(text.split())
    if len(name) < 2 or not _LETTER.search(name) or looks_like_email(name):
        return False
    return name.casefold() not in PLACEHOLDER_NAMES
