#!/usr/bin/env python
"""Django's command-line utility for the example Task Manager API."""

import os
import sys
from pathlib import Path


def main() -> None:
    # example_project/ is the import root, whatever the current directory is.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taskmanager.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
