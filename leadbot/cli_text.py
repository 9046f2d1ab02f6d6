"""What the command line says, in its language: `leadbot --lang ru|en`, else LOCALE (as the bot's default).

`_` and `ngettext` are module functions so that pybabel finds their strings; `use_language` picks the
catalogue once per run, before the parser (its help texts are translated too) is built. argparse's own
phrases ("invalid choice", "the following arguments are required", ...) are translated through the same
catalogue: argparse looks up its module-level `_` and `ngettext` when it speaks, and the catalogue carries
them because `ARGPARSE_PHRASES` marks them for extraction.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Sequence

from leadbot.i18n_marker import N_
from leadbot.translations import DOMAIN, LANGUAGES, LOCALES_DIR

LANGUAGE_OPTION = "--lang"
ARGPARSE_PHRASES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)

_catalogue: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"  # the source strings, until use_language


class CliError(Exception):
    """A refusal already worded for the person at the terminal: one line of stderr, a non-zero exit."""


def language_option(argv: Sequence[str]) -> str | None:
    """The value of `--lang` among the global options (those before the command), if it names a language.
    An unknown value is left to the parser, which refuses it in the configured language."""
    for index, token in enumerate(argv):
        if not token.startswith("-"):
            return None
        value = argv[index + 1] if token == LANGUAGE_OPTION and index + 1 < len(argv) else None
        if token.startswith(LANGUAGE_OPTION + "="):
            value = token.partition("=")[2]
        if value is not None:
            return value if value in LANGUAGES else None
    return None


def use_language(language: str) -> None:
    global _catalogue, _language
    _language = language
    _catalogue = gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[language], fallback=True)
    setattr(argparse, "_", _catalogue.gettext)  # noqa: B010 - argparse declares no such attribute for mypy
    setattr(argparse, "ngettext", _catalogue.ngettext)  # noqa: B010


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogue.ngettext(singular, plural, count)
