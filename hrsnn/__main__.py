"""``python -m hrsnn``: the command line (see :mod:`hrsnn.cli`)."""

import sys

from .cli import main

sys.exit(main())
