"""What the commands print: tables that fit the terminal, and help for every command."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import COMMAND_GROUPS, build_parser
from desktop.cli.common import ELLIPSIS, MIN_SHRUNK_COLUMN, fit_widths, print_table, truncate
from desktop.services import auth, cases, trust
from tests.cli.test_cli import PASSWORD, init, run

REPO = Path(__file__).resolve().parents[2]
LONG_FAMILY = "Montgomery-Fotheringham-Featherstonehaugh"
LONG_SCHOOLS = ("St Bartholomew's Church of England Voluntary Aided Primary School", "Ash Primary")


@pytest.fixture
def long_store(store_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, today) -> Path:
    """Two cases: one short, one with a long name shared by two long-named schools."""
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    init(capsys, store_path, "--school", LONG_SCHOOLS[0])
    session = auth.sign_in(store_path, username="admin", password=PASSWORD)
    try:
        schools = {s.name: s.id for s in trust.list_schools(session)}
        for given, family, names in (
            ("Ann", "Smith", ["Ash Primary"]),
            ("Bartholomew-Alexander", LONG_FAMILY, list(LONG_SCHOOLS)),
        ):
            cases.open_case(
                session,
                given_name=given,
                family_name=family,
                relationship="parent",
                school_ids=[schools[name] for name in names],
                opened_on=today,
            )
    finally:
        auth.sign_out(session)
    return store_path


def _table(capsys, path: Path) -> list[str]:
    code, out, err = run(capsys, "cases", "--db", path, "--user", "admin")
    assert code == 0, err
    return out.splitlines()


def test_cases_table_fits_100_columns_when_not_a_terminal(long_store, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # a narrower guess is not trusted for a file or pipe
    lines = _table(capsys, long_store)
    assert max(len(line) for line in lines) <= 100
    assert len(lines) == 4 and lines[-1] == "2 cases"
    long_row = next(line for line in lines if line.startswith("CB-") and ELLIPSIS in line)
    assert "Bartholomew-Alexander" in long_row  # the school list gave way before the subject
    assert "Ann Smith" in lines[2] or "Ann Smith" in lines[1]
    assert {"Open", "Concern logged", "24/11/2026"} <= set(re.split(r"\s{2,}", long_row))


def test_cases_table_fits_a_narrow_terminal(long_store, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    lines = _table(capsys, long_store)
    assert max(len(line) for line in lines) <= 80
    assert all("\n" not in line for line in lines) and lines[-1] == "2 cases"
    header = re.split(r"\s{2,}", lines[0])
    assert header == ["Reference", "Subject", "Schools", "Status", "Stage", "Opened"]


def test_cases_table_keeps_everything_on_a_wide_terminal(long_store, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    lines = _table(capsys, long_store)
    assert not any(ELLIPSIS in line for line in lines)
    assert any(f"Bartholomew-Alexander {LONG_FAMILY}" in line for line in lines)
    assert any("; ".join(sorted(LONG_SCHOOLS)) in line for line in lines)


def test_json_is_never_cut_short(long_store, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run(capsys, "cases", "--db", long_store, "--user", "admin", "--json")
    assert code == 0 and ELLIPSIS not in out and LONG_SCHOOLS[0] in out


def test_user_list_fits_the_terminal(capsys, store_path, monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_PASSWORD", PASSWORD)
    init(capsys, store_path)
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(capsys, "user", "list", "--db", store_path, "--user", "admin")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 60
    cells = re.split(r"\s{2,}", lines[1])
    assert cells[:2] == ["admin", "Alex Admin"] and cells[-1] == "active"
    assert cells[2].endswith(ELLIPSIS) and cells[3].endswith(ELLIPSIS)  # role, schools


# -- the fitting rules --------------------------------------------------------------------
def test_fit_widths_shrinks_groups_in_order_and_keeps_a_minimum() -> None:
    natural = [12, 20, 50, 6]  # total 88, plus 6 for the gaps = 94
    assert fit_widths(natural, 100, shrink=((2,), (1,))) == natural
    assert fit_widths(natural, 80, shrink=((2,), (1,))) == [12, 20, 36, 6]
    assert fit_widths(natural, 50, shrink=((2,), (1,))) == [12, 16, MIN_SHRUNK_COLUMN, 6]
    assert fit_widths(natural, 10, shrink=((2,), (1,))) == [12, 10, 10, 6]  # cannot go below
    assert fit_widths(natural, 70, shrink=((1, 2),)) == [12, 20, 26, 6]  # the widest first
    assert fit_widths(natural, 50, shrink=((1, 2),)) == [12, 13, 13, 6]


def test_truncate_marks_the_cut() -> None:
    assert truncate("Ash Primary", 11) == "Ash Primary"
    assert truncate("Ash Primary", 8) == "Ash Pri" + ELLIPSIS
    assert len(truncate("x" * 40, 10)) == 10


def test_print_table_pads_and_strips(capsys) -> None:
    print_table(("A", "Bee"), [("long cell", "x"), ("y", "")], shrink=((0,),), width=16)
    assert capsys.readouterr().out.splitlines() == ["A          Bee", "long cell  x", "y"]


# -- help ---------------------------------------------------------------------------------
def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


def test_every_command_has_a_description_in_its_help(capsys) -> None:
    found = list(_commands(build_parser()))
    assert {" ".join(path) for path, _ in found} >= {"cases", "user list", "audit verify"}
    for path, sub in found:
        assert sub.description, f"casebook {' '.join(path)} has no description"
        code, out, _ = run(capsys, *path, "--help")
        assert code == 0
        first_words = " ".join(sub.description.split()[:4])
        assert first_words in " ".join(out.split()), path


def test_user_list_help_says_what_it_lists(capsys) -> None:
    code, out, _ = run(capsys, "user", "list", "--help")
    assert code == 0 and "List every account" in out


def test_readme_documents_every_option() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for path, sub in _commands(build_parser()):
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in section, f"README omits casebook {' '.join(path)} {option}"
        assert path[0] in section


def test_every_command_module_is_registered() -> None:
    folder = REPO / "desktop" / "cli"
    modules = {p.stem for p in folder.glob("*.py") if "def register(" in p.read_text("utf-8")}
    assert modules == set(COMMAND_GROUPS)
