"""`manage.py seed_demo`: the demo kommune a new user meets on the first `make run`."""

import io
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from datetime import time as dtime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from stdnum.dk import cvr as stdnum_cvr

from cases import clock
from cases.models import (
    Borger,
    CoordinatorAssignment,
    Forloeb,
    Outcome,
    Phase,
    PhaseTransition,
    Role,
    Sector,
    Team,
    TeamMembership,
    User,
    validate_cpr,
)
from cases.rulepacks import rulepack_on
from demo.management.commands.seed_demo import DEMO_LOGINS, PASSWORD, login_table, place_open, stopped_on
from demo.rehab_data import COPENHAGEN, TEAM_NAME
from followup import selectors as followup_selectors
from followup.models import EvaluationRun, Flag, FollowUpMeeting, NoNextReason
from plans import selectors as plan_selectors
from plans.models import (
    STARTED_STATUSES,
    ActionPlan,
    Consent,
    CoordinationNote,
    Forvaltning,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    Milestone,
    OtherCase,
    PlanItem,
    ProblemArea,
    ProblemAreaKind,
    ProblemSource,
    Progress,
)
from rehab import rules as rehab_rules
from rehab import services as rehab_services
from rehab.models import (
    REQUIRED_SECTORS,
    AgendaItem,
    Decision,
    DocumentKind,
    Goal,
    GoalKind,
    HealthDocument,
    HealthForm,
    MeetingPhase,
    Ordning,
    PreparatoryPart,
    Recommendation,
    RecommendedIntervention,
    RehabTeam,
    TeamMeeting,
)

CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


# The demo is laid out relative to today and follows the law on every date (make test runs it with the
# clock moved one and three years ahead). The 2026 reform stopped new ressourceforløb; running forløb
# continue (a grant lasts at most three years since 2022), so after the stop fewer and fewer are granted
# for the first time, running or followed up, and a share of the audit that needs them is asserted
# only while they are there in numbers.
def days_since_the_stop(today=None) -> float:
    """Days since the law stopped new ressourceforløb; minus infinity while it grants them."""
    today = today or clock.today()
    stop = stopped_on(today)
    return float("-inf") if stop is None else (today - stop).days


def first_grants_still_recent() -> bool:
    """Forløb granted for the first time are still waiting to start (indsatsdel takes up to six months)."""
    return days_since_the_stop() < 180


def running_forloeb_in_numbers() -> bool:
    """Enough granted forløb still run for the demo login's Min dag and the overdue flags."""
    return days_since_the_stop() < 2 * 365


def running_forloeb_possible() -> bool:
    """A forløb granted before the stop can still run (three years, more after a genforelæggelse)."""
    return days_since_the_stop() < 3 * 365


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        started = time.monotonic()
        call_command("seed_demo", stdout=out)
        seconds = time.monotonic() - started
        print(f"\nseed_demo took {seconds:.2f} s")
        yield SimpleNamespace(output=out.getvalue(), seconds=seconds)
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_the_seed_prints_a_summary_and_the_logins(demo):
    print(f"seed_demo took {demo.seconds:.2f} s")
    assert "Forløb pr. fase" in demo.output
    assert "Rehabiliteringsteamet:" in demo.output and "indstillinger" in demo.output
    assert "Iværksættelse" in demo.output
    assert login_table() in demo.output
    assert PASSWORD in demo.output


def test_the_kommune_has_teams_caseworkers_a_team_leader_and_rehab_members(demo):
    teams = set(Team.objects.values_list("name", flat=True))
    assert len(teams) >= 3
    caseworkers = User.objects.filter(role=Role.COORDINATOR, username__startswith="ks")
    assert caseworkers.count() >= 12
    assert all(u.first_name and u.last_name for u in caseworkers)
    for team in Team.objects.all():
        assert team.members.filter(role=Role.COORDINATOR).count() >= 4

    leader = User.objects.get(username="teamleder", role=Role.TEAM_LEADER)
    assert set(leader.teams.values_list("name", flat=True)) == teams

    karin = User.objects.get(username="sagsbehandler", role=Role.COORDINATOR)
    assert list(karin.teams.values_list("name", flat=True)) == ["Team Nord"]
    mine = Forloeb.objects.filter(current_coordinator=karin)
    assert 35 <= mine.count() <= 45
    assert mine.open().count() > mine.count() / 2

    rehab = User.objects.filter(role=Role.REHAB_MEMBER)
    assert set(rehab.values_list("sector", flat=True)) == set(Sector.values)
    for sector in Sector:
        assert rehab.filter(username=f"rehab-{sector.value.replace('_', '-')}", sector=sector).exists()
    assert rehab.get(username="rehab").sector == Sector.MUNICIPAL_HEALTH
    assert not TeamMembership.objects.filter(user__role=Role.REHAB_MEMBER).exists()

    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMINISTRATOR and admin.is_staff and admin.is_superuser


def test_every_demo_login_in_the_table_exists(demo):
    assert set(User.objects.values_list("username", flat=True)) >= {login.username for login in DEMO_LOGINS}
    assert all(u.kommune_id for u in User.objects.all())


@pytest.mark.parametrize("username", ["sagsbehandler", "teamleder", "rehab", "admin", "ks07"])
def test_the_demo_logins_can_log_in(demo, client, username):
    assert client.login(username=username, password=PASSWORD)


def test_600_borgere_with_fictitious_cpr_numbers(demo):
    cprs = list(Borger.objects.values_list("cpr", flat=True))
    assert len(cprs) == 600
    for cpr in cprs:
        assert validate_cpr(cpr) == cpr
        assert sum(int(d) * w for d, w in zip(cpr, CPR_WEIGHTS, strict=True)) % 11 != 0, cpr
    today = timezone.localdate()
    for borger in Borger.objects.all()[:100]:
        assert borger.first_name and borger.last_name and borger.address
        assert 20 <= (today - borger.birth_date).days // 365.25 <= 64


def test_forloeb_cover_every_phase_and_the_years_2019_until_now(demo):
    phases = Counter(Forloeb.objects.values_list("phase", flat=True))
    expected = set(Phase.values)
    if not first_grants_still_recent():  # only after a genforelæggelse, ever fewer
        expected.discard(Phase.INDSATSDEL)
    if not running_forloeb_possible():
        expected.discard(Phase.IVAERKSAETTELSE)
    assert set(phases) >= expected
    # New cases after the stop go to the rehabiliteringsteam, but never get a ressourceforløb.
    stop = stopped_on(clock.today())
    if stop is not None:
        after_the_stop = Forloeb.objects.filter(opened_on__gte=stop)
        assert not after_the_stop.filter(start_date__isnull=False).exists()
        assert not Decision.objects.filter(forloeb__in=after_the_stop, ordning=Ordning.RESSOURCEFORLOEB).exists()
        assert not Recommendation.objects.filter(
            forloeb__in=after_the_stop, given_on__gte=stop, ordning=Ordning.RESSOURCEFORLOEB
        ).exists()
        if clock.today() >= stop + timedelta(days=365):
            assert after_the_stop.count() > 50
    years = set(Forloeb.objects.values_list("opened_on__year", flat=True))
    assert years >= set(range(2019, timezone.localdate().year + 1))
    assert not Forloeb.objects.filter(opened_on__gt=timezone.localdate()).exists()

    def mean_opened(phase):
        return statistics.mean(
            d.toordinal() for d in Forloeb.objects.filter(phase=phase).values_list("opened_on", flat=True)
        )

    if phases[Phase.IVAERKSAETTELSE]:
        assert mean_opened(Phase.FORBEREDENDE_DEL) > mean_opened(Phase.IVAERKSAETTELSE) > mean_opened(Phase.AFSLUTTET)
    assert mean_opened(Phase.FORBEREDENDE_DEL) > mean_opened(Phase.AFSLUTTET)


def test_some_borgere_have_an_earlier_closed_forloeb(demo):
    open_per_borger = Counter(Forloeb.objects.open().values_list("borger_id", flat=True))
    assert max(open_per_borger.values()) == 1
    earlier = Forloeb.objects.filter(sequence_no=1, borger__forloeb__sequence_no=2)
    assert 30 <= earlier.count() <= 90
    assert not earlier.exclude(phase=Phase.AFSLUTTET).exists()
    for first in earlier.select_related("borger")[:20]:
        second = first.borger.forloeb.get(sequence_no=2)
        assert first.closed_on <= second.opened_on


def test_closed_forloeb_have_an_outcome_mostly_foertidspension(demo):
    closed = Forloeb.objects.filter(phase=Phase.AFSLUTTET)
    assert not closed.filter(outcome="").exists()
    assert not closed.filter(closed_on__isnull=True).exists()
    assert not Forloeb.objects.open().exclude(outcome="").exists()
    outcomes = Counter(closed.values_list("outcome", flat=True))
    assert outcomes.most_common(1)[0][0] == Outcome.FOERTIDSPENSION


def test_the_transition_log_matches_every_forloeb(demo):
    log = defaultdict(list)
    for t in PhaseTransition.objects.order_by("at", "id"):
        log[t.forloeb_id].append(t)
    now = timezone.now()
    genforelagt = 0
    for forloeb in Forloeb.objects.all():
        steps = log[forloeb.pk]
        if forloeb.phase == Phase.FORBEREDENDE_DEL and not steps:
            continue
        assert steps, forloeb.pk
        assert steps[0].from_phase == Phase.FORBEREDENDE_DEL
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_phase == before.to_phase
            assert after.at > before.at
        assert steps[-1].to_phase == forloeb.phase
        assert forloeb.phase_changed_at == steps[-1].at
        assert steps[-1].at <= now
        assert all(getattr(Forloeb, t.transition) for t in steps)
        assert all(t.actor_id for t in steps)
        genforelagt += any(t.transition == "genforelaeggelse" for t in steps)
        if forloeb.phase == Phase.AFSLUTTET:
            assert steps[-1].transition == "close" and steps[-1].outcome == forloeb.outcome
        if forloeb.start_date:
            assert forloeb.planned_end_date > forloeb.start_date
    assert genforelagt >= 10
    assert not PhaseTransition.objects.filter(transition="genforelaeggelse", reason="").exists()
    assert not Forloeb.objects.filter(phase=Phase.IVAERKSAETTELSE, start_date__isnull=True).exists()


def test_every_forloeb_has_one_current_coordinator_from_its_team(demo):
    members = set(TeamMembership.objects.values_list("user_id", "team_id"))
    current = defaultdict(list)
    counts = Counter()
    for a in CoordinatorAssignment.objects.all():
        counts[a.forloeb_id] += 1
        if a.valid_to is None:
            current[a.forloeb_id].append(a.coordinator_id)
    for forloeb in Forloeb.objects.all():
        assert current[forloeb.pk] == [forloeb.current_coordinator_id]
        assert (forloeb.current_coordinator_id, forloeb.team_id) in members
    handed_over = sum(1 for n in counts.values() if n > 1)
    assert 0.15 < handed_over / Forloeb.objects.count() < 0.35


def test_a_second_run_does_nothing_with_if_empty_and_refuses_without(demo):
    before = (Borger.objects.count(), Forloeb.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "allerede" in out.getvalue()
    assert "sagsbehandler" in out.getvalue()  # make run shows the logins on every start
    assert (Borger.objects.count(), Forloeb.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError, match="allerede"):
        call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match="findes allerede"):
        call_command("seed_demo", "--force", stdout=io.StringIO())
    assert (Borger.objects.count(), Forloeb.objects.count(), User.objects.count()) == before


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2027, 12, 3), date(2029, 12, 3), date(2030, 12, 31)])
@pytest.mark.parametrize(
    "target", [Phase.REHABILITERINGSTEAM, Phase.INDSTILLING, Phase.INDSATSDEL, Phase.IVAERKSAETTELSE]
)
def test_years_after_the_reform_every_borger_still_gets_a_forloeb_the_law_allows(today, target):
    stop = stopped_on(today)
    rng, shares = random.Random(7), {}
    for genforelaeggelse in (False, True):
        for _ in range(5):
            plan = place_open(rng, target, today, genforelaeggelse=genforelaeggelse, shares=shares)
            assert plan.opened_on <= today and (plan.closed_on is None or plan.closed_on < today)
            assert plan.phase in (target, Phase.AFSLUTTET)
            if plan.start_date is not None:  # granted: only a case begun before the stop
                assert plan.opened_on < stop
    if target in (Phase.INDSATSDEL, Phase.IVAERKSAETTELSE):  # ever fewer still run
        assert shares[(target, False)] < 1


def test_print_logins_only_prints_the_table(db):
    before = (Borger.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--print-logins", stdout=out)
    assert out.getvalue().strip() == login_table().strip()
    assert "sagsbehandler" in out.getvalue() and PASSWORD in out.getvalue()
    assert (Borger.objects.count(), User.objects.count()) == before


# --- The rehabiliteringsteam's side ----------------------------------------------------------------


def transitions_by_forloeb():
    log = defaultdict(list)
    for t in PhaseTransition.objects.order_by("at", "id"):
        log[t.forloeb_id].append(t)
    return log


def local_day(moment):
    return timezone.localtime(moment, COPENHAGEN).date()


def test_the_rehab_team_has_a_member_for_every_sector(demo):
    team = RehabTeam.objects.get(name=TEAM_NAME)
    sectors = Counter(team.memberships.values_list("sector", flat=True))
    assert set(sectors) == set(Sector.values)
    assert set(REQUIRED_SECTORS) <= set(sectors)
    for membership in team.memberships.select_related("user"):
        assert membership.user.role == Role.REHAB_MEMBER and membership.sector == membership.user.sector


def test_weekly_tuesday_meetings_from_the_first_cases_until_six_weeks_ahead(demo):
    starts = [timezone.localtime(m, COPENHAGEN) for m in TeamMeeting.objects.values_list("starts_at", flat=True)]
    assert len(starts) > 300
    assert all(s.weekday() == 1 and s.time() == dtime(9, 0) for s in starts)
    assert min(starts).year == 2019
    assert max(starts).date() >= timezone.localdate() + timedelta(weeks=5)
    gaps = Counter((b - a).days for a, b in zip(starts, starts[1:], strict=False))
    assert gaps.most_common(1)[0][0] == 7 and max(gaps) <= 21  # no meetings on the Christmas holidays
    assert set(TeamMeeting.objects.values_list("place", flat=True)) == {"Jobcentret, mødelokale 2"}


def test_no_agenda_slot_is_double_booked_and_attendance_is_recorded_for_past_meetings(demo):
    items = list(AgendaItem.objects.select_related("meeting"))
    assert max(Counter((i.meeting_id, i.slot_start) for i in items).values()) == 1
    assert max(Counter((i.meeting_id, i.forloeb_id) for i in items).values()) == 1
    now = timezone.now()
    past = [i for i in items if i.meeting.starts_at < now]
    upcoming = [i for i in items if i.meeting.starts_at > now]
    for item in past:
        assert len(set(REQUIRED_SECTORS) & set(item.sectors_present)) >= 4
        assert item.borger_present is not None
    required_all = sum(set(REQUIRED_SECTORS) <= set(i.sectors_present) for i in past)
    assert 0.7 < required_all / len(past) < 0.97
    assert 0.8 < sum(bool(i.borger_present) for i in past) / len(past) < 1
    assert all(i.sectors_present == [] and i.borger_present is None for i in upcoming)
    assert all(dtime(9, 0) <= i.slot_start < dtime(15, 0) and i.slot_minutes == 30 for i in items)


def test_forloeb_awaiting_the_team_are_mostly_booked_on_an_upcoming_meeting(demo):
    waiting = Forloeb.objects.filter(phase=Phase.REHABILITERINGSTEAM)
    now = timezone.now()
    booked = AgendaItem.objects.filter(forloeb__in=waiting, meeting__starts_at__gt=now)
    assert booked.count() == booked.values("forloeb").distinct().count()
    assert 0.6 * waiting.count() <= booked.count() < waiting.count()
    assert not AgendaItem.objects.filter(recommendation__isnull=True, meeting__starts_at__lt=now).exists()


def test_every_forloeb_past_the_forberedende_del_has_a_complete_part_and_a_received_lae265(demo):
    log = transitions_by_forloeb()
    assert PreparatoryPart.objects.count() == Forloeb.objects.count()
    past = Forloeb.objects.filter(pk__in=[pk for pk, steps in log.items() if steps[0].transition == "to_rehab_team"])
    assert past.count() > 400
    lae265 = {
        d.forloeb_id: d.received_on
        for d in HealthDocument.objects.filter(form=HealthForm.LAE265, received_on__isnull=False)
    }
    for forloeb in past:
        sent_on = local_day(log[forloeb.pk][0].at)
        checklist = rehab_rules.preparatory_checklist(forloeb)
        assert all(item.done for item in checklist), (forloeb.pk, [i.label for i in checklist if not i.done])
        assert lae265[forloeb.pk] < sent_on
        part = forloeb.preparatory_part
        assert part.work_started_on <= part.signed_by_borger_on <= sent_on


def test_the_forberedende_dele_in_progress_vary(demo):
    in_progress = Forloeb.objects.filter(phase=Phase.FORBEREDENDE_DEL)
    done = Counter(sum(item.done for item in rehab_rules.preparatory_checklist(f)) for f in in_progress)
    complete = done[max(done)]
    assert len(done) >= 6  # from just opened to ready for the team
    assert 0 < complete < in_progress.count() / 2
    assert PreparatoryPart.objects.filter(forloeb__in=in_progress, signed_by_borger_on__isnull=True).exists()
    assert HealthDocument.objects.filter(
        forloeb__in=in_progress, form=HealthForm.LAE265, received_on__isnull=True
    ).exists()


def test_every_indstilling_is_on_its_meeting_and_fits_the_rule_pack(demo):
    log = transitions_by_forloeb()
    recommendations = defaultdict(list)
    for rec in Recommendation.objects.select_related("agenda_item__meeting").order_by("given_on"):
        recommendations[rec.forloeb_id].append(rec)
    checked = 0
    for forloeb in Forloeb.objects.all():
        given = [t for t in log[forloeb.pk] if t.transition == "give_indstilling"]
        recs = recommendations[forloeb.pk]
        assert len(recs) == len(given), forloeb.pk
        for rec, transition in zip(recs, given, strict=True):
            meeting_day = local_day(rec.agenda_item.meeting.starts_at)
            assert rec.given_on == meeting_day < local_day(transition.at) <= meeting_day + timedelta(days=21)
            sent = [t for t in log[forloeb.pk] if t.at < transition.at][-1]
            assert sent.transition in ("to_rehab_team", "genforelaeggelse")
            assert sent.at < rec.agenda_item.meeting.starts_at and sent.at < rec.created_at < transition.at
            pack = rulepack_on(rec.given_on)
            if rec.ordning == Ordning.RESSOURCEFORLOEB:
                assert pack.min_duration_years <= rec.duration_years <= pack.max_duration_years
            else:
                assert rec.duration_years is None and rec.justification
            assert not rehab_services.duration_errors(rec.ordning, rec.duration_years, on=rec.given_on)
            checked += 1
    assert checked > 500
    in_or_after = Forloeb.objects.filter(phase__in=[Phase.INDSTILLING, Phase.INDSATSDEL, Phase.IVAERKSAETTELSE])
    assert not in_or_after.filter(recommendations__isnull=True).exists()


def test_indstillinger_reproduce_the_audit(demo):
    recs = Recommendation.objects.all()
    n = recs.count()
    years = Counter(recs.filter(ordning=Ordning.RESSOURCEFORLOEB).values_list("duration_years", flat=True))
    assert years[2] + years[3] > sum(years.values()) / 2
    late = recs.filter(sent_to_borger_on__isnull=False).extra(where=["sent_to_borger_on > given_on + 21"]).count()
    assert 0.1 < late / n < 0.35
    assert 0.01 < recs.filter(sent_to_borger_on__isnull=True).count() / n < 0.15
    assert 0.08 < recs.exclude(followup_assessment="").count() / n < 0.3
    assert recs.exclude(ordning=Ordning.RESSOURCEFORLOEB).count() > 50
    per_rec = Counter(
        RecommendedIntervention.objects.filter(recommendation__ordning=Ordning.RESSOURCEFORLOEB).values_list(
            "recommendation_id", flat=True
        )
    )
    assert len(per_rec) == recs.filter(ordning=Ordning.RESSOURCEFORLOEB).count()
    assert min(per_rec.values()) >= 2 and max(per_rec.values()) <= 5
    virksomhed = RecommendedIntervention.objects.filter(category="virksomhedsrettet")
    assert 0.3 < virksomhed.exclude(within_months=None).count() / virksomhed.count() < 0.6


def test_every_grant_has_a_decision_that_matches_the_forloeb(demo):
    log = transitions_by_forloeb()
    decisions = defaultdict(list)
    for d in Decision.objects.select_related("recommendation").order_by("decided_on", "id"):
        decisions[d.forloeb_id].append(d)
    for forloeb in Forloeb.objects.all():
        grants = [t for t in log[forloeb.pk] if t.transition == "grant"]
        granted = [d for d in decisions[forloeb.pk] if d.ordning == Ordning.RESSOURCEFORLOEB]
        assert len(granted) == len(grants), forloeb.pk
        for decision, grant in zip(granted, grants, strict=True):
            assert decision.decided_on == local_day(grant.at)
            assert decision.created_at <= grant.at
            assert decision.recommendation.given_on <= decision.decided_on
            pack = rulepack_on(decision.decided_on)
            assert pack.min_duration_years <= decision.duration_years <= pack.max_duration_years
            assert decision.follows_recommendation == (
                decision.recommendation.duration_years == decision.duration_years
            )
            assert decision.follows_recommendation or decision.deviation_reason
        if granted:
            assert granted[0].benefit_start_on == forloeb.start_date
            last = granted[-1]
            end = rehab_services.add_years(last.benefit_start_on, last.duration_years) - timedelta(days=1)
            assert end == forloeb.planned_end_date
        if forloeb.outcome in ("foertidspension", "fleksjob") and any(
            t.transition == "give_indstilling" for t in log[forloeb.pk][-2:]
        ):
            assert decisions[forloeb.pk][-1].ordning == forloeb.outcome
            assert decisions[forloeb.pk][-1].decided_on == forloeb.closed_on
    follows = Counter(Decision.objects.values_list("follows_recommendation", flat=True))
    assert 0 < follows[False] < follows[True] / 5


def test_the_guards_of_the_next_step_see_nothing_recorded_yet(demo):
    """Indstillinger and afgørelser carry the moment they were recorded (just before the phase
    change, as through the services), so an earlier round never satisfies the guards."""
    for forloeb in Forloeb.objects.filter(phase=Phase.REHABILITERINGSTEAM):
        assert not rehab_rules._recommendation_recorded(forloeb)
    for forloeb in Forloeb.objects.filter(phase=Phase.INDSTILLING):
        assert not rehab_rules._positive_decision(forloeb)


def test_goals_reproduce_the_audit(demo):
    parts = PreparatoryPart.objects.count()
    concrete_job = (
        Goal.objects.filter(document_kind=DocumentKind.FORBEREDENDE_DEL, kind=GoalKind.JOB, is_concrete=True)
        .values("object_id")
        .distinct()
        .count()
    )
    print(f"forberedende dele with a concrete jobmål: {100 * concrete_job / parts:.0f} %")
    assert 0.4 < concrete_job / parts < 0.7
    assert Goal.objects.filter(document_kind=DocumentKind.FORBEREDENDE_DEL, is_concrete=False).exists()
    assert Goal.objects.filter(
        document_kind=DocumentKind.FORBEREDENDE_DEL, kind=GoalKind.EDUCATION, is_concrete=True
    ).exists()
    recs = Recommendation.objects.filter(ordning=Ordning.RESSOURCEFORLOEB).count()
    concrete_rec = (
        Goal.objects.filter(document_kind=DocumentKind.INDSTILLING, is_concrete=True)
        .values("object_id")
        .distinct()
        .count()
    )
    assert 0.05 < concrete_rec / recs < 0.3  # the goals disappear from most indstillinger
    for goal in Goal.objects.select_related("occupation")[:300]:
        errors = rehab_services.goal_errors(
            kind=goal.kind, description=goal.description, occupation=goal.occupation, education=goal.education
        )
        assert not errors, errors


def test_health_documents_pass_the_services_checks(demo):
    fields = rehab_services.HEALTH_FIELDS
    forms = Counter()
    for doc in HealthDocument.objects.all():
        data = {f: getattr(doc, f) for f in fields}
        assert not rehab_services.health_document_errors(data), (doc.pk, data)
        forms[(doc.form, doc.phase)] += 1
    assert forms[(HealthForm.LAE261, MeetingPhase.BEFORE)] == forms[(HealthForm.LAE265, MeetingPhase.BEFORE)]
    for form in (HealthForm.LAE155, HealthForm.LAE275, HealthForm.ADVICE, HealthForm.JOURNAL):
        assert forms[(form, MeetingPhase.BEFORE)] > 20
    assert forms[(HealthForm.LAE145, MeetingPhase.AFTER)] > 50
    waits = sorted(
        (d.received_on - d.requested_on).days
        for d in HealthDocument.objects.filter(form=HealthForm.LAE265, received_on__isnull=False)
    )
    assert 14 <= waits[len(waits) // 2] <= 42 and waits[-1] > 60


# --- The indsatsplan side (demo.plans_data) ---------------------------------------------------------


IS = InterventionStatus
# R-000-04: (from status, action) -> to status; "create" starts the log.
LIFECYCLE = {
    (IS.INDSTILLET, "plan"): IS.PLANLAGT,
    (IS.PLANLAGT, "grant"): IS.BEVILGET,
    (IS.PLANLAGT, "start"): IS.IGANGSAT,
    (IS.BEVILGET, "start"): IS.IGANGSAT,
    (IS.IGANGSAT, "complete"): IS.GENNEMFOERT,
    (IS.IGANGSAT, "interrupt"): IS.AFBRUDT,
    (IS.INDSTILLET, "not_started"): IS.IKKE_IVAERKSAT,
    (IS.PLANLAGT, "not_started"): IS.IKKE_IVAERKSAT,
    (IS.BEVILGET, "not_started"): IS.IKKE_IVAERKSAT,
}


def plans_by_forloeb():
    plans = defaultdict(list)
    for plan in ActionPlan.objects.order_by("forloeb_id", "version"):
        plans[plan.forloeb_id].append(plan)
    return plans


def first_completed():
    return dict(
        ActionPlan.objects.filter(version=1, completed_on__isnull=False).values_list("forloeb_id", "completed_on")
    )


def test_the_summary_shows_the_plans_and_the_funnel(demo):
    assert "indsatsplaner" in demo.output and "koordineringsnotater" in demo.output
    assert "anbefalet → planlagt → igangsat" in demo.output and "virksomhedsrettet" in demo.output


def test_every_forloeb_in_ivaerksaettelse_has_a_completed_plan_from_the_day_it_got_there(demo):
    log = transitions_by_forloeb()
    plans = plans_by_forloeb()
    for forloeb in Forloeb.objects.all():
        entered = [local_day(t.at) for t in log[forloeb.pk] if t.transition == "start_ivaerksaettelse"]
        completed = [p for p in plans[forloeb.pk] if p.completed_on]
        if forloeb.phase == Phase.IVAERKSAETTELSE:
            assert completed, forloeb.pk
        if entered:
            assert completed and completed[0].version == 1 and completed[0].completed_on == entered[0], forloeb.pk
        else:
            assert not completed, forloeb.pk
        versions = [p.version for p in plans[forloeb.pk]]
        assert versions == list(range(1, len(versions) + 1))
        assert sum(p.completed_on is None for p in plans[forloeb.pk]) <= 1
        assert all(p.completed_on for p in plans[forloeb.pk][:-1])  # only the latest may be a draft
        for plan in plans[forloeb.pk]:
            assert local_day(plan.created_at) <= (plan.completed_on or timezone.localdate())
            assert (plan.version > 1) == bool(plan.revision_reason)
    in_indsatsdel = Forloeb.objects.filter(phase=Phase.INDSATSDEL).exclude(
        transitions__transition="start_ivaerksaettelse"
    )
    drafts = sum(bool(plans[f.pk]) for f in in_indsatsdel)
    if first_grants_still_recent():
        assert 0 < drafts < in_indsatsdel.count()
    assert not ActionPlan.objects.filter(forloeb__in=in_indsatsdel, completed_on__isnull=False).exists()
    assert ActionPlan.objects.filter(completed_on__isnull=False, version__gt=1).count() > 20


def test_every_completed_version_has_what_plan_complete_requires(demo):
    completed = ActionPlan.objects.filter(completed_on__isnull=False).prefetch_related("goals", "milestones")
    concrete = 0
    for plan in completed:
        assert plan.goals.all(), plan.pk
        assert plan.milestones.all(), plan.pk
        assert plan.coordinator_id and plan.borger_perspective
        assert plan.followup_cadence_weeks or plan.followup_agreement
        assert plan.items.exists(), plan.pk
        concrete += plan.version == 1 and any(g.is_concrete for g in plan.goals.all())
        if plan.version == 1:
            assert 2 <= len(plan.milestones.all()) <= 4
    v1 = completed.filter(version=1).count()
    assert 0.05 < concrete / v1 < 0.3  # §3.1: 82 % of the indsatsdele have no concrete goal
    assert not PlanItem.objects.filter(plan__completed_on__isnull=True).exists()
    assert not PlanItem.objects.filter(status=IS.IKKE_IVAERKSAT).exists()
    team_of = dict(Forloeb.objects.values_list("pk", "team_id"))
    members = set(TeamMembership.objects.values_list("user_id", "team_id"))
    assert all((p.coordinator_id, team_of[p.forloeb_id]) in members for p in completed)
    lineages = Counter(Milestone.objects.values_list("lineage", flat=True))
    assert max(lineages.values()) > 1  # revisions carry the delmål over


def test_the_funnel_totals_show_the_loss(demo):
    totals = defaultdict(lambda: [0, 0, 0])
    for forloeb in Forloeb.objects.filter(pk__in=first_completed()):
        for row in plan_selectors.funnel(forloeb=forloeb):
            for i, n in enumerate((row.recommended, row.planned, row.started)):
                totals[row.category][i] += n
    for category, (recommended, planned, started) in totals.items():
        print(f"{category}: {recommended} → {planned} → {started}")
    recommended, planned, started = totals["virksomhedsrettet"]
    assert recommended > planned > started > 0
    assert planned / recommended < 0.75 and started / recommended < 0.55

    def share_started(category):
        return totals[category][2] / totals[category][0]

    assert share_started("virksomhedsrettet") < min(share_started("mentor"), share_started("sundhed_kommunal"))


def test_of_the_recommended_about_half_are_planned_and_fewer_started(demo):
    with_plan = set(first_completed())
    recommended = Counter(
        RecommendedIntervention.objects.filter(recommendation__forloeb__in=with_plan).values_list("category", flat=True)
    )
    planned_ids = set(InterventionEvent.objects.filter(to_status=IS.PLANLAGT).values_list("intervention_id", flat=True))
    planned, started = Counter(), Counter()
    for i in Intervention.objects.filter(forloeb__in=with_plan, recommended__isnull=False):
        planned[i.category] += i.pk in planned_ids
        started[i.category] += i.status in STARTED_STATUSES
    for category in ("virksomhedsrettet", "mentor", "sundhed_kommunal", "social"):
        print(category, recommended[category], planned[category], started[category])
        assert 0.4 < planned[category] / recommended[category] < 0.72, category
        # The audit's own ratio for health is 48/81 = 0.59 (fokusrevision §3.4); the share grows as the demo ages.
        assert 0.2 < started[category] / recommended[category] < 0.62, category
    assert (
        not Intervention.objects.filter(recommended__isnull=False, forloeb__in=with_plan)
        .exclude(recommended__recommendation__forloeb=F("forloeb"))
        .exists()
    )


def test_statuses_and_events_are_consistent(demo):
    today = timezone.localdate()
    events = defaultdict(list)
    for event in InterventionEvent.objects.order_by("at", "id"):
        events[event.intervention_id].append(event)
    team_of = dict(Forloeb.objects.values_list("pk", "team_id"))
    members = set(TeamMembership.objects.values_list("user_id", "team_id"))
    interventions = list(Intervention.objects.select_related("type"))
    assert len(interventions) > 500
    for i in interventions:
        log = events[i.pk]
        assert log and log[0].action == "create" and log[0].from_status == "", i.pk
        assert log[0].to_status == (IS.INDSTILLET if i.recommended_id else IS.PLANLAGT), i.pk
        for before, after in zip(log, log[1:], strict=False):
            assert after.from_status == before.to_status, i.pk
            assert LIFECYCLE[(after.from_status, after.action)] == after.to_status, i.pk
        assert log[-1].to_status == i.status, i.pk
        assert all(e.on <= today and (e.actor_id, team_of[i.forloeb_id]) in members for e in log)
        assert local_day(i.created_at) == log[0].on
        starts = [e.on for e in log if e.action == "start"]
        ends = [e.on for e in log if e.action in ("complete", "interrupt")]
        assert i.actual_start == (starts[0] if starts else None), i.pk
        assert i.actual_end == (ends[0] if ends else None), i.pk
        assert (i.status in STARTED_STATUSES) == (i.actual_start is not None), i.pk  # planned never read as done
        if i.actual_end:
            assert i.actual_start <= i.actual_end
        if i.status in (IS.AFBRUDT, IS.IKKE_IVAERKSAT):
            assert i.status_reason and log[-1].reason == i.status_reason, i.pk
        if i.planned_start and i.planned_end:
            assert i.planned_start <= i.planned_end
        assert i.type.category == i.category
        if i.category == "virksomhedsrettet" and i.status in (IS.BEVILGET, *STARTED_STATUSES):
            assert stdnum_cvr.is_valid(i.employer_cvr) and len(i.employer_cvr) == 8, i.pk
        elif i.employer_cvr:
            assert stdnum_cvr.is_valid(i.employer_cvr)
    # Every recommended indsats was decided before its plan was completed (plan_complete requires it).
    drafts = set(ActionPlan.objects.filter(completed_on__isnull=True).values_list("forloeb_id", flat=True))
    assert not Intervention.objects.filter(status=IS.INDSTILLET).exclude(forloeb__in=drafts).exists()


def test_the_plan_items_freeze_each_version_as_it_stood(demo):
    events = defaultdict(list)
    for event in InterventionEvent.objects.order_by("at", "id"):
        events[event.intervention_id].append(event)
    checked = 0
    for item in PlanItem.objects.select_related("plan", "intervention")[:1500]:
        day = item.plan.completed_on
        log = [e for e in events[item.intervention_id] if local_day(e.at) <= day]
        assert log and log[-1].to_status == item.status, item.pk
        assert item.plan.forloeb_id == item.intervention.forloeb_id
        checked += 1
    assert checked > 500
    changed = PlanItem.objects.exclude(status=F("intervention__status")).count()
    assert changed > 100  # the indsatser moved on after the version was frozen


def test_timing_reproduces_the_audit(demo):
    today = timezone.localdate()
    completed = first_completed()
    first_start, started, before = {}, 0, 0
    for forloeb_id, actual_start in Intervention.objects.filter(
        forloeb__in=completed, part_of_forloeb=True, actual_start__isnull=False
    ).values_list("forloeb_id", "actual_start"):
        started += 1
        before += actual_start < completed[forloeb_id]
        first_start[forloeb_id] = min(first_start.get(forloeb_id, actual_start), actual_start)
    print(f"started before the plan: {before / started:.0%}")
    assert 0.1 < before / started < 0.35  # §3.3: 25 %
    old = [f for f, on in completed.items() if on <= today - timedelta(days=183)]
    waited = sum(1 for f in old if f in first_start and first_start[f] > completed[f] + timedelta(days=183))
    print(f"waited more than six months for a first indsats: {waited / len(old):.0%}")
    assert 0.07 < waited / len(old) < 0.3  # §3.3: 18 %

    def without_date(category):
        planned = Intervention.objects.filter(category=category, recommended__isnull=False).exclude(
            status__in=[IS.INDSTILLET, IS.IKKE_IVAERKSAT]
        )
        return planned.filter(actual_start__isnull=True).count() / planned.count()

    assert without_date("social") > without_date("mentor")
    assert without_date("sundhed_regional") > without_date("mentor")
    running = Intervention.objects.filter(part_of_forloeb=False)
    assert running.exists() and all(i.actual_start < i.forloeb.opened_on for i in running.select_related("forloeb"))
    new = Intervention.objects.filter(recommended__isnull=True, part_of_forloeb=True)
    assert new.count() > 100
    long_praktik = Intervention.objects.filter(type__code="virksomhedspraktik").select_related("type")
    assert any("13 uger" in plan_selectors.length_warning(i) for i in long_praktik)


def test_the_records_around_the_plan_pass_the_services_rules(demo):
    today = timezone.localdate()
    areas = list(ProblemArea.objects.all())
    assert len(areas) > 300
    assert {a.kind for a in areas} <= set(ProblemAreaKind.values) and len({a.kind for a in areas}) >= 8
    assert {a.source for a in areas} == set(ProblemSource.values)
    open_kinds = Counter((a.forloeb_id, a.kind) for a in areas if a.ended_on is None)
    assert max(open_kinds.values()) == 1  # problem_area_add refuses a duplicate open area
    assert all(a.recorded_on <= today and (a.ended_on is None or a.recorded_on <= a.ended_on <= today) for a in areas)

    consents = list(Consent.objects.all())
    assert len(consents) > 100
    for c in consents:
        assert c.given_on <= today and (c.expires_on is None or c.expires_on > c.given_on)
        assert c.withdrawn_on is None or c.given_on <= c.withdrawn_on <= today
    cases = list(OtherCase.objects.select_related("consent"))
    assert len(cases) > 30
    assert all(c.consent is None or c.consent.borger_id == c.borger_id for c in cases)

    notes = list(CoordinationNote.objects.select_related("intervention"))
    assert all(n.written_on <= today and n.note for n in notes)
    assert all(n.intervention is None or n.intervention.forloeb_id == n.forloeb_id for n in notes)
    crossing = Intervention.objects.exclude(forvaltning=Forvaltning.JOBCENTER).filter(
        part_of_forloeb=True, events__action__in=["grant", "start"]
    )
    noted = crossing.filter(coordination_notes__isnull=False).distinct().count()
    assert 0.35 < noted / crossing.distinct().count() < 0.75  # §3.5: documented before the bevilling in 54 %

    progress = list(Progress.objects.all())
    assert len(progress) > 200
    lineages = defaultdict(set)
    for forloeb_id, lineage in Milestone.objects.values_list("plan__forloeb_id", "lineage"):
        lineages[forloeb_id].add(lineage)
    for p in progress:
        assert 1 <= p.score <= 5 and p.recorded_on <= today
        assert p.milestone_lineage in lineages[p.forloeb_id]


# --- The opfølgning side ---------------------------------------------------------------------------


def samtaler_by_forloeb():
    samtaler = defaultdict(list)
    for m in FollowUpMeeting.objects.order_by("held_on", "id"):
        samtaler[m.forloeb_id].append(m)
    return samtaler


def end_of(forloeb, today):
    return min(forloeb.closed_on or today, today)


def year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def share(n, of):
    return n / of if of else 0.0


def test_the_summary_shows_the_samtaler_and_the_flags(demo):
    print(f"seed_demo took {demo.seconds:.2f} s")
    assert "opfølgningssamtaler" in demo.output and "udeblivelser" in demo.output
    assert "mindst seks samtaler de seneste 12 måneder" in demo.output
    assert "Advarsler rejst ved evalueringen i dag" in demo.output
    if running_forloeb_in_numbers():
        assert "STD_SAMTALE_OVERDUE" in demo.output


def test_samtaler_only_in_granted_forloeb_between_the_start_and_the_end_or_today(demo):
    today = timezone.localdate()
    samtaler = samtaler_by_forloeb()
    forloeb = {f.pk: f for f in Forloeb.objects.all()}
    assert len(samtaler) > 250
    gaps = []
    for forloeb_id, held in samtaler.items():
        f = forloeb[forloeb_id]
        assert f.start_date is not None, forloeb_id
        assert all(f.start_date <= m.held_on <= end_of(f, today) for m in held), forloeb_id
        days = [m.held_on for m in held]
        assert len(set(days)) == len(days), forloeb_id
        gaps += [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    # Every forløb granted (and started) at least two months ago has samtaler; none before the grant.
    running = [f for f in forloeb.values() if f.start_date and (end_of(f, today) - f.start_date).days >= 60]
    assert running and all(f.pk in samtaler for f in running)
    assert not any(forloeb[pk].start_date is None for pk in samtaler)
    within = share(sum(1 for d in gaps if 28 <= d <= 70), len(gaps))
    print(f"gaps of 4-10 weeks: {within:.0%} (median {statistics.median(gaps)} days)")
    assert within > 0.55 and 35 <= statistics.median(gaps) <= 63


def test_six_samtaler_in_the_latest_12_months_reproduces_the_audit(demo):
    today = timezone.localdate()
    samtaler = samtaler_by_forloeb()
    counts = []
    for f in Forloeb.objects.filter(start_date__isnull=False):
        end = end_of(f, today)
        if year_before(end) < f.start_date:
            continue
        since = year_before(end)
        counts.append(sum(1 for m in samtaler[f.pk] if m.borger_attended and since < m.held_on <= end))
    six = share(sum(1 for n in counts if n >= 6), len(counts))
    four_five = share(sum(1 for n in counts if 4 <= n <= 5), len(counts))
    three = share(sum(1 for n in counts if n <= 3), len(counts))
    more = share(sum(1 for n in counts if n > 6), len(counts))
    print(f"n = {len(counts)}: >= 6 {six:.0%}, 4-5 {four_five:.0%}, <= 3 {three:.0%}, > 6 {more:.0%}")
    assert len(counts) > 150
    assert 0.45 <= six <= 0.72  # §3.6: 59 %
    assert 0.18 <= four_five <= 0.42  # 30 %
    assert 0.04 <= three <= 0.2  # 11 %
    assert 0.15 <= more <= 0.5  # "every third"


def test_every_samtale_has_a_next_date_or_a_reason_and_passes_the_model_rules(demo):
    members = set(TeamMembership.objects.values_list("user_id", "team_id"))
    meetings = list(FollowUpMeeting.objects.select_related("forloeb"))
    for m in meetings:
        assert m.next_on is not None or m.no_next_reason, m.pk
        if m.next_on is not None:
            assert m.held_on < m.next_on <= m.held_on + timedelta(days=366) and not m.no_next_reason, m.pk
        assert m.no_next_reason != NoNextReason.OTHER or m.no_next_note, m.pk
        assert m.held_by_id == m.created_by_id and (m.held_by_id, m.forloeb.team_id) in members, m.pk
        if m.held_at is not None:
            local = timezone.localtime(m.held_at, COPENHAGEN)
            assert local.date() == m.held_on and 8 <= local.hour < 16, m.pk
        assert local_day(m.created_at) >= m.held_on
        if not m.borger_attended:
            assert not (m.status_on_interventions or m.new_agreements or m.borger_perspective or m.mentor_need_assessed)
        assert m.mentor_need_assessed == bool(m.mentor_assessment)
    for m in meetings[::50]:
        m.full_clean()  # includes the check constraints
    n = len(meetings)
    no_shows = share(sum(1 for m in meetings if not m.borger_attended), n)
    group = share(sum(1 for m in meetings if m.setting == "gruppe"), n)
    remote = share(sum(1 for m in meetings if m.channel != "fremmoede"), n)
    with_next = share(sum(1 for m in meetings if m.next_on), n)
    print(
        f"{n} samtaler: udeblivelser {no_shows:.1%}, gruppe {group:.0%}, telefon/video {remote:.0%}, next {with_next:.0%}"
    )
    assert 0.03 <= no_shows <= 0.08
    assert 0.04 <= group <= 0.2 and 0.15 <= remote <= 0.4
    assert with_next > 0.5
    # The last samtale before a planned end says the forløb ends (deaths and moves come unannounced).
    closed_last = [
        held[-1]
        for pk, held in samtaler_by_forloeb().items()
        if held[-1].forloeb.closed_on is not None
        and held[-1].forloeb.outcome not in (Outcome.DEATH, Outcome.MOVED, Outcome.SYGEDAGPENGE)
    ]
    ending = sum(1 for m in closed_last if m.no_next_reason == NoNextReason.ENDING)
    assert closed_last and ending / len(closed_last) > 0.8


def test_the_latest_samtale_has_the_content_the_audit_found(demo):
    latest = {}
    for m in FollowUpMeeting.objects.filter(borger_attended=True).order_by("held_on", "id"):
        latest[m.forloeb_id] = m
    n = len(latest)
    status = share(sum(1 for m in latest.values() if m.status_on_interventions), n)
    agreements = share(sum(1 for m in latest.values() if m.new_agreements), n)
    mentor = share(sum(1 for m in latest.values() if m.mentor_need_assessed), n)
    perspective = share(sum(1 for m in latest.values() if m.borger_perspective), n)
    print(
        f"latest samtale: status {status:.0%}, aftaler {agreements:.0%}, mentor {mentor:.0%}, perspektiv {perspective:.0%}"
    )
    assert status == 1  # §3.6 found 86 %; the app requires the status of an attended samtale
    assert 0.42 <= agreements <= 0.7  # 55 %
    assert 0.2 <= mentor <= 0.42  # 31 %
    assert 0.7 <= perspective <= 0.9  # 81 %


def test_the_plan_revisions_after_a_samtale_have_their_samtale(demo):
    revisions = ActionPlan.objects.filter(revision_reason__startswith="Opfølgningssamtale den ")
    assert revisions.exists()
    for plan in revisions:
        day = plan.revision_reason.removeprefix("Opfølgningssamtale den ")[:10]
        samtale = FollowUpMeeting.objects.get(plan_revision=plan)
        assert samtale.forloeb_id == plan.forloeb_id and samtale.held_on.strftime("%d.%m.%Y") == day
        assert samtale.borger_attended


def test_the_flags_are_evaluated_and_min_dag_has_work_for_the_demo_login(demo):
    today = timezone.localdate()
    assert EvaluationRun.objects.filter(as_of=today, finished_at__isnull=False).exists()
    open_flags = Flag.objects.filter(resolved_at__isnull=True)
    rules = Counter(open_flags.values_list("rule_id", flat=True))
    print("open flags:", dict(rules.most_common()))
    if running_forloeb_in_numbers():
        assert rules["STD_SAMTALE_OVERDUE"] > 10 and rules["NO_NEXT_SAMTALE"] > 10
    # STD_SAMTALE_OVERDUE holds exactly where the last attended samtale (or the start) is over 61 days ago.
    samtaler = samtaler_by_forloeb()
    expected = set()
    for f in Forloeb.objects.open().filter(start_date__lte=today):
        attended = [m.held_on for m in samtaler[f.pk] if m.borger_attended]
        if (attended[-1] if attended else f.start_date) + timedelta(days=61) < today:
            expected.add(f.pk)
    flagged = set(open_flags.filter(rule_id="STD_SAMTALE_OVERDUE").values_list("forloeb_id", flat=True))
    assert flagged == expected

    karin = User.objects.get(username="sagsbehandler")
    work = followup_selectors.worklist(coordinator=karin, today=today)
    print(
        f"Min dag for sagsbehandler: {len(work.overdue)} overskredne, {len(work.due_today)} i dag, "
        f"{len(work.due_this_week)} denne uge, {work.open_flag_count} advarsler"
    )
    if running_forloeb_in_numbers():
        assert work.overdue and work.open_flag_count >= 1
        assert work.due_today or work.due_this_week
    assert all(d.forloeb.current_coordinator_id == karin.pk for d in work.overdue)
