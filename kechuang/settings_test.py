"""Test settings: the production settings with a fixed key, plain HTTP and a fast hasher."""

import os

os.environ.setdefault("KECHUANG_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("KECHUANG_HTTPS", "0")
os.environ.setdefault("KECHUANG_PLAIN_STATIC", "1")

from kechuang.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is absent)
