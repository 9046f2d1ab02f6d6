"""Sources the bot itself assigns (codes of the seeded SOURCES directory)."""

from __future__ import annotations

FROM_TELEGRAM = "TELEGRAM"
"""A lead started from a shared Telegram contact or a forwarded message."""
