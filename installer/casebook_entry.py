"""The bundled program's entry point: the same `casebook` command that `pip install` makes.

With no command it opens the window; `casebook --help` lists the command-line tools.
PyInstaller (installer/casebook.spec) builds the executables from this file.
"""

from desktop.cli import main

raise SystemExit(main())
