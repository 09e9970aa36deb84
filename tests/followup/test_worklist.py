"""Min dag's worklist: what is due, what is overdue (most overdue first), flags by forløb in
name order, and forløb ending soon."""

import datetime as dt

import pytest
from django.utils import timezone

from followup import selectors
from tests.factories import BorgerFactory
from tests.followup.conftest import evaluate

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def running(make_forloeb, last_name, *, end_in_days=400):
    return make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=end_in_days),
        borger=BorgerFactory(last_name=last_name),
    )


def test_the_worklist_sorts_and_groups_what_the_caseworker_must_do(make_forloeb, samtale, caseworker):
    little = running(make_forloeb, "Østergaard")
    samtale(
        little, TODAY - dt.timedelta(days=65), next_on=TODAY + dt.timedelta(days=30)
    )  # the standard's 61 days passed 4 days ago
    much = running(make_forloeb, "Andersen")
    samtale(much, TODAY - dt.timedelta(days=30), next_on=TODAY - dt.timedelta(days=10))  # agreed, 10 days ago
    today = running(make_forloeb, "Berg")
    samtale(today, TODAY - dt.timedelta(days=20), next_on=TODAY)
    ending = running(make_forloeb, "Carlsen", end_in_days=45)
    samtale(ending, TODAY - dt.timedelta(days=5))
    evaluate(TODAY)

    work = selectors.worklist(coordinator=caseworker, today=TODAY)
    assert [(d.forloeb, d.days_overdue, d.why) for d in work.overdue] == [(much, 10, "aftalt"), (little, 4, "standard")]
    assert [d.forloeb for d in work.due_today] == [today]
    assert work.ending == [(ending, 45)]
    names = [f.borger.last_name for f, _flags in work.flags_by_forloeb]
    assert names == sorted(names) and "Østergaard" in names


def test_a_samtale_due_later_this_week_is_listed_for_this_week_only(make_forloeb, samtale, caseworker):
    f = running(make_forloeb, "Dahl")
    sunday = TODAY + dt.timedelta(days=6 - TODAY.weekday())
    samtale(f, TODAY - dt.timedelta(days=14), next_on=sunday)
    work = selectors.worklist(coordinator=caseworker, today=TODAY)
    if sunday == TODAY:
        assert [d.forloeb for d in work.due_today] == [f]
    else:
        assert [d.forloeb for d in work.due_this_week] == [f]
    next_monday = selectors.worklist(coordinator=caseworker, today=sunday + dt.timedelta(days=1))
    assert not next_monday.due_this_week and [d.forloeb for d in next_monday.overdue] == [f]
