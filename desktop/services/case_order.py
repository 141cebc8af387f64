"""The orders the case list can be sorted in, as SQL: what each column's header sorts by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import QueryableAttribute

from desktop.domain.cases import CaseStatus, Stage
from desktop.errors import ValidationError
from desktop.services.due import next_due_on
from desktop.storage.models import Case, Person, School, case_schools


class CaseSort(StrEnum):
    """What the case list can be sorted by; nothing else reaches the ORDER BY."""

    REFERENCE = "reference"
    SUBJECT = "subject"
    SCHOOL = "school"
    STATUS = "status"
    STAGE = "stage"
    OPENED = "opened"
    NEXT_DUE = "next_due"  # the date of the case's most pressing open item; none last


@dataclass(frozen=True)
class CaseOrder:
    """A sort key and direction; cases that tie are ordered by id the same way."""

    key: CaseSort = CaseSort.OPENED
    descending: bool = True


NEWEST_FIRST = CaseOrder()
SortColumn = ColumnElement[Any] | QueryableAttribute[Any]


def _sort_columns(key: CaseSort, today: dt.date) -> list[SortColumn]:
    """The SQL for each sort key: the order of what the list shows in that column."""
    if key is CaseSort.REFERENCE:
        return [Case.ref_year, Case.ref_sequence]
    if key is CaseSort.SUBJECT:
        return [func.lower(Person.given_name), func.lower(Person.family_name)]
    if key is CaseSort.SCHOOL:  # the first of the case's schools, as the list shows them
        first_school = (
            select(func.min(School.name))
            .select_from(case_schools)
            .join(School, School.id == case_schools.c.school_id)
            .where(case_schools.c.case_id == Case.id)
            .scalar_subquery()
        )
        return [first_school]
    if key is CaseSort.STATUS:
        return [
            sql_case({s.value: s.label for s in CaseStatus}, value=Case.status, else_=Case.status)
        ]
    if key is CaseSort.STAGE:
        return [sql_case({s.value: s.label for s in Stage}, value=Case.stage, else_=Case.stage)]
    if key is CaseSort.NEXT_DUE:
        return [next_due_on(today)]
    return [Case.opened_on]


def order_by(order: CaseOrder, today: dt.date) -> list[Any]:
    """The ORDER BY for `order`: its column, then the case id the same way round."""
    try:
        key = CaseSort(order.key)
    except ValueError:
        raise ValidationError(f"Cases cannot be sorted by {order.key!r}.", "order") from None
    columns = [*_sort_columns(key, today), Case.id]
    ordered = [c.desc() if order.descending else c.asc() for c in columns]
    if key is CaseSort.NEXT_DUE:  # cases with nothing due come last either way
        ordered[0] = ordered[0].nulls_last()
    return ordered
