"""The one definition of each outcome fact, for every reader: the forløb's page, Min dag's
follow-up tasks, the evaluation export E1, the interchange export and the BEU 244 report.

`results_for(ids)` reads everything in a fixed number of queries, whatever the number of forløb.
Where the app holds a fact in two places, the rule is stated here once:

- visiteret til fleksjob: the date recorded on the result, else the latest afgørelse of ordning
  fleksjob (rehab.Decision);
- indstillet til førtidspension: the date recorded on the result (an indstilling given outside the
  app, e.g. after the end), else the latest indstilling of ordning førtidspension from the
  rehabiliteringsteam (rehab.Recommendation);
- tilkendt førtidspension: the date recorded on the result, else the latest afgørelse of ordning
  førtidspension (rehab.Decision). Indstillet and tilkendt are never mixed;
- ended early: closed before the planned end date (`cases.rules.ends_early`); *not completed*
  (BEU 244 question 10): ended early, and neither the afslutningsårsag nor the early-end reason is
  work, education, fleksjob or førtidspension (`not_completed`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from cases.models import EarlyEndReason, Forloeb, Outcome
from cases.rules import ends_early
from outcomes.models import RESULT_FACT_FIELDS, BonusStatus, ExitStatus, FollowUpPoint, ForloebResult, Sanction
from rehab.models import Decision, Ordning, Recommendation

# A forløb that ended early because the borger reached one of these was completed before its
# planned end, not broken off (spec data-and-parliament.md §2.4 Q10 and scenario 6: a forløb that
# ends early with førtidspension is "ended before plan", not a non-completion).
COMPLETED_OUTCOMES = frozenset(
    {
        Outcome.WAGE_EMPLOYMENT,
        Outcome.EDUCATION,
        Outcome.FLEKSJOB,
        Outcome.LEDIGHEDSYDELSE,
        Outcome.SELF_SUPPORT,
        Outcome.FOERTIDSPENSION,
        Outcome.SENIORFOERTIDSPENSION,
    }
)
COMPLETED_EARLY_REASONS = frozenset(
    {EarlyEndReason.JOB_EDUCATION, EarlyEndReason.FLEKSJOB, EarlyEndReason.FOERTIDSPENSION}
)


def follow_up_due(closed_on: dt.date, point: str) -> dt.date:
    """The day the forsørgelsesstatus at `point` ("1m" or "13u") is to be recorded."""
    return FollowUpPoint(point).due_on(closed_on)


def ended_early(closed_on: dt.date | None, planned_end_date: dt.date | None) -> bool:
    """Closed before the planned end date: the rule closing a forløb enforces (`cases.rules`)."""
    return ends_early(closed_on, planned_end_date)


def not_completed(
    closed_on: dt.date | None, planned_end_date: dt.date | None, outcome: str, early_end_reason: str = ""
) -> bool:
    """BEU 244 question 10: ended early, and neither the afslutningsårsag nor the reason it ended
    early is one of the destinations a forløb works towards (work, education, fleksjob,
    førtidspension)."""
    return (
        ended_early(closed_on, planned_end_date)
        and outcome not in COMPLETED_OUTCOMES
        and early_end_reason not in COMPLETED_EARLY_REASONS
    )


@dataclass
class SanctionFact:
    imposed_on: dt.date
    kind: str
    reason: str


@dataclass
class Result:
    """Everything known about what became of one forløb's borger."""

    forloeb_id: int
    status: dict[str, str] = field(default_factory=dict)  # point ("1m", "13u") -> ExitStatusCode
    status_hours: dict[str, Decimal | None] = field(default_factory=dict)
    ordinary_job_from: dt.date | None = None
    job_hours_per_week: Decimal | None = None
    hours_source: str = ""
    fleksjob_visiteret_on: dt.date | None = None
    fleksjob_expected_hours: Decimal | None = None
    fleksjob_employed_on: dt.date | None = None
    fleksjob_hours_per_week: Decimal | None = None
    fleksjob_employer_cvr: str = ""
    fleksjob_bonus_status: str = BonusStatus.NONE
    fleksjob_bonus_preapproved_on: dt.date | None = None
    fleksjob_bonus_paid_on: dt.date | None = None
    revalidering_type: str = ""
    revalidering_from: dt.date | None = None
    fp_indstillet_on: dt.date | None = None
    fp_tilkendt_on: dt.date | None = None
    fp_decision_ref: str = ""
    fp_held_before: bool = False
    sanctions: list[SanctionFact] = field(default_factory=list)

    @property
    def status_1m(self) -> str:
        return self.status.get(FollowUpPoint.ONE_MONTH, "")

    @property
    def status_13u(self) -> str:
        return self.status.get(FollowUpPoint.THIRTEEN_WEEKS, "")


def results_for(ids) -> dict[int, Result]:
    """The outcome facts of the forløb with these ids (five queries)."""
    ids = list(ids)
    results = {i: Result(i) for i in ids}
    if not ids:
        return results
    for r in (
        Recommendation.objects.filter(forloeb__in=ids, ordning=Ordning.FOERTIDSPENSION)
        .values_list("forloeb_id", "given_on")
        .order_by("given_on", "id")
    ):
        results[r[0]].fp_indstillet_on = r[1]
    for forloeb_id, ordning, decided_on in (
        Decision.objects.filter(forloeb__in=ids, ordning__in=[Ordning.FLEKSJOB, Ordning.FOERTIDSPENSION])
        .values_list("forloeb_id", "ordning", "decided_on")
        .order_by("decided_on", "id")
    ):
        if ordning == Ordning.FLEKSJOB:
            results[forloeb_id].fleksjob_visiteret_on = decided_on
        else:
            results[forloeb_id].fp_tilkendt_on = decided_on
    for row in ForloebResult.objects.filter(forloeb__in=ids).values("forloeb_id", *RESULT_FACT_FIELDS):
        result = results[row.pop("forloeb_id")]
        for name, value in row.items():
            if value is None or value == "":
                continue  # keep the fallback from the rehabiliteringsteam's records
            setattr(result, name, value)
    for forloeb_id, point, code, hours in ExitStatus.objects.filter(forloeb__in=ids).values_list(
        "forloeb_id", "point", "code", "job_hours_per_week"
    ):
        results[forloeb_id].status[point] = code
        results[forloeb_id].status_hours[point] = hours
    for s in Sanction.objects.filter(forloeb__in=ids).values("forloeb_id", "imposed_on", "kind", "reason"):
        results[s["forloeb_id"]].sanctions.append(SanctionFact(s["imposed_on"], s["kind"], s["reason"]))
    return results


def follow_up_tasks(*, coordinator, today: dt.date) -> list[tuple[Forloeb, str, dt.date]]:
    """The follow-ups after the end that are due and not recorded, for the forløb the user
    coordinates: (forløb, point, due day), oldest first. Min dag shows them."""
    closed = (
        Forloeb.objects.filter(current_coordinator=coordinator, closed_on__isnull=False)
        .select_related("borger")
        .prefetch_related("exit_statuses")
    )
    tasks = []
    for forloeb in closed.filter(closed_on__gte=today - dt.timedelta(days=3 * 366)):
        recorded = {s.point for s in forloeb.exit_statuses.all()}
        for point in FollowUpPoint:
            due = point.due_on(forloeb.closed_on)
            if due <= today and point not in recorded:
                tasks.append((forloeb, point.value, due))
    return sorted(tasks, key=lambda t: (t[2], t[0].pk))
