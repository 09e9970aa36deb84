"""The indsatsplan side of the demo kommune.

`seed_demo` hands the simulated history of every forløb to `build` after `demo.rehab_data` has
written the indstillinger. For every grant followed by `start_ivaerksaettelse` this writes what
the plans workflow would have recorded on the same dates:

- a completed indsatsplan version, started a few days after the grant and completed on the day
  the forløb entered iværksættelse (plan_complete makes that move), with the indstilling's goals
  (mostly none, so the plan gets a vague jobmål: the audit's few concrete goals), its hensyn,
  2-4 delmål, the koordinerende sagsbehandler of that day, and a follow-up cadence or agreement;
  some forløb have later revisions (after an opfølgningssamtale or a new indstilling), a few an
  open draft; forløb in the indsatsdel have no completed plan, about half a draft;
- the indsatser: every recommended one is carried over (`indstillet`) and decided before the
  plan is completed (planned, or ikke iværksat with a reason), planned ones are granted and
  started or not, with the loss of fokusrevision 2020 §3.4 (of the recommended, ~50-60 % planned
  and ~35-50 % started, virksomhedsrettet losing most); about a fifth of the started ones start
  before the plan is completed, ~15 % of the forløb wait more than six months for a first one,
  and social/regional indsatser are often left `planlagt` without a start date; plus indsatser
  nobody recommended, and a few already running when the forløb began (part_of_forloeb False);
- the lifecycle log of every indsats (InterventionEvent), consistent with its status and dates,
  a valid (fictitious, 99xxxxxx) employer CVR wherever a virksomhedsrettet indsats is granted or
  started, and the frozen PlanItems of every completed version;
- problem areas (R-004-01 categories and sources, from the forberedende del), the borger's other
  cases and consents, coordination notes across forvaltninger (about half of the cross-forvaltning
  bevillinger, §3.5), and progression scores per delmål (R-004-04).

Everything is written with bulk_create; the recorded moments (`created_at`, the events' `at`) are
set afterwards with one UPDATE per table, so the log reads in the order things happened.
"""

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from cases import clock, dates
from cases.models import CoordinatorAssignment, Kommune, Phase
from demo.rehab_data import VAGUE_JOB_GOALS, History, between, pick
from plans.models import (
    STARTED_STATUSES,
    ActionPlan,
    Consent,
    ConsentRecipient,
    CoordinationNote,
    Forvaltning,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    InterventionType,
    Milestone,
    OtherCase,
    OtherCaseKind,
    PlanItem,
    ProblemArea,
    ProblemAreaKind,
    ProblemSource,
    Progress,
    Source,
)
from rehab.models import DocumentKind, Goal, GoalKind, PreparatoryPart, Recommendation, RecommendedIntervention
from rehab.models import InterventionCategory as Cat

SEED = 2013 + 2  # independent of the other parts' generators
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
S = InterventionStatus

# Of the recommended indsatser in a category: the share planned, and the share meant to start (§3.4:
# recommended 60/68/81/53/30 %, started 39/50/48/23/36 % of all cases; virksomhedsrettet loses most).
# Those meant to start may still not have (the plan is recent, or the forløb is one of the slow ones).
PLANNED = {
    Cat.VIRKSOMHEDSRETTET: 0.56,
    Cat.MENTOR: 0.64,
    Cat.VEJLEDNING: 0.64,
    Cat.SUNDHED_KOMMUNAL: 0.62,
    Cat.SUNDHED_REGIONAL: 0.62,
    Cat.SOCIAL: 0.58,
    Cat.UDDANNELSE: 0.60,
    Cat.ANDET: 0.56,
}
STARTS = {
    Cat.VIRKSOMHEDSRETTET: 0.42,
    Cat.MENTOR: 0.54,
    Cat.VEJLEDNING: 0.52,
    Cat.SUNDHED_KOMMUNAL: 0.52,
    Cat.SUNDHED_REGIONAL: 0.56,
    Cat.SOCIAL: 0.58,
    Cat.UDDANNELSE: 0.48,
    Cat.ANDET: 0.46,
}
NO_DATE_SHARE = 0.3  # social/regional indsatser that run but are never registered with a start date
NO_DATE_CATEGORIES = (Cat.SOCIAL, Cat.SUNDHED_REGIONAL)
PRE_PLAN_SHARE = 0.3  # started before the plan was completed (§3.3: 25 %)
SLOW_SHARE = 0.22  # forløb whose first indsats starts more than six months after the plan (§3.3: 18 %)
GRANTED_FIRST = {Cat.VIRKSOMHEDSRETTET: 0.6, Cat.MENTOR: 0.5, Cat.SOCIAL: 0.5, Cat.VEJLEDNING: 0.3}
INTERRUPTED = {Cat.VIRKSOMHEDSRETTET: 0.3}  # else 0.15
NEW_SHARE = 0.45  # plan rounds that add an indsats nobody recommended
RUNNING_SHARE = 0.07  # forløb with an indsats already running when they began (§3.4: 5-6 %)
REVISION_SHARE = 0.35  # completed plans revised after an opfølgningssamtale (when the forløb ran long enough)
DRAFT_IN_INDSATSDEL = 0.5
OPEN_REVISION_SHARE = 0.08
CADENCE = {None: 55, 4: 15, 6: 12, 8: 10, 13: 8}  # None: only the legal minimum, written as an agreement

# Which catalogue type a recommended indsats becomes, by words in its description; else the first.
TYPE_BY_WORDS = {
    Cat.VIRKSOMHEDSRETTET: (("løntilskud", "loentilskud"), ("", "virksomhedspraktik")),
    Cat.MENTOR: (("Intensiveret", "intensiveret-mentor"), ("", "mentor")),
    Cat.VEJLEDNING: (
        ("Mestringsforløb", "mestringsforloeb"),
        ("samtaleforløb", "stoettende-samtaler"),
        ("", "vejledning-opkvalificering"),
    ),
    Cat.SUNDHED_KOMMUNAL: (
        ("Alkohol", "alkoholbehandling"),
        ("Kost", "motion-kost-soevn"),
        ("smertehåndtering", "motion-kost-soevn"),
        ("", "fysioterapi"),
    ),
    Cat.SUNDHED_REGIONAL: (
        ("psykiatrien", "psykiatrisk-behandling"),
        ("Psykolog", "psykiatrisk-behandling"),
        ("", "speciallaege-sygehus"),
    ),
    Cat.SOCIAL: (
        ("Gæld", "gaeldsraadgivning"),
        ("bolig", "stoette-kontaktperson"),
        ("Familie", "familierettet"),
        ("", "socialpaedagogisk-stoette"),
    ),
    Cat.UDDANNELSE: (("", "fvu-obu"),),
    Cat.ANDET: (("Sprog", "sprogundervisning"), ("", "netvaerksgruppe")),
}
NEW_TYPES = {
    "vejledning-opkvalificering": 16,
    "mestringsforloeb": 8,
    "mentor": 12,
    "fysioterapi": 10,
    "motion-kost-soevn": 8,
    "netvaerksgruppe": 8,
    "fvu-obu": 6,
    "ordinaer-uddannelse": 3,
    "virksomhedspraktik": 5,
    "ordinaere-timer": 2,
    "gaeldsraadgivning": 6,
    "frivilligt-arbejde": 4,
    "sprogundervisning": 3,
    "smerteklinik": 3,
}
RUNNING_TYPES = {
    "psykiatrisk-behandling": 45,
    "speciallaege-sygehus": 15,
    "alkoholbehandling": 15,
    "socialpaedagogisk-stoette": 15,
    "stoette-kontaktperson": 10,
}
# Length in weeks by type: (usual range, share longer than the usual, longer range). The longer
# virksomhedspraktikker, løntilskud and mentorforløb exceed the catalogue maximum (a length warning).
WEEKS = {
    "virksomhedspraktik": ((4, 13), 0.12, (14, 20)),
    "loentilskud": ((26, 52), 0.05, (54, 60)),
    "ordinaere-timer": ((26, 52), 0, None),
    "mentor": ((12, 26), 0.08, (28, 39)),
    "intensiveret-mentor": ((8, 26), 0, None),
    "psykiatrisk-behandling": ((26, 78), 0, None),
    "socialpaedagogisk-stoette": ((26, 78), 0, None),
    "stoette-kontaktperson": ((26, 52), 0, None),
    "alkoholbehandling": ((12, 40), 0, None),
    "familierettet": ((12, 40), 0, None),
    "ordinaer-uddannelse": ((20, 52), 0, None),
    "fvu-obu": ((10, 30), 0, None),
    "frivilligt-arbejde": ((12, 52), 0, None),
    "sprogundervisning": ((12, 40), 0, None),
}
DEFAULT_WEEKS = ((6, 16), 0, None)
HOURS = {
    Cat.VIRKSOMHEDSRETTET: (6, 20),
    Cat.MENTOR: (1, 5),
    Cat.VEJLEDNING: (3, 10),
    Cat.SUNDHED_KOMMUNAL: (1, 4),
    Cat.SUNDHED_REGIONAL: (1, 3),
    Cat.SOCIAL: (1, 5),
    Cat.UDDANNELSE: (8, 20),
    Cat.ANDET: (2, 6),
}
FORVALTNING = {
    Cat.VIRKSOMHEDSRETTET: Forvaltning.JOBCENTER,
    Cat.MENTOR: Forvaltning.JOBCENTER,
    Cat.VEJLEDNING: Forvaltning.JOBCENTER,
    Cat.SUNDHED_KOMMUNAL: Forvaltning.HEALTH,
    Cat.SUNDHED_REGIONAL: Forvaltning.REGION,
    Cat.SOCIAL: Forvaltning.SOCIAL,
    Cat.UDDANNELSE: Forvaltning.EDUCATION,
    Cat.ANDET: Forvaltning.OTHER,
}
PROVIDERS = {
    Cat.MENTOR: ("Jobcentrets mentorkorps", "Mentorhuset Skovlund ApS", "Støtte & Struktur I/S"),
    Cat.VEJLEDNING: ("Jobcentret", "VUC Skovlund", "AOF Skovlund", "Skovlund Sprogcenter"),
    Cat.SUNDHED_KOMMUNAL: ("Sundhedscenter Skovlund", "Skovlund Misbrugscenter", "Fysioterapien i Lindeby"),
    Cat.SUNDHED_REGIONAL: (
        "Distriktspsykiatrien Skovlund",
        "Regionshospitalet, Rygcenter",
        "Smerteklinikken",
        "Egen læge / privatpraktiserende psykolog",
    ),
    Cat.SOCIAL: ("Socialforvaltningen, Voksenstøtte", "Gældsrådgivningen (frivillig)", "Boligsocialt team"),
    Cat.UDDANNELSE: ("VUC Skovlund", "Skovlund Erhvervsskole"),
    Cat.ANDET: ("Frivilligcenter Skovlund", "Netværkshuset", "Skovlund Sprogcenter"),
}
EMPLOYERS = (
    "Skovlund Kantine ApS",
    "Lindeby Plejecenter",
    "Mosedal Genbrug",
    "Egebjerg Byggemarked A/S",
    "Bøgely Gartneri",
    "Skovlund Kommune, Ejendomsservice",
    "Føtex Skovlund",
    "Lindeby Lager & Logistik ApS",
    "Strandhotellet Egebjerg",
    "Mosedal Autoværksted",
    "Skovlund Rengøring ApS",
    "Bøgely Børnehus",
    "Café Torvet",
    "Skovlund Cykler",
    "Egebjerg Dyreklinik",
    "Lindeby Bageri",
    "Netto Mosedal",
    "Skovlund Pakkeri A/S",
    "Bøgely Boligforening",
    "Skovlund Bibliotek",
)
NOT_PLANNED_REASONS = {
    Cat.VIRKSOMHEDSRETTET: (
        "Borgerens helbred tillader ikke en virksomhedsrettet indsats endnu; den vurderes igen ved opfølgningen.",
        "Behandlingen skal afsluttes, før der planlægges praktik.",
        "Borgeren ønsker først at få styr på smerterne.",
    ),
    Cat.SOCIAL: (
        "Socialforvaltningen vurderer, at borgeren ikke er i målgruppen for indsatsen.",
        "Borgeren ønsker ikke støtten på nuværende tidspunkt.",
    ),
    Cat.SUNDHED_REGIONAL: ("Borgeren er allerede i behandling via egen læge.", "Ventetid i regionen; tages op igen."),
}
GENERIC_NOT_PLANNED = (
    "Borgeren ønsker ikke indsatsen på nuværende tidspunkt.",
    "Behovet dækkes allerede af en anden indsats.",
    "Ventetid hos leverandøren; indsatsen tages op igen ved næste opfølgning.",
    "Indsatsen er ikke relevant efter samtalen med borgeren.",
)
LATE_NOT_STARTED = (
    "Indsatsen er erstattet af en anden efter opfølgningssamtalen.",
    "Borgerens helbred er forværret; indsatsen er opgivet.",
    "Borgeren ønsker ikke længere indsatsen.",
)
CLOSED_NOT_STARTED = "Forløbet blev afsluttet, før indsatsen blev iværksat."
CLOSED_INTERRUPTED = "Forløbet blev afsluttet."
INTERRUPT_REASONS = {
    Cat.VIRKSOMHEDSRETTET: (
        "Smerterne blev for store; praktikken blev afbrudt efter aftale med lægen.",
        "Borgeren mødte ikke stabilt frem.",
        "Virksomheden kunne ikke længere tilbyde praktikpladsen.",
    ),
}
GENERIC_INTERRUPT = (
    "Borgeren mødte ikke stabilt frem.",
    "Indlæggelse; indsatsen genoptages ikke.",
    "Borgeren ønskede at stoppe.",
)
NEW_DESCRIPTIONS = {
    "vejledning-opkvalificering": "Afklaringsforløb hos jobcentrets vejleder",
    "mestringsforloeb": "Mestringsforløb om at leve med kroniske smerter",
    "mentor": "Mentor til støtte ved møder og i hverdagen",
    "fysioterapi": "Holdtræning i sundhedscentret",
    "motion-kost-soevn": "Forløb om søvn og energi",
    "netvaerksgruppe": "Netværksgruppe for borgere i ressourceforløb",
    "fvu-obu": "FVU-dansk trin 2",
    "ordinaer-uddannelse": "Enkeltfag på VUC",
    "virksomhedspraktik": "Kort virksomhedspraktik til afklaring",
    "ordinaere-timer": "Få ordinære timer hos praktikvirksomheden",
    "gaeldsraadgivning": "Gældsrådgivning",
    "frivilligt-arbejde": "Frivilligt arbejde i genbrugsbutik",
    "sprogundervisning": "Danskundervisning",
    "smerteklinik": "Henvist til smerteklinik",
}
RUNNING_DESCRIPTIONS = {
    "psykiatrisk-behandling": "Behandling i distriktspsykiatrien (i gang før forløbet)",
    "speciallaege-sygehus": "Kontrolforløb på sygehuset (i gang før forløbet)",
    "alkoholbehandling": "Ambulant alkoholbehandling (i gang før forløbet)",
    "socialpaedagogisk-stoette": "Bostøtte efter SEL § 85 (i gang før forløbet)",
    "stoette-kontaktperson": "Støtte- og kontaktperson (i gang før forløbet)",
}
MILESTONES = {
    Cat.VIRKSOMHEDSRETTET: (
        "Afprøve arbejdsfunktioner i en virksomhedspraktik",
        "Optrappe til {h} timer om ugen i praktikken",
        "Møde stabilt i praktikken fire uger i træk",
    ),
    Cat.MENTOR: ("Have en fast mentor og mødes hver uge", "Kunne møde stabilt til aftaler med støtte fra mentor"),
    Cat.VEJLEDNING: ("Gennemføre mestringsforløbet", "Afklare realistiske jobmuligheder med vejlederen"),
    Cat.SUNDHED_KOMMUNAL: ("Gennemføre træningsforløbet i sundhedscentret", "Kunne håndtere smerterne i hverdagen"),
    Cat.SUNDHED_REGIONAL: ("Afslutte udredningen", "Få afklaret behandlingsmulighederne med lægen"),
    Cat.SOCIAL: ("Få styr på økonomien og gælden", "Have en stabil bolig", "Få en fast struktur i hverdagen"),
    Cat.UDDANNELSE: ("Gennemføre FVU-dansk trin 2",),
    Cat.ANDET: ("Deltage i netværksgruppen hver uge",),
}
GENERIC_MILESTONES = (
    "Møde stabilt til aftaler med jobcentret",
    "Afklare skånehensyn med egen læge",
    "Kunne overskue to faste aktiviteter om ugen",
    "Sove og spise regelmæssigt",
)
PERSPECTIVES = (
    "Borgeren er glad for at komme i praktik, men bekymret for, om kroppen kan holde til det.",
    "Borgeren vil gerne starte med mentor og få styr på økonomien, før praktikken begynder.",
    "Borgeren er enig i planen og ønsker at starte med få timer.",
    "Borgeren synes, at der er mange aftaler, og vil gerne have dem samlet på færre dage.",
    "Borgeren er skeptisk over for endnu en praktik, men vil prøve, hvis der tages hensyn til smerterne.",
    "Borgeren ønsker at behandlingen kommer først og er tryg ved rækkefølgen i planen.",
)
MINIMUM_AGREEMENT = "Opfølgning efter lovens minimumskrav (mindst seks samtaler om året)."
AGREEMENTS = (
    "Vi taler sammen hver {w}. uge, skiftevis i jobcentret og i praktikken.",
    "Samtale hver {w}. uge; telefon ind imellem, hvis borgeren har det dårligt.",
)
REVISION_REASONS = (
    "Opfølgningssamtale den {d}: praktikken optrappes, og et nyt delmål er tilføjet.",
    "Opfølgningssamtale den {d}: behandlingen tager længere tid; delmålene er rykket.",
    "Opfølgningssamtale den {d}: borgeren er startet hos ny leverandør.",
    "Opfølgningssamtale den {d}: planen er justeret efter borgerens ønske.",
)
NEW_ROUND_REASON = "Ny indstilling fra rehabiliteringsteamet den {d} efter genforelæggelse."
NOTES = {
    Forvaltning.SOCIAL: (
        "Talt med socialrådgiveren om bostøtte; bevilling koordineret, så støtten starter samtidig med praktikken.",
        "Aftalt med Voksenstøtte, at kontaktpersonen deltager i næste opfølgningssamtale.",
    ),
    Forvaltning.HEALTH: (
        "Koordineret med sundhedscentret: træningen lægges uden for praktiktiden.",
        "Misbrugscentret orienteret om planen (samtykke foreligger).",
    ),
    Forvaltning.REGION: (
        "Sundhedskoordinatoren kontaktet om ventetiden i psykiatrien.",
        "Aftalt med distriktspsykiatrien, at behandlingen fortsætter parallelt med mentorforløbet.",
    ),
    Forvaltning.EDUCATION: ("VUC orienteret om skånehensyn; undervisningen starter på nedsat tid.",),
    Forvaltning.OTHER: ("Frivilligcentret kontaktet; borgeren starter i netværksgruppen.",),
    Forvaltning.JOBCENTER: ("Virksomhedskonsulenten har fundet en praktikplads; borgeren er orienteret.",),
}
GENERAL_NOTES = (
    "Koordineringsmøde med socialforvaltningen og sundhedscentret om rækkefølgen af indsatserne.",
    "Børn og Familie orienteret om planen efter aftale med borgeren.",
    "Telefonmøde med egen læge om skånehensyn i praktikken.",
)
PROGRESS_NOTES = ("", "", "Bedre periode", "Mange dårlige dage", "Har mødt stabilt", "Ny medicin")

# Problem areas (R-004-01) read from the forberedende del: (words, kind, source weights).
DOC, BORGER, CW = ProblemSource.DOCUMENTED, ProblemSource.BORGER, ProblemSource.CASEWORKER
PROBLEM_WORDS = (
    (("depression", "angst", "PTSD", "skizofreni", "belastningsreaktion"), ProblemAreaKind.PSYCHOLOGICAL, "health"),
    (("ADHD", "hjerneskade"), ProblemAreaKind.COGNITIVE, "health"),
    (("hjerneskade",), ProblemAreaKind.DISABILITY, "health"),
    (("ryg", "knæ", "diabetes", "Piskesmæld", "Fibromyalgi"), ProblemAreaKind.PHYSICAL, "health"),
    (("Fibromyalgi",), ProblemAreaKind.FUNCTIONAL, "health"),
    (("Alkohol",), ProblemAreaKind.ADDICTION, "health"),
    (("hashmisbrug",), ProblemAreaKind.ADDICTION, "social"),
    (("Gæld", "økonomi", "lille netværk"), ProblemAreaKind.SOCIAL, "social"),
    (("boligsituation",), ProblemAreaKind.HOUSING, "social"),
    (("Enlig forsørger", "Konflikter i familien"), ProblemAreaKind.FAMILY, "social"),
    (("Ingen erhvervsuddannelse", "Ordblind"), ProblemAreaKind.EDUCATION, "job"),
    (("fast arbejde", "væk fra arbejdsmarkedet", "korte ansættelser"), ProblemAreaKind.NO_WORK_EXPERIENCE, "job"),
)
PROBLEM_SOURCES = {"health": {DOC: 80, BORGER: 20}, "social": {BORGER: 70, CW: 30}, "job": {CW: 75, BORGER: 25}}
# Other cases (§ other sectors) from the same texts: (words, kind, source).
OTHER_CASES = (
    (("Alkohol",), OtherCaseKind.ADDICTION, "Skovlund Misbrugscenter"),
    (("skizofreni", "PTSD"), OtherCaseKind.PSYCHIATRY, "Distriktspsykiatrien Skovlund"),
    (("særlige behov",), OtherCaseKind.CHILDREN, "Børn og Familie"),
    (("boligsituation",), OtherCaseKind.HOUSING, "Boligsocialt team"),
    (("hjerneskade",), OtherCaseKind.DISABILITY, "Socialforvaltningen, Voksenhandicap"),
)


def cvr_pool() -> list[str]:
    """Fictitious employer CVR numbers with a valid check digit, in the unused 99xxxxxx range."""
    pool = []
    n = 10
    while len(pool) < len(EMPLOYERS):
        first7 = f"99{n:05d}"
        digit = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), first7, strict=True)) % 11
        if digit != 10:
            pool.append(f"{first7}{digit}")
        n += 37
    return pool


# --- One indsats while it is simulated -------------------------------------------------------------


@dataclass
class Event:
    action: str
    from_status: str
    to_status: str
    on: date
    reason: str
    registered: date  # the day it was entered (never before the previous event)


@dataclass
class Sim:
    row: SimpleNamespace | Intervention  # the fields while simulated, then the row
    created_on: date
    events: list[Event] = field(default_factory=list)

    def log(self, action: str, to: str, on: date, reason: str = "") -> None:
        previous = self.events[-1] if self.events else None
        registered = max(on, previous.registered) if previous else on
        self.events.append(Event(action, previous.to_status if previous else "", to, on, reason, registered))

    def status_on(self, day: date) -> str | None:
        status = None
        for event in self.events:
            if event.registered <= day:
                status = event.to_status
        return status

    @property
    def status(self) -> str:
        return self.events[-1].to_status


@dataclass
class Version:
    plan: ActionPlan
    created_on: date
    goals: list[Goal]
    milestones: list[Milestone]
    rec: dict  # the indstilling the version answers


@dataclass
class Round:
    """A grant with its indstilling: the plan written for it (if any) and when."""

    rec: dict
    granted_on: date
    completed_on: date | None  # the day the forløb entered iværksættelse (None: no completed plan)
    ends_on: date  # the next phase change after this round, or the end of the forløb


class CoordinatorHistory:
    """Who coordinated each forløb of the kommune from when, so a step on a day is signed by the
    koordinerende sagsbehandler of that day (demo.followup_data uses it too)."""

    def __init__(self, kommune):
        self.assignments: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for fid, user_id, valid_from in (
            CoordinatorAssignment.objects.filter(forloeb__kommune=kommune)
            .order_by("forloeb_id", "valid_from", "id")
            .values_list("forloeb_id", "coordinator_id", "valid_from")
        ):
            self.assignments[fid].append((valid_from, user_id))

    def on(self, fid: int, day: date) -> int:
        history = self.assignments[fid]
        i = bisect.bisect_right([d for d, _u in history], day) - 1
        return history[max(i, 0)][1]


class Builder:
    def __init__(self, *, kommune: Kommune, histories: list[History], today: date):
        self.rng = random.Random(SEED)
        self.kommune = kommune
        self.histories = histories
        self.today = today
        self.now = clock.now()
        self.types = {t.code: t for t in InterventionType.objects.filter(valid_to__isnull=True)}
        self.plan_ct = ContentType.objects.get_for_model(ActionPlan)
        self.employers = list(zip(EMPLOYERS, cvr_pool(), strict=True))
        self.coordinators = CoordinatorHistory(kommune)
        self.recs: dict[int, list[dict]] = defaultdict(list)
        for rec in (
            Recommendation.objects.filter(forloeb__kommune=kommune)
            .order_by("given_on", "id")
            .values("id", "forloeb_id", "given_on", "hensyn")
        ):
            rec["goals"], rec["interventions"] = [], []
            self.recs[rec["forloeb_id"]].append(rec)
        by_id = {rec["id"]: rec for recs in self.recs.values() for rec in recs}
        for ri in RecommendedIntervention.objects.filter(recommendation_id__in=by_id).order_by("id"):
            by_id[ri.recommendation_id]["interventions"].append(ri)
        self.part_goals: dict[int, list[Goal]] = defaultdict(list)
        for goal in Goal.objects.filter(forloeb__kommune=kommune).order_by("id"):
            if goal.document_kind == DocumentKind.INDSTILLING and goal.object_id in by_id:
                by_id[goal.object_id]["goals"].append(goal)
            elif goal.document_kind == DocumentKind.FORBEREDENDE_DEL:
                self.part_goals[goal.forloeb_id].append(goal)
        self.parts = {
            p["forloeb_id"]: p
            for p in PreparatoryPart.objects.filter(forloeb__kommune=kommune).values(
                "forloeb_id", "challenges_health", "challenges_social", "challenges_job", "work_started_on"
            )
        }
        self.versions: list[Version] = []
        self.sims: list[tuple[int, Sim]] = []  # (forløb pk, sim)
        self.items: list[PlanItem] = []
        self.notes: list[CoordinationNote] = []
        self.progress: list[Progress] = []
        self.problem_areas: list[ProblemArea] = []
        self.consents: list[Consent] = []
        self.other_cases: list[tuple[OtherCase, Consent | None]] = []
        self.first_completed: dict[int, date] = {}
        self.with_plan: set[int] = set()

    # -- Helpers ----------------------------------------------------------------------------------

    def moment(self, day: date, minutes: int = 0) -> datetime:
        moment = datetime.combine(day, time(9, 0), tzinfo=COPENHAGEN) + timedelta(minutes=minutes)
        return min(moment, self.now - timedelta(minutes=1))

    def weeks(self, code: str) -> int:
        usual, longer_share, longer = WEEKS.get(code, DEFAULT_WEEKS)
        return self.rng.randint(*longer) if longer and self.rng.random() < longer_share else self.rng.randint(*usual)

    def type_for(self, ri: RecommendedIntervention) -> InterventionType:
        for words, code in TYPE_BY_WORDS[ri.category]:
            if words in ri.description:
                return self.types[code]
        raise AssertionError(ri.category)

    def new_row(self, f, type_: InterventionType, **fields) -> SimpleNamespace:
        """The fields of an indsats while it is simulated; the row is made with its final status
        (the status field is protected: it cannot be set after the row is made)."""
        rng = self.rng
        category = type_.category
        lo, hi = HOURS[category]
        row = SimpleNamespace(
            forloeb=f,
            type=type_,
            category=category,
            description="",
            recommended=None,
            forvaltning=FORVALTNING[category],
            hours_per_week=Decimal(rng.randint(lo, hi)),
            provider="",
            cost=None,
            employer_cvr="",
            planned_start=None,
            planned_end=None,
            actual_start=None,
            actual_end=None,
            status_reason="",
            part_of_forloeb=True,
            source=Source.HERE,
        )
        vars(row).update(fields)
        if category in PROVIDERS:
            row.provider = rng.choice(PROVIDERS[category])
        if category in (Cat.MENTOR, Cat.VEJLEDNING):
            row.cost = Decimal(rng.randrange(8000, 45000, 500))
        return row

    # -- One indsats ------------------------------------------------------------------------------

    def run(self, sim: Sim, *, planned_on: date, completed_on: date, last: date, closed: bool, slow: bool) -> None:
        """Plan an indsats on `planned_on` and let it live until `last` (today or the forløb's end)."""
        rng, row = self.rng, sim.row
        category = row.category
        code = row.type.code
        if sim.status == S.INDSTILLET:
            row.planned_start = planned_on + timedelta(days=rng.randint(7, 60))
            sim.log("plan", S.PLANLAGT, planned_on)
        elif row.planned_start is None:
            row.planned_start = planned_on + timedelta(days=rng.randint(0, 30))
        row.planned_end = row.planned_start + timedelta(weeks=self.weeks(code))

        start = None
        if rng.random() < STARTS.get(category, 0.5) / PLANNED.get(category, 0.6):
            if slow:
                start = completed_on + timedelta(days=rng.randint(190, 330))
            elif rng.random() < PRE_PLAN_SHARE and (completed_on - planned_on).days >= 2:
                start = between(rng, planned_on + timedelta(days=1), completed_on - timedelta(days=1))
            else:
                delay = (14, 200) if category == Cat.VIRKSOMHEDSRETTET else (5, 150)
                start = max(planned_on, completed_on) + timedelta(days=rng.randint(*delay))
            if category in NO_DATE_CATEGORIES and rng.random() < NO_DATE_SHARE:
                return  # running, but never registered with a start date: stays planlagt
        if start is not None and start <= last:
            if rng.random() < GRANTED_FIRST.get(category, 0):
                granted_on = between(rng, planned_on, start)
                if category == Cat.VIRKSOMHEDSRETTET:
                    row.provider, row.employer_cvr = rng.choice(self.employers)
                sim.log("grant", S.BEVILGET, granted_on)
            if category == Cat.VIRKSOMHEDSRETTET and not row.employer_cvr:
                row.provider, row.employer_cvr = rng.choice(self.employers)
            sim.log("start", S.IGANGSAT, start)
            row.actual_start = start
            length = (row.planned_end - row.planned_start).days
            if rng.random() < INTERRUPTED.get(category, 0.15):
                end = start + timedelta(days=rng.randint(7, max(8, int(length * 0.7))))
                reason = rng.choice(INTERRUPT_REASONS.get(category, GENERIC_INTERRUPT))
                action = "interrupt"
            else:
                end = start + timedelta(days=length + rng.randint(-14, 21))
                reason, action = "", "complete"
            end = max(end, start)
            if end > last and closed:
                end, action, reason = last, rng.choice(("complete", "interrupt")), ""
                reason = CLOSED_INTERRUPTED if action == "interrupt" else ""
            if end <= last:
                sim.log(action, S.GENNEMFOERT if action == "complete" else S.AFBRUDT, end, reason)
                row.actual_end = end
                if reason:
                    row.status_reason = reason
            return
        # Planned, never started (yet).
        if closed:
            sim.log("not_started", S.IKKE_IVAERKSAT, last, CLOSED_NOT_STARTED)
            row.status_reason = CLOSED_NOT_STARTED
        elif start is None and (last - completed_on).days > 120 and rng.random() < 0.5:
            reason = rng.choice(LATE_NOT_STARTED)
            on = between(rng, max(planned_on, completed_on + timedelta(days=60)), last)
            sim.log("not_started", S.IKKE_IVAERKSAT, on, reason)
            row.status_reason = reason
        elif category in GRANTED_FIRST and rng.random() < 0.3:
            if category == Cat.VIRKSOMHEDSRETTET:
                row.provider, row.employer_cvr = rng.choice(self.employers)
            sim.log("grant", S.BEVILGET, between(rng, planned_on, last))

    # -- One forløb -------------------------------------------------------------------------------

    def rounds(self, h: History) -> list[Round]:
        f, steps = h.forloeb, h.plan.steps
        recs = self.recs[f.pk]
        last = h.plan.closed_on or self.today
        rounds, given = [], -1
        for i, step in enumerate(steps):
            if step.transition == "give_indstilling":
                given += 1
            if step.transition != "grant":
                continue
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            completed = nxt.on if nxt and nxt.transition == "start_ivaerksaettelse" else None
            after = steps[i + 2] if completed and i + 2 < len(steps) else (nxt if not completed else None)
            rounds.append(Round(recs[given], step.on, completed, after.on if after else last))
        return rounds

    def plan_row(self, f, version: int, rec: dict, created_on: date, completed_on: date | None) -> ActionPlan:
        rng = self.rng
        cadence = pick(rng, CADENCE)
        coordinator = self.coordinators.on(f.pk, completed_on or self.today)
        plan = ActionPlan(
            forloeb=f,
            version=version,
            recommendation_id=rec["id"],
            coordinator_id=coordinator,
            followup_cadence_weeks=cadence,
            followup_agreement=MINIMUM_AGREEMENT if cadence is None else "",
            hensyn=list(rec["hensyn"]),
            borger_perspective=rng.choice(PERSPECTIVES),
            completed_on=completed_on,
            created_by_id=self.coordinators.on(f.pk, created_on),
        )
        if cadence and rng.random() < 0.5:
            plan.followup_agreement = rng.choice(AGREEMENTS).format(w=cadence)
        if rng.random() < 0.25:
            plan.next_followup_on = (completed_on or created_on) + timedelta(weeks=cadence or 8)
        if completed_on is None and rng.random() < 0.6:
            plan.borger_perspective = ""
        return plan

    def plan_goal(self, f, g: Goal) -> Goal:
        """A copy of a goal (from the indstilling or the previous version) for a plan version."""
        return Goal(
            forloeb=f,
            document_kind=DocumentKind.INDSATSPLAN,
            content_type=self.plan_ct,
            kind=g.kind,
            description=g.description,
            occupation_id=g.occupation_id,
            education=g.education,
            set_with_borger=g.set_with_borger,
        )

    def goals_for(self, f, rec: dict, *, complete: bool) -> list[Goal]:
        """The indstilling's goals; a completed plan needs one, usually a vague jobmål (§3.1: 82 % none)."""
        goals = [self.plan_goal(f, g) for g in rec["goals"]]
        if goals or not complete:
            return goals
        concrete = [g for g in self.part_goals[f.pk] if g.occupation_id or g.education]
        if concrete and self.rng.random() < 0.08:
            goal = self.plan_goal(f, concrete[0])
            goal.set_with_borger = True
            return [goal]
        return [
            Goal(
                forloeb=f,
                document_kind=DocumentKind.INDSATSPLAN,
                content_type=self.plan_ct,
                kind=GoalKind.JOB,
                description=self.rng.choice(VAGUE_JOB_GOALS),
                set_with_borger=self.rng.random() < 0.9,
            )
        ]

    def milestones_for(self, plan: ActionPlan, categories: list[str], start: date, n: int) -> list[Milestone]:
        rng = self.rng
        texts = [t for c in dict.fromkeys(categories) for t in MILESTONES.get(c, ())[:2]]
        rng.shuffle(texts)
        texts = (texts + rng.sample(GENERIC_MILESTONES, 2))[:n]
        milestones = []
        for order, text in enumerate(texts):
            target = start + timedelta(days=rng.randint(60, 400)) if rng.random() < 0.8 else None
            milestones.append(
                Milestone(
                    plan=plan, description=text.format(h=rng.choice((8, 10, 12, 15))), target_date=target, order=order
                )
            )
        return milestones

    def revise(self, previous: Version, f, rec: dict, created_on: date, completed_on: date | None, reason: str):
        rng = self.rng
        plan = self.plan_row(f, previous.plan.version + 1, rec, created_on, completed_on)
        plan.revision_reason = reason
        plan.hensyn = sorted(set(previous.plan.hensyn) | set(rec["hensyn"]))
        if rng.random() < 0.7:  # plan_revise copies these
            plan.followup_cadence_weeks = previous.plan.followup_cadence_weeks
            plan.followup_agreement = previous.plan.followup_agreement
            plan.borger_perspective = previous.plan.borger_perspective or plan.borger_perspective
        new_round = rec is not previous.rec
        goals = self.goals_for(f, rec, complete=False) if new_round else []
        if not goals:
            goals = [self.plan_goal(f, g) for g in previous.goals]
        milestones = [
            Milestone(plan=plan, lineage=m.lineage, description=m.description, target_date=m.target_date, order=m.order)
            for m in previous.milestones
        ]
        if len(milestones) > 2 and rng.random() < 0.2:
            milestones.pop(rng.randrange(len(milestones)))
        for m in milestones:
            if m.target_date and rng.random() < 0.3:
                m.target_date += timedelta(days=rng.choice((60, 90, 120)))
        if rng.random() < 0.4 or new_round:
            categories = [ri.category for ri in rec["interventions"]] or [Cat.MENTOR]
            extra = self.milestones_for(plan, categories, created_on, 1)
            extra[0].order = len(milestones)
            if extra[0].description not in {m.description for m in milestones}:
                milestones += extra
        return Version(plan, created_on, goals, milestones, rec)

    def forloeb(self, h: History) -> None:
        rng, f = self.rng, h.forloeb
        closed = f.phase == Phase.AFSLUTTET
        last = h.plan.closed_on or self.today
        slow = rng.random() < SLOW_SHARE
        versions: list[Version] = []
        sims: list[Sim] = []
        rounds = self.rounds(h)
        for r_index, r in enumerate(rounds):
            is_last = r_index == len(rounds) - 1
            if r.completed_on is None and not (is_last and f.phase == Phase.INDSATSDEL):
                continue  # genforelagt or closed before any plan was completed
            draft = r.completed_on is None
            if draft and rng.random() >= DRAFT_IN_INDSATSDEL:
                continue
            window = ((r.completed_on or self.today) - r.granted_on).days
            created_on = r.granted_on + timedelta(days=rng.randint(1, max(1, min(21, window // 3))))
            created_on = min(created_on, r.completed_on or self.today)
            if not versions:
                plan = self.plan_row(f, 1, r.rec, created_on, r.completed_on)
                categories = [ri.category for ri in r.rec["interventions"]] or [Cat.MENTOR]
                n = rng.randint(0, 2) if draft else rng.randint(2, 4)
                version = Version(
                    plan,
                    created_on,
                    self.goals_for(f, r.rec, complete=not draft),
                    self.milestones_for(plan, categories, created_on, n),
                    r.rec,
                )
            else:
                reason = NEW_ROUND_REASON.format(d=dates.short(r.rec["given_on"]))
                version = self.revise(versions[-1], f, r.rec, created_on, r.completed_on, reason)
            versions.append(version)

            # The recommended indsatser, carried over when the plan was started.
            round_sims = []
            for ri in r.rec["interventions"]:
                row = self.new_row(f, self.type_for(ri), description=ri.description, recommended=ri)
                sim = Sim(row, created_on)
                sim.log("create", S.INDSTILLET, created_on)
                round_sims.append(sim)
            if draft:
                for sim in round_sims:
                    if rng.random() < 0.4 and created_on < self.today:
                        sim.row.planned_start = self.today + timedelta(days=rng.randint(7, 45))
                        sim.log("plan", S.PLANLAGT, between(rng, created_on, self.today))
                sims += round_sims
                continue
            completed_on = r.completed_on
            planned = [rng.random() < PLANNED.get(sim.row.category, 0.6) for sim in round_sims]
            if not any(planned):  # plan_complete needs at least one planned indsats
                planned[rng.randrange(len(planned))] = True
            for sim, is_planned in zip(round_sims, planned, strict=True):
                decided_on = between(rng, created_on, completed_on)
                if is_planned:
                    self.run(sim, planned_on=decided_on, completed_on=completed_on, last=last, closed=closed, slow=slow)
                else:
                    reasons = NOT_PLANNED_REASONS.get(sim.row.category, GENERIC_NOT_PLANNED)
                    reason = rng.choice(reasons)
                    sim.log("not_started", S.IKKE_IVAERKSAT, decided_on, reason)
                    sim.row.status_reason = reason
            sims += round_sims
            # Indsatser nobody recommended, added before or after the plan.
            for _ in range(1 + (rng.random() < 0.3)) if rng.random() < NEW_SHARE else ():
                code = pick(rng, NEW_TYPES)
                added_on = between(rng, created_on, min(last, completed_on + timedelta(days=300)))
                row = self.new_row(f, self.types[code], description=NEW_DESCRIPTIONS[code])
                sim = Sim(row, added_on)
                sim.log("create", S.PLANLAGT, added_on)
                self.run(sim, planned_on=added_on, completed_on=completed_on, last=last, closed=closed, slow=False)
                sims.append(sim)
            if r_index == 0 and rng.random() < RUNNING_SHARE:
                code = pick(rng, RUNNING_TYPES)
                row = self.new_row(
                    f,
                    self.types[code],
                    description=RUNNING_DESCRIPTIONS[code],
                    part_of_forloeb=False,
                    source=Source.OTHER_FORVALTNING,
                )
                sim = Sim(row, created_on)
                sim.log("create", S.PLANLAGT, created_on)
                started = f.opened_on - timedelta(days=rng.randint(30, 400))
                row.planned_start, row.actual_start = started, started
                row.planned_end = started + timedelta(weeks=self.weeks(code))
                sim.log("start", S.IGANGSAT, started)
                if row.planned_end <= last and rng.random() < 0.6:
                    sim.log("complete", S.GENNEMFOERT, max(row.planned_end, created_on))
                    row.actual_end = max(row.planned_end, created_on)
                sims.append(sim)

            # Revisions after an opfølgningssamtale, while this round runs.
            span = (r.ends_on - completed_on).days
            if span > 240 and rng.random() < REVISION_SHARE:
                revised_on = completed_on + timedelta(days=rng.randint(120, span - 60))
                done_on = min(revised_on + timedelta(days=rng.randint(2, 30)), r.ends_on - timedelta(days=1))
                reason = rng.choice(REVISION_REASONS).format(d=dates.short(revised_on))
                if any(sim.status_on(done_on) not in (None, S.INDSTILLET, S.IKKE_IVAERKSAT) for sim in sims):
                    versions.append(self.revise(versions[-1], f, r.rec, revised_on, done_on, reason))

        open_revision = rng.random() < OPEN_REVISION_SHARE
        if open_revision and versions and f.phase == Phase.IVAERKSAETTELSE and not versions[-1].plan.is_draft:
            created_on = max(self.today - timedelta(days=rng.randint(1, 30)), versions[-1].plan.completed_on)
            reason = rng.choice(REVISION_REASONS).format(d=dates.short(created_on))
            versions.append(self.revise(versions[-1], f, versions[-1].rec, created_on, None, reason))

        for sim in sims:
            sim.row = Intervention(**vars(sim.row), status=sim.status)
        self.versions += versions
        self.sims += [(f.pk, s) for s in sims]
        completed = [v for v in versions if not v.plan.is_draft]
        if completed:
            self.with_plan.add(f.pk)
            self.first_completed[f.pk] = completed[0].plan.completed_on
        for v in completed:
            day = v.plan.completed_on
            for sim in sims:
                status = sim.status_on(day)
                if status is None or status == S.IKKE_IVAERKSAT:
                    continue
                row = sim.row
                self.items.append(
                    PlanItem(
                        plan=v.plan,
                        intervention=row,
                        description=row.description or row.type.name,
                        status=status,
                        planned_start=row.planned_start,
                        planned_end=row.planned_end,
                        hours_per_week=row.hours_per_week,
                        provider=row.provider,
                    )
                )
        self.around(h, sims, completed, last)

    # -- Around the plan ----------------------------------------------------------------------------

    def around(self, h: History, sims: list[Sim], completed: list[Version], last: date) -> None:
        rng, f = self.rng, h.forloeb
        # Coordination across forvaltninger before a bevilling or start (§3.5: documented in 54 %).
        for sim in sims:
            row = sim.row
            if row.forvaltning == Forvaltning.JOBCENTER or not row.part_of_forloeb:
                continue
            moved = [e for e in sim.events if e.action in ("grant", "start")]
            if moved and rng.random() < 0.54:
                planned = next((e.on for e in sim.events if e.to_status == S.PLANLAGT), sim.created_on)
                written = between(rng, min(planned, moved[0].on), moved[0].on)
                self.notes.append(
                    CoordinationNote(
                        forloeb=f,
                        intervention=row,
                        written_on=written,
                        forvaltning=row.forvaltning,
                        note=rng.choice(NOTES[row.forvaltning]),
                        author_id=self.coordinators.on(f.pk, written),
                    )
                )
        if completed and rng.random() < 0.2:
            written = between(rng, completed[0].plan.completed_on, last)
            self.notes.append(
                CoordinationNote(
                    forloeb=f,
                    written_on=written,
                    forvaltning=rng.choice((Forvaltning.SOCIAL, Forvaltning.HEALTH)),
                    note=rng.choice(GENERAL_NOTES),
                    author_id=self.coordinators.on(f.pk, written),
                )
            )
        # Progression per delmål (R-004-04), for most forløb with a completed plan.
        if completed and rng.random() < 0.6:
            first_seen: dict = {}
            for v in completed:
                for m in v.milestones:
                    first_seen.setdefault(m.lineage, v.plan.completed_on)
            for lineage, since in first_seen.items():
                day, score = since + timedelta(days=rng.randint(20, 60)), rng.randint(1, 3)
                for _ in range(rng.randint(0, 4)):
                    if day > last:
                        break
                    self.progress.append(
                        Progress(
                            forloeb=f,
                            milestone_lineage=lineage,
                            recorded_on=day,
                            score=score,
                            note=rng.choice(PROGRESS_NOTES),
                            recorded_by_id=self.coordinators.on(f.pk, day),
                        )
                    )
                    score = min(5, max(1, score + rng.choice((-1, 0, 1, 1))))
                    day += timedelta(days=rng.randint(45, 120))

    def problem_areas_and_cases(self) -> None:
        """Problem areas for every forløb with a forberedende del; other cases and consents per borger."""
        rng = self.rng
        latest = {}
        for h in self.histories:
            latest[h.forloeb.borger_id] = h  # the histories come in sequence order per borger
        for h in self.histories:
            f = h.forloeb
            part = self.parts.get(f.pk)
            if not part:
                continue
            end = h.plan.closed_on or self.today
            since = part["work_started_on"] or f.opened_on
            texts = {
                "health": part["challenges_health"],
                "social": part["challenges_social"],
                "job": part["challenges_job"],
            }
            kinds = set()
            for words, kind, where in PROBLEM_WORDS:
                if kind not in kinds and any(w in texts[where] for w in words):
                    kinds.add(kind)
                    recorded = min(end, since + timedelta(days=rng.randint(0, 40)))
                    ended = None
                    if "hashmisbrug" in texts[where] and kind == ProblemAreaKind.ADDICTION:
                        ended = recorded  # "ophørt for et år siden": recorded as ended
                    elif (
                        kind == ProblemAreaKind.HOUSING and rng.random() < 0.3 and recorded + timedelta(days=90) <= end
                    ):
                        ended = between(rng, recorded + timedelta(days=90), end)
                    self.problem_areas.append(
                        ProblemArea(
                            forloeb=f,
                            kind=kind,
                            source=pick(rng, PROBLEM_SOURCES[where]),
                            recorded_on=recorded,
                            ended_on=ended,
                        )
                    )
            if texts["health"] and rng.random() < 0.12 and ProblemAreaKind.MOTIVATION not in kinds:
                self.problem_areas.append(
                    ProblemArea(
                        forloeb=f,
                        kind=ProblemAreaKind.MOTIVATION,
                        source=ProblemSource.CASEWORKER,
                        recorded_on=min(end, since + timedelta(days=rng.randint(10, 60))),
                    )
                )
            if latest[f.borger_id] is not h or f.phase == Phase.FORBEREDENDE_DEL:
                continue
            # Consents of the borger (the latest forløb only, so nothing is recorded twice).
            given = min(end, since + timedelta(days=rng.randint(0, 14)))
            if rng.random() < 0.65:
                consent = Consent(
                    borger_id=f.borger_id,
                    recipient=ConsentRecipient.GP,
                    scope="Indhentning af helbredsoplysninger (LÆ 265) og dialog med egen læge om behandlingen",
                    given_on=given,
                    expires_on=given + timedelta(days=730),
                )
                if rng.random() < 0.03:
                    consent.withdrawn_on = between(rng, given + timedelta(days=1), max(given + timedelta(days=1), end))
                    consent.withdrawn_on = min(consent.withdrawn_on, self.today)
                self.consents.append(consent)
            if rng.random() < 0.3:
                self.consents.append(
                    Consent(
                        borger_id=f.borger_id,
                        recipient=ConsentRecipient.HEALTH_COORDINATOR,
                        scope="Sundhedskoordinatorens rådgivning til rehabiliteringsteamet",
                        given_on=given,
                        expires_on=given + timedelta(days=365) if rng.random() < 0.5 else None,
                    )
                )
            text = " ".join(texts.values())
            for words, kind, source in OTHER_CASES:
                if any(w in text for w in words) and rng.random() < 0.7:
                    recorded = min(end, since + timedelta(days=rng.randint(5, 60)))
                    consent = None
                    if rng.random() < 0.8:
                        consent = Consent(
                            borger_id=f.borger_id,
                            recipient=ConsentRecipient.OTHER_FORVALTNING,
                            scope=f"Udveksling af oplysninger med {source}",
                            given_on=recorded,
                        )
                        self.consents.append(consent)
                    case = OtherCase(
                        borger_id=f.borger_id,
                        kind=kind,
                        source=source,
                        note="",
                        active=not (f.phase == Phase.AFSLUTTET and rng.random() < 0.5),
                        recorded_on=recorded,
                    )
                    self.other_cases.append((case, consent))
            if rng.random() < 0.02:
                self.other_cases.append(
                    (
                        OtherCase(
                            borger_id=f.borger_id,
                            kind=OtherCaseKind.PROBATION,
                            source="Kriminalforsorgen",
                            note="Samfundstjeneste",
                            recorded_on=min(end, since + timedelta(days=30)),
                        ),
                        None,
                    )
                )

    # -- All of it ----------------------------------------------------------------------------------

    def build(self) -> dict:
        for h in self.histories:
            self.forloeb(h)
        self.problem_areas_and_cases()

        plans = [v.plan for v in self.versions]
        ActionPlan.objects.bulk_create(plans, batch_size=1000)
        set_moments(ActionPlan, "created_at", [(v.plan.pk, self.moment(v.created_on)) for v in self.versions])
        goals, milestones = [], []
        for v in self.versions:
            for goal in v.goals:
                goal.object_id = v.plan.pk
            goals += v.goals
            milestones += v.milestones
        Goal.objects.bulk_create(goals, batch_size=2000)
        Milestone.objects.bulk_create(milestones, batch_size=2000)
        rows = [s.row for _f, s in self.sims]
        Intervention.objects.bulk_create(rows, batch_size=2000)
        events, moments, created = [], [], []
        for _f, sim in self.sims:
            created.append((sim.row.pk, self.moment(sim.created_on)))
            for k, e in enumerate(sim.events):
                events.append(
                    InterventionEvent(
                        intervention=sim.row,
                        action=e.action,
                        from_status=e.from_status,
                        to_status=e.to_status,
                        on=e.on,
                        reason=e.reason,
                        actor_id=self.coordinators.on(sim.row.forloeb_id, e.registered),
                    )
                )
                moments.append(self.moment(e.registered, 5 * k))
        InterventionEvent.objects.bulk_create(events, batch_size=5000)
        set_moments(InterventionEvent, "at", [(e.pk, m) for e, m in zip(events, moments, strict=True)])
        set_moments(Intervention, "created_at", created)
        PlanItem.objects.bulk_create(self.items, batch_size=5000)
        CoordinationNote.objects.bulk_create(self.notes, batch_size=2000)
        Progress.objects.bulk_create(self.progress, batch_size=5000)
        ProblemArea.objects.bulk_create(self.problem_areas, batch_size=5000)
        Consent.objects.bulk_create(self.consents, batch_size=2000)
        for case, consent in self.other_cases:
            case.consent = consent
        OtherCase.objects.bulk_create([c for c, _consent in self.other_cases], batch_size=2000)
        return self.counts(goals, milestones, events)

    def counts(self, goals, milestones, events) -> dict:
        with_plan = self.with_plan
        funnel = {c.value: [0, 0, 0] for c in Cat}
        for fid in with_plan:
            for rec in self.recs[fid]:
                for ri in rec["interventions"]:
                    funnel[ri.category][0] += 1
        recommended_only = {c: [n, 0, 0] for c, (n, _p, _s) in funnel.items()}
        first_start: dict[int, date] = {}
        started = before_plan = 0
        for fid, sim in self.sims:
            if fid not in with_plan:
                continue
            row = sim.row
            was_planned = any(e.to_status == S.PLANLAGT for e in sim.events)
            funnel[row.category][1] += was_planned
            if row.recommended_id:
                recommended_only[row.category][1] += was_planned
                recommended_only[row.category][2] += sim.status in STARTED_STATUSES
            if sim.status in STARTED_STATUSES:
                funnel[row.category][2] += 1
                if row.part_of_forloeb:
                    started += 1
                    before_plan += row.actual_start < self.first_completed[fid]
                    first_start[fid] = min(first_start.get(fid, row.actual_start), row.actual_start)
        # Waiting for the first indsats, among forløb whose plan is at least six months old.
        old = [fid for fid in with_plan if self.first_completed[fid] <= self.today - timedelta(days=183)]
        waited = sum(
            1
            for fid in old
            if fid in first_start and first_start[fid] > self.first_completed[fid] + timedelta(days=183)
        )
        plans = [v.plan for v in self.versions]
        return {
            "plans": len(plans),
            "completed": sum(1 for p in plans if p.completed_on),
            "revisions": sum(1 for p in plans if p.completed_on and p.version > 1),
            "drafts": sum(1 for p in plans if p.completed_on is None),
            "goals": len(goals),
            "milestones": len(milestones),
            "interventions": len(self.sims),
            "events": len(events),
            "plan_items": len(self.items),
            "problem_areas": len(self.problem_areas),
            "other_cases": len(self.other_cases),
            "consents": len(self.consents),
            "notes": len(self.notes),
            "progress": len(self.progress),
            "funnel": {k: tuple(v) for k, v in funnel.items() if any(v)},
            "funnel_of_recommended": {k: tuple(v) for k, v in recommended_only.items() if any(v)},
            "started_before_plan": before_plan / started if started else 0.0,
            "waited_over_6_months": waited / len(old) if old else 0.0,
        }


def set_moments(model, column: str, pairs: list[tuple[int, datetime]]) -> None:
    """Set one timestamp column of many rows in a single UPDATE (auto_now_add overrides it on insert)."""
    if not pairs:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = v.moment "  # noqa: S608 (names from the model, values bound)
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, moment) WHERE t.id = v.id",
            [[pk for pk, _m in pairs], [m for _pk, m in pairs]],
        )


def build(*, kommune: Kommune, histories: list[History], today: date) -> dict:
    """Create the indsatsplaner, indsatser and what surrounds them; return counts for the summary."""
    return Builder(kommune=kommune, histories=histories, today=today).build()


FUNNEL_SHOWN = (
    (Cat.VIRKSOMHEDSRETTET, "virksomhedsrettet"),
    (Cat.MENTOR, "mentor"),
    (Cat.SUNDHED_KOMMUNAL, "sundhed (kommunal)"),
    (Cat.SUNDHED_REGIONAL, "sundhed (regional)"),
    (Cat.SOCIAL, "social"),
    (Cat.VEJLEDNING, "vejledning"),
)


def summary_lines(counts: dict) -> list[str]:
    funnel = counts["funnel"]
    shown = ", ".join(
        f"{label} {' → '.join(str(n) for n in funnel.get(c.value, (0, 0, 0)))}" for c, label in FUNNEL_SHOWN
    )
    return [
        f"{counts['plans']} indsatsplaner ({counts['completed']} færdiggjorte versioner, heraf {counts['revisions']} "
        f"revisioner; {counts['drafts']} kladder) med {counts['milestones']} delmål; {counts['interventions']} "
        f"indsatser med {counts['events']} hændelser; {counts['problem_areas']} problemområder, "
        f"{counts['other_cases']} andre sager, {counts['consents']} samtykker, {counts['notes']} koordineringsnotater, "
        f"{counts['progress']} progressionsmålinger.",
        f"Indsatser anbefalet → planlagt → igangsat (forløb med færdig plan): {shown}.",
    ]
