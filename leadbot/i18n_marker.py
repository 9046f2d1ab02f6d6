"""Marks strings for translation without importing the UI layer (extracted with `-k N_`)."""


def N_(message: str) -> str:
    return message
