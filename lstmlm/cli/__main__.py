"""`python -m lstmlm.cli`: the `lstmlm` command."""

import sys

from lstmlm.cli import main

sys.exit(main())
