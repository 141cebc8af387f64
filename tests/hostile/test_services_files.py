"""Files, hostile: empty and oversized evidence, logos and signatures, damaged images,
folders and vanished files, file names with folders in front, and export targets no disk
can take. Each is refused in words, or kept (and written back out) byte for byte."""

from __future__ import annotations

import io
import os
from functools import partial
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image

from desktop.domain.evidence import MB
from desktop.errors import NotFound, ValidationError
from desktop.services import due_export, evidence, signatures, trust
from tests.hostile.support import HYPOTHESIS, TROUBLE, World, hostile_text, outcome


def png(width: int = 60, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG_HEAD = b"\x89PNG\r\n\x1a\n"
JPEG_HEAD = b"\xff\xd8\xff"
NOT_IMAGES = {
    "empty": b"",
    "one byte": b"\x89",
    "a PNG's first bytes and nothing else": PNG_HEAD,
    "a PNG cut short": png()[:40],
    "a PNG's first bytes, then noise": PNG_HEAD + bytes(range(256)) * 4,
    "a JPEG's first bytes, then noise": JPEG_HEAD + b"junk" * 50,
    "a PDF": b"%PDF-1.4\n%%EOF",
    "text": b"a signature, honest",
    "over 2 MB": PNG_HEAD + b"\0" * (2 * MB),
}


# -- evidence ----------------------------------------------------------------------------------
def test_an_empty_evidence_file_is_refused(world: World) -> None:
    result = outcome(
        lambda: evidence.add_evidence(
            world.leader, case_id=world.case.id, filename="empty.txt", content=b""
        )
    )
    assert isinstance(result, ValidationError) and "empty" in result.message


def test_evidence_one_byte_over_the_limit_is_refused_and_at_it_kept(world: World) -> None:
    evidence.set_evidence_limit(world.admin, megabytes=1)
    try:
        over = outcome(
            lambda: evidence.add_evidence(
                world.leader, case_id=world.case.id, filename="big.bin", content=b"x" * (MB + 1)
            )
        )
        assert isinstance(over, ValidationError) and "limit is 1 MB" in over.message
        content = os.urandom(MB)
        kept = evidence.add_evidence(
            world.leader, case_id=world.case.id, filename="exact.bin", content=content
        )
        assert evidence.evidence_content(world.leader, evidence_id=kept.id) == content
    finally:
        evidence.set_evidence_limit(world.admin, megabytes=200)


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\letter.pdf", "letter.pdf"),
        ("/abs/olute/photo.jpg", "photo.jpg"),
        ("folder/", None),
        ("..", None),
        ("a/b/..", None),
        ("photo\u202egpj.exe", None),
        ("note\x00.txt", None),
        ("\ud800.txt", None),
        ("x" * 256, None),
    ],
)
def test_evidence_file_names_keep_only_their_last_part(
    world: World, given_name: str, kept: str | None
) -> None:
    result = outcome(
        lambda: evidence.add_evidence(
            world.leader, case_id=world.case.id, filename=given_name, content=b"note"
        )
    )
    if kept is None:
        assert isinstance(result, ValidationError) and result.field == "filename"
    else:
        assert not isinstance(result, Exception)
        assert evidence.get_evidence(world.leader, evidence_id=result.id).filename == kept


def test_adding_from_disk_refuses_a_folder_a_vanished_file_and_an_empty_one(
    world: World, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    cases = {
        "a folder": (tmp_path, ValidationError),
        "a file gone since it was chosen": (tmp_path / "gone.txt", NotFound),
        "an empty file": (empty, ValidationError),
        "a device that never ends": (Path("/dev/zero"), ValidationError),
    }
    for what, (path, expected) in cases.items():
        if not path.exists() and path.name != "gone.txt":
            continue  # /dev/zero on a system without it
        result = outcome(
            partial(evidence.add_evidence_file, world.leader, case_id=world.case.id, path=path)
        )
        assert isinstance(result, expected), (what, result)


def test_a_file_from_disk_with_a_hostile_name_is_kept_byte_for_byte(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "Zoë's note \u200b(copy).txt"
    path.write_bytes(b"\x00\xff" * 1000)
    row = evidence.add_evidence_file(world.leader, case_id=world.case.id, path=path)
    assert (
        row.filename == path.name
    )  # file names are kept exactly; only direction controls are refused
    assert evidence.evidence_content(world.leader, evidence_id=row.id) == path.read_bytes()


# -- the logo and signatures -------------------------------------------------------------------
@pytest.mark.parametrize("what", sorted(NOT_IMAGES))
def test_a_logo_that_is_not_a_printable_image_is_refused(world: World, what: str) -> None:
    """Damaged PNGs and JPEGs were once kept, and every letter then failed to print."""
    before = trust.get_trust_logo(world.leader)
    result = outcome(
        lambda: trust.update_trust(
            world.leader, name="Oakfield Learning Trust", address="", logo=NOT_IMAGES[what]
        )
    )
    assert isinstance(result, ValidationError) and result.field == "logo", (what, result)
    assert trust.get_trust_logo(world.leader) == before


@pytest.mark.parametrize("what", sorted(NOT_IMAGES))
def test_a_signature_that_is_not_a_printable_image_is_refused(world: World, what: str) -> None:
    result = outcome(lambda: signatures.register_signature(world.leader, image=NOT_IMAGES[what]))
    assert isinstance(result, ValidationError) and result.field == "signature", (what, result)


def test_a_good_logo_and_signature_are_kept_exactly(world: World) -> None:
    logo, signature = png(300, 100), png(400, 120)
    trust.update_trust(world.leader, name="Oakfield Learning Trust", address="", logo=logo)
    assert trust.get_trust_logo(world.leader) == logo
    mine = signatures.register_signature(world.leader, image=signature)
    assert mine.image == signature


# -- export targets ----------------------------------------------------------------------------
file_names = st.one_of(
    hostile_text,
    st.sampled_from(["..", ".", "", "a/b.ics", "x" * 256, "ü" * 128, "x" * 255, "\udcff.ics"]),
    st.lists(st.sampled_from(TROUBLE), min_size=1, max_size=4).map("".join),
)


@HYPOTHESIS
@given(name=file_names)
def test_exports_land_exactly_where_asked_or_are_refused(world: World, name: str) -> None:
    """An .ics calendar and an evidence copy: written whole at the very name given, or
    refused in words with nothing left behind. (Names with a folder in them stay inside the
    test's folder: "/x" would mean the top of the disk.)"""
    assume("/" not in name or name == "a/b.ics")
    folder = world.path.parent / f"exports-{next(world.numbers)}"
    folder.mkdir()
    to = folder / name
    kept = evidence.add_evidence(
        world.leader, case_id=world.case.id, filename="note.txt", content=b"evidence bytes"
    )
    calendar = outcome(lambda: due_export.export_ics(world.leader, to=to))
    copy = outcome(lambda: evidence.export_evidence(world.leader, evidence_id=kept.id, to=to))
    for result in (calendar, copy):
        if isinstance(result, Exception):
            assert isinstance(result, ValidationError) and result.field == "to", result
    assert isinstance(calendar, Exception) == isinstance(copy, Exception)
    if isinstance(copy, Exception):
        assert list(folder.iterdir()) == []  # nothing half-written left behind
    else:
        assert calendar.path == copy == to  # type: ignore[union-attr]
        assert [p.name for p in folder.iterdir()] == [to.name]
        assert to.read_bytes() == b"evidence bytes"


@pytest.mark.parametrize("target", ["/proc/casebook.ics", "/dev/null/x.ics", "/", "/proc"])
def test_exporting_into_a_place_no_file_can_go(world: World, target: str) -> None:
    result = outcome(lambda: due_export.export_ics(world.leader, to=Path(target)))
    assert isinstance(result, ValidationError) and result.field == "to"
