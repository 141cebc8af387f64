"""Evidence rules: names kept as given but for folders, sizes in words, types by content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.evidence import (
    MB,
    MediaKind,
    check_limit_mb,
    check_media_type,
    check_size,
    clean_filename,
    format_size,
    media_kind,
    media_type_for,
)
from desktop.errors import ValidationError


def test_the_size_message_names_the_size_the_limit_and_where_to_change_it() -> None:
    with pytest.raises(ValidationError) as refused:
        check_size(250 * MB, limit_mb=200)
    assert refused.value.message == (
        "This file is 250 MB; the limit is 200 MB (change it in Settings → Trust)."
    )
    with pytest.raises(ValidationError) as just_over:
        check_size(200 * MB + 5000, limit_mb=200)
    assert just_over.value.message.startswith("This file is 200.00 MB; the limit is 200 MB")
    check_size(200 * MB, limit_mb=200)  # exactly the limit is allowed
    with pytest.raises(ValidationError):
        check_size(0, limit_mb=200)


@pytest.mark.parametrize(
    ("size", "words"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1536, "1.5 KB"), (12 * MB, "12 MB")],
)
def test_sizes_in_words(size: int, words: str) -> None:
    assert format_size(size) == words


@given(st.text(min_size=1, max_size=100))
def test_a_kept_name_never_holds_a_folder_or_control_character(name: str) -> None:
    try:
        kept = clean_filename(name)
    except ValidationError as refused:
        assert refused.field == "filename"
        return
    assert "/" not in kept and "\\" not in kept
    assert kept == name.replace("\\", "/").split("/")[-1]  # otherwise exactly as given


def test_limits_and_media_types_are_checked() -> None:
    assert check_limit_mb(200) == 200
    for bad in (0, 901, True, 2.5):
        with pytest.raises(ValidationError):
            check_limit_mb(bad)  # type: ignore[arg-type]
    assert check_media_type(" Image/PNG ") == "image/png"
    with pytest.raises(ValidationError):
        check_media_type("image png")


def test_kinds_choose_the_viewer() -> None:
    assert media_kind("image/jpeg") is MediaKind.IMAGE
    assert media_kind("image/tiff") is MediaKind.OTHER  # Qt cannot draw it without plug-ins
    assert media_kind("application/pdf") is MediaKind.PDF
    assert media_kind("message/rfc822") is MediaKind.TEXT
    assert media_kind("audio/mpeg") is MediaKind.AUDIO
    assert media_kind("video/mp4") is MediaKind.VIDEO
    assert media_type_for("x.docx", b"PK\x03\x04").startswith("application/")
