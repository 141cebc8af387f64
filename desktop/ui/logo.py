"""Choosing and previewing the trust's logo: shared by the setup wizard and Settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.logos import check_logo
from desktop.errors import ValidationError
from desktop.ui.messages import Messenger

LOGO_FILTER = "Images (*.png *.jpg *.jpeg)"


def pick_logo(parent: QWidget) -> bytes | None:
    """Ask for an image file and return its bytes; None if the person cancels.

    Raises ValidationError (wrong type, too large, undecodable) or OSError (unreadable).
    """
    path = Messenger.open_path(parent, "Choose the trust's logo", LOGO_FILTER)
    if path is None:
        return None
    data = path.read_bytes()
    check_logo(data)
    if not QPixmap().loadFromData(data):
        raise ValidationError("That image is damaged or cannot be read. Try another.", "logo")
    return data


def show_logo(label: QLabel, data: bytes | None) -> bool:
    """Show the logo scaled into `label`, or "No logo"; returns whether one is shown."""
    pixmap = QPixmap()
    if not data or not pixmap.loadFromData(data):
        label.clear()
        label.setText("No logo")
        return False
    room = label.contentsRect().size()
    label.setPixmap(
        pixmap.scaled(
            max(1, room.width() - 8),
            max(1, room.height() - 8),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )
    return True
