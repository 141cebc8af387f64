"""How tests/services/test_permissions.py calls every service, and which operation each needs.

`NEEDS` names, for each service taking a session, the operation of the permission table it
needs and how a session calls it with the least that makes a valid call, on a `World` (the
store the test builds once) and a case at Ash Primary made for that service alone. Services
that need no operation are in `NO_OPERATION`, each with the reason. A call that needs a
record first (an account to switch off, a plan to decide on) makes it as the trust's
administrator, so every role is asked about the same kind of thing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from PIL import Image, ImageDraw

from desktop.domain.injunctions import InjunctionState
from desktop.domain.roles import Operation, Role
from desktop.services import (
    audit,
    backups,
    board_report,
    case_list,
    case_people,
    casefile,
    cases,
    categories,
    due,
    due_export,
    evidence,
    issued_letters,
    letter_wording,
    people,
    policies,
    sanction_reviews,
    sanctions,
    second_factor,
    signatures,
    trust,
    users,
    users_access,
)
from desktop.services.casefile import FirstIncident, NewPerson
from desktop.services.cases import CaseRow
from desktop.services.categories import CategoryDraft
from desktop.services.sanction_reviews import Representations
from desktop.services.session import UserSession
from tests.services.scoping_calls.sanctions import LIFT, ON, PLAN, WARNING, _injunction_id
from tests.services.staffing import add_staff
from tests.services.test_scoping import CALLS as SCOPING_CALLS

ASH = 1
PASSWORD = "a new account's password"


@dataclass
class World:
    """One store for the module: its administrator, a session for every role (school roles
    at Ash Primary), and a folder for files the calls write."""

    admin: UserSession
    sessions: dict[Role, UserSession]
    folder: Path
    takers: dict[str, frozenset[Role]]  # step id -> the roles the procedure lets record it
    numbers: count[int]

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.numbers)}"

    def fresh_case(self) -> CaseRow:
        return cases.open_case(
            self.admin,
            given_name="Pat",
            family_name=self.unique("Parent"),
            relationship="parent",
            school_ids=[ASH],
            opened_on=dt.date(2026, 1, 5),
        )

    def fresh_user(self, *, active: bool = True) -> str:
        """A business manager at Ash Primary, added by the administrator; its username."""
        username = self.unique("person")
        users.add_user(
            self.admin,
            username=username,
            full_name=username.title(),
            role="business_manager",
            school_ids=[ASH],
            password=PASSWORD,
        )
        if not active:
            users_access.disable_user(self.admin, username=username)
        return username

    def fresh_person(self) -> int:
        return people.create_person(
            self.admin,
            given_name="Robin",
            family_name=self.unique("Other"),
            relation="carer",
            allow_duplicate=True,
        ).id

    def plan_id(self, case: CaseRow) -> int:
        """A communication plan on `case`, put in place by the trust leader."""
        leader = self.sessions[Role.TRUST_LEADER]
        found = sanctions.take_step(leader, case_id=case.id, draft=PLAN).restriction_id
        assert found is not None
        return found

    def letter_id(self, case: CaseRow) -> int:
        """A verbal warning's letter on `case`, issued by the trust leader."""
        leader = self.sessions[Role.TRUST_LEADER]
        found = sanctions.take_step(leader, case_id=case.id, draft=WARNING).letter_id
        assert found is not None
        return found

    def file(self, name: str) -> Path:
        """A path to write `name` at, in a folder of its own that exists."""
        where = self.folder / self.unique("files")
        where.mkdir()
        return where / name


Call = Callable[[UserSession, World, CaseRow], object]


@dataclass(frozen=True)
class Needs:
    """The operation a service needs, and how `session` calls it (with `case`, at Ash, made
    for this service alone). `step`: a step of the procedure that also limits who may."""

    operation: Operation
    call: Call
    step: str | None = None


def _on_case(name: str) -> Call:
    """Called as the scoping test calls it (tests/services/scoping_calls/)."""
    return lambda session, world, case: SCOPING_CALLS[name](session, case)


# Services that act on a case, called as the scoping test calls them.
ON_A_CASE: dict[str, Operation] = {
    "desktop.services.cases.get_case": Operation.VIEW_CASES,
    "desktop.services.scope.require_case": Operation.VIEW_CASES,
    "desktop.services.scope.require_case_by_reference": Operation.VIEW_CASES,
    "desktop.services.casefile.case_header": Operation.VIEW_CASES,
    "desktop.services.casefile.close_case": Operation.EDIT_CASES,
    "desktop.services.casefile.reopen_case": Operation.EDIT_CASES,
    "desktop.services.chronology.add_event": Operation.EDIT_CASES,
    "desktop.services.chronology.edit_event": Operation.EDIT_CASES,
    "desktop.services.chronology.event_history": Operation.VIEW_CASES,
    "desktop.services.chronology.list_events": Operation.VIEW_CASES,
    "desktop.services.chronology.list_exhibits": Operation.VIEW_CASES,
    "desktop.services.chronology.export_filename": Operation.VIEW_CASES,
    "desktop.services.chronology.chronology_pdf": Operation.VIEW_CASES,
    "desktop.services.evidence.add_evidence": Operation.EDIT_CASES,
    "desktop.services.evidence.add_evidence_file": Operation.EDIT_CASES,
    "desktop.services.evidence.list_evidence": Operation.VIEW_CASES,
    "desktop.services.evidence.get_evidence": Operation.VIEW_CASES,
    "desktop.services.evidence.evidence_content": Operation.VIEW_CASES,
    "desktop.services.evidence.thumbnail_source": Operation.VIEW_CASES,
    "desktop.services.evidence.export_evidence": Operation.VIEW_CASES,
    "desktop.services.incidents.record_incident": Operation.EDIT_CASES,
    "desktop.services.incidents.edit_incident": Operation.EDIT_CASES,
    "desktop.services.incidents.get_incident": Operation.VIEW_CASES,
    "desktop.services.incidents.list_incidents": Operation.VIEW_CASES,
    "desktop.services.incidents.targets_summary": Operation.VIEW_CASES,
    "desktop.services.incidents.list_staff": Operation.VIEW_CASES,
    "desktop.services.letter_sources.export_letter": Operation.VIEW_CASES,
    "desktop.services.issued_letters.case_letters": Operation.VIEW_CASES,
    "desktop.services.issued_letters.open_letter": Operation.VIEW_CASES,
    "desktop.services.issued_letters.save_copy": Operation.VIEW_CASES,
    "desktop.services.issued_letters.issue_correction": Operation.EDIT_CASES,
    "desktop.services.people.get_person": Operation.VIEW_CASES,
    "desktop.services.people.update_person": Operation.EDIT_CASES,
    "desktop.services.case_people.case_people": Operation.VIEW_CASES,
    "desktop.services.case_people.add_person_to_case": Operation.EDIT_CASES,
    "desktop.services.case_people.remove_person_from_case": Operation.EDIT_CASES,
    "desktop.services.case_people.link_pupil": Operation.EDIT_CASES,
    "desktop.services.case_people.unlink_pupil": Operation.EDIT_CASES,
    "desktop.services.case_people.set_voluntary_roles": Operation.EDIT_CASES,
    "desktop.services.person_rows.require_person": Operation.VIEW_CASES,
    "desktop.services.sanction_view.case_ladder": Operation.VIEW_CASES,
    "desktop.services.tasks.add_task": Operation.EDIT_CASES,
    "desktop.services.tasks.edit_task": Operation.EDIT_CASES,
    "desktop.services.tasks.complete_task": Operation.EDIT_CASES,
    "desktop.services.tasks.list_tasks": Operation.VIEW_CASES,
    "desktop.services.tasks.list_possible_owners": Operation.VIEW_CASES,
}

NEEDS: dict[str, Needs] = {name: Needs(op, _on_case(name)) for name, op in ON_A_CASE.items()}


def _signature_png() -> bytes:
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(20, 70), (90, 30), (160, 75), (280, 25)], fill="navy", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _first_incident(session: UserSession) -> FirstIncident:
    first = categories.list_categories(session)[0]
    when = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    return FirstIncident(when, "on_site", (first.id,), "Shouted at staff in the office.")


def _new_case(session: UserSession, world: World) -> object:
    return casefile.new_case(
        session,
        subject=NewPerson("Pat", world.unique("Subject"), "parent"),
        school_ids=[ASH],
        first_incident=_first_incident(world.admin),
    )


def _wording(world: World) -> letter_wording.LetterWording:
    return letter_wording.letter_wordings(world.admin)[0]


def _in_force(world: World) -> policies.ProfileInForce:
    return policies.profile_in_force(world.admin)


def _edited(world: World) -> str:
    """Wording that differs from what is in use (a template comment more)."""
    wording = _wording(world)
    return wording.text + "\n{# " + world.unique("edit ") + " #}"


def _restore(session: UserSession, world: World) -> object:
    wording = _wording(world)
    letter_wording.save_wording(world.admin, type_id=wording.type_id, text=_edited(world))
    return letter_wording.restore_default(session, type_id=wording.type_id)


def _profile_back(
    session: UserSession, world: World, put: Callable[[policies.ProfileInForce], object]
) -> object:
    """Put the profile in force back, after the administrator put another in force (the
    procedure's steps, read at the start, must stay as they were for the other calls)."""
    original = _in_force(world)
    other = next(c for c in policies.shipped_choices() if c.id != original.profile.id)
    policies.use_shipped_profile(world.admin, profile_id=other.id)
    try:
        return put(original)
    finally:
        if _in_force(world).profile.id != original.profile.id:
            policies.use_profile_text(world.admin, text=original.text, file_name=original.file_name)


def _categories(world: World) -> list[categories.CategoryInfo]:
    return categories.list_categories(world.admin, include_inactive=True)


def _set_schools(session: UserSession, world: World) -> object:
    return users_access.set_schools(session, username=world.fresh_user(), school_ids=[1, 2])


VIEW, EDIT, TRUST = Operation.VIEW_CASES, Operation.EDIT_CASES, Operation.EDIT_TRUST
MANAGE, REPORT = Operation.MANAGE_USERS, Operation.BOARD_REPORT
YEAR = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))


def _board_report(world: World) -> board_report.BoardReport:
    """A report the administrator made, for the calls that save or print one."""
    return board_report.annual_report(world.admin, start=YEAR[0], end=YEAR[1])


NEEDS.update(
    {
        # -- the procedure's steps: the table, and who the profile lets record them --------
        "desktop.services.sanctions.check_step_draft": Needs(
            EDIT,
            lambda s, w, case: sanctions.check_step_draft(s, case_id=case.id, draft=WARNING),
            step=WARNING.step_id,
        ),
        "desktop.services.sanctions.preview_step_letter": Needs(
            EDIT,
            lambda s, w, case: sanctions.preview_step_letter(s, case_id=case.id, draft=WARNING),
            step=WARNING.step_id,
        ),
        "desktop.services.sanctions.take_step": Needs(
            EDIT,
            lambda s, w, case: sanctions.take_step(s, case_id=case.id, draft=WARNING),
            step=WARNING.step_id,
        ),
        "desktop.services.sanction_reviews.decide": Needs(
            EDIT,
            lambda s, w, case: sanction_reviews.decide(
                s, restriction_id=w.plan_id(case), decision=LIFT
            ),
            step="communication_plan",
        ),
        "desktop.services.sanction_reviews.record_representations": Needs(
            EDIT,
            lambda s, w, case: sanction_reviews.record_representations(
                s, restriction_id=w.plan_id(case), given=Representations(ON, "Says sorry.")
            ),
            step="communication_plan",
        ),
        "desktop.services.sanction_reviews.preview_decision_letter": Needs(
            EDIT,
            lambda s, w, case: sanction_reviews.preview_decision_letter(
                s, restriction_id=w.plan_id(case), decision=LIFT
            ),
            step="communication_plan",
        ),
        "desktop.services.sanction_reviews.advance_injunction": Needs(
            EDIT,
            lambda s, w, case: sanction_reviews.advance_injunction(
                s, case_step_id=_injunction_id(case), to=InjunctionState.ADVICE, on=ON, note=""
            ),
            step="injunction_referral",
        ),
        # -- the case list, new cases, people ---------------------------------------------
        "desktop.services.cases.list_cases": Needs(VIEW, lambda s, w, c: cases.list_cases(s)),
        "desktop.services.cases.find_cases": Needs(VIEW, lambda s, w, c: cases.find_cases(s)),
        "desktop.services.cases.all_cases": Needs(VIEW, lambda s, w, c: cases.all_cases(s)),
        "desktop.services.cases.count_cases": Needs(VIEW, lambda s, w, c: cases.count_cases(s)),
        "desktop.services.cases.has_cases": Needs(VIEW, lambda s, w, c: cases.has_cases(s)),
        "desktop.services.case_list.first_page": Needs(
            VIEW, lambda s, w, c: case_list.first_page(s, cases.CaseQuery())
        ),
        "desktop.services.case_list.next_page": Needs(
            VIEW, lambda s, w, c: case_list.next_page(s, cases.CaseQuery(), offset=0)
        ),
        "desktop.services.cases.open_case": Needs(
            EDIT,
            lambda s, w, c: cases.open_case(
                s,
                given_name="Pat",
                family_name=w.unique("Opened"),
                relationship="parent",
                school_ids=[ASH],
                opened_on=dt.date(2026, 1, 5),
            ),
        ),
        "desktop.services.casefile.new_case": Needs(EDIT, lambda s, w, c: _new_case(s, w)),
        "desktop.services.case_people.find_pupils": Needs(
            VIEW, lambda s, w, c: case_people.find_pupils(s, "Sam")
        ),
        "desktop.services.people.search_people": Needs(
            VIEW, lambda s, w, c: people.search_people(s, "Pat")
        ),
        "desktop.services.people.create_person": Needs(
            EDIT,
            lambda s, w, c: people.create_person(
                s,
                given_name="Robin",
                family_name=w.unique("Created"),
                relation="carer",
                allow_duplicate=True,
            ),
        ),
        "desktop.services.people.merge_people": Needs(
            EDIT,
            lambda s, w, c: people.merge_people(
                s, keep_id=w.fresh_person(), merge_id=w.fresh_person()
            ),
        ),
        # -- what is due ------------------------------------------------------------------
        "desktop.services.due.due_items": Needs(VIEW, lambda s, w, c: due.due_items(s)),
        "desktop.services.due.owners": Needs(VIEW, lambda s, w, c: due.owners(s)),
        "desktop.services.due.next_due": Needs(
            VIEW, lambda s, w, case: due.next_due(s, case_ids=[case.id])
        ),
        "desktop.services.due.case_list_due": Needs(
            VIEW, lambda s, w, case: due.case_list_due(s, case_ids=[case.id])
        ),
        "desktop.services.due_export.export_ics": Needs(
            VIEW, lambda s, w, c: due_export.export_ics(s, to=w.file("due.ics"))
        ),
        # -- letters in the print queue ---------------------------------------------------
        "desktop.services.issued_letters.print_queue": Needs(
            VIEW, lambda s, w, c: issued_letters.print_queue(s)
        ),
        "desktop.services.issued_letters.queued_pdfs": Needs(
            VIEW, lambda s, w, case: issued_letters.queued_pdfs(s, letter_ids=[w.letter_id(case)])
        ),
        "desktop.services.issued_letters.add_to_queue": Needs(
            EDIT, lambda s, w, case: issued_letters.add_to_queue(s, letter_ids=[w.letter_id(case)])
        ),
        "desktop.services.issued_letters.remove_from_queue": Needs(
            EDIT,
            lambda s, w, case: issued_letters.remove_from_queue(s, letter_ids=[w.letter_id(case)]),
        ),
        "desktop.services.issued_letters.record_printed": Needs(
            EDIT,
            lambda s, w, case: issued_letters.record_printed(s, letter_ids=[w.letter_id(case)]),
        ),
        # -- the trust's settings ---------------------------------------------------------
        "desktop.services.trust.update_trust": Needs(
            TRUST,
            lambda s, w, c: trust.update_trust(
                s, name="Oakfield Learning Trust", address="1 High Street\nOakfield\nOK1 2AB"
            ),
        ),
        "desktop.services.trust.save_school": Needs(
            TRUST,
            lambda s, w, c: trust.save_school(
                s, school_id=ASH, name="Ash Primary", address="Ash Lane", headteacher_name="Ann Ash"
            ),
        ),
        "desktop.services.trust.set_auto_lock_minutes": Needs(
            TRUST,
            lambda s, w, c: trust.set_auto_lock_minutes(
                s, minutes=trust.auto_lock_minutes(w.admin)
            ),
        ),
        "desktop.services.evidence.evidence_limit": Needs(
            VIEW, lambda s, w, c: evidence.evidence_limit(s)
        ),
        "desktop.services.evidence.set_evidence_limit": Needs(
            TRUST, lambda s, w, c: evidence.set_evidence_limit(s, megabytes=200)
        ),
        "desktop.services.categories.list_categories": Needs(
            VIEW, lambda s, w, c: categories.list_categories(s)
        ),
        "desktop.services.categories.save_category": Needs(
            TRUST,
            lambda s, w, c: categories.save_category(s, category_id=None, name=w.unique("Kind ")),
        ),
        "desktop.services.categories.set_category_active": Needs(
            TRUST,
            lambda s, w, c: categories.set_category_active(
                s, category_id=_categories(w)[0].id, active=True
            ),
        ),
        "desktop.services.categories.reorder_categories": Needs(
            TRUST,
            lambda s, w, c: categories.reorder_categories(
                s, category_ids=[k.id for k in _categories(w)]
            ),
        ),
        "desktop.services.categories.save_categories": Needs(
            TRUST,
            lambda s, w, c: categories.save_categories(
                s, categories=[CategoryDraft(k.id, k.name, k.active) for k in _categories(w)]
            ),
        ),
        "desktop.services.policies.profile_in_force": Needs(
            VIEW, lambda s, w, c: policies.profile_in_force(s)
        ),
        "desktop.services.policies.profile_history": Needs(
            VIEW, lambda s, w, c: policies.profile_history(s)
        ),
        "desktop.services.policies.use_profile_text": Needs(
            TRUST,
            lambda s, w, c: _profile_back(
                s,
                w,
                lambda was: policies.use_profile_text(s, text=was.text, file_name=was.file_name),
            ),
        ),
        "desktop.services.policies.use_shipped_profile": Needs(
            TRUST,
            lambda s, w, c: _profile_back(
                s, w, lambda was: policies.use_shipped_profile(s, profile_id=was.profile.id)
            ),
        ),
        "desktop.services.letter_wording.letter_wordings": Needs(
            TRUST, lambda s, w, c: letter_wording.letter_wordings(s)
        ),
        "desktop.services.letter_wording.letter_wording": Needs(
            TRUST, lambda s, w, c: letter_wording.letter_wording(s, type_id=_wording(w).type_id)
        ),
        "desktop.services.letter_wording.preview_wording": Needs(
            TRUST,
            lambda s, w, c: letter_wording.preview_wording(
                s, type_id=_wording(w).type_id, text=_wording(w).text
            ),
        ),
        "desktop.services.letter_wording.save_wording": Needs(
            TRUST,
            lambda s, w, c: letter_wording.save_wording(
                s, type_id=_wording(w).type_id, text=_edited(w)
            ),
        ),
        "desktop.services.letter_wording.restore_default": Needs(
            TRUST,
            lambda s, w, c: _restore(s, w),
        ),
        # -- signatures, audit, backups ---------------------------------------------------
        "desktop.services.signatures.register_signature": Needs(
            Operation.SIGN_LETTERS,
            lambda s, w, c: signatures.register_signature(s, image=_signature_png()),
        ),
        "desktop.services.signatures.authorise_delegate": Needs(
            Operation.SIGN_LETTERS,
            lambda s, w, c: signatures.authorise_delegate(s, user_id=_user_id(w, w.fresh_user())),
        ),
        "desktop.services.audit.verify_chain": Needs(
            Operation.VIEW_AUDIT, lambda s, w, c: audit.verify_chain(s)
        ),
        "desktop.services.backups.make_backup": Needs(
            Operation.BACKUP,
            lambda s, w, c: backups.make_backup(s, folder=w.file("backups").parent),
        ),
        # -- the annual report to the board -------------------------------------------------
        "desktop.services.board_report.annual_report": Needs(
            REPORT, lambda s, w, c: board_report.annual_report(s, start=YEAR[0], end=YEAR[1])
        ),
        "desktop.services.board_report.save_annual_report": Needs(
            REPORT,
            lambda s, w, c: board_report.save_annual_report(
                s, report=_board_report(w), csv_to=w.file("report.csv")
            ),
        ),
        "desktop.services.board_report.record_report_printed": Needs(
            REPORT,
            lambda s, w, c: board_report.record_report_printed(s, report=_board_report(w)),
        ),
        # -- accounts ---------------------------------------------------------------------
        "desktop.services.users.list_users": Needs(MANAGE, lambda s, w, c: users.list_users(s)),
        "desktop.services.users.add_user": Needs(
            MANAGE,
            lambda s, w, c: users.add_user(
                s,
                username=w.unique("added"),
                full_name="Added Person",
                role="auditor",
                password=PASSWORD,
            ),
        ),
        "desktop.services.users.change_role": Needs(
            MANAGE,
            lambda s, w, c: users.change_role(s, username=w.fresh_user(), role="auditor"),
        ),
        "desktop.services.users.remove_user": Needs(
            MANAGE, lambda s, w, c: users.remove_user(s, username=w.fresh_user())
        ),
        "desktop.services.users_access.set_schools": Needs(
            MANAGE, lambda s, w, c: _set_schools(s, w)
        ),
        "desktop.services.users_access.disable_user": Needs(
            MANAGE, lambda s, w, c: users_access.disable_user(s, username=w.fresh_user())
        ),
        "desktop.services.users_access.enable_user": Needs(
            MANAGE,
            lambda s, w, c: users_access.enable_user(s, username=w.fresh_user(active=False)),
        ),
        "desktop.services.users_access.reset_password": Needs(
            MANAGE, lambda s, w, c: users_access.reset_password(s, username=w.fresh_user())
        ),
        "desktop.services.users_access.link_staff_member": Needs(
            MANAGE,
            lambda s, w, c: users_access.link_staff_member(
                s, username=w.fresh_user(), staff_member_id=add_staff(w.admin, w.unique("Staff "))
            ),
        ),
        "desktop.services.users_access.list_staff_members": Needs(
            MANAGE, lambda s, w, c: users_access.list_staff_members(s)
        ),
        # -- two-step sign-in: others' and the trust's rule are the administrators' ---------
        "desktop.services.second_factor.accounts_with_second_factor": Needs(
            MANAGE, lambda s, w, c: second_factor.accounts_with_second_factor(s)
        ),
        "desktop.services.second_factor.disable_for_user": Needs(
            MANAGE, lambda s, w, c: second_factor.disable_for_user(s, username=w.fresh_user())
        ),
        "desktop.services.second_factor.set_trust_rule": Needs(
            MANAGE, lambda s, w, c: second_factor.set_trust_rule(s, required=False)
        ),
    }
)


def _user_id(world: World, username: str) -> int:
    (found,) = [u.id for u in users.list_users(world.admin) if u.username == username]
    return found


# Services that need no operation from the table, each with the reason.
NO_OPERATION: dict[str, str] = {
    "desktop.services.auth.sign_out": "ends one's own session",
    "desktop.services.auth.change_password": "changes one's own password, proving the current one",
    "desktop.services.auth.remember_this_device": "adds a way in for one's own account",
    "desktop.services.auth.verify_second_factor": "finishes one's own sign-in with its code",
    "desktop.services.second_factor.status": "one's own two-step sign-in, and the trust's rule "
    "that may bind it",
    "desktop.services.second_factor.start_enrolment": "a new secret for one's own account; "
    "stores nothing",
    "desktop.services.second_factor.confirm_enrolment": "sets up one's own second factor, "
    "proving the old one (if any) with a code",
    "desktop.services.second_factor.regenerate_recovery_codes": "one's own recovery codes, "
    "after a code",
    "desktop.services.second_factor.disable": "turns off one's own second factor, after a code",
    "desktop.services.signatures.my_signature": "reads one's own signature page (whether "
    "one may keep a signature is shown there, from the table)",
    "desktop.services.signatures.remove_signature": "withdraws one's own signature: anyone "
    "may, so a role that no longer signs letters can still take it away",
    "desktop.services.signatures.revoke_delegate": "stops someone signing for oneself: "
    "anyone may, for the same reason",
    "desktop.services.trust.get_preferences": "one's own preferences",
    "desktop.services.trust.save_preferences": "one's own preferences",
    "desktop.services.trust.get_trust": "the trust's name and address head every window "
    "and letter; they are no secret",
    "desktop.services.trust.get_trust_logo": "the trust's logo, likewise",
    "desktop.services.trust.auto_lock_minutes": "every signed-in account's Casebook locks "
    "after the trust's time",
    "desktop.services.trust.list_schools": "school names only, and only the user's own "
    "schools (desktop.services.scope)",
    "desktop.services.cases.check_schools": "checks a new case's schools against the "
    "user's own before open_case (which needs EDIT_CASES); reads and writes nothing",
    "desktop.services.backups.store_made_at": "when the store was made, for the backup "
    "reminder: not secret",
    "desktop.services.backups.last_backup": "when the last backup was made: not secret, so "
    "the reminder to make one can show to everyone",
    "desktop.services.due.due_summary": "counts what is due for the reminder after sign-in, "
    "and counts nothing (no refusal) for a role that may not see cases",
    "desktop.services.due.reminder": "what the reminder after sign-in lists: nothing (no "
    "refusal) for a role that may not see cases, like due_summary",
    "desktop.services.frontdesk.check": "the front-desk list, which the front desk reads with "
    "its own key and every other role may read too",
    "desktop.services.demo_casefiles.add_case_files": "builds a new sample store's invented "
    "case files (casebook demo), called only by demo.create_demo_store",
    "desktop.services.demo_sanctions.add_sanctions": "builds a new sample store's invented "
    "sanctions, called only by demo.create_demo_store",
    "desktop.services.about.about": "Help > About: the version, the store's path and its "
    "encryption, which anyone signed in may know",
}


# The records services' calls live beside their own tests; they build on `Needs` and `World`
# above, so they are gathered last.
from tests.services.permission_calls_audit_view import NEEDS_AUDIT_VIEW  # noqa: E402
from tests.services.permission_calls_retention import NEEDS_RETENTION  # noqa: E402
from tests.services.permission_calls_subject_access import NEEDS_SUBJECT_ACCESS  # noqa: E402

NEEDS.update(NEEDS_AUDIT_VIEW)
NEEDS.update(NEEDS_RETENTION)
NEEDS.update(NEEDS_SUBJECT_ACCESS)
