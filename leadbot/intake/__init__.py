"""Lead intake paths other than the bot: the HTTP API (and the web form and file import)."""
