#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    from config.checks import UnsafeDeployment

    try:
        execute_from_command_line(sys.argv)
    except UnsafeDeployment as exc:
        # Production settings refused to load: the list of problems is the whole message.
        sys.exit(str(exc))
