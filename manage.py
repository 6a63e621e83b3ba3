#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from roundtable.cli import main

if __name__ == "__main__":
    main(sys.argv[1:])
