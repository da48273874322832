"""Time in one place: every timestamp the project stores or compares is timezone-aware UTC."""

from __future__ import annotations

import datetime as dt
from typing import Optional, overload


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@overload
def aware(value: dt.datetime) -> dt.datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """SQLite hands datetimes back naive; everything here is UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value is not None and value.tzinfo is None else value
