"""The filter arguments every export command shares (kommune, team, period), checked with a
Danish message before anything is read."""

from django.core.management.base import CommandError

from cases.models import Kommune, Team
from followup.management.dates import parse_day


def add_filter_arguments(parser) -> None:
    parser.add_argument("--kommune", help="Kun denne kommune (kommunekode, fx 998).")
    parser.add_argument("--team", help="Kun dette team (teamkode, fx team-nord).")
    parser.add_argument("--from", dest="period_from", type=parse_day, help="Forløb åbne på eller efter (ÅÅÅÅ-MM-DD).")
    parser.add_argument("--to", dest="period_to", type=parse_day, help="Forløb oprettet på eller før (ÅÅÅÅ-MM-DD).")


def checked_filters(*, kommune=None, team=None, period_from=None, period_to=None, **_options) -> dict:
    """The keyword arguments of `interchange.selectors.forloeb_for_export`, or a CommandError."""
    if kommune and not Kommune.objects.filter(code=kommune).exists():
        raise CommandError(f"Ukendt kommunekode: {kommune!r}.")
    if team and not Team.objects.filter(code=team, **({"kommune__code": kommune} if kommune else {})).exists():
        where = f" i kommune {kommune}" if kommune else ""
        raise CommandError(f"Ukendt teamkode{where}: {team!r}.")
    if period_from and period_to and period_from > period_to:
        raise CommandError(f"--from ({period_from}) ligger efter --to ({period_to}).")
    return {"kommune_code": kommune, "team_code": team, "period_from": period_from, "period_to": period_to}
