"""Large binary values (evidence files) written and read a piece at a time.

SQLite's incremental blob I/O writes a value into its row in pieces, inside the same
transaction and through the same connection, so the caller never holds the whole value:
a file can go from disk to the database a megabyte at a time. The row is first given a
value of zeros of the right length (`zeroblob`). SQLite writes that without holding it in
memory only when the column is the last of its table; `evidence.content` is not, so for
the moment of that one statement SQLite holds about twice the file's size (its zeros and
the row built from them), then lets go before the bytes are written. Moving the column
last (a table rebuild) would take even that away.

Reading back for an export goes the same way. On a database without blob I/O the value
is simply bound whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

CHUNK = 1024 * 1024


def _blob_connection(db: Session) -> Any | None:
    """The SQLite driver's connection of this transaction, if it can open blobs."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        return None
    driver = connection.connection.driver_connection
    return driver if hasattr(driver, "open_blob") else None


def _table(column: InstrumentedAttribute[bytes]) -> Table:
    table = column.class_.__table__
    assert isinstance(table, Table)
    return table


def write_pieces(
    db: Session,
    column: InstrumentedAttribute[bytes],
    row_id: int,
    size: int,
    pieces: Iterable[bytes | bytearray | memoryview],
) -> None:
    """Set `column` of row `row_id` to the `size` bytes that `pieces` yields, in order.

    The row must already exist (flushed) in this transaction. Raises ValueError (and the
    transaction should be rolled back) if the pieces do not add up to `size` bytes.
    """
    table, name = _table(column), column.key
    row = table.update().where(table.c.id == row_id)
    driver = _blob_connection(db)
    if driver is None:
        value = b"".join(bytes(piece) for piece in pieces)
        if len(value) != size:
            raise ValueError(f"{len(value)} bytes given where {size} were expected")
        db.execute(row.values({name: value}))
        return
    db.execute(row.values({name: func.zeroblob(size)}))
    written = 0
    blob = driver.open_blob(table.name, name, row_id)
    try:
        for piece in pieces:
            if written + len(piece) > size:
                raise ValueError(f"more than the {size} bytes expected")
            blob.write(piece)
            written += len(piece)
    finally:
        blob.close()
    if written != size:
        raise ValueError(f"{written} bytes given where {size} were expected")


def read_pieces(
    db: Session, column: InstrumentedAttribute[bytes], row_id: int, chunk: int = CHUNK
) -> Iterator[bytes]:
    """The value of `column` in row `row_id`, a piece at a time (none if there is no row)."""
    table, name = _table(column), column.key
    driver = _blob_connection(db)
    if driver is None:
        value = db.scalar(select(table.c[name]).where(table.c.id == row_id)) or b""
        for start in range(0, len(value), chunk):
            yield value[start : start + chunk]
        return
    if db.scalar(select(table.c.id).where(table.c.id == row_id)) is None:
        return
    blob = driver.open_blob(table.name, name, row_id, readonly=True)
    try:
        while piece := blob.read(chunk):
            yield piece
    finally:
        blob.close()
