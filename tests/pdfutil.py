"""Helpers for tests that look inside the PDFs the report builders return."""

from __future__ import annotations

import pypdfium2


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, pages joined by newlines."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def pdf_page_count(data: bytes) -> int:
    """How many pages a PDF has."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()
