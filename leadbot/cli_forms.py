"""`leadbot forms add|list`: web-to-lead forms served at /forms/KEY."""

from __future__ import annotations

import argparse
import asyncio

from leadbot.cli_text import _
from leadbot.config import Settings
from leadbot.services.registry import open_services


def forms_command(settings: Settings, args: argparse.Namespace) -> str:
    return asyncio.run(_forms(settings, args))


async def _forms(settings: Settings, args: argparse.Namespace) -> str:
    async with open_services(settings, must_exist=True) as services:
        service = services.forms
        if args.forms_command == "add":
            form = await service.add(
                args.key,
                source=args.source,
                redirect=args.redirect,
                assignee_telegram_id=args.assignee,
                title=args.title,
            )
            url = f"http://{settings.http_host}:{settings.http_port}/forms/{form.key}"
            return _("Form {key} is ready: {url}").format(key=form.key, url=url)
        forms = await service.all()
    lines = [f"{form.key}\t{form.source_code}\t{form.redirect_url or '-'}" for form in forms]
    return "\n".join(lines) or _("No forms yet: add one with leadbot forms add KEY")
