from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.types import UTCDateTime


class DialogState(Base):
    """Where a user is in a dialog that waits for typed input, and what it gathered so far.

    Kept in the database so that a restart does not drop a half-typed lead or an asked question.
    `key` is opaque to the database (the bot builds it from chat, user and thread).
    """

    __tablename__ = "dialog_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
