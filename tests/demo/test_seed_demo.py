"""`manage.py seed_demo`: the demo kommune a new user meets on the first `make run`."""

import io
import statistics
import time
from collections import Counter, defaultdict
from datetime import time as dtime
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

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
from demo.management.commands.seed_demo import DEMO_LOGINS, PASSWORD, login_table
from demo.rehab_data import COPENHAGEN, TEAM_NAME
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


def test_the_seed_is_fast_and_prints_a_summary_and_the_logins(demo):
    print(f"seed_demo took {demo.seconds:.2f} s")
    assert demo.seconds < 10
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
    assert set(phases) == set(Phase.values)
    years = set(Forloeb.objects.values_list("opened_on__year", flat=True))
    assert years >= set(range(2019, timezone.localdate().year + 1))
    assert not Forloeb.objects.filter(opened_on__gt=timezone.localdate()).exists()

    def mean_opened(phase):
        return statistics.mean(
            d.toordinal() for d in Forloeb.objects.filter(phase=phase).values_list("opened_on", flat=True)
        )

    assert mean_opened(Phase.FORBEREDENDE_DEL) > mean_opened(Phase.IVAERKSAETTELSE) > mean_opened(Phase.AFSLUTTET)


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
    today = timezone.localdate()
    fields = rehab_services.HEALTH_FIELDS
    forms = Counter()
    for doc in HealthDocument.objects.all():
        data = {f: getattr(doc, f) for f in fields}
        assert not rehab_services.health_document_errors(data, today=today), (doc.pk, data)
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
