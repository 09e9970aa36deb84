"""Benchmark of `manage.py import_forloeb` (`interchange.services.forloeb_import`): how many forløb
per minute an interchange file is checked and written at, with the flags evaluated afterwards.

The 10,000 forløb are generated from the demo kommune: `seed_demo` fills the benchmark database,
the 660 forløb are exported in the interchange format, and each is copied with a new id, a new
fictitious borger and its own rehabiliteringsteam meetings until there are N. The database is then
emptied and the files (`--per-file` forløb each) are imported with the command, timed per phase:
reading the JSON, checking (schema and domain rules), writing, evaluating flags.

Run from the repository root:

    .venv/bin/python tests/bench/bench_import.py                  # 10,000 forløb
    .venv/bin/python tests/bench/bench_import.py --forloeb 2000   # a quick try

The database URL comes from `--database-url`, else `BENCH_IMPORT_DATABASE_URL`, else
postgres://postgres@127.0.0.1:5432/forloeb_bench_import. Never point it at a database you care
about: the script empties every case table.
"""

import argparse
import copy
import io
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests" / "bench"))

from bench_flags import ensure_database, rss_mb, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forloeb_bench_import"


def copies(document: dict, n: int) -> dict:
    """`n` forløb made from the document's forløb: new ids, borgere and meetings per round."""
    from cases.cpr import fictitious_cpr
    from cases.models import Borger

    rng = random.Random(7)
    base = document["forloeb"]
    borgere = {b["cpr"]: b for b in document["borgere"]}
    out = {**document, "forloeb": [], "borgere": [], "meetings": []}
    kommune = document["kommuner"][0]
    rehab_teams = list(kommune["rehab_teams"])
    kommune = {**kommune, "rehab_teams": []}
    out["kommuner"] = [kommune]
    taken: set[str] = set()
    round_no = 0
    while len(out["forloeb"]) < n:
        round_no += 1
        suffix = f" {round_no}"
        kommune["rehab_teams"] += [{**rt, "name": rt["name"] + suffix} for rt in rehab_teams]
        out["meetings"] += [
            {**m, "id": f"{m['id']}-{round_no}", "rehab_team": m["rehab_team"] + suffix} for m in document["meetings"]
        ]
        new_cpr: dict[str, str] = {}
        for f in base:
            if len(out["forloeb"]) >= n:
                break
            old = f["borger"]
            if old not in new_cpr:
                while True:
                    cpr = fictitious_cpr(Borger(cpr=old).birth_date, rng)
                    if cpr not in taken:
                        break
                taken.add(cpr)
                new_cpr[old] = cpr
                out["borgere"].append({**copy.deepcopy(borgere[old]), "cpr": cpr})
            g = copy.deepcopy(f)
            g["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            g["borger"] = new_cpr[old]
            for a in g["agenda_items"]:
                a["meeting"] = f"{a['meeting']}-{round_no}"
            out["forloeb"].append(g)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--forloeb", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=2_500)
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from interchange.selectors import export_document, forloeb_for_export
    from interchange.validation import check_document, schema_problems
    from tests.interchange.test_roundtrip import empty_database

    empty_database()
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    print(f"seed_demo: {time.perf_counter() - started:.1f} s")
    demo = export_document(forloeb_for_export())
    document = copies(demo, args.forloeb)
    empty_database()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    chunks = [document["forloeb"][i : i + args.per_file] for i in range(0, len(document["forloeb"]), args.per_file)]
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, chunk in enumerate(chunks):
            cprs = {f["borger"] for f in chunk}
            part = {**document, "forloeb": chunk, "borgere": [b for b in document["borgere"] if b["cpr"] in cprs]}
            path = Path(tmp) / f"forloeb-{i + 1}.json"
            path.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
            paths.append(path)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(document['forloeb']):,} forløb in {len(paths)} files ({size_mb:.0f} MB)")

        # Phase timings on the first file (check only, nothing written), then the real command.
        first = json.loads(paths[0].read_text(encoding="utf-8"))
        t = time.perf_counter()
        schema_problems(first)
        schema_s = time.perf_counter() - t
        t = time.perf_counter()
        check_document(first)
        check_s = time.perf_counter() - t
        print(
            f"file 1 ({len(first['forloeb']):,} forløb): schema {schema_s:.2f} s, schema + domain checks {check_s:.2f} s"
        )

        out = io.StringIO()
        t = time.perf_counter()
        call_command("import_forloeb", *map(str, paths), stdout=out)
        total = time.perf_counter() - t
        print(out.getvalue().rstrip())
        with connection.cursor() as cursor:
            for table in ("cases_forloeb", "followup_followupmeeting", "plans_intervention", "followup_flag"):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constant names
                count = cursor.fetchone()[0]
                rows += count
                print(f"  {table}: {count:,}")
        n = len(document["forloeb"])
        print(f"import_forloeb, {n:,} forløb incl. reading, checks, writing and flags: {total:.1f} s")
        print(f"rate: {n / total * 60:,.0f} forløb per minute (target 10,000); peak RSS {rss_mb():.0f} MB")

        t = time.perf_counter()
        out = io.StringIO()
        call_command("import_forloeb", *map(str, paths), stdout=out)
        print(f"the same files again: {time.perf_counter() - t:.1f} s")
        print(out.getvalue().rstrip())
    print(f"run on {date.today()}")


if __name__ == "__main__":
    main()
