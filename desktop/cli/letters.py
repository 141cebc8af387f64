"""`casebook letter`: a case's letter, made again from what was recorded, saved as a PDF.

For a copy to print again or a large-print version on request. The letter comes from the
step or decision that sent it (`services.letter_sources`); saving it is an export, checked
and audited like the window's. `--list-types` names the letter types, signing in to nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.common import Commands, add_command, db_option, signed_in, store_path_for

NEEDED = (("user", "--user"), ("case", "--case"), ("type", "--type"), ("out", "--out"))


def cmd_letter(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    """Save one letter as a PDF, or list the letter types."""
    from desktop.dates import format_date
    from desktop.services import letter_sources

    if args.list_types:
        for type_id in letter_sources.type_ids():
            print(type_id)
        return 0
    missing = [option for name, option in NEEDED if not getattr(args, name)]
    if missing:
        parser.print_usage(sys.stderr)
        print(
            f"{parser.prog}: error: the following arguments are required: {', '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    letter_sources.check_type(args.type)  # before asking for a password
    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        saved = letter_sources.export_letter(
            session,
            reference=args.case,
            type_id=args.type,
            to=Path(args.out).expanduser(),
            large_print=args.large_print,
        )
    print(
        f"Saved {saved.title} for {saved.reference}, dated {format_date(saved.dated)} "
        f"({saved.described}), to {saved.path} ({saved.size:,} bytes)."
    )
    return 0


def register(commands: Commands) -> None:
    def run(args: argparse.Namespace) -> int:
        return cmd_letter(args, parser=sub)

    sub = add_command(
        commands,
        "letter",
        run,
        summary="save a case's letter as a PDF, made from what was recorded",
        description="Save a letter for a case as a PDF: the letter the most recent step or "
        "decision of that type sent (a bar's notice, a confirmation after review, a "
        "written warning...), made again from what was recorded and dated the day it was "
        "issued. Refused, naming what is missing, when the case has recorded nothing that "
        "sends it. Saving the file is recorded in the audit trail. --list-types prints the "
        "letter types, one a line, and needs no store or user.",
    )
    db_option(sub)
    sub.add_argument("--user", metavar="USERNAME", help="who is signing in")
    sub.add_argument("--case", metavar="REFERENCE", help="the case, for example CB-2026-0042")
    sub.add_argument("--type", metavar="TYPE", help="the letter type (see --list-types)")
    sub.add_argument("--out", metavar="FILE.pdf", help="where to save the PDF")
    sub.add_argument("--large-print", action="store_true", help="set the letter in large print")
    sub.add_argument(
        "--list-types", action="store_true", help="print the letter types, one a line, and stop"
    )
