"""Builders for the outcome tests: forløb that ended a given number of days ago, dated relative
to the clock (the suite also runs with the clock years ahead)."""

import datetime as dt

import pytest

from cases import clock
from tests.factories import BorgerFactory, ForloebFactory

TODAY = clock.today()


@pytest.fixture
def closed_forloeb(team, caseworker):
    """A forløb of the caseworker's team that ended `days_ago` days ago, a year before its planned end
    unless `planned_end` is given (a closed forløb is `afsluttet`; the phase field is protected)."""

    def _make(*, days_ago=0, planned_end=None, last_name="Hansen", **extra):
        closed_on = TODAY - dt.timedelta(days=days_ago)
        f = ForloebFactory(
            team=team,
            borger=BorgerFactory(first_name="Mette", last_name=last_name),
            opened_on=closed_on - dt.timedelta(days=700),
            start_date=closed_on - dt.timedelta(days=600),
            planned_end_date=planned_end or closed_on + dt.timedelta(days=365),
            closed_on=closed_on,
            outcome="kontanthjaelp",
            current_coordinator=caseworker,
            **extra,
        )
        type(f).objects.filter(pk=f.pk).update(phase="afsluttet")
        f.refresh_from_db()
        return f

    return _make


@pytest.fixture
def running_forloeb(team, caseworker):
    """A forløb in its second year, 300 days left of it."""
    f = ForloebFactory(
        team=team,
        borger=BorgerFactory(first_name="Ole", last_name="Jensen"),
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=300),
        current_coordinator=caseworker,
    )
    type(f).objects.filter(pk=f.pk).update(phase="ivaerksaettelse")
    f.refresh_from_db()
    return f
