"""What was open on a past day is answered exactly, whatever the database has evaluated since:
`export_flags --open-on` and `evaluate_flags --dry-run` replay the day without touching the flag
record, and the record itself only moves forward."""

import io
import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from cases.models import User
from followup import services
from followup.models import EvaluationRun, Flag
from interchange.services import forloeb_import
from tests.interchange.test_import import document, forloeb_doc, samtale

D = date
PAST_DAYS = (D(2019, 7, 1), D(2019, 12, 1), D(2021, 6, 1))


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def history() -> dict:
    """Two forløb from another system: one whose samtaler stop in 2019, one followed up every two
    months until 2021, so different flags are open on each past day."""
    followed = forloeb_doc(id_="0b7a1c52-9d3e-4f7a-8c21-5e6f7a8b9c0d", cpr="0202802345")
    followed["agenda_items"][0]["slot_start"] = "10:30"
    followed["followups"] = [
        samtale(f"{year}-{month:02d}-01", f"{year + (month == 12)}-{month % 12 + 1:02d}-01")
        for year in (2019, 2020, 2021)
        for month in (6, 8, 10, 12)
        if (year, month) <= (2021, 6)
    ]
    return document(forloeb_doc(), followed, cprs=("0101801234", "0202802345"))


def open_on(day: date) -> set[tuple]:
    return {
        (r["forloeb_id"], r["rule_id"], r["subject"]) for r in json.loads(run("export_flags", "--open-on", str(day)))
    }


def dry_run_counts(day: date) -> Counter:
    out = run("evaluate_flags", "--as-of", str(day), "--dry-run")
    counts = Counter()
    for line in out.splitlines()[:-1]:
        rule_id, count = line.split()
        counts[rule_id] = int(count)
    return +counts


def record_open_on(day: date) -> set[tuple]:
    """The flags the record says were open on the day, straight from the table."""
    flags = Flag.objects.filter(raised_on__lte=day).exclude(resolved_on__lte=day)
    return set(flags.values_list("forloeb_id", "rule_id", "subject"))


@pytest.mark.django_db
def test_past_days_after_an_import_and_todays_run_are_what_a_fresh_database_evaluated_on_them_holds():
    forloeb_import(document=history(), file_name="fra-x.json")  # evaluates the new forløb as of today
    services.flags_evaluate()  # and the nightly run
    assert Flag.objects.filter(resolved_at__isnull=True).exists()
    answers = {day: open_on(day) for day in PAST_DAYS}
    counts = {day: dry_run_counts(day) for day in PAST_DAYS}

    # A fresh database with the same data, evaluated only on those days.
    Flag.objects.all().delete()
    EvaluationRun.objects.all().delete()
    for day in PAST_DAYS:
        services.flags_evaluate(as_of=day)
    fresh = {day: record_open_on(day) for day in PAST_DAYS}

    assert all(fresh.values()) and len({frozenset(flags) for flags in fresh.values()}) == len(PAST_DAYS)
    assert answers == fresh
    assert counts == {day: Counter(rule_id for _, rule_id, _ in fresh[day]) for day in PAST_DAYS}
    # The fresh database answers the same, now from its own record.
    assert {day: open_on(day) for day in PAST_DAYS} == fresh


@pytest.mark.django_db
def test_it_refuses_to_evaluate_a_day_before_an_import_evaluated_and_changes_nothing():
    forloeb_import(document=history(), file_name="fra-x.json")
    before = list(Flag.objects.order_by("id").values())
    assert before and not EvaluationRun.objects.exists()

    with pytest.raises(CommandError, match="allerede evalueret pr. .*--open-on 2019-12-01"):
        run("evaluate_flags", "--as-of", "2019-12-01")

    assert list(Flag.objects.order_by("id").values()) == before


@pytest.mark.django_db
def test_a_flag_open_on_the_day_is_exported_with_its_lifecycle():
    forloeb_import(document=history(), file_name="fra-x.json", evaluate_flags=False)
    services.flags_evaluate(as_of=PAST_DAYS[1])
    flag = Flag.objects.filter(resolved_at__isnull=True).first()
    caseworker = User.objects.get(external_id="ks-17")  # the imported coordinator
    services.flag_acknowledge(flag=flag, comment="Samtale booket", actor=caseworker)
    services.flags_evaluate(as_of=PAST_DAYS[2])

    rows = json.loads(run("export_flags", "--open-on", str(PAST_DAYS[1])))

    row = next(r for r in rows if r["flag_id"] == flag.pk)
    assert (row["raised_on"], row["acknowledge_comment"]) == (PAST_DAYS[1].isoformat(), "Samtale booket")
    assert all(r["flag_id"] is not None for r in rows)
