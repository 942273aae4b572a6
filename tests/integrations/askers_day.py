"""Two reminders a day apart: one due tomorrow on the asker's clock, one due tomorrow in UTC. The
asker's zone is chosen by the hour so that the two tomorrows are never the same day (UTC+14 in the
afternoon UTC, UTC-12 in the morning): a client that does not send its zone is told UTC's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ASKERS_TOMORROW = "Return the borrowed ladder to the neighbours at number 12."
UTCS_TOMORROW = "Renew the parking permit for the street outside the office."
QUESTION = "what's due tomorrow?"


def askers_zone_and_reminders(scope: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """The asker's zone (an IANA name, for the TZ of a client's process) and the two reminders."""
    now = datetime.now(UTC)
    # Etc/GMT-14 is UTC+14 and Etc/GMT+12 is UTC-12 (the tz database's signs are POSIX's).
    name = "Etc/GMT-14" if now.hour >= 12 else "Etc/GMT+12"
    utc_noon = (now + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    local_tomorrow = now.astimezone(ZoneInfo(name)) + timedelta(days=1)
    # An hour of the asker's tomorrow that is not in UTC's tomorrow either.
    askers = next(
        at.astimezone(UTC)
        for at in (local_tomorrow.replace(hour=h, minute=0, second=0, microsecond=0) for h in (8, 20))
        if at.astimezone(UTC).date() != utc_noon.date()
    )
    due = {ASKERS_TOMORROW: askers, UTCS_TOMORROW: utc_noon}
    reminders = [
        {"type": "prospective", "content": text, "due_at": at.isoformat(), "scope": scope}
        for text, at in due.items()
    ]
    return name, reminders


def answers_the_askers_tomorrow(context: str) -> bool:
    """The asker's reminder is in the context, before UTC's if that is there at all."""
    if ASKERS_TOMORROW not in context:
        return False
    return UTCS_TOMORROW not in context or context.index(ASKERS_TOMORROW) < context.index(UTCS_TOMORROW)
