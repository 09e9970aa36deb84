"""The opfølgning side of the demo kommune.

`seed_demo` hands the simulated history of every forløb to `build` after `demo.plans_data` has
written the indsatsplaner. For every forløb with a start date (granted) this writes the
opfølgningssamtaler the caseworkers would have registered from the start date up to the end of
the forløb or today:

- the first samtale within two weeks of the start; then, at each samtale, a next date agreed
  (or not: `no_next_reason` "andet" with a short note, "afsluttes" at the last samtale before a
  planned end, sometimes "genforelaeggelse" just before the case goes back to the team), and the
  next samtale held on that date or somewhat later. Gaps are mostly 4-10 weeks; the law's four
  samtaler in the first six months make the start denser;
- every forløb follows one of three habits (fokusrevision 2020 §3.6: of the forløb that have
  lasted at least 12 months, 59 % had at least six samtaler in the latest 12 months, 30 % four or
  five, 11 % at most three); those forløb get the habits in exactly these proportions, and their
  dates are drawn again until the latest 12 months match the habit, so the shares hold whatever
  day the demo is built;
- mostly individual and in person, some group samtaler and some by phone or video; about 5 %
  udeblivelser (a new time is booked within a few weeks);
- the content of an attended samtale: status on the indsatser (86 %), new agreements (55 %), the
  need for mentorstøtte assessed (31 %) and the borger's perspective (81 %) (§3.6, latest samtale);
- a samtale on the day of every plan revision `demo.plans_data` wrote "after an
  opfølgningssamtale", linked to that revision;
- for the demo login's forløb a few samtaler are overdue today and a few are due this week, so
  Min dag has something to show.

The audit found a next date set at only 25 % of the latest samtaler; here the form demands a date
or a reason, so most samtaler (about 70 %) have a date and the rest say why not (the
NO_NEXT_SAMTALE flag shows them). `held_by` and `created_by` are the koordinerende sagsbehandler
of the day. Everything is written with one bulk_create; `created_at` is set afterwards to the
moment of the samtale.
"""

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases import clock
from cases.models import Kommune, Outcome, User
from demo.plans_data import CoordinatorHistory, set_moments
from demo.rehab_data import History, pick
from followup.models import FollowUpMeeting, NoNextReason, SamtaleChannel, SamtaleSetting
from plans.models import ActionPlan

SEED = 2013 + 3  # independent of the other parts' generators
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# The follow-up habit of a forløb, and the attended samtaler in the latest 12 months it gives
# (§3.6: 59 / 30 / 11 % among forløb that have lasted at least 12 months).
HABITS = {"stabil": 59, "ujævn": 30, "sjælden": 11}
IN_12_MONTHS = {"stabil": (6, 99), "ujævn": (4, 5), "sjælden": (0, 3)}
# Days agreed until the next samtale: (first six months, afterwards), each {(lo, hi): weight}.
AGREED_DAYS = {
    "stabil": ({(21, 28): 30, (29, 35): 55, (36, 42): 15}, {(35, 49): 30, (50, 63): 50, (64, 70): 20}),
    "ujævn": ({(28, 42): 60, (43, 63): 40}, {(49, 63): 35, (64, 84): 45, (85, 100): 20}),
    "sjælden": ({(56, 90): 50, (91, 130): 50}, {(90, 130): 40, (131, 180): 60}),
}
# Days the samtale is actually held after the agreed date: {(lo, hi): weight}.
SLIP_DAYS = {
    "stabil": {(0, 0): 65, (1, 10): 25, (11, 30): 7, (-7, -1): 3},
    "ujævn": {(0, 0): 45, (1, 21): 35, (22, 60): 15, (-7, -1): 5},
    "sjælden": {(0, 0): 35, (1, 30): 35, (31, 90): 25, (-7, -1): 5},
}
FIRST_WITHIN_DAYS = 14  # the first samtale after the start date
EARLY_DAYS = 150  # the law's first six months: four individual samtaler, so closer and rarely in a group
NO_SHOW = 0.05  # udeblivelser
REBOOK_DAYS = (5, 21)  # a new time after an udeblivelse
# How often a next date is agreed (the rest give a reason): {share of samtaler: weight of forløb}.
NEXT_DATE_HABIT = {0.95: 50, 0.7: 25, 0.2: 25}
GROUP_SHARE, EARLY_GROUP_SHARE = 0.12, 0.03
CHANNEL = {SamtaleChannel.IN_PERSON: 72, SamtaleChannel.PHONE: 20, SamtaleChannel.VIDEO: 8}
GROUP_CHANNEL = {SamtaleChannel.IN_PERSON: 85, SamtaleChannel.VIDEO: 15}
TIMED_SHARE = 0.85  # samtaler registered with a time of day
# §3.6, latest samtale: new agreements 55 %, mentor need 31 %, perspective 81 %.
AGREEMENT_SHARE, MENTOR_SHARE, PERSPECTIVE_SHARE = 0.55, 0.31, 0.81
FAREWELL_SHARE = 0.6  # closed forløb with a last samtale shortly before the end
GENFOR_REASON_SHARE = 0.5  # the samtale before a genforelæggelse says so instead of agreeing a date
# Outcomes nobody saw coming at the last samtale: it keeps its agreed next date.
UNEXPECTED = frozenset({Outcome.DEATH, Outcome.MOVED, Outcome.SYGEDAGPENGE})
MAX_TRIES = 60
# The demo login's Min dag: forløb due this week and forløb overdue (beyond what happens anyway).
MAIN_DUE_SOON, MAIN_OVERDUE = 3, 2
REVISION_DATE = re.compile(r"^Opfølgningssamtale den (\d{2})\.(\d{2})\.(\d{4})")

STATUS = (
    "Borgeren er i praktik {h} timer om ugen og møder stabilt; virksomheden er tilfreds.",
    "Mentorforløbet kører; borgeren og mentor mødes hver uge.",
    "Træningen i sundhedscentret er i gang; borgeren har haft flere dårlige dage med smerter.",
    "Borgeren venter stadig på at starte i distriktspsykiatrien.",
    "Praktikken er sat på pause, mens behandlingen står på.",
    "Mestringsforløbet er gennemført; borgeren har haft godt udbytte af det.",
    "Borgeren er startet hos gældsrådgivningen og har fået overblik over økonomien.",
    "Ingen indsatser i gang lige nu; ny praktik undersøges af virksomhedskonsulenten.",
    "Borgeren har været sygemeldt fra praktikken i to uger.",
    "Borgeren deltager i netværksgruppen og FVU-dansk som aftalt.",
)
AGREEMENTS = (
    "Praktikken optrappes med to timer om ugen fra næste måned.",
    "Jobcentret indhenter en statusattest fra egen læge.",
    "Borgeren starter i et afklaringsforløb hos jobcentrets vejleder.",
    "Virksomhedskonsulenten finder en ny praktikplads med lettere opgaver.",
    "Aftalt at koordinere med socialforvaltningen om bostøtten.",
    "Borgeren kontakter selv egen læge om ny medicin og melder tilbage.",
    "Indsatsplanen justeres: delmålet om stabilt fremmøde rykkes tre måneder.",
)
MENTOR_ASSESSMENTS = (
    "Mentorstøtten fortsætter uændret; den hjælper borgeren med at møde op.",
    "Der er ikke behov for mentor på nuværende tidspunkt.",
    "Mentorstøtten øges til to timer om ugen, mens praktikken optrappes.",
    "Mentor trappes ned; borgeren klarer nu selv de faste aftaler.",
    "Behov for mentor vurderes igen, når behandlingen er afsluttet.",
)
PERSPECTIVES = (
    "Borgeren er glad for praktikken, men bekymret for, om kroppen kan holde til flere timer.",
    "Borgeren oplever, at det går langsomt, men vil gerne fortsætte.",
    "Borgeren har det bedre og ønsker at prøve flere timer.",
    "Borgeren føler sig presset af de mange aftaler.",
    "Borgeren er tryg ved planen og ønsker at behandlingen kommer først.",
    "Borgeren ønsker at søge fleksjob og er enig i, at praktikken skal vise arbejdsevnen.",
    "Borgeren synes, mentor gør en stor forskel i hverdagen.",
    "Borgeren er skuffet over ventetiden i psykiatrien.",
)
NO_NEXT_NOTES = (
    "Ny tid aftales telefonisk.",
    "Tid aftales, når lægens vurdering foreligger.",
    "Borgeren kontaktes, når praktikken er startet.",
    "Borgeren ringer selv for en ny tid efter indlæggelsen.",
    "Tid aftales med mentor og borgeren i fællesskab.",
)
NO_SHOW_NOTE = "Borgeren kontaktes for en ny tid."


def workday(day: date, step: int = 1) -> date:
    """`day`, or the nearest weekday after it (step=1) or before it (step=-1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def days_from(rng: random.Random, weights: dict) -> int:
    return rng.randint(*pick(rng, weights))


@dataclass
class Samtale:
    held_on: date
    attended: bool = True
    next_on: date | None = None
    reason: str = ""
    note: str = ""
    plan_id: int | None = None
    early: bool = False  # in the first six months

    def agree(self, next_on: date) -> None:
        self.next_on, self.reason, self.note = next_on, "", ""

    def no_next(self, reason: str, note: str = "") -> None:
        self.next_on, self.reason, self.note = None, reason, note


def attended_in_12_months(samtaler: list[Samtale], end: date) -> int:
    since = year_before(end)
    return sum(1 for s in samtaler if s.attended and since < s.held_on <= end)


class Builder:
    def __init__(self, *, kommune: Kommune, histories: list[History], today: date, main_user: User | None):
        self.rng = random.Random(SEED)
        self.kommune = kommune
        self.histories = histories
        self.today = today
        self.now = clock.now()
        self.main_user_id = main_user.pk if main_user else None
        self.coordinators = CoordinatorHistory(kommune)
        # The plan revisions written "after an opfølgningssamtale on <day>": that samtale must exist.
        self.revisions: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for fid, pk, reason in (
            ActionPlan.objects.filter(forloeb__kommune=kommune, revision_reason__startswith="Opfølgningssamtale den ")
            .order_by("forloeb_id", "version")
            .values_list("forloeb_id", "id", "revision_reason")
        ):
            match = REVISION_DATE.match(reason)
            if match:
                d, m, y = (int(g) for g in match.groups())
                self.revisions[fid].append((date(y, m, d), pk))
        end_of_week = today + timedelta(days=6 - today.weekday())
        soon = [today + timedelta(days=k) for k in range((end_of_week - today).days + 1)]
        self.soon_days = [d for d in soon if d.weekday() < 5] or [today]
        self.rows: list[FollowUpMeeting] = []
        self.moments: list[datetime] = []
        self.habits: Counter = Counter()
        self.in_12_months: list[int] = []
        self.latest: list[Samtale] = []  # the latest samtale of every open forløb
        self.latest_attended: list[FollowUpMeeting] = []
        self.gaps: list[int] = []
        self.linked = 0
        self.misfits = 0

    # -- The dates of one forløb --------------------------------------------------------------------

    def walk(self, habit: str, next_share: float, start: date, end: date) -> list[Samtale]:
        """The samtaler from `start` to `end` for a habit, with agreed dates and reasons."""
        rng = self.rng
        early_days, later_days = AGREED_DAYS[habit]
        samtaler: list[Samtale] = []
        day = workday(start + timedelta(days=rng.randint(0, FIRST_WITHIN_DAYS)))
        while day <= end:
            s = Samtale(day, attended=rng.random() >= NO_SHOW, early=(day - start).days < EARLY_DAYS)
            if not s.attended:
                agreed_on = workday(day + timedelta(days=rng.randint(*REBOOK_DAYS)))
                if rng.random() < 0.9:
                    s.agree(agreed_on)
                else:
                    s.no_next(NoNextReason.OTHER, NO_SHOW_NOTE)
                held_next = agreed_on + timedelta(days=rng.randint(0, 7))
            else:
                gap = days_from(rng, early_days if s.early else later_days)
                agreed_on = workday(day + timedelta(days=gap))
                if rng.random() < next_share:
                    s.agree(agreed_on)
                    held_next = agreed_on + timedelta(days=days_from(rng, SLIP_DAYS[habit]))
                else:
                    s.no_next(NoNextReason.OTHER, rng.choice(NO_NEXT_NOTES))
                    held_next = agreed_on + timedelta(days=rng.randint(0, 21))
            samtaler.append(s)
            day = workday(max(held_next, day + timedelta(days=7)))
        return samtaler

    def ending(self, h: History, samtaler: list[Samtale], start: date) -> None:
        """The last samtale before a closed forløb's end (or an open one's planned end) says so."""
        rng, plan, f = self.rng, h.plan, h.forloeb
        if plan.closed_on is not None:
            last = samtaler[-1] if samtaler else None
            if plan.outcome in UNEXPECTED:
                return
            if rng.random() < FAREWELL_SHARE and (last is None or (plan.closed_on - last.held_on).days > 14):
                day = workday(plan.closed_on - timedelta(days=rng.randint(0, 10)), -1)
                if day >= start and (last is None or day >= last.held_on + timedelta(days=7)):
                    samtaler.append(Samtale(day))
            if samtaler and samtaler[-1].attended:
                samtaler[-1].no_next(NoNextReason.ENDING)
            return
        last = samtaler[-1] if samtaler else None
        ends_before_next = last and last.next_on and f.planned_end_date and last.next_on > f.planned_end_date
        if ends_before_next and last.attended and rng.random() < 0.5:
            last.no_next(NoNextReason.ENDING)

    def genforelaeggelser(self, h: History, samtaler: list[Samtale]) -> None:
        for step in h.plan.steps:
            if step.transition != "genforelaeggelse":
                continue
            before = [s for s in samtaler if step.on - timedelta(days=60) <= s.held_on <= step.on and s.attended]
            if before and self.rng.random() < GENFOR_REASON_SHARE:
                before[-1].no_next(NoNextReason.GENFORELAEGGELSE)

    def revision_samtaler(self, fid: int, samtaler: list[Samtale], start: date, end: date) -> list[Samtale]:
        """A samtale on the day of every plan revision made after one (replacing one close by)."""
        for day, plan_id in self.revisions.get(fid, ()):
            if not start <= day <= end:
                continue
            samtaler = [s for s in samtaler if abs((s.held_on - day).days) > 10]
            samtaler.append(Samtale(day, plan_id=plan_id))
            samtaler.sort(key=lambda s: s.held_on)
            i = samtaler.index(next(s for s in samtaler if s.plan_id == plan_id))
            after = samtaler[i + 1].held_on if i + 1 < len(samtaler) else workday(day + timedelta(days=42))
            samtaler[i].agree(after)
        return samtaler

    def main_login_today(self, samtaler: list[Samtale], start: date, mode: str) -> list[Samtale]:
        """Shape the end of one of the demo login's forløb: due this week ("soon") or overdue."""
        rng = self.rng
        due = (
            rng.choice(self.soon_days)
            if mode == "soon"
            else workday(self.today - timedelta(days=rng.randint(3, 40)), -1)
        )
        last_on = workday(due - timedelta(days=rng.randint(28, 49)), -1)
        kept = [s for s in samtaler if s.held_on < last_on - timedelta(days=7)]
        if last_on < start or any(s.plan_id for s in samtaler[len(kept) :]):
            return samtaler  # too new, or a revision samtale would go: leave it as it fell
        if kept and kept[-1].next_on and kept[-1].next_on > last_on:
            kept[-1].agree(last_on)
        last = Samtale(last_on)
        last.agree(due)
        return [*kept, last]

    def dates(self, h: History, start: date, end: date, habit: str, main_mode: str | None) -> list[Samtale]:
        rng = self.rng
        long_enough = year_before(end) >= start
        next_share = pick(rng, NEXT_DATE_HABIT)
        lo, hi = IN_12_MONTHS[habit]
        for _ in range(MAX_TRIES):
            samtaler = self.walk(habit, next_share, start, end)
            samtaler = self.revision_samtaler(h.forloeb.pk, samtaler, start, end)
            self.genforelaeggelser(h, samtaler)
            self.ending(h, samtaler, start)
            if main_mode:
                samtaler = self.main_login_today(samtaler, start, main_mode)
            if not long_enough or lo <= attended_in_12_months(samtaler, end) <= hi:
                break
        else:
            self.misfits += 1  # kept as the last try fell
        for s in samtaler:  # a date agreed must lie after the samtale (the check constraint)
            if s.next_on is not None and s.next_on <= s.held_on:
                s.agree(workday(s.held_on + timedelta(days=28)))
        return samtaler

    # -- The rows ---------------------------------------------------------------------------------

    def row(self, f, s: Samtale) -> FollowUpMeeting:
        rng = self.rng
        group = s.attended and rng.random() < (EARLY_GROUP_SHARE if s.early else GROUP_SHARE)
        held_at = None
        if rng.random() < TIMED_SHARE:
            slot = time(10, 0) if group else time(8 + rng.randint(0, 6), rng.choice((0, 15, 30, 45)))
            held_at = datetime.combine(s.held_on, slot, tzinfo=COPENHAGEN)
            if held_at > self.now:
                held_at = None
        user_id = self.coordinators.on(f.pk, s.held_on)
        row = FollowUpMeeting(
            forloeb=f,
            held_on=s.held_on,
            held_at=held_at,
            setting=SamtaleSetting.GROUP if group else SamtaleSetting.INDIVIDUAL,
            channel=pick(rng, GROUP_CHANNEL if group else CHANNEL),
            held_by_id=user_id,
            borger_attended=s.attended,
            next_on=s.next_on,
            no_next_reason=s.reason,
            no_next_note=s.note,
            plan_revision_id=s.plan_id,
            created_by_id=user_id,
        )
        if s.attended:  # the app requires the status of an attended samtale (followup.services.followup_errors)
            row.status_on_interventions = rng.choice(STATUS).format(h=rng.randint(4, 20))
            if rng.random() < AGREEMENT_SHARE or s.plan_id:
                row.new_agreements = rng.choice(AGREEMENTS)
            if rng.random() < MENTOR_SHARE:
                row.mentor_need_assessed = True
                row.mentor_assessment = rng.choice(MENTOR_ASSESSMENTS)
            if rng.random() < PERSPECTIVE_SHARE:
                row.borger_perspective = rng.choice(PERSPECTIVES)
        moment = (held_at or datetime.combine(s.held_on, time(15, 0), tzinfo=COPENHAGEN)) + timedelta(minutes=50)
        self.rows.append(row)
        self.moments.append(min(moment, self.now))
        return row

    def span(self, h: History) -> tuple[date | None, date]:
        return h.forloeb.start_date, min(h.plan.closed_on or self.today, self.today)

    def forloeb(self, h: History, habit: str, main_mode: str | None) -> None:
        f, plan = h.forloeb, h.plan
        start, end = self.span(h)
        if start is None or start > end:
            return
        samtaler = self.dates(h, start, end, habit, main_mode)
        self.habits[habit] += 1
        if year_before(end) >= start:
            self.in_12_months.append(attended_in_12_months(samtaler, end))
        rows = [self.row(f, s) for s in samtaler]
        self.gaps += [(b.held_on - a.held_on).days for a, b in zip(samtaler, samtaler[1:], strict=False)]
        self.linked += sum(1 for s in samtaler if s.plan_id)
        if samtaler and plan.closed_on is None:
            self.latest.append(samtaler[-1])
        attended = [r for r in rows if r.borger_attended]
        if attended:
            self.latest_attended.append(attended[-1])

    def main_modes(self) -> dict[int, str]:
        """The demo login's open, granted forløb that get a samtale due this week or overdue today."""
        if self.main_user_id is None:
            return {}
        mine = [
            h.forloeb.pk
            for h in self.histories
            if h.forloeb.current_coordinator_id == self.main_user_id
            and h.plan.closed_on is None
            and h.forloeb.start_date is not None
            and h.forloeb.start_date <= self.today - timedelta(days=120)
        ]
        chosen = self.rng.sample(mine, min(len(mine), MAIN_DUE_SOON + MAIN_OVERDUE))
        return {pk: "soon" if i < MAIN_DUE_SOON else "overdue" for i, pk in enumerate(chosen)}

    def habits_of(self) -> dict[int, str]:
        """The habit of every forløb; those that have lasted 12 months get them in the audit's
        proportions exactly (the rest by chance)."""
        rng = self.rng
        long = []
        for h in self.histories:
            start, end = self.span(h)
            if start is not None and year_before(end) >= start:
                long.append(h.forloeb.pk)
        total = sum(HABITS.values())
        quota = []
        for habit, weight in HABITS.items():
            quota += [habit] * round(weight / total * len(long))
        quota = (quota + [next(iter(HABITS))] * len(long))[: len(long)]
        rng.shuffle(quota)
        habits = dict(zip(long, quota, strict=True))
        return {h.forloeb.pk: habits.get(h.forloeb.pk) or pick(rng, HABITS) for h in self.histories}

    def build(self) -> dict:
        modes = self.main_modes()
        habits = self.habits_of()
        for h in self.histories:
            self.forloeb(h, habits[h.forloeb.pk], modes.get(h.forloeb.pk))
        FollowUpMeeting.objects.bulk_create(self.rows, batch_size=5000)
        set_moments(FollowUpMeeting, "created_at", [(r.pk, m) for r, m in zip(self.rows, self.moments, strict=True)])
        return self.counts()

    def counts(self) -> dict:
        rows, n12 = self.rows, self.in_12_months

        def share(pred, items) -> float:
            items = list(items)
            return sum(1 for x in items if pred(x)) / len(items) if items else 0.0

        latest = self.latest_attended
        return {
            "samtaler": len(rows),
            "forloeb": len({r.forloeb_id for r in rows}),
            "no_shows": sum(1 for r in rows if not r.borger_attended),
            "group": sum(1 for r in rows if r.setting == SamtaleSetting.GROUP),
            "remote": sum(1 for r in rows if r.channel != SamtaleChannel.IN_PERSON),
            "plan_revisions": self.linked,
            "habits": dict(self.habits),
            "misfits": self.misfits,
            "lasted_12_months": len(n12),
            "six_or_more": share(lambda n: n >= 6, n12),
            "four_or_five": share(lambda n: 4 <= n <= 5, n12),
            "three_or_less": share(lambda n: n <= 3, n12),
            "more_than_six": share(lambda n: n > 6, n12),
            "gaps_4_to_10_weeks": share(lambda d: 28 <= d <= 70, self.gaps),
            "with_next_on": share(lambda r: r.next_on is not None, rows),
            "latest_with_next_on": share(lambda s: s.next_on is not None, self.latest),
            "latest_status": share(lambda r: bool(r.status_on_interventions), latest),
            "latest_agreements": share(lambda r: bool(r.new_agreements), latest),
            "latest_mentor": share(lambda r: r.mentor_need_assessed, latest),
            "latest_perspective": share(lambda r: bool(r.borger_perspective), latest),
        }


def build(*, kommune: Kommune, histories: list[History], today: date, main_user: User | None = None) -> dict:
    """Create the opfølgningssamtaler of every granted forløb; return counts for the summary."""
    return Builder(kommune=kommune, histories=histories, today=today, main_user=main_user).build()


def summary_lines(counts: dict) -> list[str]:
    def pct(x: float) -> str:
        return f"{100 * x:.0f} %"

    lines = [
        f"{counts['samtaler']} opfølgningssamtaler i {counts['forloeb']} forløb ({counts['no_shows']} udeblivelser, "
        f"{counts['group']} gruppesamtaler, {counts['remote']} på telefon eller video, {counts['plan_revisions']} "
        f"med revision af indsatsplanen); næste samtale aftalt i {pct(counts['with_next_on'])} af samtalerne.",
        f"Forløb, der har varet mindst 12 måneder ({counts['lasted_12_months']}): mindst seks samtaler de seneste "
        f"12 måneder i {pct(counts['six_or_more'])}, fire-fem i {pct(counts['four_or_five'])}, højst tre i "
        f"{pct(counts['three_or_less'])}.",
        f"Seneste samtale: status på indsatserne {pct(counts['latest_status'])}, nye aftaler "
        f"{pct(counts['latest_agreements'])}, behov for mentorstøtte vurderet {pct(counts['latest_mentor'])}, "
        f"borgerens perspektiv {pct(counts['latest_perspective'])}; næste samtale aftalt i "
        f"{pct(counts['latest_with_next_on'])} af de åbne forløb.",
    ]
    flags = counts.get("flags")
    if flags is not None:
        shown = ", ".join(f"{rule} {n}" for rule, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])) if n)
        lines.append(f"Advarsler rejst ved evalueringen i dag: {sum(flags.values())} ({shown or 'ingen'}).")
    return lines
