"""Date-versioned legal rule packs for ressourceforløb.

The rules of a forløb depend on the law in force on the relevant date (the date of the
indstilling, the afgørelse, …), never on today's date or a constant in code. Each pack
names its legal basis so that a message or a flag can say what it rests on.

These live in `cases` because every app needs them (`rehab` checks durations,
`followup` builds its contact and deadline rules on the same periods).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from cases import dates


@dataclass(frozen=True)
class RulePack:
    code: str
    name: str
    valid_from: date
    basis: str
    min_duration_years: int
    max_duration_years: int
    # A borger of this age or older may get a further ressourceforløb only if they wish it (R6).
    repeat_consent_age: int
    # False once the law stops new ressourceforløb (the 2026 reform).
    new_forloeb_allowed: bool = True
    note: str = ""


RULE_PACKS: tuple[RulePack, ...] = (
    RulePack(
        code="LAB2013",
        name=_("Reformen af førtidspension og fleksjob (2013)"),
        valid_from=date(2013, 1, 1),
        basis=_(
            "Lov om en aktiv beskæftigelsesindsats som ændret ved lov nr. 1380 af 23.12.2012: ressourceforløb af mindst 1 og højst 5 års varighed"
        ),
        min_duration_years=1,
        max_duration_years=5,
        repeat_consent_age=40,
    ),
    RulePack(
        code="LAB2020",
        name=_("Ny lov om en aktiv beskæftigelsesindsats (2020)"),
        valid_from=date(2020, 1, 1),
        basis=_("Lov nr. 548 af 7.5.2019 (LAB), kap. 19: ressourceforløb af 1-5 år"),
        min_duration_years=1,
        max_duration_years=5,
        repeat_consent_age=40,
    ),
    RulePack(
        code="BEDRE2022",
        name=_("Bedre ressourceforløb (2022)"),
        valid_from=date(2022, 1, 1),
        basis=_("Lov nr. 1160 af 8.6.2021 (bedre ressourceforløb), LAB § 112 ff.: ressourceforløb af 1-3 år"),
        min_duration_years=1,
        max_duration_years=3,
        repeat_consent_age=40,
    ),
    RulePack(
        code="REFORM2026",
        name=_("Beskæftigelsesreformen (2026)"),
        valid_from=date(2026, 7, 1),
        basis=_(
            "Lov nr. 1750 af 29.12.2025: ressourceforløb afskaffes for nye borgere; igangværende forløb kan afsluttes"
        ),
        min_duration_years=1,
        max_duration_years=3,
        repeat_consent_age=40,
        new_forloeb_allowed=False,
        note=_(
            "Ikrafttræden for stop af nye ressourceforløb er sat til 1.7.2026 (1.2.2026 nævnes også) og skal "
            "efterprøves mod lovens ikrafttrædelsesbestemmelse. Overgangsregel (antagelse): en sag, hvis "
            "forberedende del blev påbegyndt før denne dato, kan stadig få bevilget et ressourceforløb."
        ),
    ),
)


FIRST_DAY = RULE_PACKS[0].valid_from
BEFORE_FIRST_PACK = _("Datoen ligger før 1.1.2013, hvor reglerne for ressourceforløb trådte i kraft.")


class NoRulePack(ValueError):
    """A day before the first rule pack: there were no ressourceforløb then. A date a user gives
    is checked with `rulepack_errors` first, so this is a programming error, never a page."""


def rulepack_on(day: date) -> RulePack:
    """The rule pack in force on a given day."""
    in_force = [pack for pack in RULE_PACKS if pack.valid_from <= day]
    if not in_force:
        raise NoRulePack(f"No rule pack covers {day}")
    return in_force[-1]


def new_forloeb_allowed(opened_on: date) -> bool:
    """Whether a case whose forberedende del began on `opened_on` may be (or become) a new
    ressourceforløb: the pack in force that day allows new forløb. The transitional rule of
    REFORM2026 (a forberedende del begun before it took effect may still end in a ressourceforløb)
    follows, since such a day is under the pack before it. Days before the first pack: see
    `rulepack_errors`; they are not refused here."""
    return opened_on < FIRST_DAY or rulepack_on(opened_on).new_forloeb_allowed


def new_forloeb_errors(opened_on: date | None, *, field: str) -> dict[str, list[str]]:
    """The Danish field error, naming the legal basis, when the law of `opened_on` allows no new
    ressourceforløb (`new_forloeb_allowed`), else nothing. The one rule for opening a forløb
    (`cases.services.borger_and_forloeb_open`) and for granting one (`rehab.services.reform_errors`)."""
    if opened_on is None or new_forloeb_allowed(opened_on):
        return {}
    pack = rulepack_on(opened_on)
    message = _(
        "Der kan ikke oprettes nye ressourceforløb for en sag, hvis forberedende del er påbegyndt den "
        "%(date)s eller senere (%(basis)s)."
    ) % {"date": dates.short(pack.valid_from), "basis": pack.basis}
    return {field: [str(message)]}


def rulepack_errors(day: date | None, *, field: str) -> dict[str, list[str]]:
    """The Danish field error for a date no rule pack covers (before 1.1.2013), else nothing.
    Every service that looks up the rules for a date a user typed checks it with this first."""
    if day is not None and day < FIRST_DAY:
        return {field: [str(BEFORE_FIRST_PACK)]}
    return {}
