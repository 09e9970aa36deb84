"""`evaluate_flags` and `export_flags` for operators, overlapping runs, and the completeness of
the flag record (fokusrevision T25: every flag ever raised can be listed with its lifecycle)."""

import csv
import io
import json
import threading
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from followup import services
from followup.models import EvaluationRun, Flag
from tests.followup.conftest import evaluate

D = date


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(make_forloeb, samtale, recommend):
    """Three forløb whose flags come and go between 2019 and 2020."""
    a = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2020, 9, 1))
    b = make_forloeb(opened_on=D(2019, 5, 1))
    c = make_forloeb(opened_on=D(2019, 1, 1), start_date=D(2019, 2, 1), planned_end_date=D(2021, 2, 1))
    samtale(a, D(2019, 3, 1), next_on=D(2019, 5, 1))
    recommend(b, D(2019, 9, 2), sent_on=D(2019, 10, 15))
    samtale(c, D(2019, 4, 1))
    samtale(c, D(2019, 11, 20))
    return a, b, c


@pytest.mark.django_db
def test_evaluate_flags_replays_past_days_in_order(history):
    out = run("evaluate_flags", "--as-of", "2019-10-01")
    assert "Evalueret pr. 2019-10-01" in out
    run("evaluate_flags", "--as-of", "2019-12-01")
    assert list(EvaluationRun.objects.order_by("as_of").values_list("as_of", flat=True)) == [
        D(2019, 10, 1),
        D(2019, 12, 1),
    ]
    late = Flag.objects.get(rule_id="INDSTILLING_LATE_TO_BORGER")
    assert (late.raised_on, late.resolved_on) == (D(2019, 10, 1), D(2019, 12, 1))


@pytest.mark.django_db
def test_an_earlier_day_than_the_latest_run_is_refused_unless_dry_run(history):
    run("evaluate_flags", "--as-of", "2020-01-01")
    with pytest.raises(CommandError, match="allerede evalueret pr. 2020-01-01"):
        run("evaluate_flags", "--as-of", "2019-06-01")
    count = Flag.objects.count()
    out = run("evaluate_flags", "--as-of", "2019-10-01", "--dry-run")
    assert "INDSTILLING_LATE_TO_BORGER" in out and Flag.objects.count() == count


@pytest.mark.django_db
def test_a_bad_date_is_answered_in_danish():
    with pytest.raises(CommandError, match="Ugyldig dato"):
        run("evaluate_flags", "--as-of", "1.3.2020")


@pytest.mark.django_db
def test_t25_the_export_lists_every_flag_ever_raised_with_its_lifecycle(history, caseworker, tmp_path):
    raised_events = 0
    for day in (D(2019, 6, 1), D(2019, 10, 1), D(2019, 12, 1), D(2020, 3, 1)):
        raised_events += evaluate(day).total_raised
    services.flag_acknowledge(
        flag=Flag.objects.filter(resolved_at__isnull=True).first(), comment="Set", actor=caseworker
    )
    rows = json.loads(run("export_flags"))
    assert len(rows) == raised_events == Flag.objects.count()
    assert {r["resolution"] for r in rows} >= {None, "ophoert"}
    row = next(r for r in rows if r["acknowledged_by"])
    assert row["acknowledged_by"] == caseworker.username and row["acknowledge_comment"] == "Set"
    assert {"rule_id", "rule_version", "basis", "evidence", "raised_on", "resolved_on"} <= set(row)
    path = tmp_path / "flags.csv"
    run("export_flags", "--format", "csv", "-o", str(path))
    with path.open(encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert len(csv_rows) == len(rows) and json.loads(csv_rows[0]["evidence"]) == rows[0]["evidence"]
    cprs = [f.forloeb.borger.cpr for f in Flag.objects.select_related("forloeb__borger")]
    text = path.read_text(encoding="utf-8") + run("export_flags")
    assert not any(cpr in text for cpr in cprs)


@pytest.mark.django_db
def test_export_open_on_a_day_gives_the_flags_open_that_day(history):
    for day in (D(2019, 10, 1), D(2019, 12, 1)):
        evaluate(day)
    open_oct = {r["rule_id"] for r in json.loads(run("export_flags", "--open-on", "2019-10-01"))}
    open_dec = {r["rule_id"] for r in json.loads(run("export_flags", "--open-on", "2019-12-01"))}
    assert "INDSTILLING_LATE_TO_BORGER" in open_oct and "INDSTILLING_LATE_TO_BORGER" not in open_dec


def at_once(n: int, work) -> list[Exception]:
    """Run `work` in n threads released together, each with its own database connection."""
    barrier = threading.Barrier(n)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_full_runs_raise_each_flag_once(history):
    """Two nightly runs at the same moment, each in its own connection: the partial unique
    index and the per-rule lock leave exactly the flags one run raises."""
    assert not at_once(2, lambda: services.flags_evaluate(as_of=D(2020, 3, 1)))
    flags = list(Flag.objects.values_list("forloeb_id", "rule_id", "subject"))
    assert flags and len(flags) == len(set(flags))
    assert services.flags_evaluate(as_of=D(2020, 3, 1)).total_raised == 0


@pytest.mark.django_db(transaction=True)
def test_overlapping_single_forloeb_runs_without_the_lock_still_raise_each_flag_once(history):
    a = history[0]
    assert not at_once(4, lambda: services.flags_evaluate(as_of=D(2020, 3, 1), forloeb_ids=[a.pk]))
    flags = list(Flag.objects.filter(forloeb=a).values_list("rule_id", "subject"))
    assert flags and len(flags) == len(set(flags))


@pytest.mark.django_db
def test_export_to_a_path_that_cannot_be_written_says_so_in_danish(tmp_path):
    with pytest.raises(CommandError, match="Kan ikke skrive til"):
        run("export_flags", "-o", str(tmp_path / "mangler" / "flags.json"))
