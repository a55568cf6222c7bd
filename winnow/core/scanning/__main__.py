"""`python -m winnow.core.scanning PATH --out RESULT`: the scanner without the `winnow` command."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
