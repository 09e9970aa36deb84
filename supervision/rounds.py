"""Tilsyn rounds (fokusrevision §6.1, control points 5.5-5.7): writes and reads.

A team leader starts a round (a period, a unit, a purpose and the risks it controls), draws its
sample (`supervision.sampling`), the forløb are reviewed (`supervision.reviews`), and the round
closes with a summary and a re-assessment of each linked risk, so the next round is not a copy.

The unit is one team, or every team the leader may see when the round starts; the round keeps
the list (`criteria["teams"]`), so it means the same whoever opens it later. A supervisor sees a
round when they may see every team of its unit (`round_visible`); anyone else gets a 404.

Closing: every sampled forløb should have a completed review. A round may still be closed with
some not reviewed, but only with a written reason, which is kept with the round (`unreviewed_reason`).
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import clock
from cases.concurrency import check_unchanged
from cases.models import Team, User
from cases.validation import add_error, raise_if
from supervision import risks as risk_module
from supervision import sampling
from supervision.models import (
    Review,
    Risk,
    RiskVersion,
    RoundRisk,
    RoundStatus,
    SampleItem,
    SampleMethod,
    TilsynRound,
)
from supervision.selectors import is_supervisor, kommune_ids_for, teams_in_view

SEED_BITS = 32
DRAW_TOKEN_FIELDS = ("drawn_at", "status")  # the draw form's edit token (cases.concurrency)
STRATUM_MAX = SampleItem._meta.get_field("stratum").max_length

# --- Scope ----------------------------------------------------------------------------------------


def unit_team_ids(tilsyn_round: TilsynRound) -> list[int]:
    if tilsyn_round.team_id is not None:
        return [tilsyn_round.team_id]
    return sorted(int(pk) for pk in (tilsyn_round.criteria or {}).get("teams", []))


def _view(user: User, kommune_id: int) -> set[int] | None:
    if not is_supervisor(user) or kommune_id not in kommune_ids_for(user):
        return None
    return set(teams_in_view(user, kommune_id).values_list("pk", flat=True))


def _visible(view: set[int] | None, tilsyn_round: TilsynRound) -> bool:
    teams = unit_team_ids(tilsyn_round)
    return view is not None and bool(teams) and set(teams) <= view


def round_visible(user: User, tilsyn_round: TilsynRound) -> bool:
    return _visible(_view(user, tilsyn_round.kommune_id), tilsyn_round)


def round_get_for_user(user: User, pk: int) -> TilsynRound:
    """A round whose whole unit the supervisor may see, or 404."""
    tilsyn_round = (
        TilsynRound.objects.select_related("team", "kommune", "started_by", "drawn_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if tilsyn_round is None or not round_visible(user, tilsyn_round):
        raise Http404
    return tilsyn_round


def rounds_in_scope(user: User, kommune_id: int) -> list[TilsynRound]:
    """The kommune's rounds the user may see, newest first, each with `n_sample` and `n_reviewed`
    (completed reviews). Three queries."""
    view = _view(user, kommune_id)
    if view is None:
        return []
    rounds = (
        TilsynRound.objects.filter(kommune_id=kommune_id)
        .select_related("team", "started_by")
        .annotate(
            n_sample=Count("sample", distinct=True),
            n_reviewed=Count("sample", filter=Q(sample__review__completed_at__isnull=False), distinct=True),
        )
        .order_by("-started_at", "-pk")
    )
    return [r for r in rounds if _visible(view, r)]


def rounds_controlling(user: User, risk: Risk) -> list[RoundRisk]:
    """The rounds (that the user may see) linked to a version of the risk, newest first."""
    links = (
        RoundRisk.objects.filter(risk_version__risk=risk)
        .select_related("round__team", "risk_version")
        .order_by("-round__started_at", "-round__pk")
    )
    view = _view(user, risk.kommune_id)
    return [link for link in links if _visible(view, link.round)]


def previous_round(tilsyn_round: TilsynRound) -> TilsynRound | None:
    """The latest round of the same unit started before this one that has a sample."""
    same_unit = TilsynRound.objects.filter(kommune_id=tilsyn_round.kommune_id, drawn_at__isnull=False)
    if tilsyn_round.team_id is not None:
        same_unit = same_unit.filter(team_id=tilsyn_round.team_id)
    else:
        same_unit = same_unit.filter(team__isnull=True, criteria__teams=unit_team_ids(tilsyn_round))
    earlier = Q(started_at__lt=tilsyn_round.started_at) | Q(started_at=tilsyn_round.started_at, pk__lt=tilsyn_round.pk)
    return same_unit.exclude(pk=tilsyn_round.pk).filter(earlier).order_by("-started_at", "-pk").first()


def sample_of(tilsyn_round: TilsynRound) -> list[SampleItem]:
    """The sample in the order drawn, with each forløb's borger, team and review (if any)."""
    return list(
        tilsyn_round.sample.select_related("forloeb__borger", "forloeb__team", "coordinator", "review").order_by(
            "position"
        )
    )


def linked_risks(tilsyn_round: TilsynRound) -> list[RoundRisk]:
    """The risks the round controls, as linked, with each risk's current version (`current`)."""
    links = list(
        tilsyn_round.round_risks.select_related("risk_version__risk__team", "risk_version__owner").order_by(
            "risk_version__title", "pk"
        )
    )
    risk_ids = [link.risk_version.risk_id for link in links]
    current: dict[int, RiskVersion] = {}
    for version in RiskVersion.objects.filter(risk__in=risk_ids).select_related("owner").order_by("risk_id", "number"):
        current[version.risk_id] = version
    for link in links:
        link.current = current.get(link.risk_version.risk_id, link.risk_version)
    return links


def is_reviewed(item: SampleItem) -> bool:
    review = getattr(item, "review", None)
    return review is not None and review.completed_at is not None


# --- Start ----------------------------------------------------------------------------------------


@transaction.atomic
def round_start(
    *,
    kommune_id: int,
    team: Team | None,
    title: str,
    purpose: str,
    period_from,
    period_to,
    risks: list[Risk],
    actor: User,
) -> TilsynRound:
    """A new round of one team (or of every team the actor may see in the kommune), linked to the
    current versions of the risks it controls."""
    errors: dict[str, list[str]] = {}
    view = _view(actor, kommune_id) or set()
    if team is not None and team.pk not in view:
        add_error(errors, "team", _("Vælg et af dine teams."))
    teams = [team.pk] if team is not None else sorted(view)
    if not teams:
        add_error(errors, "team", _("Du har ingen teams i kommunen at føre tilsyn med."))
    if not (title or "").strip():
        add_error(errors, "title", _("Giv runden en titel."))
    if not (purpose or "").strip():
        add_error(errors, "purpose", _("Skriv rundens formål: hvad skal den kontrollere?"))
    if period_from and period_to and period_from > period_to:
        add_error(errors, "period_to", _("Perioden kan ikke slutte, før den begynder."))
    if period_from and period_from > clock.today():
        add_error(errors, "period_from", _("Perioden kan ikke begynde efter i dag."))
    in_scope = set(risk_module.risks_in_scope(actor, kommune_id).values_list("pk", flat=True))
    for risk in risks:
        if risk.pk not in in_scope or risk.retired_on is not None:
            add_error(errors, "risks", _("Vælg blandt registrets aktuelle risici."))
            break
        if risk.team_id is not None and risk.team_id not in teams:
            add_error(errors, "risks", _("En risiko for et andet team kan ikke kontrolleres i denne runde."))
            break
    raise_if(errors)
    tilsyn_round = TilsynRound.objects.create(
        kommune_id=kommune_id,
        team=team,
        title=title.strip(),
        purpose=purpose.strip(),
        period_from=period_from,
        period_to=period_to,
        started_by=actor,
        started_at=clock.now(),
        criteria={"teams": teams},
    )
    versions = {}
    for version in RiskVersion.objects.filter(risk__in=[r.pk for r in risks]).order_by("risk_id", "number"):
        versions[version.risk_id] = version
    RoundRisk.objects.bulk_create(RoundRisk(round=tilsyn_round, risk_version=v) for v in versions.values())
    return tilsyn_round


# --- The sample -----------------------------------------------------------------------------------


def population_now(tilsyn_round: TilsynRound, *, leader: User) -> list[sampling.Member]:
    """The round's population with its risk factors as of today (the draw's, and the suggestion's)."""
    previous = previous_round(tilsyn_round)
    caseworkers = set()
    if previous is not None:
        caseworkers = set(
            previous.sample.filter(coordinator__isnull=False).values_list("coordinator_id", flat=True).distinct()
        )
    return sampling.build_population(
        leader=leader,
        kommune_id=tilsyn_round.kommune_id,
        team_ids=unit_team_ids(tilsyn_round),
        period_from=tilsyn_round.period_from,
        period_to=tilsyn_round.period_to,
        as_of=clock.today(),
        previous_caseworkers=caseworkers,
    )


def stratum_labels(drawn: list[sampling.Drawn], strata: str) -> dict[str, str]:
    """The name of each stratum of a draw: the caseworker's or the team's."""
    keys = {d.stratum for d in drawn if d.stratum}
    model = Team if strata == sampling.BY_TEAM else User
    names = {str(obj.pk): str(getattr(obj, "name", "") or obj) for obj in model.objects.filter(pk__in=keys)}
    labels = {key: names.get(key, key) for key in keys}
    labels[""] = "" if strata == sampling.BY_TEAM else _("Uden koordinerende sagsbehandler")
    return labels


@transaction.atomic
def round_draw(
    *,
    tilsyn_round: TilsynRound,
    method: str,
    size: int,
    seed: int | None,
    strata: str = sampling.BY_CASEWORKER,
    rotation: bool = True,
    edit_token: str | None = None,
    actor: User,
) -> list[SampleItem]:
    """Draw (or, before any review has started, draw again) the round's sample, and store how:
    method, criteria, size, seed (a random 32-bit number when none is given) and the population
    with its factors and weights, so the same sample can be drawn again from what is stored."""
    tilsyn_round = TilsynRound.objects.select_for_update().get(pk=tilsyn_round.pk)
    if tilsyn_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Runden er afsluttet; stikprøven kan ikke trækkes om."))
    check_unchanged(tilsyn_round, edit_token)
    if Review.objects.filter(item__round=tilsyn_round).exists():
        raise ValidationError(_("Der er påbegyndt sagsgennemgange i stikprøven, så den kan ikke trækkes om."))
    errors: dict[str, list[str]] = {}
    if method not in sampling.METHODS:
        add_error(errors, "method", _("Vælg en metode på listen."))
    if strata not in sampling.STRATA:
        add_error(errors, "strata", _("Vælg at stratificere pr. sagsbehandler eller pr. team."))
    if seed is not None and not 0 <= seed < 2**SEED_BITS:
        add_error(errors, "seed", _("Startværdien skal være et helt tal fra 0 til 4294967295."))
    raise_if(errors)
    population = population_now(tilsyn_round, leader=actor)
    if not population:
        raise ValidationError(_("Der er ingen forløb i rundens enhed og periode, så der er intet at trække."))
    if not 1 <= size <= len(population):
        raise ValidationError(
            {
                "size": ngettext(
                    "Stikprøven skal være på 1 forløb (populationen har %(n)s forløb).",
                    "Stikprøven skal være på mellem 1 og %(n)s forløb (så mange har populationen).",
                    len(population),
                )
                % {"n": len(population)}
            }
        )
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    previous = previous_round(tilsyn_round)
    criteria = {
        "teams": unit_team_ids(tilsyn_round),
        "strata": strata,
        "rotation": bool(rotation),
        "previous_round": previous.pk if previous is not None else None,
        "as_of": clock.today().isoformat(),
        "weights": sampling.WEIGHT_FORMULA,
    }
    drawn = sampling.draw(population, method, size, seed, criteria)
    labels = stratum_labels(drawn, strata) if method == SampleMethod.STRATIFIED else {}
    tilsyn_round.method = method
    tilsyn_round.criteria = criteria
    tilsyn_round.sample_size = size
    tilsyn_round.seed = seed
    tilsyn_round.population = [m.to_dict() for m in population]
    tilsyn_round.drawn_at = clock.now()
    tilsyn_round.drawn_by = actor
    tilsyn_round.save()
    tilsyn_round.sample.all().delete()
    return SampleItem.objects.bulk_create(
        SampleItem(
            round=tilsyn_round,
            forloeb_id=d.forloeb_id,
            position=d.position,
            weight=d.weight,
            stratum=labels.get(d.stratum, "")[:STRATUM_MAX],
            coordinator_id=d.coordinator_id,
        )
        for d in drawn
    )


@dataclass
class RedrawCheck:
    drawn: list[sampling.Drawn]  # drawn again from what is stored
    stored: list[int]  # the stored sample's forløb, in position order
    same: bool


def round_redraw(tilsyn_round: TilsynRound, stored: list[SampleItem] | None = None) -> RedrawCheck | None:
    """Draw the sample again from the stored population, method, size, seed and criteria, and say
    whether it is the stored sample (it must be). None before a sample is drawn."""
    if tilsyn_round.drawn_at is None or not tilsyn_round.method or tilsyn_round.seed is None:
        return None
    population = [sampling.Member.from_dict(d) for d in tilsyn_round.population]
    drawn = sampling.draw(
        population, tilsyn_round.method, tilsyn_round.sample_size or 0, tilsyn_round.seed, tilsyn_round.criteria
    )
    if stored is None:
        stored = list(tilsyn_round.sample.order_by("position"))
    ids = [item.forloeb_id for item in sorted(stored, key=lambda i: i.position)]
    return RedrawCheck(drawn, ids, [d.forloeb_id for d in drawn] == ids)


# --- Close ----------------------------------------------------------------------------------------

REASSESSED_FIELDS = ("likelihood", "consequence", "review_on")


class StaleReassessment(ValidationError):
    """A linked risk got a newer version after the closing form showed it (`risks.StaleRisk`):
    nothing is written; `number` is the version the next save may be based on."""

    def __init__(self, messages, *, link_pk: int, number: int):
        super().__init__({f"reassessment_{link_pk}": messages})
        self.link_pk, self.number = link_pk, number


@transaction.atomic
def round_close(
    *,
    tilsyn_round: TilsynRound,
    summary: str,
    reassessments: dict[int, dict],
    unreviewed_reason: str = "",
    actor: User,
) -> TilsynRound:
    """Close the round: its summary, and per linked risk (`reassessments` by RoundRisk id) what
    changes for the next round: `text`, and optionally a new `likelihood`, `consequence` and
    `review_on`, which revise the risk (a new version, `risks.risk_revise`, refused when the risk
    changed after the form showed version `based_on`). Closing with sampled forløb not reviewed
    (no completed review) needs `unreviewed_reason`, kept with the round. Once."""
    tilsyn_round = TilsynRound.objects.select_for_update().get(pk=tilsyn_round.pk)
    if tilsyn_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("Runden er allerede afsluttet."))
    if tilsyn_round.drawn_at is None:
        raise ValidationError(_("Runden har ingen stikprøve endnu. Træk stikprøven, før runden afsluttes."))
    errors: dict[str, list[str]] = {}
    summary = (summary or "").strip()
    if not summary:
        add_error(errors, "summary", _("Skriv en opsamling på runden."))
    items = list(tilsyn_round.sample.select_related("review"))
    unreviewed = sum(1 for item in items if not is_reviewed(item))
    reason = (unreviewed_reason or "").strip()
    if unreviewed and not reason:
        add_error(
            errors,
            "unreviewed_reason",
            _("%(n)s af stikprøvens forløb er ikke gennemgået. Skriv, hvorfor runden alligevel afsluttes.")
            % {"n": unreviewed},
        )
    links = linked_risks(tilsyn_round)
    for link in links:
        given = reassessments.get(link.pk, {})
        if not (given.get("text") or "").strip():
            add_error(errors, f"reassessment_{link.pk}", _("Skriv genvurderingen: hvad ændres til næste runde?"))
    raise_if(errors)

    for link in links:
        given = reassessments.get(link.pk, {})
        current = link.current
        changes = {k: given[k] for k in REASSESSED_FIELDS if given.get(k) not in (None, "")}
        if any(getattr(current, k) != v for k, v in changes.items()):
            data = {k: getattr(current, k) for k in risk_module.RISK_FIELDS} | changes
            try:
                risk_module.risk_revise(risk=current.risk, data=data, based_on=given.get("based_on"), actor=actor)
            except risk_module.StaleRisk as exc:
                raise StaleReassessment(exc.messages, link_pk=link.pk, number=exc.latest.number) from exc
            except ValidationError as exc:
                mapped: dict[str, list[str]] = {}
                for k, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
                    field = f"{k}_{link.pk}" if k in REASSESSED_FIELDS else f"reassessment_{link.pk}"
                    mapped.setdefault(field, []).extend(messages)
                raise ValidationError(mapped) from exc
        link.reassessment = given["text"].strip()
        link.save(update_fields=["reassessment"])
    tilsyn_round.summary = summary
    tilsyn_round.unreviewed_reason = reason.strip() if unreviewed else ""
    tilsyn_round.status = RoundStatus.CLOSED
    tilsyn_round.closed_at = clock.now()
    tilsyn_round.closed_by = actor
    tilsyn_round.full_clean()
    tilsyn_round.save()
    return tilsyn_round
