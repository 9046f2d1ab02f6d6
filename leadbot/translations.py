"""The gettext catalogues (ru, en) shared by the bot, the web form and the services' messages."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"
LANGUAGES = ("ru", "en")


def translator(locale: str) -> Callable[[str], str]:
    """The gettext function of one language; English (the source strings) when it has no catalogue."""
    return gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[locale], fallback=True).gettext
