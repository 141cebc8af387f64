"""The calendar as an `.ics` file for Outlook or another calendar program (audited).

By default each event carries only the case reference and the kind: the file is not
encrypted. Each item keeps its UID from one export to the next (its kind and record, and
the store's id), so importing a newer file moves an event whose date changed instead of
adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.dates import uk_today, utc_now
from desktop.domain.due import DueItem, DueState
from desktop.errors import ValidationError
from desktop.services import audit, exports
from desktop.services.due import DueView, due_items
from desktop.services.session import UserSession

MAX_EXPORT_DAYS = 3660


@dataclass(frozen=True)
class ExportedCalendar:
    path: Path
    events: int
    with_names: bool


def calendar_text(
    items: Sequence[DueItem], *, store_id: str, with_names: bool, stamp: dt.datetime
) -> bytes:
    """An iCalendar file of these items: all-day events whose UIDs stay the same from one
    export to the next (the item's kind and record, and the store), so a calendar program
    moves an event whose date changed instead of adding a second one."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Casebook//Parent Code of Conduct calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Casebook reviews and deadlines")
    sequence = int(stamp.timestamp() // 60)  # rises with every export, so updates win
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid_key}@{store_id}.casebook")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        late = " (overdue)" if item.state is DueState.OVERDUE else ""
        summary = f"{item.reference}: {item.kind.label}{late}"
        description = item.resolves + "."
        if with_names:
            summary += f" — {item.subject}" if item.subject else ""
            if item.owner:
                description += f" Owner: {item.owner}."
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def export_ics(
    session: UserSession,
    *,
    to: Path,
    days: int = 90,
    with_names: bool = False,
    today: dt.date | None = None,
) -> ExportedCalendar:
    """Save the open items of the next `days` days (and every overdue one) as an `.ics`
    file for Outlook or another calendar; audited. Without `with_names` the file carries
    case references and kinds only: it is not encrypted."""
    if not 1 <= days <= MAX_EXPORT_DAYS:
        raise ValidationError(f"Export between 1 and {MAX_EXPORT_DAYS} days ahead.", "days")
    to = exports.check_target(to)
    today = today or uk_today()
    ahead = min(days, (dt.date.max - today).days)  # the calendar ends in 9999
    view = DueView(start=today, end=today + dt.timedelta(days=ahead))
    items = [i for i in due_items(session, view=view, today=today) if i.state is not DueState.DONE]
    payload = calendar_text(
        items, store_id=session.store.identity.store_id, with_names=with_names, stamp=utc_now()
    )
    with exports.exporting(to) as out, session.transaction(write=True) as db:
        out.write(payload)
        audit.record(
            db,
            session.actor,
            "calendar.exported",
            detail={"events": len(items), "days": days, "with_names": with_names},
        )
        out.place()
    return ExportedCalendar(to, len(items), with_names)
