"""Reads of the interchange app: which forløb an export covers, and each forløb as a document
of the interchange format (`interchange/schema/forloeb-1.1.schema.json`, docs/interchange.md).

References inside a file are local ids (`m1`, `a1`, `r1`, `i1`, …) numbered in a fixed order,
so exporting the same data twice, or from another database holding the same data, gives the
same file. Users are referenced by their external id, or their username when they have none.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cases import clock
from cases.models import Borger, CoordinatorAssignment, Forloeb, Kommune, PhaseTransition, User
from followup.models import FollowUpMeeting
from interchange.schema import FORMAT_NAME, PREPARATORY_TEXTS, SCHEMA_VERSION
from outcomes.models import ExitStatus, FollowUpPoint, Sanction
from plans.models import (
    ActionPlan,
    Consent,
    CoordinationNote,
    Intervention,
    InterventionEvent,
    Milestone,
    OtherCase,
    PlanItem,
    ProblemArea,
    Progress,
)
from rehab.models import (
    AgendaItem,
    Decision,
    Goal,
    HealthDocument,
    PreparatoryPart,
    Recommendation,
    RecommendedIntervention,
    RehabTeam,
    TeamMeeting,
)

# Exit statuses in the order of their points (1 month, then 13 weeks).
POINT_ORDER = {p.value: n for n, p in enumerate(FollowUpPoint)}


def forloeb_for_export(
    *,
    user: User | None = None,
    kommune_code: str | None = None,
    team_code: str | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> QuerySet:
    """The forløb an export covers: those the user may see (all of them from the command line),
    in the kommune and team given, open at some point in [period_from, period_to]."""
    qs = Forloeb.objects.visible_to(user) if user is not None else Forloeb.objects.all()
    if kommune_code:
        qs = qs.filter(kommune__code=kommune_code)
    if team_code:
        qs = qs.filter(team__code=team_code)
    if period_to:
        qs = qs.filter(opened_on__lte=period_to)
    if period_from:
        qs = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period_from))
    return qs.order_by("id")


def d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def dt(value: datetime | None) -> str | None:
    return value.astimezone(timezone.get_default_timezone()).isoformat() if value else None


def num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class Refs:
    """Local ids for the objects a forløb's parts point to."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.ids: dict[int, str] = {}

    def add(self, pk: int) -> str:
        return self.ids.setdefault(pk, f"{self.prefix}{len(self.ids) + 1}")

    def get(self, pk: int | None) -> str | None:
        return self.ids.get(pk) if pk is not None else None


def _goal(g: Goal) -> dict:
    return {
        "kind": g.kind,
        "description": g.description,
        "occupation": g.occupation.code if g.occupation_id else None,
        "education": g.education,
        "set_with_borger": g.set_with_borger,
        "created_at": dt(g.created_at),
    }


def _prefetched(qs: QuerySet) -> QuerySet:
    """Everything a forløb document needs, in one query per table, into plain lists (`x_…`), so
    building 10,000 documents does not create a queryset per related manager."""

    def to(name: str, queryset: QuerySet) -> Prefetch:
        return Prefetch(name, queryset, to_attr=f"x_{name}")

    return qs.select_related("borger", "kommune", "team", "preparatory_part", "result").prefetch_related(
        to("coordinator_assignments", CoordinatorAssignment.objects.order_by("valid_from", "id")),
        to("transitions", PhaseTransition.objects.order_by("at", "id")),
        to("goals", Goal.objects.select_related("occupation").order_by("id")),
        to("health_documents", HealthDocument.objects.order_by("id")),
        to("agenda_items", AgendaItem.objects.order_by("id")),
        to(
            "recommendations",
            Recommendation.objects.prefetch_related(
                to("interventions", RecommendedIntervention.objects.order_by("id"))
            ).order_by("given_on", "id"),
        ),
        to("decisions", Decision.objects.order_by("decided_on", "id")),
        to(
            "interventions",
            Intervention.objects.select_related("type")
            .prefetch_related(to("events", InterventionEvent.objects.order_by("at", "id")))
            .order_by("id"),
        ),
        to(
            "action_plans",
            ActionPlan.objects.prefetch_related(
                to("milestones", Milestone.objects.order_by("order", "id")),
                to("items", PlanItem.objects.order_by("id")),
            ).order_by("version"),
        ),
        to("coordination_notes", CoordinationNote.objects.order_by("id")),
        to("problem_areas", ProblemArea.objects.order_by("id")),
        to("progress", Progress.objects.order_by("id")),
        to("followups", FollowUpMeeting.objects.order_by("held_on", "id")),
        to("exit_statuses", ExitStatus.objects.order_by("id")),
        to("sanctions", Sanction.objects.order_by("imposed_on", "id")),
    )


class Exporter:
    def __init__(self):
        # Users by their external id, or their username when they have none.
        users = User.objects.values_list("id", "external_id", "username")
        self.refs: dict[int, str] = {pk: ext or name for pk, ext, name in users}
        self.user_ids: set[int] = set()
        self.meeting_rows: dict[int, None] = {}
        ct = ContentType.objects.get_for_models(PreparatoryPart, Recommendation, ActionPlan)
        self.ct_prep, self.ct_rec, self.ct_plan = ct[PreparatoryPart].id, ct[Recommendation].id, ct[ActionPlan].id

    def user(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        self.user_ids.add(pk)
        return self.refs[pk]

    def forloeb(self, f: Forloeb) -> dict:
        goals = defaultdict(list)
        for g in f.x_goals:
            goals[(g.content_type_id, g.object_id)].append(_goal(g))
        agenda, recs, ivs = Refs("a"), Refs("r"), Refs("i")
        rec_ivs = Refs("ri")
        agenda_items = []
        for a in f.x_agenda_items:
            self.meeting_rows[a.meeting_id] = None
            agenda_items.append(
                {
                    "id": agenda.add(a.id),
                    "meeting": a.meeting_id,  # replaced in `finish`
                    "slot_start": a.slot_start.strftime("%H:%M"),
                    "slot_minutes": a.slot_minutes,
                    "sectors_present": list(a.sectors_present),
                    "borger_present": a.borger_present,
                    "relative_present": a.relative_present,
                    "bisidder_present": a.bisidder_present,
                }
            )
        recommendations = []
        for r in f.x_recommendations:
            recommendations.append(
                {
                    "id": recs.add(r.id),
                    "agenda_item": agenda.get(r.agenda_item_id),
                    "given_on": d(r.given_on),
                    "ordning": r.ordning,
                    "duration_years": r.duration_years,
                    "justification": r.justification,
                    "hensyn": list(r.hensyn),
                    "followup_assessment": r.followup_assessment,
                    "followup_extra_needed": r.followup_extra_needed,
                    "borger_perspective": r.borger_perspective,
                    "sent_to_borger_on": d(r.sent_to_borger_on),
                    "sent_to_gp_on": d(r.sent_to_gp_on),
                    "recorded_by": self.user(r.recorded_by_id),
                    "created_at": dt(r.created_at),
                    "goals": goals[(self.ct_rec, r.id)],
                    "interventions": [
                        {
                            "id": rec_ivs.add(ri.id),
                            "category": ri.category,
                            "description": ri.description,
                            "within_months": ri.within_months,
                            "planned_by": d(ri.planned_by),
                        }
                        for ri in r.x_interventions
                    ],
                }
            )
        interventions = []
        for i in f.x_interventions:
            interventions.append(
                {
                    "id": ivs.add(i.id),
                    "type": i.type.code,
                    "type_valid_from": d(i.type.valid_from),
                    "category": i.category,
                    "description": i.description,
                    "recommended": rec_ivs.get(i.recommended_id),
                    "status": i.status,
                    "status_reason": i.status_reason,
                    "planned_start": d(i.planned_start),
                    "planned_end": d(i.planned_end),
                    "actual_start": d(i.actual_start),
                    "actual_end": d(i.actual_end),
                    "hours_per_week": num(i.hours_per_week),
                    "provider": i.provider,
                    "forvaltning": i.forvaltning,
                    "employer_cvr": i.employer_cvr,
                    "cost": num(i.cost),
                    "part_of_forloeb": i.part_of_forloeb,
                    "source": i.source,
                    "created_at": dt(i.created_at),
                    "events": [
                        {
                            "action": e.action,
                            "from_status": e.from_status,
                            "to_status": e.to_status,
                            "on": d(e.on),
                            "reason": e.reason,
                            "actor": self.user(e.actor_id),
                            "at": dt(e.at),
                        }
                        for e in i.x_events
                    ],
                }
            )
        plan_versions = {}
        plans = []
        for p in f.x_action_plans:
            plan_versions[p.id] = p.version
            plans.append(
                {
                    "version": p.version,
                    "recommendation": recs.get(p.recommendation_id),
                    "coordinator": self.user(p.coordinator_id),
                    "followup_cadence_weeks": p.followup_cadence_weeks,
                    "followup_agreement": p.followup_agreement,
                    "next_followup_on": d(p.next_followup_on),
                    "hensyn": list(p.hensyn),
                    "borger_perspective": p.borger_perspective,
                    "revision_reason": p.revision_reason,
                    "completed_on": d(p.completed_on),
                    "created_by": self.user(p.created_by_id),
                    "created_at": dt(p.created_at),
                    "goals": goals[(self.ct_plan, p.id)],
                    "milestones": [
                        {
                            "lineage": str(m.lineage),
                            "description": m.description,
                            "target_date": d(m.target_date),
                            "order": m.order,
                        }
                        for m in p.x_milestones
                    ],
                    "items": [
                        {
                            "intervention": ivs.get(it.intervention_id),
                            "description": it.description,
                            "status": it.status,
                            "planned_start": d(it.planned_start),
                            "planned_end": d(it.planned_end),
                            "hours_per_week": num(it.hours_per_week),
                            "provider": it.provider,
                        }
                        for it in p.x_items
                    ],
                }
            )
        prep = getattr(f, "preparatory_part", None)
        result = getattr(f, "result", None)
        return {
            "id": str(f.uuid),
            "borger": f.borger.cpr,
            "sequence_no": f.sequence_no,
            "kommune": f.kommune.code,
            "team": f.team.code,
            "phase": f.phase,
            "phase_changed_at": dt(f.phase_changed_at),
            "opened_on": d(f.opened_on),
            "start_date": d(f.start_date),
            "planned_end_date": d(f.planned_end_date),
            "closed_on": d(f.closed_on),
            "outcome": f.outcome,
            "created_at": dt(f.created_at),
            "coordinators": [
                {
                    "user": self.user(c.coordinator_id),
                    "valid_from": d(c.valid_from),
                    "valid_to": d(c.valid_to),
                    "assigned_by": self.user(c.assigned_by_id),
                }
                for c in f.x_coordinator_assignments
            ],
            "transitions": [
                {
                    "transition": t.transition,
                    "from_phase": t.from_phase,
                    "to_phase": t.to_phase,
                    "at": dt(t.at),
                    "actor": self.user(t.actor_id),
                    "reason": t.reason,
                    "outcome": t.outcome,
                }
                for t in f.x_transitions
            ],
            "preparatory_part": None
            if prep is None
            else {
                "work_started_on": d(prep.work_started_on),
                **{name: getattr(prep, name) for name in PREPARATORY_TEXTS},
                "previous_benefit": prep.previous_benefit,
                "borger_wish": prep.borger_wish,
                "signed_by_borger_on": d(prep.signed_by_borger_on),
                "updated_at": dt(prep.updated_at),
                "goals": goals[(self.ct_prep, prep.id)],
            },
            "health_documents": [
                {
                    "form": h.form,
                    "author_role": h.author_role,
                    "phase": h.phase,
                    "requested_on": d(h.requested_on),
                    "received_on": d(h.received_on),
                    "focus_question": h.focus_question,
                    "summary": h.summary,
                    "via_health_coordinator": h.via_health_coordinator,
                    "purpose": h.purpose,
                    "created_at": dt(h.created_at),
                }
                for h in f.x_health_documents
            ],
            "agenda_items": agenda_items,
            "recommendations": recommendations,
            "decisions": [
                {
                    "recommendation": recs.get(x.recommendation_id),
                    "decided_on": d(x.decided_on),
                    "ordning": x.ordning,
                    "duration_years": x.duration_years,
                    "follows_recommendation": x.follows_recommendation,
                    "deviation_reason": x.deviation_reason,
                    "benefit_start_on": d(x.benefit_start_on),
                    "without_team_ground": x.without_team_ground,
                    "without_team_documentation": x.without_team_documentation,
                    "borger_consent_on": d(x.borger_consent_on),
                    "decided_by": self.user(x.decided_by_id),
                    "created_at": dt(x.created_at),
                }
                for x in f.x_decisions
            ],
            "interventions": interventions,
            "action_plans": plans,
            "coordination_notes": [
                {
                    "intervention": ivs.get(n.intervention_id),
                    "written_on": d(n.written_on),
                    "forvaltning": n.forvaltning,
                    "note": n.note,
                    "author": self.user(n.author_id),
                }
                for n in f.x_coordination_notes
            ],
            "problem_areas": [
                {"kind": p.kind, "source": p.source, "recorded_on": d(p.recorded_on), "ended_on": d(p.ended_on)}
                for p in f.x_problem_areas
            ],
            "progress": [
                {
                    "milestone_lineage": str(p.milestone_lineage),
                    "recorded_on": d(p.recorded_on),
                    "score": p.score,
                    "note": p.note,
                    "recorded_by": self.user(p.recorded_by_id),
                }
                for p in f.x_progress
            ],
            "followups": [
                {
                    "held_on": d(s.held_on),
                    "held_at": dt(s.held_at),
                    "setting": s.setting,
                    "channel": s.channel,
                    "held_by": self.user(s.held_by_id),
                    "borger_attended": s.borger_attended,
                    "status_on_interventions": s.status_on_interventions,
                    "new_agreements": s.new_agreements,
                    "mentor_need_assessed": s.mentor_need_assessed,
                    "mentor_assessment": s.mentor_assessment,
                    "borger_perspective": s.borger_perspective,
                    "next_on": d(s.next_on),
                    "no_next_reason": s.no_next_reason,
                    "no_next_note": s.no_next_note,
                    "plan_revision": plan_versions.get(s.plan_revision_id),
                    "created_by": self.user(s.created_by_id),
                    "created_at": dt(s.created_at),
                }
                for s in f.x_followups
            ],
            "early_end_reason": f.early_end_reason,
            "exit_statuses": [
                {
                    "point": s.point,
                    "code": s.code,
                    "job_hours_per_week": num(s.job_hours_per_week),
                    "hours_source": s.hours_source,
                    "note": s.note,
                    "recorded_by": self.user(s.recorded_by_id),
                    "recorded_at": dt(s.recorded_at),
                }
                for s in sorted(f.x_exit_statuses, key=lambda s: POINT_ORDER[s.point])
            ],
            "result": None if result is None else self.result(result),
            "sanctions": [
                {
                    "imposed_on": d(s.imposed_on),
                    "kind": s.kind,
                    "reason": s.reason,
                    "note": s.note,
                    "recorded_by": self.user(s.recorded_by_id),
                    "recorded_at": dt(s.recorded_at),
                }
                for s in f.x_sanctions
            ],
        }

    def result(self, r) -> dict:
        """The result record as recorded (`outcomes.selectors.results_for` adds the fallbacks from the
        rehabiliteringsteam's records for its readers; the file carries those records themselves)."""
        return {
            "ordinary_job_from": d(r.ordinary_job_from),
            "job_hours_per_week": num(r.job_hours_per_week),
            "hours_source": r.hours_source,
            "fleksjob_visiteret_on": d(r.fleksjob_visiteret_on),
            "fleksjob_expected_hours": num(r.fleksjob_expected_hours),
            "fleksjob_employed_on": d(r.fleksjob_employed_on),
            "fleksjob_hours_per_week": num(r.fleksjob_hours_per_week),
            "fleksjob_employer_cvr": r.fleksjob_employer_cvr,
            "fleksjob_bonus_status": r.fleksjob_bonus_status,
            "fleksjob_bonus_preapproved_on": d(r.fleksjob_bonus_preapproved_on),
            "fleksjob_bonus_paid_on": d(r.fleksjob_bonus_paid_on),
            "revalidering_type": r.revalidering_type,
            "revalidering_from": d(r.revalidering_from),
            "fp_indstillet_on": d(r.fp_indstillet_on),
            "fp_tilkendt_on": d(r.fp_tilkendt_on),
            "fp_decision_ref": r.fp_decision_ref,
            "fp_held_before": r.fp_held_before,
            "updated_by": self.user(r.updated_by_id),
            "updated_at": dt(r.updated_at),
        }


def meeting_key(kommune: str, rehab_team: str, starts_at: datetime) -> str:
    """A meeting as the same text whatever file it is in: kommune, rehabiliteringsteam, UTC time."""
    return f"{kommune}|{rehab_team}|{starts_at.astimezone(UTC).isoformat()}"


def export_forloeb_documents(uuids: list[str]) -> list[dict]:
    """The forløb documents alone (no organisation or borgere), with each agenda item's meeting
    given by `meeting_key`, to compare with the documents of a file."""
    exporter = Exporter()
    docs = [exporter.forloeb(f) for f in _prefetched(Forloeb.objects.filter(uuid__in=uuids))]
    keys = {
        m.id: meeting_key(m.rehab_team.kommune.code, m.rehab_team.name, m.starts_at)
        for m in TeamMeeting.objects.filter(id__in=exporter.meeting_rows).select_related("rehab_team__kommune")
    }
    for doc in docs:
        for item in doc["agenda_items"]:
            item["meeting"] = keys[item["meeting"]]
    return docs


def export_document(forloeb_qs: QuerySet, *, source: str = "") -> dict:
    """The whole file: the forløb with the kommuner, teams, users, meetings and borgere they use."""
    exporter = Exporter()
    docs = [exporter.forloeb(f) for f in _prefetched(forloeb_qs)]
    kommune_codes = sorted({doc["kommune"] for doc in docs})
    kommuner = list(
        Kommune.objects.filter(code__in=kommune_codes)
        .prefetch_related("teams", Prefetch("rehab_teams", RehabTeam.objects.prefetch_related("memberships")))
        .order_by("code")
    )
    for k in kommuner:
        for rt in k.rehab_teams.all():
            exporter.user_ids.update(m.user_id for m in rt.memberships.all())
    users = list(User.objects.filter(id__in=exporter.user_ids).select_related("kommune").prefetch_related("teams"))
    refs = exporter.refs

    # Every meeting of the kommuner's rehabiliteringsteams (also those with no forløb yet).
    meetings = list(
        TeamMeeting.objects.filter(Q(id__in=exporter.meeting_rows) | Q(rehab_team__kommune__in=kommuner))
        .select_related("rehab_team__kommune")
        .order_by("rehab_team__kommune__code", "rehab_team__name", "starts_at", "id")
    )
    meeting_refs = Refs("m")
    for m in meetings:
        meeting_refs.add(m.id)
    for doc in docs:
        for item in doc["agenda_items"]:
            item["meeting"] = meeting_refs.get(item["meeting"])

    cprs = sorted({doc["borger"] for doc in docs})
    borgere = _borgere(cprs)
    return {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "created_at": dt(clock.now()),
        "source": source,
        "kommuner": [
            {
                "code": k.code,
                "name": k.name,
                "is_frikommune": k.is_frikommune,
                "teams": [{"code": t.code, "name": t.name} for t in sorted(k.teams.all(), key=lambda t: t.code)],
                "rehab_teams": [
                    {
                        "name": rt.name,
                        "members": [
                            {"user": refs[m.user_id], "sector": m.sector}
                            for m in sorted(rt.memberships.all(), key=lambda m: refs[m.user_id])
                        ],
                    }
                    for rt in sorted(k.rehab_teams.all(), key=lambda rt: rt.name)
                ],
            }
            for k in kommuner
        ],
        "users": [
            {
                "id": refs[u.id],
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": u.email,
                "phone": u.phone,
                "role": u.role,
                "sector": u.sector,
                "kommune": u.kommune.code if u.kommune_id else None,
                "teams": sorted(t.code for t in u.teams.all()),
            }
            for u in sorted(users, key=lambda u: refs[u.id])
        ],
        "meetings": [
            {
                "id": meeting_refs.get(m.id),
                "kommune": m.rehab_team.kommune.code,
                "rehab_team": m.rehab_team.name,
                "starts_at": dt(m.starts_at),
                "place": m.place,
            }
            for m in meetings
        ],
        "borgere": borgere,
        "forloeb": docs,
    }


def _borgere(cprs: list[str]) -> list[dict]:
    rows = Borger.objects.filter(cpr__in=cprs).prefetch_related(
        Prefetch("consents", Consent.objects.order_by("id")),
        Prefetch("other_cases", OtherCase.objects.order_by("id")),
    )
    out = []
    for b in sorted(rows, key=lambda b: b.cpr):
        consents = Refs("c")
        out.append(
            {
                "cpr": b.cpr,
                "first_name": b.first_name,
                "last_name": b.last_name,
                "address": b.address,
                "phone": b.phone,
                "email": b.email,
                "created_at": dt(b.created_at),
                "consents": [
                    {
                        "id": consents.add(c.id),
                        "recipient": c.recipient,
                        "scope": c.scope,
                        "given_on": d(c.given_on),
                        "expires_on": d(c.expires_on),
                        "withdrawn_on": d(c.withdrawn_on),
                    }
                    for c in b.consents.all()
                ],
                "other_cases": [
                    {
                        "kind": o.kind,
                        "source": o.source,
                        "consent": consents.get(o.consent_id),
                        "note": o.note,
                        "active": o.active,
                        "recorded_on": d(o.recorded_on),
                    }
                    for o in b.other_cases.all()
                ],
            }
        )
    return out
