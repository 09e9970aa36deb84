"""The risk register (fokusrevision §6.1, control point 5.2: only 3 of 25 kommuner had a written
risk picture): writes and reads.

A risk belongs to a kommune, or to one of its teams. What it says lives in its versions: every
edit writes a new `RiskVersion` (never changed), so the register as it stood last year stays
readable ("as of" a day) and a round shows the risks as they stood when it was linked to them.
A risk is retired, never deleted.

Scope: only supervisors (team leaders, administrators; `supervision.selectors.is_supervisor`) see
the register, of the kommuner they work in: the kommune-wide risks and those of the teams they may
see (`supervision.selectors.teams_in_view`). Anything else is a 404.

No lost work: the edit form carries the number of the version it showed. When a newer version
has been written since, the edit is refused (`StaleRisk`, a Danish message naming who wrote what
when) and the user's text stays in the form; saving again after reading it is a deliberate choice.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import clock, dates
from cases.models import Role, Team, User
from cases.validation import add_error, raise_if
from followup.rulepacks import RULES
from followup.selectors import rule_label
from supervision import points as cp
from supervision.models import ControlKind, Level, Risk, RiskResponse, RiskVersion
from supervision.selectors import is_supervisor, kommune_ids_for, teams_in_view

# The fields of a version a user writes (the rest is who and when).
RISK_FIELDS = (
    "title",
    "description",
    "likelihood",
    "consequence",
    "response",
    "response_reason",
    "control_kind",
    "control_ref",
    "control_text",
    "owner",
    "review_on",
)
REASON_NEEDED = (RiskResponse.ACCEPTED, RiskResponse.REDUCED)
CONTROL_NEEDED = (RiskResponse.CONTROL, RiskResponse.REDUCED)


class StaleRisk(ValidationError):
    """A newer version than the one the form showed has been written; `latest` is it."""

    def __init__(self, latest: RiskVersion):
        self.latest = latest
        super().__init__(
            _(
                "Risikoen er ændret, efter du åbnede siden: version %(number)s er gemt af %(who)s %(when)s. "
                "Dine ændringer er ikke gemt, men står stadig i formularen. Se den nye version under "
                "“Versioner”, ret til og gem igen."
            )
            % {
                "number": latest.number,
                "who": latest.written_by.get_full_name() or latest.written_by.username,
                "when": dates.with_time(latest.written_at),
            }
        )


# --- Scope ----------------------------------------------------------------------------------------


def kommune_for(user: User, requested: int | None = None) -> int:
    """The kommune whose register (and rounds) the supervisor works on: the one asked for, else
    the first they work in; 404 for anyone else or a kommune outside their scope."""
    if not is_supervisor(user):
        raise Http404
    ids = kommune_ids_for(user)
    if requested is not None:
        if requested not in ids:
            raise Http404
        return requested
    if not ids:
        raise Http404
    return ids[0]


def risks_in_scope(user: User, kommune_id: int) -> QuerySet:
    """The risks of the kommune the user may see: kommune-wide ones and those of teams in view."""
    if not is_supervisor(user) or kommune_id not in kommune_ids_for(user):
        return Risk.objects.none()
    teams = teams_in_view(user, kommune_id).values("pk")
    return Risk.objects.filter(kommune_id=kommune_id).filter(Q(team__isnull=True) | Q(team__in=teams))


def risk_get_for_user(user: User, pk: int) -> Risk:
    risk = Risk.objects.select_related("team", "kommune", "created_by").filter(pk=pk).first()
    if risk is None or not risks_in_scope(user, risk.kommune_id).filter(pk=pk).exists():
        raise Http404
    return risk


def owners_for(kommune_id: int) -> QuerySet:
    """Who may own a risk: the kommune's staff (members of its teams, or of the kommune), not the
    rehabiliteringsteam's members from other sectors."""
    return (
        User.objects.filter(Q(memberships__team__kommune_id=kommune_id) | Q(kommune_id=kommune_id), is_active=True)
        .exclude(role=Role.REHAB_MEMBER)
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


# --- Reads ----------------------------------------------------------------------------------------


@dataclass
class Entry:
    """A risk of the register as it stood on a day: the version in force then."""

    risk: Risk
    version: RiskVersion
    retired: bool
    control: str = ""  # the chosen control in words (`control_label`), filled in by the page

    @property
    def score(self) -> int:
        return self.version.score


def _day_of(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def register(user: User, kommune_id: int, as_of: dt.date | None = None) -> list[Entry]:
    """The register in the user's scope, highest score first (then by title): each risk's latest
    version; with `as_of`, the register as it stood at the end of that day (the versions written
    by then; a risk written later is left out; retired means retired by then). Two queries."""
    risks = list(risks_in_scope(user, kommune_id).select_related("team"))
    versions = RiskVersion.objects.filter(risk__in=[r.pk for r in risks]).select_related("owner", "written_by")
    latest: dict[int, RiskVersion] = {}
    for version in versions.order_by("risk_id", "number"):
        if as_of is None or _day_of(version.written_at) <= as_of:
            latest[version.risk_id] = version
    entries = []
    for risk in risks:
        if risk.pk not in latest:
            continue
        retired = risk.retired_on is not None and (as_of is None or risk.retired_on <= as_of)
        entries.append(Entry(risk, latest[risk.pk], retired))
    return sorted(entries, key=lambda e: (-e.score, e.version.title.lower(), e.risk.pk))


def versions_of(risk: Risk) -> list[RiskVersion]:
    """Every version of a risk, the newest first."""
    return list(risk.versions.select_related("owner", "written_by").order_by("-number"))


def current_version(risk: Risk) -> RiskVersion:
    return risk.versions.select_related("owner", "written_by").order_by("-number").first()


def version_as_of(versions: list[RiskVersion], day: dt.date) -> RiskVersion | None:
    """The version in force at the end of a day (of `versions_of`'s list), None before the first."""
    return next((v for v in versions if _day_of(v.written_at) <= day), None)


@dataclass
class Cell:
    likelihood: int
    consequence: int
    entries: list[Entry]

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence

    @property
    def level(self) -> str:
        """The cell's colour band: low (1-4), medium (5-9), high (10-16), critical (20-25)."""
        return "lav" if self.score <= 4 else "middel" if self.score <= 9 else "hoej" if self.score <= 16 else "kritisk"


def heat_matrix(entries: list[Entry]) -> list[tuple[int, str, list[Cell]]]:
    """The 5×5 matrix of the risks not retired: rows by likelihood from 5 (top) to 1, columns by
    consequence 1 to 5; each cell the risks in it."""
    labels = dict(Level.choices)
    rows = []
    for likelihood in range(5, 0, -1):
        cells = [
            Cell(
                likelihood,
                consequence,
                [
                    e
                    for e in entries
                    if not e.retired and e.version.likelihood == likelihood and e.version.consequence == consequence
                ],
            )
            for consequence in range(1, 6)
        ]
        rows.append((likelihood, str(labels[likelihood]), cells))
    return rows


def control_label(version: RiskVersion) -> str:
    """The chosen control in words: the flag rule's or the figure's name, else the kind."""
    if version.control_kind == ControlKind.FLAG_RULE and version.control_ref:
        return rule_label(version.control_ref)
    if version.control_kind == ControlKind.FIGURE and version.control_ref in cp.BY_REF:
        return str(cp.BY_REF[version.control_ref].label)
    if version.control_kind == ControlKind.OTHER and version.control_text:
        return version.control_text
    return str(dict(ControlKind.choices).get(version.control_kind, "")) if version.control_kind else ""


def control_choices() -> list:
    """The flag rules and the figures a risk can be controlled by, grouped for a select."""
    rules = sorted(((rid, rule_label(rid)) for rid in RULES), key=lambda t: t[1])
    figures = [(p.ref, f"{p.ref}: {p.label}") for p in cp.POINTS]
    return [("", _("(ingen)")), (_("Advarselsregler"), rules), (_("Nøgletal på tilsynsoversigten"), figures)]


# --- Writes ---------------------------------------------------------------------------------------


def _clean(data: dict, *, kommune_id: int) -> dict:
    """The version's values from the form's, checked; Danish messages by field."""
    errors: dict[str, list[str]] = {}
    values = {k: data.get(k) for k in RISK_FIELDS}
    for k in ("title", "description", "response_reason", "control_kind", "control_ref", "control_text"):
        values[k] = (values[k] or "").strip()
    if not values["title"]:
        add_error(errors, "title", _("Skriv, hvad risikoen er."))
    for k in ("likelihood", "consequence"):
        if values[k] not in Level.values:
            add_error(errors, k, _("Vælg et trin fra 1 til 5."))
    response = values["response"]
    if response not in RiskResponse.values:
        add_error(errors, "response", _("Vælg, hvordan risikoen håndteres."))
    if response in REASON_NEEDED and not values["response_reason"]:
        add_error(
            errors,
            "response_reason",
            _("Skriv, hvorfor risikoen accepteres eller kun kontrolleres i mindre omfang."),
        )
    kind = values["control_kind"]
    if response == RiskResponse.ACCEPTED:  # accepted without a control: nothing of one is kept
        kind = values["control_kind"] = ""
    if kind and kind not in ControlKind.values:
        add_error(errors, "control_kind", _("Vælg en kontrol på listen."))
    elif response in CONTROL_NEEDED and not kind:
        add_error(errors, "control_kind", _("Vælg, hvordan risikoen kontrolleres."))
    if kind == ControlKind.FLAG_RULE and values["control_ref"] not in RULES:
        add_error(errors, "control_ref", _("Vælg den advarselsregel, der kontrollerer risikoen."))
    elif kind == ControlKind.FIGURE and values["control_ref"] not in cp.BY_REF:
        add_error(errors, "control_ref", _("Vælg det nøgletal, der kontrollerer risikoen."))
    elif kind not in (ControlKind.FLAG_RULE, ControlKind.FIGURE):
        values["control_ref"] = ""
    if kind == ControlKind.OTHER and not values["control_text"]:
        add_error(errors, "control_text", _("Beskriv kontrollen med ord."))
    elif kind != ControlKind.OTHER:
        values["control_text"] = ""
    owner = values["owner"]
    if owner is None or not owners_for(kommune_id).filter(pk=owner.pk).exists():
        add_error(errors, "owner", _("Vælg en ejer blandt kommunens medarbejdere."))
    if values["review_on"] is None:
        add_error(errors, "review_on", _("Angiv, hvornår risikoen senest skal vurderes igen."))
    elif values["review_on"] < clock.today():
        add_error(errors, "review_on", _("Datoen for den næste vurdering kan ikke ligge før i dag."))
    raise_if(errors)
    return values


def _write(risk: Risk, number: int, values: dict, actor: User) -> RiskVersion:
    version = RiskVersion(risk=risk, number=number, written_by=actor, written_at=clock.now(), **values)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def risk_create(*, kommune_id: int, team: Team | None, data: dict, actor: User) -> Risk:
    """A new risk of the kommune (or of one of its teams) with its first version."""
    if team is not None and not teams_in_view(actor, kommune_id).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("Vælg et af dine teams.")})
    values = _clean(data, kommune_id=kommune_id)
    risk = Risk.objects.create(kommune_id=kommune_id, team=team, created_by=actor, created_at=clock.now())
    _write(risk, 1, values, actor)
    return risk


@transaction.atomic
def risk_revise(*, risk: Risk, data: dict, based_on: int | None, actor: User) -> RiskVersion:
    """A new version of the risk. `based_on` is the number of the version the form showed
    (None: a caller outside a form, no check); a newer one refuses the edit (`StaleRisk`)."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.retired_on is not None:
        raise ValidationError(_("Risikoen er udgået og kan ikke ændres."))
    latest = risk.versions.select_related("written_by").order_by("-number").first()
    if based_on is not None and based_on != latest.number:
        raise StaleRisk(latest)
    values = _clean(data, kommune_id=risk.kommune_id)
    if all(getattr(latest, k) == v for k, v in values.items()):
        raise ValidationError(_("Intet er ændret, så der er ikke gemt en ny version."))
    return _write(risk, latest.number + 1, values, actor)


@transaction.atomic
def risk_retire(*, risk: Risk, actor: User) -> Risk:
    """The risk is no longer in the register from today; its versions stay readable. Once."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.retired_on is not None:
        raise ValidationError(_("Risikoen er allerede udgået."))
    risk.retired_on = clock.today()
    risk.retired_by = actor
    risk.save(update_fields=["retired_on", "retired_by"])
    return risk
