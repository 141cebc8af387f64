"""What goes into a subject access bundle: the records with the passages the data
protection lead hid replaced by [redacted], which files go in (and which are left out, and
why), the JSON copy, and the AES-256 zip that holds them with its one-time password.

Used by `services.subject_access.export_bundle`, which checks the role, writes the zip
beside its target and logs the disclosure; nothing here touches a session.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from desktop.domain import subject_access as rules
from desktop.domain.subject_access import REDACTED, WITHHELD_FILE
from desktop.services.subject_access_records import (
    SECTIONS,
    Field,
    FileKind,
    Gathered,
    HeldFile,
    Record,
    is_text_file,
)
from desktop.storage import blobs
from desktop.storage.models import Evidence, IssuedLetter

if TYPE_CHECKING:
    from desktop.services.subject_access import RedactionRow, RequestRow

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nosec B105  # letters to draw from, no 0/o, 1/l/i
PASSWORD_GROUPS = 5


@dataclass
class Bundle:
    records: list[Record]
    included: list[tuple[HeldFile, str]] = field(default_factory=list)  # (file, note)
    withheld: list[tuple[HeldFile, str]] = field(default_factory=list)  # (file, why)
    hidden: int = 0


def redacted_records(gathered: Gathered, redactions: Sequence[RedactionRow]) -> Bundle:
    """The records with each field's hidden passages replaced, and which files go in."""
    by_item: dict[str, list[str]] = {}
    for r in redactions:
        by_item.setdefault(r.item, []).append(r.text)
    everywhere = [r.text for r in redactions if r.text != WITHHELD_FILE]
    bundle = Bundle(records=[])
    for record in gathered.records:
        fields = []
        for one in record.fields:
            hidden = by_item.get(one.item, [])
            text = rules.redact(one.text, hidden) if hidden else one.text
            bundle.hidden += text.count(REDACTED) - one.text.count(REDACTED)
            fields.append(Field(one.item, one.label, text))
        bundle.records.append(Record(record.key, record.section, record.title, tuple(fields)))
    for held in gathered.files:
        if held.item in by_item:
            bundle.withheld.append((held, "left out by the data protection lead"))
        elif held.text is not None and rules.mentions(held.text, everywhere):
            if held.kind is FileKind.EVIDENCE and is_text_file(held.media_type):
                bundle.included.append((held, "a copy with other people's details redacted"))
            else:
                why = "it names other people; what it says is in the records, redacted"
                bundle.withheld.append((held, why))
        else:
            bundle.included.append((held, ""))
    return bundle


def json_bytes(request: RequestRow, person: str, bundle: Bundle, prepared: dt.datetime) -> bytes:
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    for record in bundle.records:
        sections.setdefault(record.section, []).append(
            {
                "record": record.key,
                "title": record.title,
                "fields": {one.label: one.text for one in record.fields},
            }
        )
    data = {
        "subject_access_request": {
            "reference": request.reference,
            "requester": request.requester_name,
            "received_on": request.received_on.isoformat(),
            "deadline": request.deadline.isoformat(),
        },
        "person": person,
        "prepared_at": prepared.isoformat(timespec="seconds"),
        "records_held": bool(bundle.records),
        "sections": [{"section": k, "records": v} for k, v in sections.items() if v],
        "files": [
            {
                "file": held.name_in_zip,
                "record": held.record_key,
                "sha256": held.sha256,
                "note": note,
            }
            for held, note in bundle.included
        ],
        "files_left_out": [
            {"record": held.record_key, "why": why} for held, why in bundle.withheld
        ],
        "passages_redacted": bundle.hidden,
    }
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


README = """Subject access bundle
=====================

records.pdf   the records held about you, to read or print
records.json  the same records, for a computer to read
letters/      the letters sent to you, as issued
evidence/     the files kept on your cases

Where [redacted] appears, words were hidden because they would identify someone else.
"""


def new_password() -> str:
    """Five groups of five letters and digits that are hard to misread (about 124 bits)."""
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(5)) for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while piece := handle.read(blobs.CHUNK):
        yield piece


def write_zip(
    out: IO[bytes], db: Session, password: str, pdf: bytes, data: bytes, bundle: Bundle,
    everywhere: Sequence[str],
) -> None:  # fmt: skip
    import pyzipper

    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode("ascii"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr("README.txt", README.encode("utf-8"))
        archive.writestr("records.pdf", pdf)
        archive.writestr("records.json", data)
        for held, note in bundle.included:
            if note and held.text is not None:  # a text file with names redacted
                archive.writestr(held.name_in_zip, rules.redact(held.text, everywhere).encode())
                continue
            column = Evidence.content if held.kind is FileKind.EVIDENCE else IssuedLetter.pdf
            with archive.open(held.name_in_zip, "w", force_zip64=held.size > 2**31) as entry:
                for piece in blobs.read_pieces(db, column, held.row_id):
                    entry.write(piece)
