"""``python -m skplate.cli``: the ``skplate`` command."""

import sys

from . import main

sys.exit(main())
