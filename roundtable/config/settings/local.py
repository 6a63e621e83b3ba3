"""Settings for `make run`: a developer's machine, SQLite unless DATABASE_URL says otherwise."""

import os

os.environ.setdefault("DEBUG", "true")

from roundtable.config.settings.base import *  # noqa: F403
