"""Whether a lead still waits for someone: the rule behind "nobody took it" nudges."""

from __future__ import annotations

from leadbot.services.queries import LeadCard


def still_waiting(card: LeadCard) -> bool:
    """Open and nobody's: a nudge about a lead taken or closed meanwhile would be noise."""
    return card.is_open and card.assignee is None
