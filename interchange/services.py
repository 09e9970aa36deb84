"""Writes of the interchange app: importing forløb and logging every export."""

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal

import psycopg
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import DataError, IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from cases import clock
from cases.models import (
    Borger,
    CoordinatorAssignment,
    Forloeb,
    Kommune,
    PhaseTransition,
    Team,
    TeamMembership,
    User,
)
from followup.models import FollowUpMeeting
from followup.services import flags_evaluate
from interchange.models import ExportLog, ImportRecord
from interchange.schema import PREPARATORY_TEXTS
from interchange.validation import Checked, InterchangeError, Problem, check_document
from outcomes.models import BonusStatus, ExitStatus, ForloebResult, Sanction
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
from plans.services import attribute_to_forloeb
from rehab.models import (
    AgendaItem,
    Decision,
    DocumentKind,
    Goal,
    HealthDocument,
    MeetingPhase,
    PreparatoryPart,
    Recommendation,
    RecommendedIntervention,
    RehabTeam,
    RehabTeamMembership,
    TeamMeeting,
)


def export_log(
    *,
    user: User | None,
    kind: str,
    file_format: str,
    pseudonymised: bool,
    filters: dict,
    rows: int,
    via: str,
) -> ExportLog:
    """Record who took an export, with which filter (codes and dates, never a CPR number)."""
    return ExportLog.objects.create(
        user=user,
        kind=kind,
        file_format=file_format,
        pseudonymised=pseudonymised,
        filters={k: v.isoformat() if isinstance(v, date) else (v or None) for k, v in filters.items()},
        rows=rows,
        via=via,
    )


# --- Import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    file_name: str
    created: int = 0
    unchanged: int = 0
    forloeb_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0
    flags_raised: int = 0


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str | None, default: datetime | None = None) -> datetime | None:
    return datetime.fromisoformat(value) if value else default


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _time(value: str) -> dtime:
    return dtime.fromisoformat(value)


class Writer:
    """Writes a checked file in bulk: one COPY per table, in file order."""

    def __init__(self, document: dict, checked: Checked, *, actor: User | None, file_name: str):
        self.doc = document
        self.c = checked
        self.actor = actor
        self.file_name = file_name
        self.now = clock.now()
        self.users = dict(checked.users)

    def user(self, ref: str | None) -> int | None:
        return self.users[ref] if ref is not None else None

    def organisation(self) -> None:
        c = self.c
        for k in self.doc.get("kommuner", []):
            if k["code"] not in c.kommuner:
                c.kommuner[k["code"]] = Kommune.objects.create(
                    code=k["code"], name=k["name"], is_frikommune=k.get("is_frikommune", False)
                ).id
            for t in k.get("teams", []):
                if (k["code"], t["code"]) not in c.teams:
                    c.teams[(k["code"], t["code"])] = Team.objects.create(
                        kommune_id=c.kommuner[k["code"]], code=t["code"], name=t["name"]
                    ).id
        taken = set(
            User.objects.filter(username__in=[u["id"] for u in self.doc.get("users", [])]).values_list(
                "username", flat=True
            )
        )
        new_users = []
        for u in self.doc.get("users", []):
            if u["id"] in self.users:
                continue
            username = re.sub(r"[^\w.@+-]", "-", u["id"])[:140]
            while username in taken:
                username = f"{username}-x"
            taken.add(username)
            new_users.append(
                User(
                    username=username,
                    external_id=u["id"],
                    first_name=u.get("first_name", ""),
                    last_name=u.get("last_name", ""),
                    email=u.get("email", ""),
                    phone=u.get("phone", ""),
                    role=u["role"],
                    sector=u.get("sector", ""),
                    kommune_id=c.kommuner.get(u.get("kommune")) if u.get("kommune") else None,
                    password=make_password(None),  # no login until an administrator sets a password
                )
            )
        for user in _insert(new_users):
            self.users[user.external_id] = user.id
        memberships = []
        existing = set(TeamMembership.objects.filter(user_id__in=self.users.values()).values_list("user_id", "team_id"))
        for u in self.doc.get("users", []):
            for code in u.get("teams", []):
                key = (self.users[u["id"]], c.teams[(u["kommune"], code)])
                if key not in existing:
                    existing.add(key)
                    memberships.append(TeamMembership(user_id=key[0], team_id=key[1]))
        _insert(memberships)
        for k in self.doc.get("kommuner", []):
            for rt in k.get("rehab_teams", []):
                key = (k["code"], rt["name"])
                if key not in c.rehab_teams:
                    c.rehab_teams[key] = RehabTeam.objects.create(kommune_id=c.kommuner[k["code"]], name=rt["name"]).id
                have = set(
                    RehabTeamMembership.objects.filter(rehab_team_id=c.rehab_teams[key]).values_list(
                        "user_id", flat=True
                    )
                )
                _insert(
                    [
                        RehabTeamMembership(
                            rehab_team_id=c.rehab_teams[key], user_id=self.users[m["user"]], sector=m["sector"]
                        )
                        for m in rt.get("members", [])
                        if self.users[m["user"]] not in have
                    ]
                )
        meetings = self.doc.get("meetings", [])
        keys = {
            m["id"]: (c.rehab_teams[(m["kommune"], m["rehab_team"])], datetime.fromisoformat(m["starts_at"]))
            for m in meetings
        }
        existing = {
            (rt, at): pk
            for pk, rt, at in TeamMeeting.objects.filter(
                rehab_team_id__in={rt for rt, _at in keys.values()}
            ).values_list("id", "rehab_team_id", "starts_at")
        }
        new = {}
        for m in meetings:
            key = keys[m["id"]]
            if key not in existing and key not in new:
                new[key] = TeamMeeting(rehab_team_id=key[0], starts_at=key[1], place=m.get("place", ""))
        _insert(list(new.values()))
        existing.update({key: row.id for key, row in new.items()})
        c.meetings = {ref: existing[key] for ref, key in keys.items()}

    def borgere(self) -> None:
        c = self.c
        new = [b for b in self.doc.get("borgere", []) if b["cpr"].replace("-", "") not in c.borgere]
        rows = _insert(
            [
                Borger(
                    cpr=b["cpr"].replace("-", ""),
                    first_name=b["first_name"],
                    last_name=b["last_name"],
                    address=b.get("address", ""),
                    phone=b.get("phone", ""),
                    email=b.get("email", ""),
                    created_at=_t(b.get("created_at"), self.now),
                )
                for b in new
            ]
        )
        consents, cases = [], []
        for b, row in zip(new, rows, strict=True):
            c.borgere[row.cpr] = row.id
            ids = {}
            for x in b.get("consents", []):
                ids[x["id"]] = Consent(
                    borger_id=row.id,
                    recipient=x["recipient"],
                    scope=x["scope"],
                    given_on=_d(x["given_on"]),
                    expires_on=_d(x.get("expires_on")),
                    withdrawn_on=_d(x.get("withdrawn_on")),
                )
            consents.extend(ids.values())
            for x in b.get("other_cases", []):
                cases.append((x, row.id, ids))
        _insert(consents)
        _insert(
            [
                OtherCase(
                    borger_id=borger_id,
                    kind=x["kind"],
                    source=x["source"],
                    consent_id=ids[x["consent"]].id if x.get("consent") else None,
                    note=x.get("note", ""),
                    active=x.get("active", True),
                    recorded_on=_d(x["recorded_on"]),
                )
                for x, borger_id, ids in cases
            ]
        )

    def forloeb(self) -> list[int]:
        c = self.c
        docs = [self.doc["forloeb"][n] for n in c.new]
        rows = []
        for f in docs:
            current = next((x["user"] for x in f.get("coordinators", []) if x.get("valid_to") is None), None)
            rows.append(
                Forloeb(
                    uuid=f["id"].lower(),
                    borger_id=c.borgere[f["borger"].replace("-", "")],
                    sequence_no=f["sequence_no"],
                    kommune_id=c.kommuner[f["kommune"]],
                    team_id=c.teams[(f["kommune"], f["team"])],
                    phase=f["phase"],
                    phase_changed_at=_t(f.get("phase_changed_at"))
                    or (_t(f["transitions"][-1]["at"]) if f.get("transitions") else None),
                    opened_on=_d(f["opened_on"]),
                    start_date=_d(f.get("start_date")),
                    planned_end_date=_d(f.get("planned_end_date")),
                    closed_on=_d(f.get("closed_on")),
                    outcome=f.get("outcome", ""),
                    early_end_reason=f.get("early_end_reason", ""),
                    current_coordinator_id=self.user(current),
                    created_at=_t(f.get("created_at"), self.now),
                )
            )
        rows = _insert(rows)
        pairs = list(zip(docs, [r.id for r in rows], strict=True))
        self.parts(pairs)
        self.outcomes(pairs)
        _insert(
            [
                ImportRecord(
                    forloeb_id=fid,
                    digest=c.digests[n],
                    schema_version=self.doc["schema_version"],
                    file_name=self.file_name[:300],
                    imported_by=self.actor,
                    imported_at=self.now,
                )
                for n, (_f, fid) in zip(c.new, pairs, strict=True)
            ]
        )
        return [fid for _f, fid in pairs]

    def parts(self, pairs: list[tuple[dict, int]]) -> None:  # noqa: C901, PLR0912, PLR0915 - one table after the other
        c, user = self.c, self.user
        ct = ContentType.objects.get_for_models(PreparatoryPart, Recommendation, ActionPlan)
        goals: list[Goal] = []

        def add_goals(items, fid, kind, content_type, object_id):
            for g in items:
                goals.append(
                    Goal(
                        forloeb_id=fid,
                        document_kind=kind,
                        content_type_id=content_type.id,
                        object_id=object_id,
                        kind=g["kind"],
                        description=g["description"],
                        occupation_id=c.occupations[g["occupation"]] if g.get("occupation") else None,
                        education=g.get("education", ""),
                        set_with_borger=g.get("set_with_borger", True),
                        created_at=_t(g.get("created_at"), self.now),
                    )
                )

        coordinators, transitions, preps, prep_goals, health, agenda, problems = [], [], [], [], [], [], []
        for f, fid in pairs:
            coordinators += [
                CoordinatorAssignment(
                    forloeb_id=fid,
                    coordinator_id=user(x["user"]),
                    valid_from=_d(x["valid_from"]),
                    valid_to=_d(x.get("valid_to")),
                    assigned_by_id=user(x.get("assigned_by")),
                )
                for x in f.get("coordinators", [])
            ]
            transitions += [
                PhaseTransition(
                    forloeb_id=fid,
                    transition=x["transition"],
                    from_phase=x["from_phase"],
                    to_phase=x["to_phase"],
                    actor_id=user(x.get("actor")),
                    at=_t(x["at"]),
                    reason=x.get("reason", ""),
                    outcome=x.get("outcome", ""),
                )
                for x in f.get("transitions", [])
            ]
            p = f.get("preparatory_part")
            if p is not None:
                preps.append(
                    PreparatoryPart(
                        forloeb_id=fid,
                        work_started_on=_d(p.get("work_started_on")),
                        **{name: p.get(name, "") for name in PREPARATORY_TEXTS},
                        previous_benefit=p.get("previous_benefit", ""),
                        borger_wish=p.get("borger_wish", ""),
                        signed_by_borger_on=_d(p.get("signed_by_borger_on")),
                        updated_at=_t(p.get("updated_at"), self.now),
                    )
                )
                prep_goals.append((p.get("goals", []), fid))
            health += [
                HealthDocument(
                    forloeb_id=fid,
                    form=x["form"],
                    author_role=x["author_role"],
                    phase=x.get("phase", MeetingPhase.BEFORE),
                    requested_on=_d(x.get("requested_on")),
                    received_on=_d(x.get("received_on")),
                    focus_question=x.get("focus_question", ""),
                    summary=x.get("summary", ""),
                    via_health_coordinator=x.get("via_health_coordinator", False),
                    purpose=x.get("purpose", ""),
                    created_at=_t(x.get("created_at"), self.now),
                )
                for x in f.get("health_documents", [])
            ]
            agenda += [
                (
                    (fid, x["id"]),
                    AgendaItem(
                        meeting_id=c.meetings[x["meeting"]],
                        forloeb_id=fid,
                        slot_start=_time(x["slot_start"]),
                        slot_minutes=x.get("slot_minutes", 30),
                        sectors_present=x.get("sectors_present", []),
                        borger_present=x.get("borger_present"),
                        relative_present=x.get("relative_present"),
                        bisidder_present=x.get("bisidder_present"),
                    ),
                )
                for x in f.get("agenda_items", [])
            ]
            problems += [
                ProblemArea(
                    forloeb_id=fid,
                    kind=x["kind"],
                    source=x["source"],
                    recorded_on=_d(x["recorded_on"]),
                    ended_on=_d(x.get("ended_on")),
                )
                for x in f.get("problem_areas", [])
            ]
        _insert(coordinators)
        _insert(transitions)
        _insert(preps)
        for (items, fid), prep in zip(prep_goals, preps, strict=True):
            add_goals(items, fid, DocumentKind.FORBEREDENDE_DEL, ct[PreparatoryPart], prep.id)
        _insert(health)
        _insert([a for _k, a in agenda])
        agenda_ids = {k: a.id for k, a in agenda}
        _insert(problems)

        recs = []
        for f, fid in pairs:
            for x in f.get("recommendations", []):
                recs.append(
                    (
                        (fid, x["id"]),
                        x,
                        Recommendation(
                            forloeb_id=fid,
                            agenda_item_id=agenda_ids[(fid, x["agenda_item"])] if x.get("agenda_item") else None,
                            given_on=_d(x["given_on"]),
                            ordning=x["ordning"],
                            duration_years=x.get("duration_years"),
                            justification=x.get("justification", ""),
                            hensyn=x.get("hensyn", []),
                            followup_assessment=x.get("followup_assessment", ""),
                            followup_extra_needed=x.get("followup_extra_needed", False),
                            borger_perspective=x.get("borger_perspective", ""),
                            sent_to_borger_on=_d(x.get("sent_to_borger_on")),
                            sent_to_gp_on=_d(x.get("sent_to_gp_on")),
                            recorded_by_id=user(x["recorded_by"]),
                            created_at=_t(x.get("created_at"), self.now),
                        ),
                    )
                )
        _insert([r for _k, _x, r in recs])
        rec_ids = {k: r.id for k, _x, r in recs}
        rec_ivs = []
        for (fid, _local), x, r in recs:
            add_goals(x.get("goals", []), fid, DocumentKind.INDSTILLING, ct[Recommendation], r.id)
            rec_ivs += [
                (
                    (fid, ri["id"]),
                    RecommendedIntervention(
                        recommendation_id=r.id,
                        category=ri["category"],
                        description=ri["description"],
                        within_months=ri.get("within_months"),
                        planned_by=_d(ri.get("planned_by")),
                    ),
                )
                for ri in x.get("interventions", [])
            ]
        _insert([r for _k, r in rec_ivs])
        rec_iv_ids = {k: r.id for k, r in rec_ivs}
        _insert(
            [
                Decision(
                    forloeb_id=fid,
                    recommendation_id=rec_ids[(fid, x["recommendation"])] if x.get("recommendation") else None,
                    decided_on=_d(x["decided_on"]),
                    ordning=x["ordning"],
                    duration_years=x.get("duration_years"),
                    follows_recommendation=x.get("follows_recommendation"),
                    deviation_reason=x.get("deviation_reason", ""),
                    benefit_start_on=_d(x.get("benefit_start_on")),
                    without_team_ground=x.get("without_team_ground", ""),
                    without_team_documentation=x.get("without_team_documentation", ""),
                    borger_consent_on=_d(x.get("borger_consent_on")),
                    decided_by_id=user(x["decided_by"]),
                    created_at=_t(x.get("created_at"), self.now),
                )
                for f, fid in pairs
                for x in f.get("decisions", [])
            ]
        )

        ivs = []
        for f, fid in pairs:
            for x in f.get("interventions", []):
                type_id = c.types.get((x["type"], x.get("type_valid_from"))) or c.types[(x["type"], None)]
                ivs.append(
                    (
                        (fid, x["id"]),
                        x,
                        Intervention(
                            forloeb_id=fid,
                            type_id=type_id,
                            category=x["category"],
                            description=x.get("description", ""),
                            recommended_id=rec_iv_ids[(fid, x["recommended"])] if x.get("recommended") else None,
                            status=x["status"],
                            status_reason=x.get("status_reason", ""),
                            planned_start=_d(x.get("planned_start")),
                            planned_end=_d(x.get("planned_end")),
                            actual_start=_d(x.get("actual_start")),
                            actual_end=_d(x.get("actual_end")),
                            hours_per_week=_dec(x.get("hours_per_week")),
                            provider=x.get("provider", ""),
                            forvaltning=x.get("forvaltning", "jobcenter"),
                            employer_cvr=x.get("employer_cvr", ""),
                            cost=_dec(x.get("cost")),
                            part_of_forloeb=x.get("part_of_forloeb", True),
                            source=x.get("source", "registreret"),
                            created_at=_t(x.get("created_at"), self.now),
                        ),
                    )
                )
        _insert([i for _k, _x, i in ivs])
        iv_ids = {k: i.id for k, _x, i in ivs}
        _insert(
            [
                InterventionEvent(
                    intervention_id=i.id,
                    action=e["action"],
                    from_status=e.get("from_status", ""),
                    to_status=e["to_status"],
                    on=_d(e["on"]),
                    reason=e.get("reason", ""),
                    actor_id=user(e["actor"]),
                    at=_t(e.get("at"), self.now),
                )
                for _k, x, i in ivs
                for e in x.get("events", [])
            ]
        )

        plans = []
        for f, fid in pairs:
            for x in f.get("action_plans", []):
                plans.append(
                    (
                        fid,
                        x,
                        ActionPlan(
                            forloeb_id=fid,
                            version=x["version"],
                            recommendation_id=rec_ids[(fid, x["recommendation"])] if x.get("recommendation") else None,
                            coordinator_id=user(x.get("coordinator")),
                            followup_cadence_weeks=x.get("followup_cadence_weeks"),
                            followup_agreement=x.get("followup_agreement", ""),
                            next_followup_on=_d(x.get("next_followup_on")),
                            hensyn=x.get("hensyn", []),
                            borger_perspective=x.get("borger_perspective", ""),
                            revision_reason=x.get("revision_reason", ""),
                            completed_on=_d(x.get("completed_on")),
                            created_by_id=user(x["created_by"]),
                            created_at=_t(x.get("created_at"), self.now),
                        ),
                    )
                )
        _insert([p for _f, _x, p in plans])
        plan_ids = {(fid, x["version"]): p.id for fid, x, p in plans}
        milestones, items = [], []
        for fid, x, p in plans:
            add_goals(x.get("goals", []), fid, DocumentKind.INDSATSPLAN, ct[ActionPlan], p.id)
            milestones += [
                Milestone(
                    plan_id=p.id,
                    lineage=m["lineage"],
                    description=m["description"],
                    target_date=_d(m.get("target_date")),
                    order=m.get("order", 0),
                )
                for m in x.get("milestones", [])
            ]
            items += [
                PlanItem(
                    plan_id=p.id,
                    intervention_id=iv_ids[(fid, it["intervention"])],
                    description=it.get("description", ""),
                    status=it["status"],
                    planned_start=_d(it.get("planned_start")),
                    planned_end=_d(it.get("planned_end")),
                    hours_per_week=_dec(it.get("hours_per_week")),
                    provider=it.get("provider", ""),
                )
                for it in x.get("items", [])
            ]
        _insert(milestones)
        _insert(items)
        _insert(goals)
        _insert(
            [
                CoordinationNote(
                    forloeb_id=fid,
                    intervention_id=iv_ids[(fid, x["intervention"])] if x.get("intervention") else None,
                    written_on=_d(x["written_on"]),
                    forvaltning=x["forvaltning"],
                    note=x["note"],
                    author_id=user(x["author"]),
                )
                for f, fid in pairs
                for x in f.get("coordination_notes", [])
            ]
        )
        _insert(
            [
                Progress(
                    forloeb_id=fid,
                    milestone_lineage=x["milestone_lineage"],
                    recorded_on=_d(x["recorded_on"]),
                    score=x["score"],
                    note=x.get("note", ""),
                    recorded_by_id=user(x["recorded_by"]),
                )
                for f, fid in pairs
                for x in f.get("progress", [])
            ]
        )
        _insert(
            [
                FollowUpMeeting(
                    forloeb_id=fid,
                    held_on=_d(x["held_on"]),
                    held_at=_t(x.get("held_at")),
                    setting=x.get("setting", "individuel"),
                    channel=x.get("channel", "fremmoede"),
                    held_by_id=user(x["held_by"]),
                    borger_attended=x.get("borger_attended", True),
                    status_on_interventions=x.get("status_on_interventions", ""),
                    new_agreements=x.get("new_agreements", ""),
                    mentor_need_assessed=x.get("mentor_need_assessed", False),
                    mentor_assessment=x.get("mentor_assessment", ""),
                    borger_perspective=x.get("borger_perspective", ""),
                    next_on=_d(x.get("next_on")),
                    no_next_reason=x.get("no_next_reason", ""),
                    no_next_note=x.get("no_next_note", ""),
                    plan_revision_id=plan_ids[(fid, x["plan_revision"])] if x.get("plan_revision") else None,
                    created_by_id=user(x["created_by"] if x.get("created_by") else x["held_by"]),
                    created_at=_t(x.get("created_at"), self.now),
                )
                for f, fid in pairs
                for x in f.get("followups", [])
            ]
        )

    def outcomes(self, pairs: list[tuple[dict, int]]) -> None:
        """The outcome data of schema 1.1 (a 1.0 file has none)."""
        user = self.user
        _insert(
            [
                ExitStatus(
                    forloeb_id=fid,
                    point=x["point"],
                    code=x["code"],
                    job_hours_per_week=_dec(x.get("job_hours_per_week")),
                    hours_source=x.get("hours_source", ""),
                    note=x.get("note", ""),
                    recorded_by_id=user(x["recorded_by"]),
                    recorded_at=_t(x.get("recorded_at"), self.now),
                )
                for f, fid in pairs
                for x in f.get("exit_statuses", [])
            ]
        )
        _insert(
            [
                ForloebResult(
                    forloeb_id=fid,
                    ordinary_job_from=_d(r.get("ordinary_job_from")),
                    job_hours_per_week=_dec(r.get("job_hours_per_week")),
                    hours_source=r.get("hours_source", ""),
                    fleksjob_visiteret_on=_d(r.get("fleksjob_visiteret_on")),
                    fleksjob_expected_hours=_dec(r.get("fleksjob_expected_hours")),
                    fleksjob_employed_on=_d(r.get("fleksjob_employed_on")),
                    fleksjob_hours_per_week=_dec(r.get("fleksjob_hours_per_week")),
                    fleksjob_employer_cvr=r.get("fleksjob_employer_cvr", ""),
                    fleksjob_bonus_status=r.get("fleksjob_bonus_status", BonusStatus.NONE),
                    fleksjob_bonus_preapproved_on=_d(r.get("fleksjob_bonus_preapproved_on")),
                    fleksjob_bonus_paid_on=_d(r.get("fleksjob_bonus_paid_on")),
                    revalidering_type=r.get("revalidering_type", ""),
                    revalidering_from=_d(r.get("revalidering_from")),
                    fp_indstillet_on=_d(r.get("fp_indstillet_on")),
                    fp_tilkendt_on=_d(r.get("fp_tilkendt_on")),
                    fp_decision_ref=r.get("fp_decision_ref", ""),
                    fp_held_before=r.get("fp_held_before", False),
                    updated_by_id=user(r["updated_by"]),
                    updated_at=_t(r.get("updated_at"), self.now),
                )
                for f, fid in pairs
                if (r := f.get("result")) is not None
            ]
        )
        _insert(
            [
                Sanction(
                    forloeb_id=fid,
                    imposed_on=_d(x["imposed_on"]),
                    kind=x["kind"],
                    reason=x["reason"],
                    note=x.get("note", ""),
                    recorded_by_id=user(x["recorded_by"]),
                    recorded_at=_t(x.get("recorded_at"), self.now),
                )
                for f, fid in pairs
                for x in f.get("sanctions", [])
            ]
        )


def _insert(objs: list) -> list:
    """Insert model instances of one model with COPY, ids drawn from the table's sequence first
    (so children can point to them). An order of magnitude faster than bulk_create's INSERTs,
    which is what lets an import keep its promise of 10,000 forløb a minute."""
    if not objs:
        return objs
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.generated]
    _stamp(objs, fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [meta.db_table, len(objs)]
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
        )
        with cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([getattr(obj, f.attname) for f in fields])
    for obj in objs:
        obj._state.adding = False
    return objs


def _stamp(objs: list, fields: list) -> None:
    """COPY skips `pre_save`: fill an auto_now(_add) field the file gave no value for."""
    now = clock.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, now)


# From this many new forløb an import renews the statistics of the case tables before the flags are
# evaluated (in its transaction, so the new rows count): the planner otherwise takes the tables for as
# small as it last saw them, and the rules' joins can run for minutes instead of seconds (seen in the
# test suite, where earlier tests had left the tables empty when they were last analysed).
ANALYZE_AFTER_IMPORT = 100


def _analyze_case_tables() -> None:
    with connection.cursor() as cursor:
        for label in ("cases", "rehab", "plans", "followup", "outcomes"):
            for model in apps.get_app_config(label).get_models():
                cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))


def forloeb_import(
    *, document: dict, file_name: str, actor: User | None = None, evaluate_flags: bool = True
) -> ImportResult:
    """Import one interchange file, all or nothing. Raise InterchangeError (nothing written) with
    every problem found; forløb already imported from the same document are left as they are.
    The flags of the new forløb are evaluated afterwards, as of today."""
    started = time.perf_counter()
    checked = check_document(document)
    result = ImportResult(file_name=file_name, unchanged=len(checked.unchanged))
    if checked.new or document.get("kommuner") or document.get("users"):
        try:
            with transaction.atomic():
                writer = Writer(document, checked, actor=actor, file_name=file_name)
                writer.organisation()
                writer.borgere()
                result.forloeb_ids = writer.forloeb()
                # The file keeps consents and other cases under the borger; record each under a
                # forløb so that only that forløb's team sees it.
                attribute_to_forloeb(borger_ids=set(writer.c.borgere.values()))
                if len(result.forloeb_ids) >= ANALYZE_AFTER_IMPORT:
                    _analyze_case_tables()
        except (IntegrityError, DataError, psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
            # A rule the checks do not know yet; the transaction is rolled back, nothing is written.
            # (COPY raises psycopg's own errors, the ORM Django's.)
            # Only the rule's name is shown: the database's own text may quote values such as a CPR.
            detail = getattr(exc, "diag", None) or getattr(exc.__cause__, "diag", None)
            rule = getattr(detail, "constraint_name", None) or getattr(detail, "sqlstate", None) or type(exc).__name__
            raise InterchangeError(
                [Problem("$", _("Databasen afviste filen (%(rule)s); intet er indlæst.") % {"rule": rule})]
            ) from exc
    result.created = len(result.forloeb_ids)
    if evaluate_flags and result.forloeb_ids:
        result.flags_raised = flags_evaluate(forloeb_ids=result.forloeb_ids).total_raised
    result.seconds = time.perf_counter() - started
    return result
