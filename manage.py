#!/usr/bin/env python
"""Django's command-line utility for Kechuang."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from kechuang.demo_env import load_demo_env

    load_demo_env()  # the checkout's demo settings (var/demo.env, written by `make demo`)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
