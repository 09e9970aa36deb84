"""The one clock of the application.

Every "today" and "now" in services, rules, selectors, views, commands and the demo comes
from here, so a single place decides what the date is. Tests move it with time-machine
(which also moves `timezone.now()` underneath), and `make test` runs the date-sensitive
tests with the clock one and three years ahead (`FORLOEB_CLOCK_SHIFT_DAYS`, see tests/conftest.py).

`today()` is the Danish calendar day (Europe/Copenhagen), the day the law counts.
"""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today() -> date:
    """Today's date in Copenhagen."""
    return timezone.localdate(now())
