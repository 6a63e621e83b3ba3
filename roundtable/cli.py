"""The `roundtable` console command: manage.py for an installed Roundtable."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["roundtable", *(sys.argv[1:] if argv is None else argv)])
