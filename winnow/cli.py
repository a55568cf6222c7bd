"""`winnow <command>`: one command line for everything (Django's management commands, plus `scan`).

`winnow scan` runs without Django or a database, so it works on a forensic workstation.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "scan":
        from winnow.core.scanning.cli import main as scan_main

        return scan_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "winnow.settings")
    from django.core.management import execute_from_command_line

    from winnow.context import acting, new_request_id

    # Every audit event a command writes carries one id for the whole run ("cli-..."), as a web request's do.
    with acting(request_id=new_request_id("cli-"), via="command"):
        execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
