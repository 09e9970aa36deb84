"""The flags take their moments from the application's one clock (`cases.clock`), never from the
database server's: with the clock moved (a replay, a test, `make test`'s shifted runs) the raised and
resolved moments agree with the raised and resolved days."""

from datetime import UTC, date, datetime

import time_machine

from cases import clock
from followup import services
from followup.models import Flag

MOMENT = datetime(2028, 3, 7, 10, 15, tzinfo=UTC)


def test_a_flag_is_raised_and_resolved_at_the_moment_the_application_clock_shows(make_forloeb, samtale):
    with time_machine.travel(MOMENT, tick=False):
        f = make_forloeb(opened_on=date(2027, 1, 4), start_date=date(2027, 3, 1), planned_end_date=date(2030, 2, 28))
        services.flags_evaluate(as_of=clock.today(), forloeb_ids=[f.pk])
        overdue = Flag.objects.get(forloeb=f, rule_id="STD_SAMTALE_OVERDUE")
        assert overdue.raised_on == date(2028, 3, 7)
        assert overdue.raised_at == MOMENT

        samtale(f, clock.today())
        services.flags_evaluate(as_of=clock.today(), forloeb_ids=[f.pk])
        overdue.refresh_from_db()
        assert overdue.resolved_on == date(2028, 3, 7)
        assert overdue.resolved_at == MOMENT
