"""Marks strings for translation without importing the UI layer (extracted with `-k N_`)."""


class Msg(str):
    """A marked message: renderers translate it (also when it is a parameter of another message)."""

    __slots__ = ()


def N_(message: str) -> Msg:
    return Msg(message)
