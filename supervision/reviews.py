"""The case reviews of a tilsyn round (spec fokusrevision-2020.md §6.1, step 4 and 5): a checklist
per sampled forløb, answered point by point; a finding becomes an action for the forløb's
koordinerende sagsbehandler, who closes it with a reply on Min dag, which closes the finding;
the round's summary per unit counts it all.

Services write (one transaction each, the actor and `clock.now()` recorded, Danish
ValidationErrors); selectors read within the user's scope (404 outside it). A round's reviews
are the business of the supervisors whose teams the round's unit is in; an action is also the
business of the caseworker it is assigned to.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import clock
from cases.concurrency import check_unchanged
from cases.models import Forloeb, Team, User
from cases.spreadsheet import csv_writer
from cases.validation import Errors, add_error, raise_if
from supervision import checklist, rounds
from supervision.models import (
    ActionStatus,
    Answer,
    PointKind,
    Review,
    ReviewAnswer,
    RoundRisk,
    RoundStatus,
    SampleItem,
    TilsynAction,
    TilsynRound,
)
from supervision.selectors import is_supervisor, kommune_ids_for, teams_in_view

ACTION_DUE_DAYS = 14  # the default time a caseworker gets to follow up on a finding
ANSWER_FIELDS = ("answer", "comment")  # what the review form edits (the edit token's fields)


# --- Scope ----------------------------------------------------------------------------------------


def may_supervise_forloeb(user: User, forloeb: Forloeb) -> bool:
    """A supervisor (team leader, administrator) who sees the forløb's team."""
    if not is_supervisor(user) or forloeb.kommune_id not in kommune_ids_for(user):
        return False
    return teams_in_view(user, forloeb.kommune_id).filter(pk=forloeb.team_id).exists()


def _in_scope(user: User, tilsyn_round: TilsynRound, forloeb: Forloeb) -> bool:
    """A sampled forløb's review is the business of a supervisor who sees the round's whole unit
    (`rounds.round_visible`), as long as they still see the forløb itself."""
    return rounds.round_visible(user, tilsyn_round) and Forloeb.objects.visible_to(user).filter(pk=forloeb.pk).exists()


def round_get_for_user(*, user: User, pk: int) -> TilsynRound:
    return rounds.round_get_for_user(user, pk)


def sample_item_get_for_user(*, user: User, pk: int) -> SampleItem:
    item = (
        SampleItem.objects.select_related(
            "round__kommune",
            "round__team",
            "coordinator",
            "forloeb__borger",
            "forloeb__team",
            "forloeb__current_coordinator",
        )
        .filter(pk=pk)
        .first()
    )
    if item is None or not _in_scope(user, item.round, item.forloeb):
        raise Http404
    return item


def answer_get_for_user(*, user: User, pk: int) -> ReviewAnswer:
    answer = (
        ReviewAnswer.objects.select_related(
            "review__item__round", "review__item__forloeb__borger", "review__item__forloeb__current_coordinator"
        )
        .filter(pk=pk)
        .first()
    )
    if answer is None or not _in_scope(user, answer.review.item.round, answer.review.item.forloeb):
        raise Http404
    return answer


def may_reply(user: User, action: TilsynAction) -> bool:
    """The caseworker the action is assigned to, or a supervisor over the forløb."""
    return action.assignee_id == user.pk or may_supervise_forloeb(user, action.forloeb)


def action_get_for_user(*, user: User, pk: int) -> TilsynAction:
    action = (
        TilsynAction.objects.select_related(
            "forloeb__borger",
            "forloeb__team",
            "assignee",
            "created_by",
            "closed_by",
            "finding__review__item__round",
            "finding__review__reviewer",
        )
        .filter(pk=pk)
        .first()
    )
    if action is None or not may_reply(user, action):
        raise Http404
    return action


# --- Reads ----------------------------------------------------------------------------------------


def answers_of(review: Review) -> list[ReviewAnswer]:
    return list(review.answers.select_related("action__assignee", "action__closed_by").order_by("position", "pk"))


def round_answers(tilsyn_round: TilsynRound) -> QuerySet:
    """Every answered or open point of the round's reviews, in sample and checklist order."""
    return (
        ReviewAnswer.objects.filter(review__item__round=tilsyn_round)
        .select_related(
            "review__item__forloeb__borger",
            "review__item__forloeb__team",
            "review__item__coordinator",
            "review__reviewer",
            "action__assignee",
            "action__closed_by",
        )
        .order_by("review__item__position", "position", "pk")
    )


def finding_closed(answer: ReviewAnswer) -> bool:
    """A finding is closed when its action is (closed on Min dag with a reply)."""
    action = getattr(answer, "action", None)
    return action is not None and action.status == ActionStatus.CLOSED


# --- The round's summary --------------------------------------------------------------------------


@dataclass
class Tally:
    """What a unit's part of the round came to."""

    sampled: int = 0
    started: int = 0  # reviews begun
    reviewed: int = 0  # reviews completed
    ok: int = 0
    findings: int = 0
    not_relevant: int = 0
    unanswered: int = 0
    actions_open: int = 0
    actions_closed: int = 0

    @property
    def answered(self) -> int:
        return self.ok + self.findings + self.not_relevant

    @property
    def findings_without_action(self) -> int:
        return self.findings - self.actions_open - self.actions_closed

    def add_answer(self, answer: ReviewAnswer) -> None:
        if answer.answer == Answer.OK:
            self.ok += 1
        elif answer.answer == Answer.FINDING:
            self.findings += 1
            action = getattr(answer, "action", None)
            if action is not None:
                if action.status == ActionStatus.CLOSED:
                    self.actions_closed += 1
                else:
                    self.actions_open += 1
        elif answer.answer == Answer.NOT_RELEVANT:
            self.not_relevant += 1
        else:
            self.unanswered += 1


@dataclass
class PointTally:
    point: str
    label: str
    kind: str
    ok: int = 0
    findings: int = 0
    not_relevant: int = 0
    unanswered: int = 0
    findings_closed: int = 0

    @property
    def kind_label(self) -> str:
        return str(PointKind(self.kind).label) if self.kind in PointKind.values else self.kind


@dataclass
class UnitRow:
    name: str
    tally: Tally


@dataclass
class RoundSummary:
    round: TilsynRound
    total: Tally = field(default_factory=Tally)
    by_team: list[UnitRow] = field(default_factory=list)
    by_coordinator: list[UnitRow] = field(default_factory=list)
    by_point: list[PointTally] = field(default_factory=list)
    findings: list[ReviewAnswer] = field(default_factory=list)  # every finding with its action

    @property
    def findings_closed(self) -> int:
        return sum(1 for a in self.findings if finding_closed(a))


def _name(user: User | None) -> str:
    if user is None:
        return _("Ingen koordinerende sagsbehandler")
    return user.get_full_name() or user.username


def round_summary(tilsyn_round: TilsynRound) -> RoundSummary:
    """The round per unit: per team and per koordinerende sagsbehandler (as drawn into the
    sample) the forløb sampled and reviewed, the points answered ok / fund / ikke relevant and
    the actions open and closed; per checklist point its answers; every finding. Two queries."""
    items = list(
        SampleItem.objects.filter(round=tilsyn_round)
        .select_related("forloeb__team", "coordinator", "review")
        .order_by("position", "pk")
    )
    answers = list(round_answers(tilsyn_round))
    summary = RoundSummary(round=tilsyn_round)
    teams: dict[int, UnitRow] = {}
    coordinators: dict[int | None, UnitRow] = {}
    item_units: dict[int, tuple[UnitRow, UnitRow]] = {}
    for item in items:
        team_row = teams.setdefault(item.forloeb.team_id, UnitRow(item.forloeb.team.name, Tally()))
        ks_row = coordinators.setdefault(item.coordinator_id, UnitRow(_name(item.coordinator), Tally()))
        item_units[item.pk] = (team_row, ks_row)
        review = getattr(item, "review", None)
        for tally in (summary.total, team_row.tally, ks_row.tally):
            tally.sampled += 1
            tally.started += review is not None
            tally.reviewed += review is not None and review.completed_at is not None
    points: dict[str, PointTally] = {}
    for answer in answers:
        for unit in (summary.total, *(row.tally for row in item_units.get(answer.review.item_id, ()))):
            unit.add_answer(answer)
        point = points.setdefault(answer.point, PointTally(answer.point, answer.label, answer.kind))
        if answer.answer == Answer.OK:
            point.ok += 1
        elif answer.answer == Answer.FINDING:
            point.findings += 1
            point.findings_closed += finding_closed(answer)
            summary.findings.append(answer)
        elif answer.answer == Answer.NOT_RELEVANT:
            point.not_relevant += 1
        else:
            point.unanswered += 1
    summary.by_team = sorted(teams.values(), key=lambda r: r.name)
    summary.by_coordinator = sorted(coordinators.values(), key=lambda r: r.name)
    order = {key: i for i, key in enumerate(checklist.POINT_ORDER)}
    summary.by_point = sorted(
        points.values(), key=lambda p: (p.kind != PointKind.LEGAL, order.get(p.point, len(order)), p.point)
    )
    return summary


# --- The round's report -------------------------------------------------------------------------


@dataclass
class RoundReport:
    round: TilsynRound
    unit_name: str
    risks: list[RoundRisk]
    summary: RoundSummary
    items: list[SampleItem]  # the sample, in the order drawn, each with its review
    shown: set[int]  # the sampled forløb whose borger the reader may see named

    @property
    def forloeb(self) -> list[Forloeb]:
        """The forløb the report names (for the access log)."""
        return [item.forloeb for item in self.items if item.forloeb_id in self.shown]


def round_report(tilsyn_round: TilsynRound, *, user: User) -> RoundReport:
    """What the round's report shows: the round, its risks (with the re-assessment once closed),
    the summary per unit and per point, every finding with its action, and the sample. A
    sampled forløb that has since left the reader's teams is shown without its borger's name
    (`shown` on each sample item and finding). A fixed number of queries."""
    risks = list(
        RoundRisk.objects.filter(round=tilsyn_round)
        .select_related("risk_version__owner")
        .order_by("risk_version__title", "pk")
    )
    items = list(
        SampleItem.objects.filter(round=tilsyn_round)
        .select_related("forloeb__borger", "forloeb__team", "coordinator", "review__reviewer")
        .order_by("position", "pk")
    )
    shown = set(
        Forloeb.objects.visible_to(user).filter(pk__in=[item.forloeb_id for item in items]).values_list("pk", flat=True)
    )
    summary = round_summary(tilsyn_round)
    for item in items:
        item.shown = item.forloeb_id in shown
    for finding in summary.findings:
        finding.shown = finding.review.item.forloeb_id in shown
    names = (
        Team.objects.filter(pk__in=rounds.unit_team_ids(tilsyn_round)).order_by("name").values_list("name", flat=True)
    )
    return RoundReport(
        round=tilsyn_round,
        unit_name=", ".join(names),
        risks=risks,
        summary=summary,
        items=items,
        shown=shown,
    )


def report_file_name(tilsyn_round: TilsynRound) -> str:
    return f"tilsynsrunde-{tilsyn_round.pk}-{tilsyn_round.period_to.isoformat()}"


CSV_COLUMNS = [
    "runde",
    "runde_titel",
    "team",
    "koordinerende_sagsbehandler",
    "forloeb_id",
    "nr_i_stikproeven",
    "punkt",
    "art",
    "punktet",
    "forslag",
    "svar",
    "kommentar",
    "grundlag",
    "opfoelgning",
    "frist",
    "opfoelgning_status",
    "svar_fra_sagsbehandler",
    "lukket",
    "lukket_af",
    "fund_lukket",
]


def _answer_row(data: RoundReport, answer: ReviewAnswer) -> dict:
    item = answer.review.item
    action = getattr(answer, "action", None)
    return {
        "runde": data.round.pk,
        "runde_titel": data.round.title,
        "team": item.forloeb.team.name,
        "koordinerende_sagsbehandler": _name(item.coordinator) if item.coordinator_id else "",
        "forloeb_id": item.forloeb_id,
        "nr_i_stikproeven": item.position,
        "punkt": answer.point,
        "art": answer.get_kind_display(),
        "punktet": answer.label,
        "forslag": answer.get_suggested_display() if answer.suggested else "",
        "svar": answer.get_answer_display(),
        "kommentar": answer.comment,
        "grundlag": answer.evidence,
        "opfoelgning": action.text if action else "",
        "frist": action.due_on.isoformat() if action else "",
        "opfoelgning_status": action.get_status_display() if action else "",
        "svar_fra_sagsbehandler": action.reply if action else "",
        "lukket": clock_local_date(action.closed_at) if action and action.closed_at else "",
        "lukket_af": _name(action.closed_by) if action and action.closed_by_id else "",
        "fund_lukket": ("ja" if finding_closed(answer) else "nej") if answer.answer == Answer.FINDING else "",
    }


def clock_local_date(value: dt.datetime) -> str:
    return timezone.localtime(value).date().isoformat()


def report_rows(data: RoundReport) -> list[dict]:
    """One row per answered point of the round (no CPR, no borger names: the forløb's id)."""
    return [_answer_row(data, a) for a in round_answers(data.round) if a.answer]


def write_report_csv(out, data: RoundReport) -> None:
    csv_writer(out, CSV_COLUMNS).writerows(report_rows(data))


def _tally_json(tally: Tally) -> dict:
    return {
        "forloeb_i_stikproeven": tally.sampled,
        "gennemgange_paabegyndt": tally.started,
        "gennemgaaet": tally.reviewed,
        "i_orden": tally.ok,
        "fund": tally.findings,
        "ikke_relevant": tally.not_relevant,
        "ikke_besvaret": tally.unanswered,
        "opfoelgninger_aabne": tally.actions_open,
        "opfoelgninger_lukket": tally.actions_closed,
    }


def report_json(data: RoundReport) -> dict:
    r = data.round
    summary = data.summary
    return {
        "runde": {
            "id": r.pk,
            "titel": r.title,
            "kommune": r.kommune.name,
            "team": r.team.name if r.team_id else None,
            "formaal": r.purpose,
            "periode_fra": r.period_from.isoformat(),
            "periode_til": r.period_to.isoformat(),
            "status": r.get_status_display(),
            "metode": r.get_method_display() if r.method else "",
            "kriterier": r.criteria,
            "stikproevens_stoerrelse": r.sample_size,
            "seed": r.seed,
            "population": len(r.population) if isinstance(r.population, list) else None,
            "opsamling": r.summary,
            "afsluttet": clock_local_date(r.closed_at) if r.closed_at else None,
        },
        "risici": [
            {
                "risiko": rr.risk_version.risk_id,
                "version": rr.risk_version.number,
                "titel": rr.risk_version.title,
                "score": rr.risk_version.score,
                "haandtering": rr.risk_version.get_response_display(),
                "genvurdering": rr.reassessment,
            }
            for rr in data.risks
        ],
        "opsummering": {
            "i_alt": _tally_json(summary.total),
            "pr_team": [{"team": row.name, **_tally_json(row.tally)} for row in summary.by_team],
            "pr_koordinerende_sagsbehandler": [
                {"koordinerende_sagsbehandler": row.name, **_tally_json(row.tally)} for row in summary.by_coordinator
            ],
            "pr_punkt": [
                {
                    "punkt": p.point,
                    "punktet": p.label,
                    "art": p.kind_label,
                    "i_orden": p.ok,
                    "fund": p.findings,
                    "fund_lukket": p.findings_closed,
                    "ikke_relevant": p.not_relevant,
                    "ikke_besvaret": p.unanswered,
                }
                for p in summary.by_point
            ],
        },
        "svar": report_rows(data),
    }


# --- Services -------------------------------------------------------------------------------------


def _open_round_locked(tilsyn_round_id: int) -> TilsynRound:
    tilsyn_round = TilsynRound.objects.select_for_update().get(pk=tilsyn_round_id)
    if tilsyn_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Tilsynsrunden er afsluttet; dens sagsgennemgange kan ikke ændres."))
    return tilsyn_round


@transaction.atomic
def review_start(*, item: SampleItem, reviewer: User) -> Review:
    """Begin the review of a sampled forløb: the checklist as it stands today is copied into the
    review (label, suggestion and evidence per point), so the review keeps what the reviewer
    saw. A second start (a double click) returns the review already begun."""
    tilsyn_round = _open_round_locked(item.round_id)
    existing = Review.objects.filter(item=item).first()
    if existing is not None:
        return existing
    item = SampleItem.objects.select_related("forloeb").get(pk=item.pk)
    review = Review.objects.create(item=item, reviewer=reviewer, started_at=clock.now())
    points = checklist.points_for(forloeb=item.forloeb, tilsyn_round=tilsyn_round)
    ReviewAnswer.objects.bulk_create(
        ReviewAnswer(
            review=review,
            point=p.key,
            kind=p.kind,
            label=p.label[:300],
            suggested=p.suggested,
            evidence=p.evidence[: ReviewAnswer._meta.get_field("evidence").max_length],
            position=position,
        )
        for position, p in enumerate(points, start=1)
    )
    return review


@dataclass
class AnswerInput:
    """What the review form gives for one point."""

    answer: ReviewAnswer
    value: str
    comment: str
    edit_token: str | None
    action_text: str = ""
    action_due_on: dt.date | None = None


class ReviewNotSaved(ValidationError):
    """Some points could not be saved; nothing was. `by_answer` holds each point's errors."""

    def __init__(self, by_answer: dict[int, ValidationError]):
        self.by_answer = by_answer
        super().__init__(_("Gennemgangen er ikke gemt. Ret punkterne nedenfor, og gem igen."))


@transaction.atomic
def review_answer(
    *, answer: ReviewAnswer, value: str, comment: str, reviewer: User, edit_token: str | None
) -> ReviewAnswer:
    """Answer one point: ok, fund or ikke relevant, with a comment. A save from a page loaded
    before someone else answered the point is refused (cases.concurrency); a finding that has
    an action stays a finding (its action would otherwise point at nothing)."""
    answer = ReviewAnswer.objects.select_for_update().select_related("review__item").get(pk=answer.pk)
    _open_round_locked(answer.review.item.round_id)
    check_unchanged(answer, edit_token)
    errors: Errors = {}
    if value not in ("", *Answer.values):
        add_error(errors, "answer", _("Vælg I orden, Fund eller Ikke relevant."))
    if len(comment) > ReviewAnswer._meta.get_field("comment").max_length:
        add_error(errors, "comment", _("Kommentaren er for lang."))
    if value != Answer.FINDING and TilsynAction.objects.filter(finding=answer).exists():
        add_error(
            errors,
            "answer",
            _("Punktet har en opfølgning hos den koordinerende sagsbehandler og forbliver et fund."),
        )
    raise_if(errors)
    if (answer.answer, answer.comment) != (value, comment):
        answer.answer, answer.comment = value, comment
        answer.answered_by, answer.answered_at = reviewer, clock.now()
        answer.save(update_fields=["answer", "comment", "answered_by", "answered_at"])
    return answer


@transaction.atomic
def finding_action_create(*, finding: ReviewAnswer, text: str, due_on: dt.date | None, actor: User) -> TilsynAction:
    """What a finding asks of the forløb's current koordinerende sagsbehandler, by a due day
    (default 14 days from today, never in the past). One action per finding."""
    finding = ReviewAnswer.objects.select_for_update().select_related("review__item__forloeb").get(pk=finding.pk)
    _open_round_locked(finding.review.item.round_id)
    errors: Errors = {}
    today = clock.today()
    if finding.answer != Answer.FINDING:
        add_error(errors, "answer", _("Kun et fund kan få en opfølgning."))
    if TilsynAction.objects.filter(finding=finding).exists():
        add_error(errors, "text", _("Fundet har allerede en opfølgning."))
    text = text.strip()
    if not text:
        add_error(errors, "text", _("Skriv, hvad den koordinerende sagsbehandler skal gøre."))
    elif len(text) > TilsynAction._meta.get_field("text").max_length:
        add_error(errors, "text", _("Opgaven er for lang."))
    due_on = due_on or today + dt.timedelta(days=ACTION_DUE_DAYS)
    if due_on < today:
        add_error(errors, "due_on", _("Fristen kan ikke ligge før i dag."))
    forloeb = finding.review.item.forloeb
    if forloeb.current_coordinator_id is None:
        add_error(errors, "text", _("Forløbet har ingen koordinerende sagsbehandler at give opfølgningen til."))
    raise_if(errors)
    return TilsynAction.objects.create(
        finding=finding,
        forloeb=forloeb,
        assignee_id=forloeb.current_coordinator_id,
        text=text,
        due_on=due_on,
        created_by=actor,
        created_at=clock.now(),
    )


@transaction.atomic
def review_save(*, review: Review, entries: list[AnswerInput], reviewer: User) -> None:
    """Save the review page: every point's answer and, for a new finding, its action. All or
    nothing: when one point is refused (stale, invalid) none is saved and ReviewNotSaved says
    which and why."""
    errors: dict[int, ValidationError] = {}
    for entry in entries:
        try:
            with transaction.atomic():
                answer = review_answer(
                    answer=entry.answer,
                    value=entry.value,
                    comment=entry.comment,
                    reviewer=reviewer,
                    edit_token=entry.edit_token,
                )
                if answer.answer == Answer.FINDING and not TilsynAction.objects.filter(finding=answer).exists():
                    finding_action_create(
                        finding=answer, text=entry.action_text, due_on=entry.action_due_on, actor=reviewer
                    )
        except ValidationError as exc:
            errors[entry.answer.pk] = exc
    if errors:
        raise ReviewNotSaved(errors)


@transaction.atomic
def review_complete(*, review: Review, reviewer: User) -> Review:
    """The review is done when every point is answered and every finding has its action."""
    review = Review.objects.select_for_update().select_related("item").get(pk=review.pk)
    _open_round_locked(review.item.round_id)
    answers = list(review.answers.select_related("action"))
    missing = sum(1 for a in answers if not a.answer)
    without_action = sum(1 for a in answers if a.answer == Answer.FINDING and getattr(a, "action", None) is None)
    errors: Errors = {}
    if missing:
        add_error(
            errors, "__all__", _("Besvar alle punkter før gennemgangen afsluttes (%(n)s mangler).") % {"n": missing}
        )
    if without_action:
        add_error(errors, "__all__", _("Hvert fund skal have en opfølgning (%(n)s mangler).") % {"n": without_action})
    raise_if(errors)
    if review.completed_at is None:
        review.completed_at = clock.now()
        review.save(update_fields=["completed_at"])
    return review


@transaction.atomic
def action_reply(*, action: TilsynAction, reply: str, actor: User) -> TilsynAction:
    """The caseworker (or a supervisor over the forløb) answers what the finding asked and
    closes the action; the finding counts as closed from then on. Answered once."""
    action = TilsynAction.objects.select_for_update().select_related("forloeb").get(pk=action.pk)
    if not may_reply(actor, action):
        raise PermissionDenied
    errors: Errors = {}
    if action.status == ActionStatus.CLOSED:
        add_error(errors, "__all__", _("Opfølgningen er allerede lukket."))
    reply = reply.strip()
    if not reply:
        add_error(errors, "reply", _("Skriv, hvad der er gjort."))
    elif len(reply) > TilsynAction._meta.get_field("reply").max_length:
        add_error(errors, "reply", _("Svaret er for langt."))
    raise_if(errors)
    action.reply = reply
    action.status = ActionStatus.CLOSED
    action.closed_at = clock.now()
    action.closed_by = actor
    action.save(update_fields=["reply", "status", "closed_at", "closed_by"])
    return action


def review_prefetch() -> Prefetch:
    return Prefetch("answers", ReviewAnswer.objects.select_related("action").order_by("position", "pk"))
