"""Tables about accounts beyond `users` itself: second-factor recovery codes.

`desktop.storage.models` re-exports every class here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.base import Base
from desktop.storage.types import UTCDateTime


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor once (a lost phone). Only a
    hash is kept; `used_at` is set when it is spent."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
