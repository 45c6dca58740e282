"""``python -m mirrorbot`` is the ``mirrorbot`` command."""

from __future__ import annotations

import sys

from mirrorbot.cli import main

sys.exit(main())
