"""The evaluation exports of the spec's §1.10: E1 (one row per forløb), E2 (one row per indsats)
and E4 (one row per borger and calendar month), as CSV or XLSX (R-000-07, R-000-08, R-000-12).

They are statistics, not case work (R-000-13): pseudonymised by default, logged by whoever calls
them (`interchange.services.export_log`), and never to be used for decisions in individual cases.
An XLSX file carries that label in its document properties; a CSV holds only the header and rows.

Scope
    The filter (kommune, team, period) selects forløb: those active at some point in the period
    (opened on or before its end, not closed before its start), for the web only those the user
    may see. E1 and E2 give all of these forløb's data; E4 gives the months of the period, from the
    month of its start (else of the earliest forløb) to the month of its end (else this month),
    never past the current month.

Person keys
    `person_key` is `interchange.pseudonym.person_key(cpr)` in the pseudonymised mode and the
    compact CPR number in the administrative mode; `sagsbehandler_key` (the current koordinerende
    sagsbehandler) is `person_key(f"user:{id}")` or the username. No free text, no names and no
    addresses are exported in either mode, so a pseudonymised file holds no CPR number at all.
    E2 has no person key: it links to E1 through `forloeb_id` (the forløb's UUID) and is the same
    in both modes.

Codes
    Domains are one letter: B beskæftigelse, S social, H sundhed, U uddannelse (the indsats type's
    domain) and A andet (any indsats of the category "andet", whatever its type's domain). Other
    codes are the app's own values (phase, ordning, afslutningsårsag, forsørgelse, problem area,
    indsats category and status, forvaltning). Dates are ISO dates, flags 1/0.

E1 columns and where they come from
    forloeb_id                  Forloeb.uuid
    kommunekode, team_id        Kommune.code, Team.code
    sequence_no                 Forloeb.sequence_no
    rehab_moede_dato            the meeting (TeamMeeting.starts_at, local date) of the latest indstilling
    rehab_indstilling_kode      the latest indstilling's ordning (Recommendation.ordning)
    borgers_oenske_foer_moede   PreparatoryPart.borger_wish
    afgoerelse_dato, _kode      the latest afgørelse (Decision.decided_on, .ordning)
    start_dato, planlagt_slut_dato, faktisk_slut_dato, afslutningsaarsag_kode
                                Forloeb.start_date, .planned_end_date, .closed_on, .outcome
    planlagt_varighed_mdr       start_dato to planlagt_slut_dato (inclusive) in months of 30.4375 days, rounded
    ydelse_type                 "foertidspension" when the borger kept a førtidspension through the forløb
                                (fp_foer_forloeb), else "ressourceforloebsydelse" once the forløb is granted
                                (has a start date), else empty
    alder_start                 age at start_dato (at the opening of the case when not granted), from the CPR
    koen                        from the CPR number's last digit as the registers read it: odd M, even K
    forsoergelse_foer_kode      PreparatoryPart.previous_benefit
    problemomraader             the distinct ProblemArea kinds ever recorded, sorted, ";"-joined
    n_indsats_planlagt          indsatser that had entered `planlagt` by the export day (a lifecycle event
                                into it: cases.concepts.INDSATS_PLANNED, as in plans.selectors.funnel)
    n_indsats_igangsat          indsatser with an actual start on or before the export day
                                (cases.concepts.INDSATS_STARTED; the "executed" ones below)
    n_indsats_gennemfoert, n_indsats_afbrudt   indsatser now in status gennemført / afbrudt
    dom_B ... dom_A             1 when an executed indsats of that domain exists (ever used)
    combination_class           the executed domains among B, S, H: none, B, S, H, B+S, B+H, S+H, B+S+H
    coordination_pattern        over the executed indsatser, each the date range [actual start, actual end,
                                or the export day while it runs]; two overlap when they share at least one
                                day. none (0 executed), single (1), parallel (every one overlaps at least one
                                other), sequential (no two overlap), mixed (otherwise)
    foerste_indsats_domain      domain of the executed indsats with the earliest actual start
    dage_til_foerste_indsats    days from start_dato to that actual start (negative when it began before)
    n_samtaler, n_udeblivelser  opfølgningssamtaler dated on or before the export day that the borger
                                attended (cases.concepts.SAMTALE_HELD) / did not attend (SAMTALE_MISSED)
    progression_start, progression_seneste
                                the mean over delmål of each delmål's first / latest progression score (1-5)
    sum_udgift                  the sum of the executed indsatser's cost (empty when none has one)

    What became of the borger and the sanctions are the facts of `outcomes.selectors.results_for`, the
    one definition every reader uses (the forløb's page, Min dag, the BEU 244 report); "the result" is
    the forløb's ForloebResult record. The columns from afbrudt on answer BEU 244 (spec §2.4) where
    §1.10 has no column; they were added in 1.1, after the columns of 1.0, which keep their places.
    n_sanktioner                the sanctions recorded on the forløb
    status_1m_kode, status_13u_kode
                                the forsørgelsesstatus recorded 1 month / 13 weeks after the end
                                (ExitStatus.code: the internal codes ORD_BESK, SELVFORS, ..., spec §2.5);
                                empty while not recorded
    job_timer_uge, timer_kilde  weekly hours in ordinary work and where they come from (borger, kontrakt,
                                eindkomst), from the result
    fleksjob_visiteret_dato     visiteret til fleksjob: the result's date, else the latest afgørelse of
                                ordning fleksjob
    fleksjob_ansat_dato, fleksjob_timer_uge
                                employed in fleksjob, and the weekly hours there, from the result
    fleksjobbonus_status        ingen, forhaandsgodkendt or udloest, from the result ("ingen" without one)
    revalidering_dato           the start of the revalidering, from the result
    fp_indstillet_dato          indstillet til førtidspension: the result's date, else the latest indstilling
                                of ordning førtidspension from the rehabiliteringsteam
    fp_tilkendt_dato            tilkendt førtidspension: the result's date, else the latest afgørelse of
                                ordning førtidspension (indstillet and tilkendt are never mixed)
    afbrudt                     1 when not completed (BEU 244 question 10, outcomes.selectors.not_completed):
                                closed before the planned end and the afslutningsårsag is not work,
                                education, fleksjob or selvforsørgelse; else 0
    tidlig_afslutning_kode      why it ended before the planned end (Forloeb.early_end_reason)
    fleksjob_forventet_timer_uge
                                the expected weekly hours at the visitation to fleksjob, from the result
    fleksjobbonus_dato          the date of the current bonus status (udloest: paid, forhaandsgodkendt:
                                pre-approved); empty for ingen
    revalidering_type           revalidering or forrevalidering, from the result
    fp_foer_forloeb             1 when the borger kept a førtidspension through the forløb (an exit then is
                                no exit to førtidspension, R-000-18); else 0
    n_sanktioner_ikke_medvirket, n_sanktioner_ikke_gennemfoert
                                the sanctions by reason: not taking part / not completing (question 11)
    schema_version, udtraeksdato   SCHEMA_VERSION and the export day

E2 columns
    indsats_id (Intervention.id), forloeb_id, domain, legal_basis (the type's legal basis as a code:
    LAB, serviceloven, sundhedsloven, andet), kategori_kode (Intervention.category), underkategori_kode
    (InterventionType.code), provider_type (Intervention.forvaltning: the app's list, not yet the spec's
    provider list), iværksat_som_led_i_forloeb (part_of_forloeb; the spec's spelling, with æ), indstillet_af_rehabteam (made from a
    recommended indsats), status, planlagt_start/_slut and faktisk_start/_slut (separate fields, never
    mixed), timer_uge, pris (cost), virksomhed_cvr (the employer's CVR number).
    Always empty: afbrydelsesaarsag_kode (the reason is free text, which is never exported) and
    delmaal_id (an indsats is not linked to a delmål in the app).

E4 (one row per borger and calendar month in the period, for every borger with a forløb open at
some point that month: opened on or before the month's end and not closed before its start)
    person_key, maaned (YYYY-MM), forloeb_id / kommunekode / team_id of the borger's newest forløb
    open that month; fase: that forløb's phase at the end of the month, the `to_phase` of its last
    transition dated (local date) on or before the month's end, else forberedende_del (afsluttet once
    closed); ydelse: "ressourceforloebsydelse" when a forløb open that month had started by the
    month's end, else empty; aktive_domaener and dom_B ... dom_A: the domains of the indsatser
    (of the borger's forløb open that month) active in the month, i.e. actual start on or before
    its end (INDSATS_STARTED on the month's last day) and no actual end or one on or after its start.
"""

import datetime as dt
from bisect import bisect_right
from collections import Counter, defaultdict
from statistics import mean

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from stdnum.dk import cpr as stdnum_cpr

from cases import spreadsheet
from cases.concepts import SAMTALE_HELD, SAMTALE_MISSED
from cases.models import Phase, PhaseTransition
from followup.models import FollowUpMeeting
from interchange.pseudonym import person_key
from outcomes.models import BonusStatus, SanctionReason
from outcomes.selectors import not_completed, results_for
from plans.models import (
    Domain,
    Intervention,
    InterventionStatus,
    ProblemArea,
    Progress,
)
from plans.selectors import was_planned, was_started
from rehab.models import Decision, InterventionCategory, PreparatoryPart, Recommendation

SCHEMA_VERSION = "1.1"
KINDS = ("e1", "e2", "e4")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PURPOSE_LABEL = "Statistisk udtræk til evaluering. Må ikke bruges til afgørelser i enkeltsager (R-000-13)."
YDELSE = "ressourceforloebsydelse"
YDELSE_FP = "foertidspension"  # a førtidspension kept through the forløb (R-000-18)

DOMAINS = ("B", "S", "H", "U", "A")
DOMAIN_CODES = {Domain.EMPLOYMENT: "B", Domain.SOCIAL: "S", Domain.HEALTH: "H", Domain.EDUCATION: "U"}
DOMAIN_COLUMNS = [f"dom_{d}" for d in DOMAINS]

E1_COLUMNS = [
    "forloeb_id",
    "person_key",
    "kommunekode",
    "team_id",
    "sagsbehandler_key",
    "sequence_no",
    "rehab_moede_dato",
    "rehab_indstilling_kode",
    "borgers_oenske_foer_moede",
    "afgoerelse_dato",
    "afgoerelse_kode",
    "start_dato",
    "planlagt_varighed_mdr",
    "planlagt_slut_dato",
    "faktisk_slut_dato",
    "afslutningsaarsag_kode",
    "ydelse_type",
    "alder_start",
    "koen",
    "forsoergelse_foer_kode",
    "problemomraader",
    "n_indsats_planlagt",
    "n_indsats_igangsat",
    "n_indsats_gennemfoert",
    "n_indsats_afbrudt",
    *DOMAIN_COLUMNS,
    "combination_class",
    "coordination_pattern",
    "foerste_indsats_domain",
    "dage_til_foerste_indsats",
    "n_samtaler",
    "n_udeblivelser",
    "n_sanktioner",
    "progression_start",
    "progression_seneste",
    "status_1m_kode",
    "status_13u_kode",
    "job_timer_uge",
    "fleksjob_visiteret_dato",
    "fleksjob_ansat_dato",
    "fleksjob_timer_uge",
    "fleksjobbonus_status",
    "revalidering_dato",
    "fp_indstillet_dato",
    "fp_tilkendt_dato",
    "sum_udgift",
    # BEU 244 (spec §2.4), after the columns of §1.10 so those keep their places.
    "afbrudt",
    "tidlig_afslutning_kode",
    "timer_kilde",
    "fleksjob_forventet_timer_uge",
    "fleksjobbonus_dato",
    "revalidering_type",
    "fp_foer_forloeb",
    "n_sanktioner_ikke_medvirket",
    "n_sanktioner_ikke_gennemfoert",
    "schema_version",
    "udtraeksdato",
]
E2_COLUMNS = [
    "indsats_id",
    "forloeb_id",
    "domain",
    "legal_basis",
    "kategori_kode",
    "underkategori_kode",
    "provider_type",
    "iværksat_som_led_i_forloeb",
    "indstillet_af_rehabteam",
    "status",
    "planlagt_start",
    "faktisk_start",
    "planlagt_slut",
    "faktisk_slut",
    "timer_uge",
    "afbrydelsesaarsag_kode",
    "pris",
    "delmaal_id",
    "virksomhed_cvr",
]
E4_COLUMNS = [
    "person_key",
    "maaned",
    "forloeb_id",
    "kommunekode",
    "team_id",
    "fase",
    "ydelse",
    "aktive_domaener",
    *DOMAIN_COLUMNS,
]
COLUMNS = {"e1": E1_COLUMNS, "e2": E2_COLUMNS, "e4": E4_COLUMNS}


# --- Which forløb -------------------------------------------------------------------------------


def export_rows(
    kind: str,
    *,
    forloeb_qs: QuerySet,
    pseudonymised: bool,
    today: dt.date,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
) -> tuple[list[str], list[dict]]:
    """The columns and rows of one export. E4's months run from the month of `period_from` (else
    of the earliest forløb) to the month of `period_to`, never past the current month."""
    if kind == "e1":
        return E1_COLUMNS, e1_rows(forloeb_qs=forloeb_qs, pseudonymised=pseudonymised, today=today)
    if kind == "e2":
        return E2_COLUMNS, e2_rows(forloeb_qs=forloeb_qs)
    if kind == "e4":
        start = period_from or forloeb_qs.aggregate(first=Min("opened_on"))["first"] or today
        end = min(period_to or today, today)
        return E4_COLUMNS, e4_rows(forloeb_qs=forloeb_qs, pseudonymised=pseudonymised, month_from=start, month_to=end)
    raise ValueError(f"Unknown export kind {kind!r}")


# --- Derived metrics (R-000-07) -----------------------------------------------------------------


def indsats_domain(category: str, type_domain: str) -> str:
    return "A" if category == InterventionCategory.ANDET else DOMAIN_CODES.get(type_domain, "A")


def combination_class(domains) -> str:
    return "+".join(d for d in ("B", "S", "H") if d in domains) or "none"


def _overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def coordination_pattern(periods: list[tuple[dt.date, dt.date]]) -> str:
    """The pattern of the executed indsatser's date ranges (see the module docstring)."""
    if len(periods) < 2:
        return ("none", "single")[len(periods)]
    overlapping = [any(_overlap(p, q) for j, q in enumerate(periods) if j != i) for i, p in enumerate(periods)]
    if all(overlapping):
        return "parallel"
    if not any(overlapping):
        return "sequential"
    return "mixed"


def _legal_basis_code(text: str) -> str:
    lowered = text.strip().lower()
    if not lowered:
        return ""
    if lowered.startswith(("lab", "lov om en aktiv beskæftigelsesindsats")):
        return "LAB"
    for code in ("serviceloven", "sundhedsloven"):
        if lowered.startswith(code):
            return code
    return "andet"


def _age(cpr: str, on: dt.date) -> int | None:
    try:
        born = stdnum_cpr.get_birth_date(cpr)
    except Exception:  # noqa: BLE001 - a CPR that passed validation has a date; be safe anyway
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _sex(cpr: str) -> str:
    return "M" if int(cpr[-1]) % 2 else "K"


def _months(start: dt.date | None, end: dt.date | None) -> int | None:
    if not (start and end):
        return None
    return round(((end - start).days + 1) / 30.4375)


def _keys(row: dict, pseudonymised: bool) -> tuple[str, str]:
    """(person_key, sagsbehandler_key) of a forløb's values row."""
    cpr = row["borger__cpr"]
    coordinator = row["current_coordinator_id"]
    if pseudonymised:
        return person_key(cpr), person_key(f"user:{coordinator}") if coordinator else ""
    return cpr, row["current_coordinator__username"] or ""


FORLOEB_VALUES = (
    "id",
    "uuid",
    "borger_id",
    "borger__cpr",
    "kommune__code",
    "team__code",
    "current_coordinator_id",
    "current_coordinator__username",
    "sequence_no",
    "opened_on",
    "start_date",
    "planned_end_date",
    "closed_on",
    "outcome",
    "early_end_reason",
)


# --- E1 -----------------------------------------------------------------------------------------


def e1_rows(*, forloeb_qs: QuerySet, pseudonymised: bool, today: dt.date) -> list[dict]:
    """One row per forløb. A fixed number of queries, whatever the number of forløb."""
    ids = forloeb_qs.values("pk")
    forloeb = list(forloeb_qs.values(*FORLOEB_VALUES))

    indsatser = defaultdict(list)
    for i in (
        Intervention.objects.filter(forloeb__in=ids)
        .annotate(was_planned=was_planned(today), was_started=was_started(today))
        .values(
            "forloeb_id",
            "category",
            "type__domain",
            "status",
            "actual_start",
            "actual_end",
            "cost",
            "was_planned",
            "was_started",
        )
        .order_by("forloeb_id", "actual_start", "id")
    ):
        indsatser[i["forloeb_id"]].append(i)

    recommendation = {}
    for r in (
        Recommendation.objects.filter(forloeb__in=ids)
        .values("forloeb_id", "given_on", "ordning", "agenda_item__meeting__starts_at")
        .order_by("forloeb_id", "given_on", "id")
    ):
        recommendation[r["forloeb_id"]] = r

    decision = {}
    for d in (
        Decision.objects.filter(forloeb__in=ids)
        .values("forloeb_id", "decided_on", "ordning")
        .order_by("forloeb_id", "decided_on", "id")
    ):
        decision[d["forloeb_id"]] = d
    results = results_for(f["id"] for f in forloeb)

    preparatory = {
        p["forloeb_id"]: p
        for p in PreparatoryPart.objects.filter(forloeb__in=ids).values("forloeb_id", "borger_wish", "previous_benefit")
    }
    problems = defaultdict(set)
    for forloeb_id, kind in ProblemArea.objects.filter(forloeb__in=ids).values_list("forloeb_id", "kind"):
        problems[forloeb_id].add(kind)
    meeting = FollowUpMeeting._meta.db_table
    samtaler = {
        s["forloeb_id"]: s
        for s in FollowUpMeeting.objects.filter(forloeb__in=ids)
        .order_by()
        .values("forloeb_id")
        .annotate(
            held=Count("id", filter=SAMTALE_HELD.expression(today, m=meeting)),
            missed=Count("id", filter=SAMTALE_MISSED.expression(today, m=meeting)),
        )
    }
    progress = defaultdict(lambda: defaultdict(list))  # forløb -> delmål -> scores in time order
    for forloeb_id, lineage, score in (
        Progress.objects.filter(forloeb__in=ids)
        .order_by("forloeb_id", "recorded_on", "id")
        .values_list("forloeb_id", "milestone_lineage", "score")
    ):
        progress[forloeb_id][lineage].append(score)

    rows = []
    for f in forloeb:
        pid, caseworker = _keys(f, pseudonymised)
        own = indsatser[f["id"]]
        executed = [i for i in own if i["was_started"]]
        domains = {indsats_domain(i["category"], i["type__domain"]) for i in executed}
        first = executed[0] if executed else None  # ordered by actual start
        rec = recommendation.get(f["id"], {})
        meeting_at = rec.get("agenda_item__meeting__starts_at")
        dec = decision.get(f["id"], {})
        prep = preparatory.get(f["id"], {})
        contact = samtaler.get(f["id"], {})
        scores = progress[f["id"]].values()
        costs = [i["cost"] for i in executed if i["cost"] is not None]
        result = results[f["id"]]
        reasons = Counter(s.reason for s in result.sanctions)
        rows.append(
            {
                "forloeb_id": str(f["uuid"]),
                "person_key": pid,
                "kommunekode": f["kommune__code"],
                "team_id": f["team__code"],
                "sagsbehandler_key": caseworker,
                "sequence_no": f["sequence_no"],
                "rehab_moede_dato": timezone.localdate(meeting_at) if meeting_at else None,
                "rehab_indstilling_kode": rec.get("ordning", ""),
                "borgers_oenske_foer_moede": prep.get("borger_wish", ""),
                "afgoerelse_dato": dec.get("decided_on"),
                "afgoerelse_kode": dec.get("ordning", ""),
                "start_dato": f["start_date"],
                "planlagt_varighed_mdr": _months(f["start_date"], f["planned_end_date"]),
                "planlagt_slut_dato": f["planned_end_date"],
                "faktisk_slut_dato": f["closed_on"],
                "afslutningsaarsag_kode": f["outcome"],
                "ydelse_type": YDELSE_FP if result.fp_held_before else YDELSE if f["start_date"] else "",
                "alder_start": _age(f["borger__cpr"], f["start_date"] or f["opened_on"]),
                "koen": _sex(f["borger__cpr"]),
                "forsoergelse_foer_kode": prep.get("previous_benefit", ""),
                "problemomraader": ";".join(sorted(problems[f["id"]])),
                "n_indsats_planlagt": sum(1 for i in own if i["was_planned"]),
                "n_indsats_igangsat": len(executed),
                "n_indsats_gennemfoert": sum(1 for i in own if i["status"] == InterventionStatus.GENNEMFOERT),
                "n_indsats_afbrudt": sum(1 for i in own if i["status"] == InterventionStatus.AFBRUDT),
                **{f"dom_{d}": int(d in domains) for d in DOMAINS},
                "combination_class": combination_class(domains),
                "coordination_pattern": coordination_pattern(
                    [(i["actual_start"], i["actual_end"] or today) for i in executed]
                ),
                "foerste_indsats_domain": indsats_domain(first["category"], first["type__domain"]) if first else "",
                "dage_til_foerste_indsats": (
                    (first["actual_start"] - f["start_date"]).days if first and f["start_date"] else None
                ),
                "n_samtaler": contact.get("held", 0),
                "n_udeblivelser": contact.get("missed", 0),
                "n_sanktioner": len(result.sanctions),
                "progression_start": round(mean(s[0] for s in scores), 2) if scores else None,
                "progression_seneste": round(mean(s[-1] for s in scores), 2) if scores else None,
                "status_1m_kode": result.status_1m,
                "status_13u_kode": result.status_13u,
                "job_timer_uge": result.job_hours_per_week,
                "fleksjob_visiteret_dato": result.fleksjob_visiteret_on,
                "fleksjob_ansat_dato": result.fleksjob_employed_on,
                "fleksjob_timer_uge": result.fleksjob_hours_per_week,
                "fleksjobbonus_status": result.fleksjob_bonus_status,
                "revalidering_dato": result.revalidering_from,
                "fp_indstillet_dato": result.fp_indstillet_on,
                "fp_tilkendt_dato": result.fp_tilkendt_on,
                "sum_udgift": sum(costs) if costs else None,
                "afbrudt": int(
                    not_completed(f["closed_on"], f["planned_end_date"], f["outcome"], f["early_end_reason"])
                ),
                "tidlig_afslutning_kode": f["early_end_reason"],
                "timer_kilde": result.hours_source,
                "fleksjob_forventet_timer_uge": result.fleksjob_expected_hours,
                "fleksjobbonus_dato": _bonus_day(result),
                "revalidering_type": result.revalidering_type,
                "fp_foer_forloeb": int(result.fp_held_before),
                "n_sanktioner_ikke_medvirket": reasons[SanctionReason.NOT_TAKEN_PART],
                "n_sanktioner_ikke_gennemfoert": reasons[SanctionReason.NOT_COMPLETED],
                "schema_version": SCHEMA_VERSION,
                "udtraeksdato": today,
            }
        )
    return rows


def _bonus_day(result) -> dt.date | None:
    """The date of the fleksjobbonus's current status."""
    if result.fleksjob_bonus_status == BonusStatus.PAID:
        return result.fleksjob_bonus_paid_on
    if result.fleksjob_bonus_status == BonusStatus.PREAPPROVED:
        return result.fleksjob_bonus_preapproved_on
    return None


# --- E2 -----------------------------------------------------------------------------------------


def e2_rows(*, forloeb_qs: QuerySet) -> list[dict]:
    """One row per indsats of the forløb, planned and actual dates in separate columns."""
    indsatser = (
        Intervention.objects.filter(forloeb__in=forloeb_qs.values("pk"))
        .values(
            "id",
            "forloeb__uuid",
            "category",
            "type__domain",
            "type__legal_basis",
            "type__code",
            "forvaltning",
            "part_of_forloeb",
            "recommended_id",
            "status",
            "planned_start",
            "actual_start",
            "planned_end",
            "actual_end",
            "hours_per_week",
            "cost",
            "employer_cvr",
        )
        .order_by("forloeb_id", "planned_start", "id")
    )
    return [
        {
            "indsats_id": i["id"],
            "forloeb_id": str(i["forloeb__uuid"]),
            "domain": indsats_domain(i["category"], i["type__domain"]),
            "legal_basis": _legal_basis_code(i["type__legal_basis"]),
            "kategori_kode": i["category"],
            "underkategori_kode": i["type__code"],
            "provider_type": i["forvaltning"],
            "iværksat_som_led_i_forloeb": int(i["part_of_forloeb"]),
            "indstillet_af_rehabteam": int(i["recommended_id"] is not None),
            "status": i["status"],
            "planlagt_start": i["planned_start"],
            "faktisk_start": i["actual_start"],
            "planlagt_slut": i["planned_end"],
            "faktisk_slut": i["actual_end"],
            "timer_uge": i["hours_per_week"],
            "afbrydelsesaarsag_kode": None,
            "pris": i["cost"],
            "delmaal_id": None,
            "virksomhed_cvr": i["employer_cvr"],
        }
        for i in indsatser
    ]


# --- E4 -----------------------------------------------------------------------------------------


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_bounds(index: int) -> tuple[dt.date, dt.date]:
    year, month = divmod(index, 12)
    start = dt.date(year, month + 1, 1)
    following = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def e4_rows(*, forloeb_qs: QuerySet, pseudonymised: bool, month_from: dt.date, month_to: dt.date) -> list[dict]:
    """One row per borger and calendar month from the month of `month_from` to that of `month_to`,
    for the borgere with a forløb open that month (see the module docstring)."""
    ids = forloeb_qs.values("pk")
    forloeb = list(forloeb_qs.values(*FORLOEB_VALUES))
    first, last = _month_index(month_from), _month_index(month_to)

    phases = defaultdict(lambda: ([], []))  # forløb -> (local dates, to_phase), in time order
    for forloeb_id, at, to_phase in (
        PhaseTransition.objects.filter(forloeb__in=ids).order_by("at", "id").values_list("forloeb_id", "at", "to_phase")
    ):
        days, targets = phases[forloeb_id]
        days.append(timezone.localdate(at))
        targets.append(to_phase)

    active = defaultdict(list)  # forløb -> [(actual start, actual end, domain)]
    for forloeb_id, category, type_domain, start, end in Intervention.objects.filter(
        forloeb__in=ids, actual_start__isnull=False
    ).values_list("forloeb_id", "category", "type__domain", "actual_start", "actual_end"):
        active[forloeb_id].append((start, end, indsats_domain(category, type_domain)))

    open_in = defaultdict(list)  # (borger, month) -> the borger's forløb open that month
    for f in forloeb:
        opened = max(first, _month_index(f["opened_on"]))
        closed = min(last, _month_index(f["closed_on"])) if f["closed_on"] else last
        for month in range(opened, closed + 1):
            open_in[(f["borger_id"], month)].append(f)

    rows = []
    for (_borger, month), candidates in sorted(open_in.items(), key=lambda item: item[0]):
        month_start, month_end = _month_bounds(month)
        f = max(candidates, key=lambda c: (c["opened_on"], c["id"]))
        domains = {
            domain
            for c in candidates
            for start, end, domain in active[c["id"]]
            if start <= month_end and (end is None or end >= month_start)
        }
        rows.append(
            {
                "person_key": person_key(f["borger__cpr"]) if pseudonymised else f["borger__cpr"],
                "maaned": f"{month_start:%Y-%m}",
                "forloeb_id": str(f["uuid"]),
                "kommunekode": f["kommune__code"],
                "team_id": f["team__code"],
                "fase": _phase_at(f, phases[f["id"]], month_end),
                "ydelse": YDELSE if any(c["start_date"] and c["start_date"] <= month_end for c in candidates) else "",
                "aktive_domaener": ";".join(d for d in DOMAINS if d in domains),
                **{f"dom_{d}": int(d in domains) for d in DOMAINS},
            }
        )
    return rows


def _phase_at(forloeb: dict, history: tuple[list, list], day: dt.date) -> str:
    if forloeb["closed_on"] and forloeb["closed_on"] <= day:
        return Phase.AFSLUTTET.value
    days, targets = history
    n = bisect_right(days, day)
    return targets[n - 1] if n else Phase.FORBEREDENDE_DEL.value


# --- Writers ------------------------------------------------------------------------------------


def write_csv(out, columns: list[str], rows: list[dict]) -> None:
    """UTF-8 CSV (the caller opens `out` as text) with a header row; empty cells for no value."""
    spreadsheet.csv_writer(out, columns).writerows(rows)


def write_xlsx(out, columns: list[str], rows: list[dict], sheet_title: str) -> None:
    """One sheet with a header row, written streaming (write-only workbook) to a binary `out`."""
    spreadsheet.write_xlsx(out, columns, rows, sheet_title=sheet_title, description=PURPOSE_LABEL)


def file_name(kind: str, file_format: str, today: dt.date) -> str:
    return f"{kind}_{today.isoformat()}.{file_format}"
