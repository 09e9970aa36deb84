"""`due_of` (the case header's next samtale) is `with_due` for one forløb: the same statement,
compiled once, with the forløb and the day put in as parameters."""

import datetime as dt

import pytest

from cases import clock
from cases.models import Forloeb
from followup.selectors import due_of, with_due

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_due_of_gives_what_with_due_gives_for_each_forloeb_and_day(make_forloeb, samtale):
    not_started = make_forloeb(opened_on=TODAY - dt.timedelta(days=40))
    agreed = make_forloeb(opened_on=TODAY - dt.timedelta(days=300), start_date=TODAY - dt.timedelta(days=200))
    samtale(agreed, TODAY - dt.timedelta(days=20), next_on=TODAY + dt.timedelta(days=9))
    by_standard = make_forloeb(opened_on=TODAY - dt.timedelta(days=300), start_date=TODAY - dt.timedelta(days=100))
    missed = make_forloeb(opened_on=TODAY - dt.timedelta(days=500), start_date=TODAY - dt.timedelta(days=400))
    samtale(missed, TODAY - dt.timedelta(days=90), next_on=TODAY - dt.timedelta(days=30))
    for day in (TODAY, TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=30)):
        expected = {f.pk: (f.due_on, f.why) for f in with_due(Forloeb.objects.all(), today=day)}
        for f in (not_started, agreed, by_standard, missed):
            assert due_of(forloeb_id=f.pk, today=day) == expected[f.pk], (f, day)
    assert due_of(forloeb_id=agreed.pk, today=TODAY) == (TODAY + dt.timedelta(days=9), "aftalt")
    assert due_of(forloeb_id=not_started.pk, today=TODAY) == (None, None)
    assert due_of(forloeb_id=-1, today=TODAY) == (None, None)
