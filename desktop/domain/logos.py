"""Images on letters: which the trust's logo and a signatory's signature may be."""

from __future__ import annotations

from desktop.errors import ValidationError

MAX_LOGO_BYTES = 2 * 1024 * 1024
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def check_logo(data: bytes) -> str:
    """The media type of an acceptable logo (PNG or JPEG, at most 2 MB).

    Known by its first bytes, not its file name; anything else raises ValidationError
    naming the "logo" field, so the message appears beside the logo picker.
    """
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("The logo is larger than 2 MB; use a smaller image.", "logo")
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    raise ValidationError("The logo must be a PNG or JPEG image.", "logo")


def check_signature(data: bytes) -> str:
    """The media type of an acceptable signature image (PNG or JPEG, at most 2 MB)."""
    if not data:
        raise ValidationError("The signature file is empty.", "signature")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            "The signature image is larger than 2 MB; scan it at a lower resolution.",
            "signature",
        )
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    raise ValidationError("The signature must be a PNG or JPEG image.", "signature")
