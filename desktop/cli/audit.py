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
    """Walk the hash-chained audit trail and say whether every entry is as written."""
    from desktop.errors import AuditChainBroken
    from desktop.services.audit import verify_chain

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        report = verify_chain(session)
    if report.broken_at is not None:
        raise AuditChainBroken(report.broken_at, report.reason)
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
        description="Check every audit entry against the hash chain. Exits 1 and names the "
        "first entry that was changed, removed or added out of turn.",
    )
    db_option(verify)
    user_option(verify)
