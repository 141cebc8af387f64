"""What the trust's reports share on the page: A4, the top and bottom margins, and the
colours of text, notes, rules and shaded rows (the board report, the chronology, the
subject access bundle, the deletion certificate). Each keeps its own side margin."""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as MM

PAGE_WIDTH, PAGE_HEIGHT = A4
TOP = 22 * MM
BOTTOM = 18 * MM
INK = HexColor("#1a1a1a")
GREY = HexColor("#555555")
RULE = HexColor("#999999")
SHADE = HexColor("#eeeeee")
