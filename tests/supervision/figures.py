"""Reading the ledelsestilsyn's figures in the hand-count tests: a figure of a unit, and checks
that a share or a distribution and the forløb behind each part are the hand-counted ones."""

import calendar
from datetime import date

from supervision import points, selectors
from supervision.selectors import Value

D = date


def months_after(day: date, n: int) -> date:
    """`day` moved n calendar months, clipped to the month's end (as PostgreSQL's date + interval)."""
    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    return D(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def figure(u, ref):
    point = points.BY_REF[ref]
    return next(f for f in selectors.figures(u, point.group) if f.point is point)


def ids(forloeb) -> list[int]:
    return sorted(f.pk for f in forloeb)


def check_share(u, ref, *, n, count):
    """The share's n and count, and the forløb behind each, are the hand-counted ones."""
    point = points.BY_REF[ref]
    assert figure(u, ref).unit == Value(n=len(n), count=len(count))
    assert selectors.drilldown_ids(u, point, "n") == ids(n)
    assert selectors.drilldown_ids(u, point, "count") == ids(count)


def check_distribution(u, ref, buckets: dict[str, list]):
    """Every forløb of n in its hand-counted bucket, and the drill-down of each bucket lists them."""
    point = points.BY_REF[ref]
    labels = [label for label, _, _ in point.buckets]
    assert set(buckets) <= set(labels)
    everyone = [f for group in buckets.values() for f in group]
    assert figure(u, ref).unit == Value(n=len(everyone), buckets={b: len(buckets.get(b, [])) for b in labels})
    assert selectors.drilldown_ids(u, point, "n") == ids(everyone)
    for label in labels:
        assert selectors.drilldown_ids(u, point, "n", label) == ids(buckets.get(label, []))
