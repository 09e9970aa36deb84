"""Every benchmark script runs at a tiny size in `make test`, so none can rot unnoticed (a NOT NULL
column added to a table the generator fills, a renamed service, a settings change).

Each script runs as the developer runs it (`python tests/bench/bench_*.py ...`, a child process)
against its own database on the test database's server, named after the test database (so two
parallel suites keep apart), created by the script and dropped afterwards. The figures are not
checked, only that the script finishes and prints them.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parents[1]

# Per script: the arguments of a tiny run, and lines its output must contain.
SMOKE = {
    "bench_flags.py": (
        ["--forloeb", "200", "--singles", "5", "--regenerate"],
        ["SUMMARY  200 forløb", "full run 1 (nightly, from no flags)", "single forløb: median", "targets:"],
    ),
    "bench_import.py": (
        ["--forloeb", "200", "--per-file", "100"],
        ["import_forloeb, 200 forløb", "forløb per minute", "the same files again"],
    ),
    "bench_load.py": (
        # 3 caseworkers and 1 team leader for 10 s against gunicorn and a Celery worker: no failed
        # request and every write accounted for (the latency target is not checked in --smoke).
        [
            "--smoke",
            "--forloeb",
            "300",
            "--regenerate",
            "--caseworkers",
            "3",
            "--leaders",
            "1",
            "--run-time",
            "10",
            "--ramp",
            "3",
            "--think",
            "0.2",
            "0.5",
        ],
        ["SUMMARY  load test", "writes: samtaler", "writes: indsatser", "CPU ms per request", "targets: all met"],
    ),
    "bench_tilsyn.py": (
        ["--forloeb", "300", "--repeat", "1", "--regenerate", "--jit", "off"],
        [
            "forløb in kommune 1 and",
            "(a) dashboard page",
            "(b) fokusrevision_data",
            "(c) Min dag page",
            "statements of (c) team_summary",
            "targets:",
        ],
    ),
}


def _server_url(name: str) -> str:
    """A URL of database `name` on the server the test database lives on."""
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host, port = s.get("HOST") or "", s.get("PORT") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        query = f"?host={quote(host, safe='/')}" + (f"&port={port}" if port else "")
        return f"postgresql://{auth}@/{name}{query}"
    return f"postgresql://{auth}@{host}{':' + str(port) if port else ''}/{name}"


def _drop(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def bench_database_url():
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME") or f"test_{connection.settings_dict['NAME']}"
    name = f"{test_name}_bench"
    maintenance = _server_url("postgres")
    _drop(maintenance, name)  # left over from an interrupted run
    yield _server_url(name)
    _drop(maintenance, name)


def test_every_benchmark_script_has_a_smoke_run():
    scripts = {path.name for path in BENCH_DIR.glob("bench_*.py")}
    assert scripts == set(SMOKE), "add the new benchmark script to SMOKE in tests/bench/test_bench_smoke.py"


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_the_benchmark_script_runs_at_a_tiny_size_and_prints_its_figures(script, bench_database_url):
    args, expected = SMOKE[script]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, str(BENCH_DIR / script), *args, "--database-url", bench_database_url],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = f"{script} exited {done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    assert done.returncode == 0, report
    missing = [line for line in expected if line not in done.stdout]
    assert not missing, f"missing {missing}\n{report}"
