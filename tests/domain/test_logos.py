"""Which images the trust may use as its logo."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.logos import MAX_LOGO_BYTES, check_logo
from desktop.errors import ValidationError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_check_logo() -> None:
    assert check_logo(PNG) == "image/png"
    assert check_logo(JPEG) == "image/jpeg"
    big_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_LOGO_BYTES - 8)
    assert check_logo(big_png) == "image/png"
    for bad in (b"", b"GIF89a", b"%PDF-1.7", b"<svg/>", big_png + b"\x00"):
        with pytest.raises(ValidationError) as info:
            check_logo(bad)
        assert info.value.field == "logo"
    assert MAX_LOGO_BYTES == 2 * 1024 * 1024


@given(st.binary(max_size=64))
def test_any_bytes_are_a_png_a_jpeg_or_refused(data: bytes) -> None:
    try:
        media_type = check_logo(data)
    except ValidationError as exc:
        assert exc.field == "logo"
        assert not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))
    else:
        assert media_type in ("image/png", "image/jpeg")
