"""`manage.py seed_demo`: the demo kommune a new user meets on the first `make run`."""

import io
import statistics
import time
from collections import Counter, defaultdict
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from cases.management.commands.seed_demo import DEMO_LOGINS, PASSWORD, login_table
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
    assert demo.seconds < 30
    assert "Forløb pr. fase" in demo.output
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
