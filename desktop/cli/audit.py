"""`casebook audit verify`: check that no audit entry was changed or removed."""

from __future__ import annotations

import argparse

from desktop.cli.common import (
    Commands,
    add_command,
    add_group,
    db_option,
    signed_in,
    store_path_for,
    user_option,
)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check every entry's seal and link, and the records of the newest entry; exit 1 and
    name each problem found."""
    import sys

    from desktop.services.audit import verify_chain

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        report = verify_chain(session)
    if not report.intact:
        print(f"The audit trail is NOT intact ({report.entries} entries checked):", file=sys.stderr)
        for finding in report.findings:
            where = f"entry {finding.entry_id}: " if finding.entry_id is not None else ""
            print(f"  - {where}{finding.text}", file=sys.stderr)
        return 1
    print(f"Audit trail intact: {report.entries} entries")
    return 0


def register(commands: Commands) -> None:
    audit = add_group(
        commands,
        "audit",
        summary="check the audit trail",
        description="Work with the audit trail.",
    )
    verify = add_command(
        audit,
        "verify",
        cmd_audit_verify,
        summary="check that no audit entry was changed or removed",
        description="Check every audit entry's seal and its place in the chain, the "
        "records of the newest entry kept in the database and in the key file, the guards "
        "that keep entries unchangeable, and the key file's own tags. Exits 1 and names "
        "every problem found, including cuts noticed earlier by a sign-in.",
    )
    db_option(verify)
    user_option(verify)
