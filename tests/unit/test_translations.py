"""The compiled catalogues match their sources, and every Russian string is translated."""

import gettext
from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from leadbot.translations import DOMAIN, LOCALES_DIR


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_compiled_catalogue_is_up_to_date(locale: str) -> None:
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.po").open("rb") as source:
        catalog = read_po(source, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    with (folder / f"{DOMAIN}.mo").open("rb") as shipped:
        actual = gettext.GNUTranslations(shipped)._catalog  # type: ignore[attr-defined]
    assert actual == expected, "run scripts/update-translations.sh"


def test_every_russian_string_is_translated() -> None:
    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        catalog = read_po(source, locale="ru")
    missing = [
        message.id
        for message in catalog
        if message.id and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert missing == []
