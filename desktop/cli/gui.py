"""`casebook gui` (and `casebook` with no command): open the window."""

from __future__ import annotations

import argparse

from desktop.cli.common import Commands, add_command, chosen_path, db_option


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the Casebook window; only here does the CLI hand over to Qt."""
    from desktop.app import main as gui_main

    return gui_main(store_path=chosen_path(args))


def register(commands: Commands) -> None:
    gui = add_command(
        commands,
        "gui",
        cmd_gui,
        summary="open the Casebook window (the default)",
        description="Open the window.",
    )
    db_option(gui, "the store you last opened")
