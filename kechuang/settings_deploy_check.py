"""The production settings as deployed, for `manage.py check --deploy` in `make test`."""

import os

os.environ.setdefault(
    "KECHUANG_SECRET_KEY", "deploy-check-" + "x9Qv2LmZ7pR4tY8wB1nC6kD3fH5jG0sA" * 2
)
os.environ["KECHUANG_DEBUG"] = "0"
os.environ["KECHUANG_HTTPS"] = "1"

from kechuang.settings import *  # noqa: F403
