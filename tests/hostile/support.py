"""Hostile input for every service that takes text, dates or files (issue 12, part 7).

What each test asks of a service given such input: a clear ValidationError (or NotFound or
NotPermitted where that is the true answer), or an exact round trip of what the domain's
cleaning rule makes of it; never any other exception.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import desktop.storage.keyvault as keyvault
from desktop.domain.text import DIRECTION_CONTROLS, DIRECTION_MARKS, JOINERS, is_text
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import categories, incidents
from desktop.services.auth import sign_in
from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import AdminDraft, SchoolDraft, SetupResult, TrustDraft, create_store
from desktop.services.users import add_user
from tests.conftest import ADMIN_PASSWORD, FAST_KDF

T = TypeVar("T")

# Modest counts: each module builds one store and the whole folder runs in well under a minute.
HYPOTHESIS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LEADER_PASSWORD = "trust leader password"
MEGABYTE_TEXT = "x" * 1_000_000
EXPECTED = (ValidationError, NotFound, NotPermitted)

# One of each kind of trouble: controls, lone surrogates (an undecodable command-line byte
# is one), private use, direction controls and marks, zero-width and other invisible
# characters, a combining mark with nothing to combine with, line and paragraph separators.
TROUBLE = (
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\t", "\n", "\r",
    "\ud800", "\udcff", "\ue000",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200e", "\u200f", "\u061c",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\U000e0041",
    "\u0301", "\u2028", "\u2029", " ",
)  # fmt: skip
WORDS = ("Ann", "Smith", "Zoë", "O'Brien", "محمد", "می", "خواهم", "क्", "ष", "Мария", "👨", "🏽")
hostile_text = st.lists(
    st.one_of(
        st.sampled_from(TROUBLE),
        st.sampled_from(WORDS),
        st.text(st.characters(exclude_categories=()), max_size=4),  # lone surrogates too
    ),
    max_size=10,
).map("".join)
# What an undecodable command line or environment variable looks like to Python.
undecodable = (
    st.binary(min_size=1, max_size=12)
    .filter(lambda raw: b"\0" not in raw)
    .map(os.fsdecode)
    .filter(lambda text: any(0xDC80 <= ord(ch) <= 0xDCFF for ch in text))
)


def shown_the_same(text: str) -> bool:
    """No character in `text` could make it show as other text: no controls, lone
    surrogates, private use, direction controls or invisible format characters (a joiner
    only between two letters of a script that uses it, checked by the text rule's tests)."""
    for ch in text:
        kind = unicodedata.category(ch)
        if ch in "\n" or ch in JOINERS or ch in DIRECTION_MARKS:
            continue
        if kind in ("Cc", "Cs", "Co", "Cf") or ch in DIRECTION_CONTROLS or ch == "\u3164":
            return False
    return True


def outcome(
    call: Callable[[], T], expected: tuple[type[Exception], ...] = EXPECTED
) -> T | Exception:
    """The call's result, or the expected error it raised, whose message can be shown as
    it is (words, and no lone surrogate echoed back); any other exception fails the test."""
    try:
        return call()
    except expected as exc:
        assert str(exc).strip() and is_text(str(exc)), repr(exc)
        return exc


@dataclass
class World:
    """One store for a test module: the administrator (a data protection lead), a trust
    leader (who may take every step), a case with an incident, and fresh names on demand."""

    result: SetupResult
    path: Path
    leader: UserSession
    case: CaseRow
    category_id: int
    incident_id: int
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def admin(self) -> UserSession:
        return self.result.session

    def fresh_case(self) -> CaseRow:
        return open_case(
            self.leader,
            given_name="Dana",
            family_name=f"Driver {next(self.numbers)}",
            relationship="parent",
            school_ids=[1],
            opened_on=dt.date(2026, 1, 5),
        )


def build_world(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
        path = tmp_path_factory.mktemp(name) / "trust.casebook"
        result = create_store(
            path,
            trust=TrustDraft(
                "Oakfield Learning Trust",
                "1 High Street\nOakfield",
                None,
                (SchoolDraft("Ash Primary", "Ash Lane", "Ann Ash"), SchoolDraft("Birch Academy")),
            ),
            admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
        )
        add_user(
            result.session,
            username="casey",
            full_name="Casey Chair",
            role="trust_leader",
            password=LEADER_PASSWORD,
        )
        leader = sign_in(path, username="casey", password=LEADER_PASSWORD)
        case = open_case(
            leader,
            given_name="Dana",
            family_name="Driver",
            relationship="parent",
            school_ids=[1],
            opened_on=dt.date(2026, 1, 5),
        )
        category_id = categories.list_categories(leader)[0].id
        incident = incidents.record_incident(
            leader,
            case_id=case.id,
            occurred_at=dt.datetime(2026, 1, 10, 15, 20),
            channel="on_site",
            description="Shouted at staff at the gate.",
            category_ids=[category_id],
        )
        yield World(result, path, leader, case, category_id, incident.id)
        leader.close()
        result.session.close()
