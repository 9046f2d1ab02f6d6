"""What stops `leadbot run` at start, each one line that says what to set, and what makes it wait."""

from __future__ import annotations

from leadbot.errors import DomainError
from leadbot.i18n_marker import N_


class TokenMissing(DomainError):
    code = "token_missing"
    template = N_("BOT_TOKEN is not set: put it in .env or the environment (see .env.example).")


class MalformedToken(DomainError):
    code = "malformed_token"
    template = N_("BOT_TOKEN is not a bot token (those look like 123456789:AAE…): copy it from @BotFather.")


class TokenRefused(DomainError):
    code = "token_refused"
    template = N_(
        "The Bot API at {url} refuses BOT_TOKEN ({reason}): copy the bot's token from @BotFather "
        "into BOT_TOKEN, and check TELEGRAM_API_URL if you set it."
    )


class WebhookRefused(DomainError):
    code = "webhook_refused"
    template = N_(
        "Telegram refuses WEBHOOK_URL {url} ({reason}): give a public HTTPS address that reaches this "
        "server, or leave WEBHOOK_URL empty to poll."
    )


class TelegramRefuses(DomainError):
    code = "telegram_refuses"
    template = N_("The Bot API at {url} refuses {method} ({reason}): check BOT_TOKEN and TELEGRAM_API_URL.")


class TelegramUnreachable(DomainError):
    """Not a refusal: `leadbot run` logs it and tries again."""

    code = "telegram_unreachable"
    template = N_("Cannot reach the Bot API at {url} ({reason}); trying again in {seconds} s.")


class PortInUse(DomainError):
    code = "port_in_use"
    template = N_(
        "Port {port} on {host} is already in use: stop the program that holds it, or set HTTP_PORT "
        "to a free port."
    )


class CannotListen(DomainError):
    code = "cannot_listen"
    template = N_(
        "Cannot listen on {host}:{port} ({reason}): set HTTP_HOST and HTTP_PORT to an address of "
        "this machine."
    )
