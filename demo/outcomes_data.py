"""What became of the borgere of the demo kommune: outcome data after the end, and sanctions.

`seed_demo` hands the simulated history of every forløb to `build` after `demo.followup_data`.
This writes what the caseworkers would have recorded in the outcomes app:

- the reason for an early end (`Forloeb.early_end_reason`) on every forløb closed before its
  planned end, matching its afslutningsårsag (the app asks for it when a forløb is closed early);
- the forsørgelsesstatus one month and 13 weeks after the end, once its day has come. Each is
  recorded a few days after its due day; one whose recording day has not come yet is a task on the
  caseworker's Min dag. The codes follow the afslutningsårsag and land roughly on the 2015 answer
  to BEU 244 (spec data-and-parliament.md §2.2 table 3): most in førtidspension, then work or
  selvforsørgelse, ledighedsydelse, kontanthjælp and fleksjob; between the two points some move
  on (from ledighedsydelse into fleksjob, from sygedagpenge into jobafklaring);
- a result record where there is something to record: ordinary work with weekly hours and their
  source, fleksjob visitation (the afgørelse itself comes from `demo.rehab_data`; here only the
  expected hours, or the visitation of a borger who left for ledighedsydelse), employment in
  fleksjob with hours, employer and the bonus (the 2015 answer: of 16 in fleksjob 7 bonuses udløst
  and 7 forhåndsgodkendt), revalidering, the afgørelse of a førtidspension with its journal number,
  and a few borgere who kept a førtidspension through the forløb (R-000-18);
- sanctions in about one granted forløb in ten, mostly for not taking part.

The demo login gets at least one follow-up due and not yet recorded, so Min dag shows one. Rows
are written with bulk_create and `early_end_reason` with one bulk_update; the import that follows
in `seed_demo` carries them through the interchange format like everything else.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from cases.models import EarlyEndReason, Forloeb, Kommune, Outcome, User
from demo.plans_data import CoordinatorHistory, cvr_pool
from demo.rehab_data import History, pick
from outcomes.models import (
    TABLE_3,
    BonusStatus,
    ExitStatus,
    ExitStatusCode,
    FollowUpPoint,
    ForloebResult,
    HoursSource,
    RevalideringType,
    Sanction,
    SanctionReason,
    SanctionType,
)
from outcomes.selectors import ended_early

SEED = 2013 + 4  # independent of the other parts' generators
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
C = ExitStatusCode

# The reason for an early end, by afslutningsårsag: {reason: weight}.
EARLY_END = {
    Outcome.WAGE_EMPLOYMENT: {EarlyEndReason.JOB_EDUCATION: 1},
    Outcome.EDUCATION: {EarlyEndReason.JOB_EDUCATION: 1},
    Outcome.SELF_SUPPORT: {EarlyEndReason.JOB_EDUCATION: 60, EarlyEndReason.OTHER: 40},
    Outcome.FLEKSJOB: {EarlyEndReason.FLEKSJOB: 1},
    Outcome.LEDIGHEDSYDELSE: {EarlyEndReason.FLEKSJOB: 1},
    Outcome.FOERTIDSPENSION: {EarlyEndReason.FOERTIDSPENSION: 1},
    Outcome.SENIORFOERTIDSPENSION: {EarlyEndReason.FOERTIDSPENSION: 1},
    Outcome.DEATH: {EarlyEndReason.DEATH: 1},
    Outcome.MOVED: {EarlyEndReason.MOVED: 1},
    Outcome.SYGEDAGPENGE: {EarlyEndReason.OTHER_BENEFIT: 60, EarlyEndReason.HEALTH: 40},
    Outcome.A_DAGPENGE: {EarlyEndReason.OTHER_BENEFIT: 1},
    Outcome.KONTANTHJAELP: {
        EarlyEndReason.NO_PARTICIPATION: 45,
        EarlyEndReason.REVISED: 35,
        EarlyEndReason.OTHER: 20,
    },
    Outcome.UDDANNELSESHJAELP: {EarlyEndReason.REVISED: 60, EarlyEndReason.NO_PARTICIPATION: 40},
    Outcome.NEW_FORLOEB: {EarlyEndReason.REVISED: 80, EarlyEndReason.HEALTH: 20},
    Outcome.REVALIDERING: {EarlyEndReason.REVISED: 1},
    Outcome.FOLKEPENSION: {EarlyEndReason.OTHER: 1},
    Outcome.OTHER: {EarlyEndReason.OTHER: 70, EarlyEndReason.HEALTH: 30},
}
# The forsørgelsesstatus one month after the end, by afslutningsårsag: {code: weight}.
STATUS_1M = {
    Outcome.FOERTIDSPENSION: {C.FP: 1},
    Outcome.SENIORFOERTIDSPENSION: {C.FP: 1},
    Outcome.FOLKEPENSION: {C.ANDET: 1},
    Outcome.FLEKSJOB: {C.FLEKSJOB: 40, C.LEDIGHEDSYDELSE: 38, C.ORD_BESK: 22},
    Outcome.LEDIGHEDSYDELSE: {C.LEDIGHEDSYDELSE: 50, C.ORD_BESK: 30, C.SELVFORS: 20},
    Outcome.KONTANTHJAELP: {C.KONTANTHJ: 75, C.SYGEDAGPENGE: 10, C.ORD_BESK: 15},
    Outcome.UDDANNELSESHJAELP: {C.KONTANTHJ: 70, C.UDD_SU: 30},
    Outcome.SELF_SUPPORT: {C.SELVFORS: 50, C.ORD_BESK: 50},
    Outcome.WAGE_EMPLOYMENT: {C.ORD_BESK: 90, C.SELVFORS: 10},
    Outcome.EDUCATION: {C.UDD_SU: 1},
    Outcome.NEW_FORLOEB: {C.NYT_RESSOURCEFORLOEB: 1},
    Outcome.SYGEDAGPENGE: {C.SYGEDAGPENGE: 70, C.JOBAFKLARING: 30},
    Outcome.A_DAGPENGE: {C.A_DAGPENGE: 1},
    Outcome.REVALIDERING: {C.REVALIDERING: 60, C.FORREVALIDERING: 40},
    Outcome.DEATH: {C.ANDET: 1},
    Outcome.MOVED: {C.UKENDT: 1},
    Outcome.OTHER: {C.ANDET: 60, C.UKENDT: 40},
}
# Where a borger is 13 weeks after the end, given the status at one month: {code: weight}.
MOVES_ON = {
    C.LEDIGHEDSYDELSE: {C.LEDIGHEDSYDELSE: 70, C.FLEKSJOB: 30},
    C.KONTANTHJ: {C.KONTANTHJ: 85, C.ORD_BESK: 10, C.SYGEDAGPENGE: 5},
    C.SYGEDAGPENGE: {C.SYGEDAGPENGE: 60, C.JOBAFKLARING: 40},
    C.ORD_BESK: {C.ORD_BESK: 90, C.KONTANTHJ: 10},
    C.SELVFORS: {C.SELVFORS: 80, C.ORD_BESK: 20},
    C.A_DAGPENGE: {C.A_DAGPENGE: 60, C.ORD_BESK: 40},
    C.UKENDT: {C.UKENDT: 70, C.ANDET: 30},
}
NOTES = {
    Outcome.DEATH: "Borgeren er afgået ved døden.",
    Outcome.MOVED: "Borgeren er flyttet til en anden kommune.",
    Outcome.FOLKEPENSION: "Borgeren modtager folkepension.",
}
HELD_FP_SHARE = 0.5  # of the forløb closed as "andet": the borger kept a førtidspension through it
RECORDED_AFTER_DAYS = (1, 21)  # a status is recorded this long after its due day
ORDINARY_HOURS = (Decimal("15"), Decimal("20"), Decimal("25"), Decimal("30"), Decimal("32"), Decimal("37"))
FLEKSJOB_HOURS = (Decimal("6"), Decimal("8"), Decimal("10"), Decimal("12"), Decimal("15"), Decimal("20"))
HOURS_SOURCE = {HoursSource.EINDKOMST: 50, HoursSource.KONTRAKT: 30, HoursSource.BORGER: 20}
BONUS = {BonusStatus.PAID: 45, BonusStatus.PREAPPROVED: 45, BonusStatus.NONE: 10}
SANCTION_SHARE = 0.10  # granted forløb with a sanction; a fifth of them have two
SANCTION_KIND = {SanctionType.FRADRAG: 70, SanctionType.NEDSAETTELSE: 20, SanctionType.OPHOER: 10}
SANCTION_REASON = {SanctionReason.NOT_TAKEN_PART: 70, SanctionReason.NOT_COMPLETED: 30}
SANCTION_NOTES = {
    SanctionReason.NOT_TAKEN_PART: (
        "Udeblevet fra to aftalte samtaler uden rimelig grund.",
        "Mødte ikke op i virksomhedspraktikken i en uge uden at melde afbud.",
        "Har ikke medvirket til at indhente lægelige oplysninger.",
    ),
    SanctionReason.NOT_COMPLETED: (
        "Har forladt praktikken før tid uden rimelig grund.",
        "Har ikke gennemført det aftalte mestringsforløb.",
    ),
}


def workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class Builder:
    def __init__(self, *, kommune: Kommune, histories: list[History], today: date, main_user: User | None):
        self.rng = random.Random(SEED)
        self.histories = histories
        self.today = today
        self.main_user_id = main_user.pk if main_user else None
        self.coordinators = CoordinatorHistory(kommune)
        self.cvrs = cvr_pool()
        self.early: list[Forloeb] = []
        self.statuses: list[ExitStatus] = []
        self.pending: list[tuple[Forloeb, str, date]] = []  # due, and not recorded yet
        self.results: list[ForloebResult] = []
        self.sanctions: list[Sanction] = []

    def moment(self, day: date) -> datetime:
        """Office hours on `day` (never after today)."""
        day = min(day, self.today)
        return datetime.combine(day, time(self.rng.randint(8, 15), self.rng.randrange(60)), tzinfo=COPENHAGEN)

    def by(self, f: Forloeb, day: date) -> int:
        return self.coordinators.on(f.pk, day)

    def build(self) -> dict:
        for h in self.histories:
            f = h.forloeb
            if f.closed_on is not None:
                self.closed(f)
            if f.start_date is not None:
                self.sanction(f)
        self.main_login_task()
        Forloeb.objects.bulk_update(self.early, ["early_end_reason"], batch_size=1000)
        ExitStatus.objects.bulk_create(self.statuses, batch_size=2000)
        ForloebResult.objects.bulk_create(self.results, batch_size=2000)
        Sanction.objects.bulk_create(self.sanctions, batch_size=2000)
        return self.counts()

    def closed(self, f: Forloeb) -> None:
        rng = self.rng
        if ended_early(f.closed_on, f.planned_end_date):
            f.early_end_reason = pick(rng, EARLY_END[f.outcome])
            self.early.append(f)
        held_fp = f.outcome == Outcome.OTHER and rng.random() < HELD_FP_SHARE
        first = C.FP if held_fp else pick(rng, STATUS_1M[f.outcome])
        codes = {
            FollowUpPoint.ONE_MONTH: first,
            FollowUpPoint.THIRTEEN_WEEKS: pick(rng, MOVES_ON.get(first, {first: 1})),
        }
        hours = {
            code: (rng.choice(ORDINARY_HOURS) if code == C.ORD_BESK else rng.choice(FLEKSJOB_HOURS))
            for code in set(codes.values())
            if code in (C.ORD_BESK, C.FLEKSJOB)
        }
        source = pick(rng, HOURS_SOURCE)
        for point, code in codes.items():
            due = point.due_on(f.closed_on)
            if due > self.today:
                continue
            recorded = workday(due + timedelta(days=rng.randint(*RECORDED_AFTER_DAYS)))
            if recorded > self.today:
                self.pending.append((f, point.value, due))
                continue
            self.statuses.append(
                ExitStatus(
                    forloeb=f,
                    point=point,
                    code=code,
                    job_hours_per_week=hours.get(code),
                    hours_source=source if code in hours else "",
                    note=NOTES.get(f.outcome, ""),
                    recorded_by_id=self.by(f, recorded),
                    recorded_at=self.moment(recorded),
                )
            )
        self.result(f, codes, hours, source, held_fp=held_fp)

    def result(self, f: Forloeb, codes: dict, hours: dict, source: str, *, held_fp: bool) -> None:
        """The result record, when the forløb has something to record (only facts dated by today)."""
        rng, today, end = self.rng, self.today, f.closed_on
        r = ForloebResult(forloeb=f, fleksjob_bonus_status=BonusStatus.NONE)
        later = set(codes.values())
        if C.ORD_BESK in later:
            r.ordinary_job_from = min(workday(end + timedelta(days=rng.randint(0, 40))), today)
            r.job_hours_per_week, r.hours_source = hours[C.ORD_BESK], source
        if f.outcome in (Outcome.FLEKSJOB, Outcome.LEDIGHEDSYDELSE):
            r.fleksjob_expected_hours = rng.choice(FLEKSJOB_HOURS)
            if f.outcome == Outcome.LEDIGHEDSYDELSE:  # visiteret at the end (no afgørelse in the app)
                r.fleksjob_visiteret_on = end
        if C.FLEKSJOB in later:
            employed = workday(end + timedelta(days=rng.randint(10, 80)))
            if employed <= today:
                r.fleksjob_employed_on = employed
                r.fleksjob_hours_per_week = hours[C.FLEKSJOB]
                r.fleksjob_employer_cvr = rng.choice(self.cvrs)
                bonus = pick(rng, BONUS)
                if bonus != BonusStatus.NONE:
                    r.fleksjob_bonus_status = BonusStatus.PREAPPROVED
                    r.fleksjob_bonus_preapproved_on = employed - timedelta(days=rng.randint(3, 20))
                paid = employed + timedelta(days=rng.randint(180, 400))
                if bonus == BonusStatus.PAID and paid <= today:
                    r.fleksjob_bonus_status, r.fleksjob_bonus_paid_on = BonusStatus.PAID, paid
        if later & {C.REVALIDERING, C.FORREVALIDERING}:
            kind = codes[FollowUpPoint.ONE_MONTH]
            r.revalidering_type = (
                RevalideringType.REVALIDERING if kind == C.REVALIDERING else RevalideringType.FORREVALIDERING
            )
            r.revalidering_from = min(workday(end + timedelta(days=rng.randint(1, 20))), today)
        if f.outcome == Outcome.FOERTIDSPENSION and rng.random() < 0.6:
            # The afgørelse closed the forløb; the caseworker adds its journal number.
            r.fp_tilkendt_on, r.fp_decision_ref = end, f"FP-{end.year}-{rng.randint(1000, 9999)}"
        r.fp_held_before = held_fp
        facts = [
            r.ordinary_job_from,
            r.fleksjob_expected_hours,
            r.fleksjob_visiteret_on,
            r.fleksjob_employed_on,
            r.revalidering_from,
            r.fp_decision_ref,
            r.fp_held_before,
        ]
        if not any(facts):
            return
        day = max(d for d in (end, r.ordinary_job_from, r.fleksjob_employed_on, r.fleksjob_bonus_paid_on) if d)
        day = min(day + timedelta(days=rng.randint(0, 10)), today)
        r.updated_by_id = self.by(f, day)
        r.updated_at = self.moment(day)
        self.results.append(r)

    def sanction(self, f: Forloeb) -> None:
        rng = self.rng
        first, last = f.start_date + timedelta(days=30), (f.closed_on or self.today) - timedelta(days=7)
        if last <= first or rng.random() >= SANCTION_SHARE:
            return
        for _ in range(2 if rng.random() < 0.2 else 1):
            day = first + timedelta(days=rng.randrange((last - first).days))
            day = min(workday(day), self.today)
            reason = pick(rng, SANCTION_REASON)
            self.sanctions.append(
                Sanction(
                    forloeb=f,
                    imposed_on=day,
                    kind=pick(rng, SANCTION_KIND),
                    reason=reason,
                    note=rng.choice(SANCTION_NOTES[reason]),
                    recorded_by_id=self.by(f, day),
                    recorded_at=self.moment(day),
                )
            )

    def main_login_task(self) -> None:
        """Leave the demo login's latest recorded follow-up unrecorded if nothing is due for them."""
        if self.main_user_id is None or any(f.current_coordinator_id == self.main_user_id for f, *_ in self.pending):
            return
        mine = [s for s in self.statuses if s.forloeb.current_coordinator_id == self.main_user_id]
        if not mine:
            return
        latest = max(mine, key=lambda s: (s.point.due_on(s.forloeb.closed_on), s.forloeb.pk))
        self.statuses.remove(latest)
        self.pending.append((latest.forloeb, latest.point.value, latest.point.due_on(latest.forloeb.closed_on)))

    def counts(self) -> dict:
        one_month = [s.code for s in self.statuses if s.point == FollowUpPoint.ONE_MONTH]
        return {
            "early": Counter(f.early_end_reason for f in self.early),
            "statuses": len(self.statuses),
            "pending": len(self.pending),
            "table_3": Counter(TABLE_3[code] for code in one_month),
            "results": len(self.results),
            "fleksjob": sum(1 for r in self.results if r.fleksjob_employed_on),
            "bonus": Counter(r.fleksjob_bonus_status for r in self.results if r.fleksjob_employed_on),
            "sanctions": len(self.sanctions),
            "sanctioned": len({s.forloeb.pk for s in self.sanctions}),
        }


def build(*, kommune: Kommune, histories: list[History], today: date, main_user: User | None = None) -> dict:
    """Create the outcome data of the demo's forløb; return counts for the summary."""
    return Builder(kommune=kommune, histories=histories, today=today, main_user=main_user).build()


def summary_lines(counts: dict) -> list[str]:
    total = sum(counts["table_3"].values())
    table = ", ".join(f"{category} {100 * n / total:.0f} %" for category, n in counts["table_3"].most_common() if total)
    bonus = counts["bonus"]
    return [
        f"{sum(counts['early'].values())} forløb afsluttet før planlagt (alle med årsag); {counts['statuses']} "
        f"forsørgelsesstatusser efter afslutning registreret, {counts['pending']} forfaldne mangler.",
        f"Forsørgelsesstatus 1 måned efter afslutning: {table or 'ingen'}.",
        f"{counts['results']} resultater registreret: {counts['fleksjob']} ansat i fleksjob (bonus udløst "
        f"{bonus.get(BonusStatus.PAID, 0)}, forhåndsgodkendt {bonus.get(BonusStatus.PREAPPROVED, 0)}); "
        f"{counts['sanctions']} sanktioner i {counts['sanctioned']} forløb.",
    ]
