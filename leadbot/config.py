"""Settings from the environment and `.env` (the contract in DESIGN.md §4)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from leadbot.errors import DomainError
from leadbot.i18n_marker import N_
from leadbot.work_hours import WorkHours

TELEGRAM_OFFICIAL_API = "https://api.telegram.org"
SETTINGS_SOURCES = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")
Language = Literal["ru", "en"]


class BadSetting(DomainError, ValueError):
    """A value a validator refuses: pydantic keeps it in its ValidationError, the command line renders it
    in the reader's language after the setting's name."""


class NotAUserId(BadSetting):
    code = "setting_not_a_user_id"
    template = N_("“{value}” is not a Telegram user id; write numbers separated by commas")


class NotANetwork(BadSetting):
    code = "setting_not_a_network"
    template = N_("“{value}” is not an IP address or network")


class UnknownRegion(BadSetting):
    code = "setting_unknown_region"
    template = N_("unknown phone region “{value}”; use a two-letter code such as RU")


class UnknownTimezone(BadSetting):
    code = "setting_unknown_timezone"
    template = N_("unknown time zone “{value}”; use an IANA name such as Europe/Moscow")


class Settings(BaseSettings):
    model_config = SETTINGS_SOURCES

    bot_token: str | None = None
    telegram_api_url: str = TELEGRAM_OFFICIAL_API
    database_url: str = "sqlite+aiosqlite:///leadbot.db"
    alert_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    default_region: str = "RU"
    timezone: str = "Europe/Moscow"
    locale: Language = "ru"
    default_currency: str = "RUB"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    api_token: str | None = None
    webhook_url: str | None = None
    sla_take_minutes: int = Field(default=5, ge=0)
    sla_escalate_minutes: int = Field(default=30, ge=0)
    work_hours: str = ""
    run_background: bool = True
    webhook_secret: str | None = None
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise NotAUserId(value=part[:32])
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        networks = []
        for part in value.replace(";", ",").split(","):
            if part.strip():
                try:
                    networks.append(ip_network(part.strip(), strict=False))
                except ValueError as error:
                    raise NotANetwork(value=part.strip()[:64]) from error
        return tuple(networks)

    @field_validator(
        "alert_chat_id", "bot_token", "api_token", "webhook_url", "webhook_secret", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise UnknownRegion(value=value[:16])
        return region

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise UnknownTimezone(value=value[:64]) from error
        return value

    @field_validator("work_hours")
    @classmethod
    def _valid_work_hours(cls, value: str) -> str:
        WorkHours.parse(value)
        return value

    @property
    def hours(self) -> WorkHours | None:
        return WorkHours.parse(self.work_hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _LanguageSetting(BaseSettings):
    model_config = SETTINGS_SOURCES

    locale: str = "ru"


def configured_language() -> Language:
    """LOCALE, read where Settings reads it, even when another setting is wrong (the message about that one
    is written in this language); the default when LOCALE itself is not ru or en (Settings says so)."""
    return "en" if _LanguageSetting().locale.strip() == "en" else "ru"
