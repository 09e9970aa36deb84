"""The JSON Schema of the interchange format, built from the models' code lists.

The committed file `interchange/schema/forloeb-<version>.schema.json` is what other systems
read; `build_schema()` is the source of the current version's file, and a test checks that the two
agree, so a new code in a model's choices cannot slip past the published schema.
`docs/interchange.md` explains every field.

Versions: the export always writes SCHEMA_VERSION; the import reads every version in
SCHEMA_VERSIONS, each checked against its own committed file (an older file is never rebuilt).
1.1 added the outcome data to a forløb (early_end_reason, exit_statuses, result, sanctions); a 1.0
file is a 1.1 file without them.
"""

import json
from pathlib import Path

from django.db import models

from cases.models import EarlyEndReason, Outcome, Phase, PhaseTransition, Role, Sector
from followup.models import FollowUpMeeting, NoNextReason, SamtaleChannel, SamtaleSetting
from outcomes.models import (
    BonusStatus,
    ExitStatus,
    ExitStatusCode,
    FollowUpPoint,
    HoursSource,
    RevalideringType,
    Sanction,
    SanctionReason,
    SanctionType,
)
from plans.models import (
    ActionPlan,
    ConsentRecipient,
    CoordinationNote,
    Forvaltning,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    OtherCaseKind,
    ProblemAreaKind,
    ProblemSource,
    Source,
)
from rehab.models import (
    AuthorRole,
    BorgerWish,
    Decision,
    Goal,
    GoalKind,
    HealthDocument,
    HealthForm,
    Hensyn,
    InterventionCategory,
    MeetingPhase,
    Ordning,
    PreparatoryPart,
    PreviousBenefit,
    Recommendation,
    WithoutTeamGround,
)

SCHEMA_VERSION = "1.1"  # what the export writes
SCHEMA_VERSIONS = ("1.0", "1.1")  # what the import reads, oldest first
FORMAT_NAME = "forloeb-udveksling"


def schema_path(version: str = SCHEMA_VERSION) -> Path:
    return Path(__file__).parent / "schema" / f"forloeb-{version}.schema.json"


def schema_id(version: str = SCHEMA_VERSION) -> str:
    return f"https://forloeb.example/schema/forloeb-{version}.schema.json"


SCHEMA_PATH = schema_path()
SCHEMA_ID = schema_id()

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"}
TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$"}
UUID = {"type": "string", "pattern": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}
CPR = {"type": "string", "pattern": r"^\d{6}-?\d{4}$"}
LOCAL_ID = {"type": "string", "minLength": 1, "maxLength": 100}
USER_REF = {"type": "string", "minLength": 1, "maxLength": 100}
BOOL = {"type": "boolean"}
TEAM_CODE = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]{1,50}$"}


def text(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length}


def text_of(model, name: str) -> dict:
    """A model's text field, with the field's own limit (see `cases.text`)."""
    return text(model._meta.get_field(name).max_length)


def enum(choices) -> dict:
    return {"type": "string", "enum": [c.value for c in choices]}


def maybe(schema: dict) -> dict:
    """The value, or null (an unknown or empty date, a missing reference). Keywords such as
    `pattern` or `minimum` apply only to their own type, so adding "null" to the type is exact."""
    return {**schema, "type": [schema["type"], "null"]}


def blank_or(choices) -> dict:
    return {"type": "string", "enum": ["", *[c.value for c in choices]]}


def integer(minimum: int = 0, maximum: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def number(minimum: float = 0, maximum: float | None = None) -> dict:
    schema = {"type": "number", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


GOAL = obj(
    {
        "kind": enum(GoalKind),
        "description": text_of(Goal, "description"),
        "occupation": maybe({"type": "string", "pattern": r"^\d{4}$"}),
        "education": text(200),
        "set_with_borger": BOOL,
        "created_at": DATETIME,
    },
    ("kind", "description"),
)

KOMMUNE = obj(
    {
        "code": {"type": "string", "pattern": r"^\d{3}$"},
        "name": text(100),
        "is_frikommune": BOOL,
        "teams": array(obj({"code": TEAM_CODE, "name": text(100)}, ("code", "name"))),
        "rehab_teams": array(
            obj(
                {
                    "name": {"type": "string", "minLength": 1, "maxLength": 100},
                    "members": array(obj({"user": USER_REF, "sector": enum(Sector)}, ("user", "sector"))),
                },
                ("name",),
            )
        ),
    },
    ("code", "name"),
)

USER = obj(
    {
        "id": USER_REF,
        "first_name": text(150),
        "last_name": text(150),
        "email": text(254),
        "phone": text(30),
        "role": enum(Role),
        "sector": blank_or(Sector),
        "kommune": maybe({"type": "string", "pattern": r"^\d{3}$"}),
        "teams": array(TEAM_CODE),
    },
    ("id", "role"),
)

MEETING = obj(
    {
        "id": LOCAL_ID,
        "kommune": {"type": "string", "pattern": r"^\d{3}$"},
        "rehab_team": {"type": "string", "minLength": 1, "maxLength": 100},
        "starts_at": DATETIME,
        "place": text(200),
    },
    ("id", "kommune", "rehab_team", "starts_at"),
)

BORGER = obj(
    {
        "cpr": CPR,
        "first_name": text(100),
        "last_name": text(100),
        "address": text(200),
        "phone": text(30),
        "email": text(254),
        "created_at": DATETIME,
        "consents": array(
            obj(
                {
                    "id": LOCAL_ID,
                    "recipient": enum(ConsentRecipient),
                    "scope": text(300),
                    "given_on": DATE,
                    "expires_on": maybe(DATE),
                    "withdrawn_on": maybe(DATE),
                },
                ("id", "recipient", "scope", "given_on"),
            )
        ),
        "other_cases": array(
            obj(
                {
                    "kind": enum(OtherCaseKind),
                    "source": text(200),
                    "consent": maybe(LOCAL_ID),
                    "note": text(300),
                    "active": BOOL,
                    "recorded_on": DATE,
                },
                ("kind", "source", "recorded_on"),
            )
        ),
    },
    ("cpr", "first_name", "last_name"),
)

# The forberedende del's free-text sections: every text field of the model.
PREPARATORY_TEXTS = tuple(f.name for f in PreparatoryPart._meta.fields if isinstance(f, models.TextField))

PREPARATORY = obj(
    {
        "work_started_on": maybe(DATE),
        **{name: text_of(PreparatoryPart, name) for name in PREPARATORY_TEXTS},
        "previous_benefit": blank_or(PreviousBenefit),
        "borger_wish": blank_or(BorgerWish),
        "signed_by_borger_on": maybe(DATE),
        "updated_at": DATETIME,
        "goals": array(GOAL),
    }
)

HEALTH_DOCUMENT = obj(
    {
        "form": enum(HealthForm),
        "author_role": enum(AuthorRole),
        "phase": enum(MeetingPhase),
        "requested_on": maybe(DATE),
        "received_on": maybe(DATE),
        "focus_question": text_of(HealthDocument, "focus_question"),
        "summary": text_of(HealthDocument, "summary"),
        "via_health_coordinator": BOOL,
        "purpose": text(200),
        "created_at": DATETIME,
    },
    ("form", "author_role"),
)

AGENDA_ITEM = obj(
    {
        "id": LOCAL_ID,
        "meeting": LOCAL_ID,
        "slot_start": TIME,
        "slot_minutes": integer(1, 600),
        "sectors_present": array(enum(Sector)),
        "borger_present": maybe(BOOL),
        "relative_present": maybe(BOOL),
        "bisidder_present": maybe(BOOL),
    },
    ("id", "meeting", "slot_start"),
)

RECOMMENDATION = obj(
    {
        "id": LOCAL_ID,
        "agenda_item": maybe(LOCAL_ID),
        "given_on": DATE,
        "ordning": enum(Ordning),
        "duration_years": maybe(integer(1, 10)),
        "justification": text_of(Recommendation, "justification"),
        "hensyn": array(enum(Hensyn)),
        "followup_assessment": text_of(Recommendation, "followup_assessment"),
        "followup_extra_needed": BOOL,
        "borger_perspective": text_of(Recommendation, "borger_perspective"),
        "sent_to_borger_on": maybe(DATE),
        "sent_to_gp_on": maybe(DATE),
        "recorded_by": USER_REF,
        "created_at": DATETIME,
        "goals": array(GOAL),
        "interventions": array(
            obj(
                {
                    "id": LOCAL_ID,
                    "category": enum(InterventionCategory),
                    "description": text(300),
                    "within_months": maybe(integer(0, 120)),
                    "planned_by": maybe(DATE),
                },
                ("id", "category", "description"),
            )
        ),
    },
    ("id", "given_on", "ordning", "recorded_by"),
)

DECISION = obj(
    {
        "recommendation": maybe(LOCAL_ID),
        "decided_on": DATE,
        "ordning": enum(Ordning),
        "duration_years": maybe(integer(1, 10)),
        "follows_recommendation": maybe(BOOL),
        "deviation_reason": text_of(Decision, "deviation_reason"),
        "benefit_start_on": maybe(DATE),
        "without_team_ground": blank_or(WithoutTeamGround),
        "without_team_documentation": text_of(Decision, "without_team_documentation"),
        "borger_consent_on": maybe(DATE),
        "decided_by": USER_REF,
        "created_at": DATETIME,
    },
    ("decided_on", "ordning", "decided_by"),
)

HOURS = maybe(number(0, 99.9))

INTERVENTION = obj(
    {
        "id": LOCAL_ID,
        "type": {"type": "string", "minLength": 1, "maxLength": 50},
        "type_valid_from": maybe(DATE),
        "category": enum(InterventionCategory),
        "description": text(300),
        "recommended": maybe(LOCAL_ID),
        "status": enum(InterventionStatus),
        "status_reason": text_of(Intervention, "status_reason"),
        "planned_start": maybe(DATE),
        "planned_end": maybe(DATE),
        "actual_start": maybe(DATE),
        "actual_end": maybe(DATE),
        "hours_per_week": HOURS,
        "provider": text(200),
        "forvaltning": enum(Forvaltning),
        "employer_cvr": text(8),
        "cost": maybe(number(0, 99999999.99)),
        "part_of_forloeb": BOOL,
        "source": enum(Source),
        "created_at": DATETIME,
        "events": array(
            obj(
                {
                    "action": {"type": "string", "minLength": 1, "maxLength": 20},
                    "from_status": blank_or(InterventionStatus),
                    "to_status": enum(InterventionStatus),
                    "on": DATE,
                    "reason": text_of(InterventionEvent, "reason"),
                    "actor": USER_REF,
                    "at": DATETIME,
                },
                ("action", "to_status", "on", "actor"),
            )
        ),
    },
    ("id", "type", "category", "status"),
)

ACTION_PLAN = obj(
    {
        "version": integer(1, 1000),
        "recommendation": maybe(LOCAL_ID),
        "coordinator": maybe(USER_REF),
        "followup_cadence_weeks": maybe(integer(0, 520)),
        "followup_agreement": text_of(ActionPlan, "followup_agreement"),
        "next_followup_on": maybe(DATE),
        "hensyn": array(enum(Hensyn)),
        "borger_perspective": text_of(ActionPlan, "borger_perspective"),
        "revision_reason": text(300),
        "completed_on": maybe(DATE),
        "created_by": USER_REF,
        "created_at": DATETIME,
        "goals": array(GOAL),
        "milestones": array(
            obj(
                {
                    "lineage": UUID,
                    "description": text(300),
                    "target_date": maybe(DATE),
                    "order": integer(0, 10000),
                },
                ("lineage", "description"),
            )
        ),
        "items": array(
            obj(
                {
                    "intervention": LOCAL_ID,
                    "description": text(300),
                    "status": enum(InterventionStatus),
                    "planned_start": maybe(DATE),
                    "planned_end": maybe(DATE),
                    "hours_per_week": HOURS,
                    "provider": text(200),
                },
                ("intervention", "status"),
            )
        ),
    },
    ("version", "created_by"),
)

FOLLOWUP = obj(
    {
        "held_on": DATE,
        "held_at": maybe(DATETIME),
        "setting": enum(SamtaleSetting),
        "channel": enum(SamtaleChannel),
        "held_by": USER_REF,
        "borger_attended": BOOL,
        "status_on_interventions": text_of(FollowUpMeeting, "status_on_interventions"),
        "new_agreements": text_of(FollowUpMeeting, "new_agreements"),
        "mentor_need_assessed": BOOL,
        "mentor_assessment": text_of(FollowUpMeeting, "mentor_assessment"),
        "borger_perspective": text_of(FollowUpMeeting, "borger_perspective"),
        "next_on": maybe(DATE),
        "no_next_reason": blank_or(NoNextReason),
        "no_next_note": text(300),
        "plan_revision": maybe(integer(1, 1000)),
        "created_by": USER_REF,
        "created_at": DATETIME,
    },
    ("held_on", "held_by"),
)

# --- Outcome data (1.1): what became of the borger, and the sanctions during the forløb ------------

EXIT_STATUS = obj(
    {
        "point": enum(FollowUpPoint),
        "code": enum(ExitStatusCode),
        "job_hours_per_week": HOURS,
        "hours_source": blank_or(HoursSource),
        "note": text_of(ExitStatus, "note"),
        "recorded_by": USER_REF,
        "recorded_at": DATETIME,
    },
    ("point", "code", "recorded_by"),
)

RESULT = obj(
    {
        "ordinary_job_from": maybe(DATE),
        "job_hours_per_week": HOURS,
        "hours_source": blank_or(HoursSource),
        "fleksjob_visiteret_on": maybe(DATE),
        "fleksjob_expected_hours": HOURS,
        "fleksjob_employed_on": maybe(DATE),
        "fleksjob_hours_per_week": HOURS,
        "fleksjob_employer_cvr": text(8),
        "fleksjob_bonus_status": enum(BonusStatus),
        "fleksjob_bonus_preapproved_on": maybe(DATE),
        "fleksjob_bonus_paid_on": maybe(DATE),
        "revalidering_type": blank_or(RevalideringType),
        "revalidering_from": maybe(DATE),
        "fp_indstillet_on": maybe(DATE),
        "fp_tilkendt_on": maybe(DATE),
        "fp_decision_ref": text(50),
        "fp_held_before": BOOL,
        "updated_by": USER_REF,
        "updated_at": DATETIME,
    },
    ("updated_by",),
)

SANCTION = obj(
    {
        "imposed_on": DATE,
        "kind": enum(SanctionType),
        "reason": enum(SanctionReason),
        "note": text_of(Sanction, "note"),
        "recorded_by": USER_REF,
        "recorded_at": DATETIME,
    },
    ("imposed_on", "kind", "reason", "recorded_by"),
)

OUTCOME_PROPERTIES = {
    "early_end_reason": blank_or(EarlyEndReason),
    "exit_statuses": array(EXIT_STATUS),
    "result": maybe(RESULT),
    "sanctions": array(SANCTION),
}

FORLOEB = obj(
    {
        "id": UUID,
        "borger": CPR,
        "sequence_no": integer(1, 100),
        "kommune": {"type": "string", "pattern": r"^\d{3}$"},
        "team": TEAM_CODE,
        "phase": enum(Phase),
        "phase_changed_at": maybe(DATETIME),
        "opened_on": DATE,
        "start_date": maybe(DATE),
        "planned_end_date": maybe(DATE),
        "closed_on": maybe(DATE),
        "outcome": blank_or(Outcome),
        "created_at": DATETIME,
        "coordinators": array(
            obj(
                {"user": USER_REF, "valid_from": DATE, "valid_to": maybe(DATE), "assigned_by": maybe(USER_REF)},
                ("user", "valid_from"),
            )
        ),
        "transitions": array(
            obj(
                {
                    "transition": {"type": "string", "minLength": 1, "maxLength": 40},
                    "from_phase": enum(Phase),
                    "to_phase": enum(Phase),
                    "at": DATETIME,
                    "actor": maybe(USER_REF),
                    "reason": text_of(PhaseTransition, "reason"),
                    "outcome": blank_or(Outcome),
                },
                ("transition", "from_phase", "to_phase", "at"),
            )
        ),
        "preparatory_part": maybe(PREPARATORY),
        "health_documents": array(HEALTH_DOCUMENT),
        "agenda_items": array(AGENDA_ITEM),
        "recommendations": array(RECOMMENDATION),
        "decisions": array(DECISION),
        "interventions": array(INTERVENTION),
        "action_plans": array(ACTION_PLAN),
        "coordination_notes": array(
            obj(
                {
                    "intervention": maybe(LOCAL_ID),
                    "written_on": DATE,
                    "forvaltning": enum(Forvaltning),
                    "note": text_of(CoordinationNote, "note"),
                    "author": USER_REF,
                },
                ("written_on", "forvaltning", "note", "author"),
            )
        ),
        "problem_areas": array(
            obj(
                {
                    "kind": enum(ProblemAreaKind),
                    "source": enum(ProblemSource),
                    "recorded_on": DATE,
                    "ended_on": maybe(DATE),
                },
                ("kind", "source", "recorded_on"),
            )
        ),
        "progress": array(
            obj(
                {
                    "milestone_lineage": UUID,
                    "recorded_on": DATE,
                    "score": integer(1, 5),
                    "note": text(300),
                    "recorded_by": USER_REF,
                },
                ("milestone_lineage", "recorded_on", "score", "recorded_by"),
            )
        ),
        "followups": array(FOLLOWUP),
        **OUTCOME_PROPERTIES,
    },
    ("id", "borger", "sequence_no", "kommune", "team", "phase", "opened_on"),
)


def build_schema() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Forløb: udvekslingsformat for ressourceforløb / interchange format for ressourceforløb",
        "description": (
            "Et eller flere ressourceforløb med hele deres historik. Se docs/interchange.md. / "
            "One or more ressourceforløb with their whole history. See docs/interchange.md."
        ),
        "type": "object",
        "properties": {
            "format": {"const": FORMAT_NAME},
            "schema_version": {"const": SCHEMA_VERSION},
            "created_at": DATETIME,
            "source": text(200),
            "kommuner": array(KOMMUNE),
            "users": array(USER),
            "meetings": array(MEETING),
            "borgere": array(BORGER),
            "forloeb": array(FORLOEB),
        },
        "required": ["format", "schema_version", "forloeb"],
        "additionalProperties": False,
    }


def load_schema(version: str = SCHEMA_VERSION) -> dict:
    """The committed schema of a version the import reads."""
    if version not in SCHEMA_VERSIONS:
        raise ValueError(f"Unknown schema version {version!r}")
    return json.loads(schema_path(version).read_text(encoding="utf-8"))


def write_schema() -> None:
    """Rewrite the committed schema file from the models (run after changing a code list)."""
    SCHEMA_PATH.write_text(json.dumps(build_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
