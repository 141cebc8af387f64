"""Two additions to ReportLab for Casebook's reports, each saving work on every document.

`FooterCanvas` prints "Page x of y" in one pass of the layout, instead of laying the
document out once to count its pages and again to print it. `keep_font_subsets` makes a
TrueType face keep the font programs it embeds, which ReportLab would otherwise cut out of
the font file and compress again for every document.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from typing import Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFStream,
    PDFZCompress,
)
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFontFace
from reportlab.pdfgen.canvas import Canvas

KEPT_SUBSETS = 32
"""Font programs kept per face. Letters in English share one (ASCII and a middle dot);
each name with other letters in it (Zoë, Łukasz, Ахмед) makes another."""


class FooterCanvas(Canvas):
    """A canvas that holds each finished page back until the document is saved, then
    draws `footer(canvas, total_pages)` on it, so a footer can say "Page x of y".

    Use it as `doc.build(story, canvasmaker=functools.partial(FooterCanvas, footer=...))`.
    The footer is drawn last on its page, so it must not be what the body flows around.
    """

    def __init__(self, *args: Any, footer: Callable[[Canvas, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        # The page's drawing and state, as Canvas.showPage would have closed them.
        self._held.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # not in the stubs

    def save(self) -> None:
        if self._code:  # type: ignore[attr-defined]  # drawn since the last page closed
            self.showPage()
        total = len(self._held)
        for page in self._held:
            self.__dict__.update(page)
            self._footer(self, total)
            super().showPage()
        super().save()


def keep_font_subsets(face: TTFontFace) -> None:
    """Make the face keep the last `KEPT_SUBSETS` font programs it embedded, compressed,
    by the characters each holds. Cutting a subset out of DejaVu Sans and compressing it
    is the costliest step of a letter, though most letters need the same glyphs. The PDF
    is byte for byte the one ReportLab makes without it."""

    @functools.lru_cache(maxsize=KEPT_SUBSETS)
    def program(codes: tuple[int, ...]) -> tuple[bytes, int]:
        subset = face.makeSubset(list(codes))
        return zlib.compress(subset), len(subset)

    def add_subset_objects(doc: PDFDocument, fontname: str, subset: list[int]) -> Any:
        # ReportLab 5.1's TTFontFace.addSubsetObjects, the font program from `program`.
        font_file = PDFStream()
        if doc.compression:
            font_file.content, length = program(tuple(subset))
            font_file.dictionary["Length1"] = length
            font_file.dictionary["Filter"] = PDFArray([PDFName(PDFZCompress.pdfname)])
        else:
            font_file.content = face.makeSubset(subset)
            font_file.dictionary["Length1"] = len(font_file.content)
        name = f"fontFile:{face.filename}({fontname})"
        reference = doc.Reference(font_file, name)  # type: ignore[no-untyped-call]
        descriptor = PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": PDFArray(face.bbox),
                "FontName": PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": reference,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)  # type: ignore[no-untyped-call]

    face.addSubsetObjects = add_subset_objects  # type: ignore[method-assign]
