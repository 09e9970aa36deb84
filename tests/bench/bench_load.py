"""Load test: a full office against gunicorn with the production settings and a Celery worker.

50 caseworkers do their day (Min dag, one of their forløb, a samtale and an indsats registered
through the real forms, a search, Mine forløb) with think time, and 5 team leaders look at their
overview (the ledelsestilsyn dashboard and Min dag), driven by locust (tests/bench/load/locustfile.py)
headless for a bounded time, all on the loopback.

Steps:
1. The database (`--database-url`, else BENCH_LOAD_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/
   forloeb_load): created, migrated and filled with bench_tilsyn's national-scale data (kommune 1 of
   `--forloeb` forløb) when empty or with `--regenerate`; the flags of one full evaluation. The caseworkers
   are the 2nd-11th users of teams 2-6 of kommune 1 (about 67 forløb each at 20,000), the team leaders
   those teams' leaders; all get the password below (hashed once, with the production hasher).
2. `collectstatic` into a temporary directory, then gunicorn with the production settings (`config.settings`,
   DJANGO_DEBUG unset, fresh random keys) on 127.0.0.1 and a free port in 8790-8799, with
   `config/gunicorn.conf.py` when the tree has one, else the same sizes on the command line; and a Celery
   worker on REDIS_URL=redis://127.0.0.1:6379/7.
3. locust headless for `--run-time`, the users spawned over `--ramp` seconds (so the logins spread).
4. The report: per page requests/s, p50/p95/p99 and failures; the samtaler and indsatser the users saved
   (successful POSTs) against the rows the database gained; CPU milliseconds per request of the gunicorn
   processes, the Celery worker and this database's PostgreSQL backends (utime+stime from /proc, the
   backends sampled every 20 ms by their command line; a backend that exits between two samples loses its
   last few ms, so with a connection per request the database figure is a lower bound).

Exit status 1 when a target fails: p95 >= 300 ms on a caseworker page (the login excepted: its cost is
the password hasher's), any failed request, or a write not accounted for. `--smoke` checks only the
failures and the writes.

`--tree DIR` serves another checkout (e.g. `git archive HEAD` in /tmp/base for a before measurement):
migrations, the data generator, gunicorn and Celery all come from DIR; the locustfile from here.

    .venv/bin/python tests/bench/bench_load.py                        # 20,000 forløb, 55 users, 5 minutes
    .venv/bin/python tests/bench/bench_load.py --tree /tmp/base --database-url postgres://postgres@127.0.0.1:5432/forloeb_load_base
    .venv/bin/python tests/bench/bench_load.py --smoke --forloeb 300 --caseworkers 3 --leaders 1 --run-time 15
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "load" / "locustfile.py"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forloeb_load"
REDIS_URL = "redis://127.0.0.1:6379/7"
PORTS = range(8790, 8800)
PASSWORD = "Belastning-2026-kontor"  # noqa: S105 - the load test's own users in its own database
TARGET_P95_MS = 300
LEADER_PAGES = {"leder: tilsyn", "leder: Min dag (team)"}
NOT_TARGETED = {"login (form)", "login (POST)"} | LEADER_PAGES
# gunicorn for 2 cores when config/gunicorn.conf.py is missing (the same sizes it sets).
GUNICORN_DEFAULTS = ["--workers", "3", "--threads", "4", "--worker-class", "gthread"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
# At the end of the run each user finishes its request and stops at its next think time; this long
# at most (the slowest responses under overload), so no POST is cut off after the server saved it.
STOP_TIMEOUT = 120


def tree_from_argv() -> Path:
    for i, arg in enumerate(sys.argv):
        if arg == "--tree" and i + 1 < len(sys.argv):
            return Path(sys.argv[i + 1]).resolve()
        if arg.startswith("--tree="):
            return Path(arg.split("=", 1)[1]).resolve()
    return HERE.parents[1]


TREE = tree_from_argv()
sys.path.insert(0, str(TREE))

from tests.bench import bench_flags as bf  # noqa: E402 - from the tree served
from tests.bench import bench_tilsyn as bt  # noqa: E402

# --- Data and users ------------------------------------------------------------------------------------


def prepare(args) -> dict:
    """Generate the data if needed; choose and set up the users; the plan the locustfile reads."""
    present = bf.scalar("SELECT count(*) FROM cases_forloeb")
    if args.regenerate or present == 0 or not bt.generated_here() or present != bt.total_forloeb(args.forloeb):
        seconds = bt.generate(args.forloeb)
        print(f"data generated in {seconds:.0f} s")
        evaluate_flags()
    else:
        print(f"using the {present:,} forløb already in the database")
    from django.contrib.auth.hashers import make_password

    from cases.models import Forloeb, User

    teams = [t + 2 for t in range(5)]  # teams 2-6 of kommune 1: the usual size (team 1 holds 40 %)
    per_team = bt.USERS_PER_TEAM
    caseworkers = [(teams[i % 5] - 1) * per_team + 2 + i // 5 for i in range(args.caseworkers)]
    leaders = [(teams[i % 5] - 1) * per_team + 1 for i in range(args.leaders)]
    hashed = make_password(PASSWORD)  # the production hasher, once: every load user shares it
    User.objects.filter(pk__in=caseworkers + leaders).update(password=hashed, is_active=True)
    plan_users = []
    for pk in caseworkers:
        ids = list(
            Forloeb.objects.filter(current_coordinator_id=pk, closed_on__isnull=True)
            .exclude(phase="afsluttet")
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        if ids:
            plan_users.append({"username": User.objects.get(pk=pk).username, "forloeb": ids})
    names = list(
        Forloeb.objects.filter(current_coordinator_id__in=caseworkers)
        .values_list("borger__first_name", flat=True)
        .distinct()[:50]
    )
    from django.urls import NoReverseMatch, reverse

    try:
        my_forloeb = reverse("desk:my_forloeb")
    except NoReverseMatch:  # a tree from before the desk app
        my_forloeb = reverse("cases:my_forloeb")
    return {
        "my_forloeb": my_forloeb,
        "password": PASSWORD,
        "caseworkers": plan_users,
        "leaders": [{"username": u} for u in User.objects.filter(pk__in=leaders).values_list("username", flat=True)],
        "names": names or ["Jensen"],
        "think_seconds": args.think,
        "users": len(plan_users) + len(leaders),
        "login_jitter_seconds": min(2.0, args.ramp / max(1, args.caseworkers + args.leaders)),
    }


def evaluate_flags() -> None:
    """The flags of one full evaluation as of the data's day (bench_tilsyn's, with CASCADE: tables
    added since may refer to the flags)."""
    from followup.models import Flag
    from followup.services import flags_evaluate

    bf.execute("TRUNCATE followup_flag, followup_evaluationrun RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    flags_evaluate(as_of=bt.AS_OF)
    open_flags = Flag.objects.filter(resolved_at__isnull=True).count()
    print(f"flags_evaluate: {time.perf_counter() - started:.1f} s, {open_flags:,} open flags")


def table_max_ids() -> dict[str, int]:
    return {
        "samtaler": bf.scalar("SELECT coalesce(max(id), 0) FROM followup_followupmeeting"),
        "indsatser": bf.scalar("SELECT coalesce(max(id), 0) FROM plans_intervention"),
    }


def rows_since(before: dict[str, int]) -> dict[str, int]:
    return {
        "samtaler": bf.scalar("SELECT count(*) FROM followup_followupmeeting WHERE id > %s", [before["samtaler"]]),
        "indsatser": bf.scalar("SELECT count(*) FROM plans_intervention WHERE id > %s", [before["indsatser"]]),
    }


# --- CPU accounting ------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int, int, int]:
    """(ppid, utime+stime, cutime+cstime, starttime) in clock ticks."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:  # noqa: PTH123
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]), int(fields[19])


def tree_ticks(root: int) -> int:
    """CPU ticks of a process, its reaped children and its living descendants."""
    children: dict[int, list[int]] = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stats[int(entry)] = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    for pid, (ppid, *_rest) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            _, own, reaped, _ = stats[pid]
            total += own + reaped
            todo += children.get(pid, [])
    return total


class BackendSampler(threading.Thread):
    """The CPU of this database's PostgreSQL backends: every backend whose command line names the
    database, sampled every `interval` s; the last sample of each (pid, start time) counts."""

    def __init__(self, database: str, interval: float = 0.02):
        super().__init__(daemon=True)
        self.marker, self.interval = f" {database} ", interval
        self.seen: dict[tuple[int, int], tuple[int, int]] = {}  # (pid, start) -> (first, last) ticks
        self.ours: dict[int, tuple[int, bool]] = {}  # pid -> (start, ours)
        self.running = True

    def run(self):
        while self.running:
            self.sample()
            time.sleep(self.interval)

    def sample(self):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                _, ticks, _, start = _stat(pid)
                known = self.ours.get(pid)
                if known is None or known[0] != start:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:  # noqa: PTH123
                        cmd = f.read().decode(errors="replace")
                    known = (start, cmd.startswith("postgres:") and self.marker in cmd)
                    self.ours[pid] = known
                if known[1]:
                    first, _ = self.seen.get((pid, start), (ticks, ticks))
                    self.seen[(pid, start)] = (first, ticks)
            except (OSError, IndexError, ValueError):
                continue

    def ticks(self) -> int:
        return sum(last for first, last in self.seen.values())

    def backends(self) -> int:
        return len(self.seen)


# --- Processes -----------------------------------------------------------------------------------------


def cpu_now(web: subprocess.Popen, worker: subprocess.Popen, sampler: BackendSampler) -> dict[str, int]:
    return {"web": tree_ticks(web.pid), "celery": tree_ticks(worker.pid), "database": sampler.ticks()}


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8790-8799")


def server_env(database_url: str, static_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FORLOEB_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FORLOEB_PSEUDONYM_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="forloeb_load_settings",
        PYTHONPATH=os.pathsep.join([str(static_root.parent), str(TREE)]),
        PYTHONUNBUFFERED="1",
    )
    return env


def write_settings(tmp: Path) -> Path:
    """The production settings, with only STATIC_ROOT moved to the temporary directory (the settings
    have no variable for it)."""
    static_root = tmp / "static"
    (tmp / "forloeb_load_settings.py").write_text(
        f"from config.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(static_root)!r}\n", encoding="utf-8"
    )
    return static_root


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped with exit code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- Report --------------------------------------------------------------------------------------------


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:  # noqa: PTH123
        return list(csv.DictReader(f))


def report(args, rows, saved, counted, cpu, load_avg, seconds) -> list[str]:
    line = "-" * 104
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    print(f"\n{line}\nSUMMARY  load test of {TREE} ({args.label or 'no label'})")
    print(
        f"{len(args.plan['caseworkers'])} caseworkers and {len(args.plan['leaders'])} team leaders, think "
        f"{args.think[0]:g}-{args.think[1]:g} s, ramp {args.ramp} s, run {seconds:.0f} s; {os.cpu_count()} cores; "
        f"load average at the end {load_avg}"
    )
    print(line)
    print(f"{'page':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>8}")
    failures = []
    for r in rows:
        name = r["Name"]
        label = f"{r['Type']} {name}" if name != "Aggregated" else "all requests"
        p95 = float(r["95%"] if r["95%"] != "N/A" else 0)
        print(
            f"{label[:28]:<28}{int(r['Request Count']):>9}{float(r['Requests/s']):>8.1f}{r['50%']:>8}{r['95%']:>8}"
            f"{r['99%']:>8}{float(r['Max Response Time']):>8.0f}{int(r['Failure Count']):>8}"
        )
        if name != "Aggregated" and name not in NOT_TARGETED and p95 >= TARGET_P95_MS and not args.smoke:
            failures.append(f"p95 of {name} is {p95:.0f} ms (target < {TARGET_P95_MS})")
    errors = max(int(total["Failure Count"]), int(saved.get("failures_all", 0)))
    print(
        f"latencies above: {'the whole run' if args.smoke else 'the steady state, after the ramp (--reset-stats)'}; "
        f"whole run: {saved.get('requests_all', requests)} requests, {saved.get('failures_all', errors)} failed"
    )
    if errors:
        failures.append(f"{errors} failed requests")
    print(line)
    for kind in ("samtaler", "indsatser"):
        same = saved[kind] == counted[kind]
        print(
            f"writes: {kind}: {saved[kind]} saved by the users, {counted[kind]} new rows in the database: "
            f"{'accounted for' if same else 'THEY DIFFER'}"
        )
        if not same:
            failures.append(f"{kind}: {saved[kind]} saved, {counted[kind]} rows")
    if saved.get("search_skipped"):
        print("search: /soeg/ answered 404 (no search in this tree): skipped")
    print(line)

    def cpu_line(label: str, ticks: dict, n: int) -> None:
        per = {k: v * 1000 / CLK_TCK / max(1, n) for k, v in ticks.items()}
        print(
            f"CPU ms per request, {label} ({n} requests): web {per['web']:.1f} + database {per['database']:.1f} "
            f"= {per['web'] + per['database']:.1f}; Celery worker {per['celery']:.1f}"
        )

    cpu_line("whole run", {k: cpu[k] for k in ("web", "database", "celery")}, requests)
    if cpu["steady"]:
        cpu_line("after the last login", cpu["steady"][1], requests - cpu["steady"][0])
    print(f"database backends seen: {cpu['backends']}")
    print(line)
    return failures


# --- Main ----------------------------------------------------------------------------------------------


def run(args) -> int:
    bf.ensure_database(args.database_url)
    bf.setup_django(args.database_url)
    args.plan = prepare(args)
    if args.prepare_only:
        print(f"prepared: {len(args.plan['caseworkers'])} caseworkers, {len(args.plan['leaders'])} team leaders")
        return 0
    database = args.database_url.rsplit("/", 1)[1].split("?")[0]
    from django.db import connections

    with tempfile.TemporaryDirectory(prefix="forloeb_load_") as tmp_name:
        tmp = Path(tmp_name)
        static_root = write_settings(tmp)
        env = server_env(args.database_url, static_root)
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=TREE, env=env, check=True
        )
        (tmp / "plan.json").write_text(json.dumps(args.plan), encoding="utf-8")
        port = free_port()
        conf = TREE / "config" / "gunicorn.conf.py"
        sizing = ["--config", str(conf)] if conf.exists() else GUNICORN_DEFAULTS
        web = worker = locust = None
        try:
            web = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", *sizing, "--bind", f"127.0.0.1:{port}", "config.wsgi:application"],
                cwd=TREE,
                env=env,
                stdout=open(tmp / "gunicorn.log", "w"),  # noqa: SIM115, PTH123
                stderr=subprocess.STDOUT,
            )
            worker = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "1"],
                cwd=TREE,
                env=env,
                stdout=open(tmp / "celery.log", "w"),  # noqa: SIM115, PTH123
                stderr=subprocess.STDOUT,
            )
            wait_for(port, web)
            before_ids = table_max_ids()
            connections.close_all()  # our own backend must not count
            sampler = BackendSampler(database)
            sampler.sample()
            cpu_before = cpu_now(web, worker, sampler)
            sampler.start()
            started = time.monotonic()
            users = len(args.plan["caseworkers"]) + len(args.plan["leaders"])
            mark = tmp / "mark.json"
            locust_env = {
                **os.environ,
                "LOAD_PLAN": str(tmp / "plan.json"),
                "LOAD_RESULT": str(tmp / "result.json"),
                "LOAD_MARK": str(mark),
                "LOAD_LEADERS": str(len(args.plan["leaders"])),
            }
            locust = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    f"{users / max(1, args.ramp):.3f}",
                    "--run-time",
                    f"{args.run_time}s",
                    "--stop-timeout",
                    str(STOP_TIMEOUT),
                    "--csv",
                    str(tmp / "load"),
                    "--only-summary",
                    # Latencies of the steady state: reset once every user has started (the logins,
                    # with the password hasher's 0.44 s of CPU each, fall in the ramp; the smoke run
                    # keeps everything). Failures and writes are counted over the whole run.
                    *([] if args.smoke else ["--reset-stats"]),
                    "--loglevel",
                    "WARNING",
                ],  # fmt: skip
                env=locust_env,
            )
            steady = None  # (requests so far, counters) when every user has logged in
            deadline = time.monotonic() + args.run_time + STOP_TIMEOUT + 60
            while locust.poll() is None and time.monotonic() < deadline:
                if steady is None and mark.exists() and mark.stat().st_size:
                    steady = (json.loads(mark.read_text(encoding="utf-8"))["requests"], cpu_now(web, worker, sampler))
                time.sleep(0.2)
            stop(locust)
            seconds = time.monotonic() - started
            time.sleep(1)  # the last requests' backends go idle
            sampler.running = False
            sampler.join()
            cpu_end = cpu_now(web, worker, sampler)
            cpu = {k: cpu_end[k] - cpu_before[k] for k in cpu_end}
            cpu["backends"] = sampler.backends()
            cpu["steady"] = (steady[0], {k: cpu_end[k] - steady[1][k] for k in cpu_end}) if steady else None
            load_avg = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        finally:
            stop(locust)
            stop(web)
            stop(worker)
        saved = json.loads((tmp / "result.json").read_text(encoding="utf-8"))
        counted = rows_since(before_ids)
        rows = read_stats(tmp / "load")
        failures = report(args, rows, saved, counted, cpu, load_avg, seconds)
        errors_csv = Path(f"{tmp / 'load'}_failures.csv")
        if errors_csv.exists() and errors_csv.stat().st_size > 60:
            print("failures:\n" + errors_csv.read_text(encoding="utf-8")[:3000])
        if failures:
            print("gunicorn log (end):\n" + (tmp / "gunicorn.log").read_text(encoding="utf-8")[-2000:])
        if args.keep_logs:
            shutil.copytree(tmp, args.keep_logs, dirs_exist_ok=True)
    print("targets: " + ("MISSED: " + "; ".join(failures) if failures else "all met"))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--tree", default=str(TREE), help="the checkout to serve (default: this one)")
    parser.add_argument("--forloeb", type=int, default=20_000, help="forløb in the large kommune (default 20000)")
    parser.add_argument("--regenerate", action="store_true", help="truncate the case tables and generate again")
    parser.add_argument("--caseworkers", type=int, default=50)
    parser.add_argument("--leaders", type=int, default=5)
    parser.add_argument("--run-time", type=int, default=300, help="seconds of load, the ramp included (default 300)")
    parser.add_argument("--ramp", type=int, default=60, help="seconds over which the users start (default 60)")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"))
    parser.add_argument("--smoke", action="store_true", help="check only the errors and the writes")
    parser.add_argument("--label", default="", help="a label for the report, e.g. before/after")
    parser.add_argument("--prepare-only", action="store_true", help="only the database and the users")
    parser.add_argument("--keep-logs", default="", help="copy the run's files (csv, logs) to this directory")
    args = parser.parse_args()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
