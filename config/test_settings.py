"""Settings for the test suite: the production settings (`config.settings`, DEBUG off) with fresh
random keys, since production settings refuse to start without secret keys. Nothing else differs."""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FORLOEB_PSEUDONYM_KEY", secrets.token_urlsafe(50))

from config.settings import *  # noqa: E402, F403
