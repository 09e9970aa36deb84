"""Business rules of the forløb: transition guards and permission predicates.

Guards are named checks on a forløb with a Danish message that tells the caseworker
what is missing. Later apps add their own guards to a transition with
`register_guard` (for example rehab: "the forberedende del is complete"), so that the
state machine in `cases` stays ignorant of the apps that build on it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import rules
from django.utils.translation import gettext_lazy as _

from cases import clock
from cases.rulepacks import BEFORE_FIRST_PACK, FIRST_DAY

TRANSITION_LABELS = {
    "to_rehab_team": _("Send til rehabiliteringsteamet"),
    "give_indstilling": _("Registrér indstilling"),
    "grant": _("Bevilg ressourceforløb"),
    "grant_without_team": _("Bevilg ressourceforløb uden rehabiliteringsteamet (frikommune)"),
    "start_ivaerksaettelse": _("Iværksæt indsatser"),
    "genforelaeggelse": _("Genforelæg for rehabiliteringsteamet"),
    "close": _("Afslut forløb"),
}
TRANSITIONS = tuple(TRANSITION_LABELS)


@dataclass(frozen=True)
class Guard:
    code: str
    message: str
    check: Callable[..., bool]  # check(forloeb) -> True when the transition may proceed
    # True when filling in the step's own form (see register_step_url) satisfies the guard,
    # so the page offers the form instead of listing the guard as missing.
    met_by_step_form: bool = False
    # True when failing means the step does not apply at all here (not "something is missing").
    hides_step: bool = False


GUARDS: dict[str, list[Guard]] = {name: [] for name in TRANSITIONS}
STEP_URLS: dict[str, str] = {}


def register_step_url(transition: str, url_name: str) -> None:
    """Say that a transition is made through another app's form (e.g. the afgørelse)."""
    if transition not in GUARDS:
        raise KeyError(f"Unknown transition {transition!r}")
    STEP_URLS[transition] = url_name


def register_guard(transition: str, guard: Guard) -> None:
    """Add a guard to a transition (idempotent by guard code)."""
    if transition not in GUARDS:
        raise KeyError(f"Unknown transition {transition!r}")
    GUARDS[transition] = [g for g in GUARDS[transition] if g.code != guard.code] + [guard]


def unregister_guard(transition: str, code: str) -> None:
    GUARDS[transition] = [g for g in GUARDS[transition] if g.code != code]


def failed_guards(transition: str, forloeb) -> list[Guard]:
    return [g for g in GUARDS[transition] if not g.check(forloeb)]


def guards_pass(transition: str) -> Callable[..., bool]:
    """A django-fsm condition that holds when every guard of the transition passes."""

    def condition(instance) -> bool:
        return not failed_guards(transition, instance)

    condition.__name__ = f"guards_of_{transition}"
    return condition


# --- The guards this app knows about -------------------------------------------------

has_coordinator = Guard(
    code="has_coordinator",
    message=_("Forløbet har ingen koordinerende sagsbehandler. Tildel en, før forløbet kan gå videre."),
    check=lambda f: f.current_coordinator_id is not None,
)

has_started = Guard(
    code="forloeb_started",
    message=_("Ressourceforløbet er ikke startet endnu. Indsatser kan iværksættes fra startdatoen."),
    check=lambda f: f.start_date is not None and f.start_date <= clock.today(),
)

is_frikommune = Guard(
    code="is_frikommune",
    message=_("Kun en frikommune kan bevilge et ressourceforløb uden behandling i rehabiliteringsteamet."),
    check=lambda f: f.kommune.is_frikommune,
    hides_step=True,
)


def _is_first_forloeb(forloeb) -> bool:
    return not forloeb.borger.forloeb.exclude(pk=forloeb.pk).filter(start_date__isnull=False).exists()


first_forloeb = Guard(
    code="first_forloeb",
    message=_(
        "Undtagelsen gælder kun borgerens første ressourceforløb; et nyt forløb skal forbi rehabiliteringsteamet."
    ),
    check=_is_first_forloeb,
    hides_step=True,
)

for _name in (
    "to_rehab_team",
    "give_indstilling",
    "grant",
    "grant_without_team",
    "start_ivaerksaettelse",
    "genforelaeggelse",
):
    register_guard(_name, has_coordinator)
register_guard("start_ivaerksaettelse", has_started)
register_guard("grant_without_team", is_frikommune)
register_guard("grant_without_team", first_forloeb)


# --- Input rules: what a transition needs from the person making it ------------------

MAX_BACKDATE_DAYS = 366


def ends_early(closed_on: date | None, planned_end_date: date | None) -> bool:
    """Closed before its planned end date (BEU 244 question 10): the one definition, which
    closing a forløb enforces and the reports read through `outcomes.selectors.ended_early`."""
    return closed_on is not None and planned_end_date is not None and closed_on < planned_end_date


def _implied_early_end_reasons() -> dict[str, str]:
    from cases.models import EarlyEndReason, Outcome

    return {
        Outcome.WAGE_EMPLOYMENT: EarlyEndReason.JOB_EDUCATION,
        Outcome.EDUCATION: EarlyEndReason.JOB_EDUCATION,
        Outcome.FLEKSJOB: EarlyEndReason.FLEKSJOB,
        Outcome.LEDIGHEDSYDELSE: EarlyEndReason.FLEKSJOB,  # ledighedsydelse presupposes a visitation to fleksjob
        Outcome.FOERTIDSPENSION: EarlyEndReason.FOERTIDSPENSION,
        Outcome.SENIORFOERTIDSPENSION: EarlyEndReason.FOERTIDSPENSION,
        Outcome.SYGEDAGPENGE: EarlyEndReason.OTHER_BENEFIT,
        Outcome.DEATH: EarlyEndReason.DEATH,
        Outcome.MOVED: EarlyEndReason.MOVED,
    }


def implied_early_end_reason(outcome: str) -> str:
    """The reason a forløb ended early when the afslutningsårsag itself says it (an afgørelse of
    fleksjob or førtidspension closes the forløb), else "". Used only where no person is asked."""
    return _implied_early_end_reasons().get(outcome, "")


def early_end_reason_errors(*, closed_on: date | None, planned_end_date: date | None, reason: str | None) -> dict:
    """The reason is required when the forløb ends before its planned end and refused otherwise.
    `reason=None`: the caller asked no one (an afgørelse that closes the forløb), nothing required."""
    from cases import dates
    from cases.models import EarlyEndReason

    early = ends_early(closed_on, planned_end_date)
    if reason and reason not in EarlyEndReason.values:
        return {"early_end_reason": _("Vælg en af årsagerne.")}
    if early and reason == "":
        return {
            "early_end_reason": _(
                "Forløbet slutter før den planlagte slutdato (%(date)s). Vælg hvorfor det slutter før tid."
            )
            % {"date": dates.short(planned_end_date)}
        }
    if reason and not early:
        if planned_end_date is None:
            return {"early_end_reason": _("Forløbet har ingen planlagt slutdato; lad årsagen stå tom.")}
        return {"early_end_reason": _("Forløbet slutter ikke før den planlagte slutdato; lad årsagen stå tom.")}
    return {}


def transition_input_errors(transition: str, forloeb, data: dict, *, today: date) -> dict[str, str]:
    """Validate the input of a transition; return {field: Danish message}."""
    errors: dict[str, str] = {}
    if transition == "genforelaeggelse" and not (data.get("reason") or "").strip():
        errors["reason"] = _("Skriv hvorfor forløbet genforelægges for rehabiliteringsteamet.")
    if transition == "close":
        from cases.models import Outcome

        if data.get("outcome") not in Outcome.values:
            errors["outcome"] = _("Vælg en afslutningsårsag.")
        closed_on = data.get("closed_on")
        if closed_on is None:
            errors["closed_on"] = _("Angiv datoen for afslutningen.")
        elif closed_on > today:
            errors["closed_on"] = _("Afslutningsdatoen kan ikke ligge i fremtiden.")
        elif closed_on < forloeb.opened_on:
            errors["closed_on"] = _("Afslutningsdatoen ligger før forløbet blev oprettet.")
        else:
            errors.update(
                early_end_reason_errors(
                    closed_on=closed_on,
                    planned_end_date=forloeb.planned_end_date,
                    reason=data.get("early_end_reason"),
                )
            )
    if transition in ("grant", "grant_without_team"):
        start, end = data.get("start_date"), data.get("planned_end_date")
        if start is None:
            errors["start_date"] = _("Angiv ressourceforløbets startdato.")
        elif start < forloeb.opened_on:
            errors["start_date"] = _("Startdatoen ligger før forløbet blev oprettet.")
        elif start < FIRST_DAY:
            errors["start_date"] = BEFORE_FIRST_PACK
        if end is None:
            errors["planned_end_date"] = _("Angiv den planlagte slutdato.")
        elif start is not None and end <= start:
            errors["planned_end_date"] = _("Den planlagte slutdato skal ligge efter startdatoen.")
    return errors


# --- Permission predicates (django-rules) ---------------------------------------------


@rules.predicate
def has_administrator_role(user) -> bool:
    """The user is an administrator (of some kommune) or a superuser. Object-free: only for
    checks that are not about one kommune's data (a menu item, the export page); the data
    itself is scoped by the selectors. Never use it to grant access to a forløb."""
    return user.is_authenticated and user.is_administrator


@rules.predicate
def is_administrator(user, forloeb=None) -> bool:
    """Administrator of the forløb's kommune. Kommune-bound: without a forløb it answers
    False (so `user.has_perm("cases.view_forloeb")` without an object grants nothing)."""
    if forloeb is None or not user.is_authenticated or not user.is_administrator:
        return False
    return user.is_superuser or forloeb.kommune_id == user.kommune_id


@rules.predicate
def is_team_caseworker(user, forloeb) -> bool:
    from cases.models import CASE_ROLES

    return forloeb is not None and user.role in CASE_ROLES and forloeb.team_id in user.team_ids


@rules.predicate
def is_team_leader(user, forloeb) -> bool:
    from cases.models import Role

    return forloeb is not None and user.role == Role.TEAM_LEADER and forloeb.team_id in user.team_ids


can_view_forloeb = is_team_caseworker | is_team_leader | is_administrator
can_change_forloeb = is_team_caseworker | is_team_leader | is_administrator

rules.add_perm("cases.view_forloeb", can_view_forloeb)
rules.add_perm("cases.change_forloeb_phase", can_change_forloeb)
# One permission per transition, so an app can widen exactly one step (rehab lets the
# team's members record the indstilling) without opening the others.
for _name in TRANSITIONS:
    rules.add_perm(f"cases.transition_{_name}", can_change_forloeb)
rules.add_perm("cases.assign_coordinator", is_team_leader | is_administrator | is_team_caseworker)
