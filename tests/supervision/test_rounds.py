"""Tilsyn rounds (supervision.rounds and their pages): a leader starts a round on the current
versions of its risks, draws a sample from the unit's forløb active in the period with their risk
factors, the stored sample is drawn again the same, the rotation keeps last round's caseworkers
out, and the round closes with a summary and a re-assessment that revises the risks. Outside the
leader's teams everything is a 404; the pages that name borgere log the read."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import clock
from cases.models import AccessAction, AccessLog, Role
from followup.selectors import due_of
from supervision import rounds, sampling
from supervision.models import Review, RoundStatus, SampleItem, SampleMethod, TilsynRound
from tests.conftest import login
from tests.edit_forms import page_token
from tests.factories import (
    BorgerFactory,
    FlagFactory,
    FollowUpMeetingFactory,
    ForloebFactory,
    InterventionFactory,
    UserFactory,
)
from tests.supervision.test_risks import make_risk, risk_data

pytestmark = pytest.mark.django_db
STALE = "En anden har gemt ændringer, efter du åbnede siden."


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def make_forloeb(team, coordinator, *, opened=200, started=180, closed=None, name=""):
    return ForloebFactory(
        team=team,
        borger=BorgerFactory(last_name=name) if name else BorgerFactory(),
        opened_on=days_ago(opened),
        start_date=days_ago(started) if started is not None else None,
        closed_on=days_ago(closed) if closed is not None else None,
        current_coordinator=coordinator,
    )


@pytest.fixture
def world(org):
    """Team Nord: leader, caseworkers a and b with six forløb each active in the period (120 to 10
    days ago); one closed before it, one opened after it; Team Syd: caseworker c with one forløb."""
    leader = UserFactory(username="leder-nord", role=Role.TEAM_LEADER, kommune=org.kommune, teams=[org.nord])
    nord = [make_forloeb(org.nord, org.a if i % 2 == 0 else org.b, name=f"Nordsen{i}") for i in range(12)]
    closed_before = make_forloeb(org.nord, org.a, opened=400, started=380, closed=200, name="Lukketsen")
    opened_after = make_forloeb(org.nord, org.b, opened=5, started=None, name="Nyesen")
    syd = make_forloeb(org.syd, org.c, name="Sydsen")
    return SimpleNamespace(
        **vars(org),
        leader=leader,
        nord_forloeb=nord,
        closed_before=closed_before,
        opened_after=opened_after,
        syd_forloeb=syd,
    )


def start(w, *, team="nord", actor=None, risks=(), title="Kvartalstilsyn"):
    return rounds.round_start(
        kommune_id=w.kommune.pk,
        team=getattr(w, team) if team else None,
        title=title,
        purpose="Holdes samtalerne, og har borgerne konkrete mål?",
        period_from=days_ago(120),
        period_to=days_ago(10),
        risks=list(risks),
        actor=actor or w.leader,
    )


def draw(w, tilsyn_round, *, method=SampleMethod.RISK_WEIGHTED, size=5, seed=12345, **kwargs):
    return rounds.round_draw(
        tilsyn_round=tilsyn_round, method=method, size=size, seed=seed, actor=kwargs.pop("actor", w.leader), **kwargs
    )


def review_all(tilsyn_round, reviewer, *, but=0):
    items = list(tilsyn_round.sample.order_by("position"))
    now = clock.now()
    for item in items[: len(items) - but]:
        Review.objects.create(item=item, reviewer=reviewer, started_at=now, completed_at=now)


# --- Start --------------------------------------------------------------------------------------------


def test_a_round_is_linked_to_the_current_versions_of_its_risks(world):
    risk = make_risk(world.leader)
    rounds_risk = make_risk(world.leader, team=world.nord, title="Ingen konkrete mål")
    from supervision import risks as risk_module

    risk_module.risk_revise(risk=risk, data=risk_data(world.leader, likelihood=5), based_on=1, actor=world.leader)
    tilsyn_round = start(world, risks=[risk, rounds_risk])
    linked = {link.risk_version.risk_id: link.risk_version.number for link in rounds.linked_risks(tilsyn_round)}
    assert linked == {risk.pk: 2, rounds_risk.pk: 1}
    assert tilsyn_round.criteria == {"teams": [world.nord.pk]}
    assert tilsyn_round.status == RoundStatus.OPEN and tilsyn_round.started_by == world.leader


def test_a_round_refuses_a_reversed_period_another_teams_risk_and_a_team_out_of_view(world):
    syd_leader = UserFactory(role=Role.TEAM_LEADER, kommune=world.kommune, teams=[world.syd])
    syd_risk = make_risk(syd_leader, team=world.syd)
    with pytest.raises(ValidationError) as exc:
        rounds.round_start(
            kommune_id=world.kommune.pk,
            team=world.syd,
            title="",
            purpose="Formål",
            period_from=days_ago(5),
            period_to=days_ago(50),
            risks=[syd_risk],
            actor=world.leader,
        )
    assert {"team", "title", "period_to", "risks"} <= set(exc.value.message_dict)
    assert not TilsynRound.objects.exists()


# --- The population and its risk factors ------------------------------------------------------------


def test_the_population_is_the_units_forloeb_active_in_the_period(world):
    tilsyn_round = start(world)
    members = rounds.population_now(tilsyn_round, leader=world.leader)
    assert {m.forloeb_id for m in members} == {f.pk for f in world.nord_forloeb}
    kommune_wide = start(world, team=None, actor=world.admin, title="Hele kommunen")
    assert set(kommune_wide.criteria["teams"]) == {world.nord.pk, world.syd.pk}
    members = rounds.population_now(kommune_wide, leader=world.admin)
    assert {m.forloeb_id for m in members} == {f.pk for f in world.nord_forloeb} | {world.syd_forloeb.pk}


def test_each_forloeb_carries_its_risk_factors(world):
    flagged, overdue, started, reviewed = world.nord_forloeb[:4]
    FlagFactory(forloeb=flagged)
    FlagFactory(forloeb=flagged, rule_id="OTHER_RULE")
    FlagFactory(forloeb=flagged, rule_id="GONE", resolved_at=clock.now(), resolved_on=clock.today())
    FollowUpMeetingFactory(forloeb=overdue, held_on=days_ago(100), next_on=days_ago(40))
    InterventionFactory(forloeb=started, actual_start=days_ago(100))
    earlier = start(world, title="Sidste runde")
    item = SampleItem.objects.create(round=earlier, forloeb=reviewed, position=1, coordinator=world.a)
    Review.objects.create(item=item, reviewer=world.leader, started_at=clock.now() - dt.timedelta(days=60))

    by_id = {m.forloeb_id: m for m in rounds.population_now(start(world), leader=world.leader)}
    assert by_id[flagged.pk].open_flags == 2
    due_on, _why = due_of(forloeb_id=overdue.pk, today=clock.today())
    assert by_id[overdue.pk].overdue_days == (clock.today() - due_on).days >= 40  # Min dag's due day
    assert by_id[flagged.pk].no_indsats and not by_id[started.pk].no_indsats
    assert by_id[flagged.pk].days == 180
    assert by_id[reviewed.pk].reviewed_recently and not by_id[flagged.pk].reviewed_recently
    # No samtale since the start 180 days ago: the service standard (61 days) made it overdue too.
    assert by_id[flagged.pk].overdue_days == 180 - 61
    expected = sampling.risk_weight(open_flags=2, overdue_days=119, no_indsats=True, days=180)
    assert by_id[flagged.pk].weight == expected == round(1 + 2 + 119 / 30 + 2, 2)


def test_the_population_is_read_in_a_fixed_number_of_queries(world):
    tilsyn_round = start(world)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rounds.population_now(tilsyn_round, leader=world.leader)
        return len(ctx.captured_queries)

    few = count()
    for i in range(10):
        forloeb = make_forloeb(world.nord, world.b)
        FlagFactory(forloeb=forloeb)
        FollowUpMeetingFactory(forloeb=forloeb, held_on=days_ago(90 + i))
    assert count() == few


# --- The draw ---------------------------------------------------------------------------------------


def test_the_draw_stores_how_and_the_same_seed_draws_the_same_sample_again(world, client):
    tilsyn_round = start(world)
    items = draw(world, tilsyn_round, method=SampleMethod.STRATIFIED, size=6, seed=777, strata="sagsbehandler")
    tilsyn_round.refresh_from_db()
    assert len(items) == 6 and tilsyn_round.sample_size == 6 and tilsyn_round.seed == 777
    assert tilsyn_round.method == SampleMethod.STRATIFIED and tilsyn_round.criteria["strata"] == "sagsbehandler"
    assert len(tilsyn_round.population) == 12 and tilsyn_round.drawn_by == world.leader
    stored = [i.forloeb_id for i in tilsyn_round.sample.order_by("position")]
    assert {i.stratum for i in tilsyn_round.sample.all()} == {str(world.a), str(world.b)}

    check = rounds.round_redraw(tilsyn_round)
    assert check.same and [d.forloeb_id for d in check.drawn] == stored
    population = [sampling.Member.from_dict(d) for d in tilsyn_round.population]
    assert [d.forloeb_id for d in sampling.draw(population, "stratificeret", 6, 777, tilsyn_round.criteria)] == stored

    login(client, world.leader)
    page = client.get(reverse("supervision:round_redraw_check", args=[tilsyn_round.pk])).content.decode()
    assert "Samme stikprøve" in page and "Nordsen" in page

    # Drawn again (no review yet) with the same seed: the same forløb; another seed: another sample.
    draw(world, tilsyn_round, method=SampleMethod.STRATIFIED, size=6, seed=777, strata="sagsbehandler")
    assert [i.forloeb_id for i in tilsyn_round.sample.order_by("position")] == stored
    others = set()
    for seed in (1, 2, 3):
        draw(world, tilsyn_round, method=SampleMethod.RANDOM, size=6, seed=seed)
        others.add(tuple(i.forloeb_id for i in tilsyn_round.sample.order_by("position")))
    assert len(others) > 1


def test_an_auditor_redraws_the_sample_from_the_downloaded_file_alone(world, client):
    tilsyn_round = start(world)
    draw(world, tilsyn_round, method=SampleMethod.RISK_WEIGHTED, size=5, seed=4242)
    login(client, world.leader)

    response = client.get(reverse("supervision:round_sample_json", args=[tilsyn_round.pk]))
    document = response.json()

    assert response.status_code == 200 and "Nordsen" not in response.content.decode()  # ids, no names
    population = [sampling.Member.from_dict(d) for d in document["population"]]
    again = sampling.draw(
        population, document["metode"], document["stoerrelse"], document["seed"], document["kriterier"]
    )
    assert [d.forloeb_id for d in again] == [row["forloeb_id"] for row in document["stikproeve"]]
    assert len(document["stikproeve"]) == 5


def test_without_a_seed_a_random_one_is_stored(world):
    tilsyn_round = start(world)
    draw(world, tilsyn_round, seed=None)
    tilsyn_round.refresh_from_db()
    assert 0 <= tilsyn_round.seed < 2**32 and rounds.round_redraw(tilsyn_round).same


def test_the_size_must_fit_the_population(world):
    tilsyn_round = start(world)
    with pytest.raises(ValidationError) as exc:
        draw(world, tilsyn_round, size=13)
    assert "mellem 1 og 12 forløb" in exc.value.message_dict["size"][0]


def test_risk_weighting_favours_the_forloeb_with_open_flags_and_overdue_samtaler(world):
    risky = world.nord_forloeb[:3]
    for forloeb in risky:
        for rule in ("A", "B", "C", "D"):
            FlagFactory(forloeb=forloeb, rule_id=rule)
        FollowUpMeetingFactory(forloeb=forloeb, held_on=days_ago(170), next_on=days_ago(120))
    for forloeb in world.nord_forloeb[3:]:  # a recent samtale, the next one agreed, an indsats going
        FollowUpMeetingFactory(forloeb=forloeb, held_on=days_ago(5), next_on=clock.today() + dt.timedelta(days=50))
        InterventionFactory(forloeb=forloeb, actual_start=days_ago(150))
    hits = 0
    for seed in range(20):
        tilsyn_round = start(world, title=f"Runde {seed}")
        draw(world, tilsyn_round, size=3, seed=seed, rotation=False)
        hits += tilsyn_round.sample.filter(forloeb__in=risky).count()
    assert hits / 60 > 0.6  # chance alone: 3 of 12 = 0.25


def test_the_sample_cannot_be_drawn_again_once_a_review_has_started(world):
    tilsyn_round = start(world)
    draw(world, tilsyn_round)
    item = tilsyn_round.sample.first()
    Review.objects.create(item=item, reviewer=world.leader, started_at=clock.now())
    with pytest.raises(ValidationError, match="påbegyndt sagsgennemgange"):
        draw(world, tilsyn_round, seed=1)
    assert tilsyn_round.sample.filter(pk=item.pk).exists()


def test_rotation_leaves_out_the_caseworker_of_last_rounds_sample(world):
    first = start(world, title="Første runde")
    draw(world, first, method=SampleMethod.RANDOM, size=1, seed=3)
    last_time = first.sample.get().coordinator
    second = start(world, title="Anden runde")
    draw(world, second, method=SampleMethod.RANDOM, size=6, seed=3, rotation=True)
    second.refresh_from_db()
    assert second.criteria["previous_round"] == first.pk
    assert last_time.pk not in set(second.sample.values_list("coordinator_id", flat=True))
    # Asked for more than the others have: last round's caseworker's forløb come after them.
    draw(world, second, method=SampleMethod.RANDOM, size=8, seed=3, rotation=True)
    coordinators = list(second.sample.order_by("position").values_list("coordinator_id", flat=True))
    assert last_time.pk not in coordinators[:6] and coordinators[6:] == [last_time.pk, last_time.pk]


# --- Close ------------------------------------------------------------------------------------------


def test_a_round_closes_with_a_summary_and_a_reassessment_that_revises_the_risk(world):
    risk = make_risk(world.leader)
    tilsyn_round = start(world, risks=[risk])
    draw(world, tilsyn_round)
    review_all(tilsyn_round, world.leader, but=1)
    (link,) = rounds.linked_risks(tilsyn_round)
    reassessment = {
        link.pk: {"text": "Samtalerne holdes nu; sandsynligheden er lavere.", "likelihood": 2, "based_on": 1}
    }

    with pytest.raises(ValidationError) as exc:
        rounds.round_close(tilsyn_round=tilsyn_round, summary="", reassessments={}, actor=world.leader)
    assert {"summary", "unreviewed_reason", f"reassessment_{link.pk}"} <= set(exc.value.message_dict)
    assert "1 af stikprøvens forløb er ikke gennemgået" in exc.value.message_dict["unreviewed_reason"][0]

    rounds.round_close(
        tilsyn_round=tilsyn_round,
        summary="Fire af fem forløb i orden.",
        reassessments=reassessment,
        unreviewed_reason="Borgeren flyttede; sagen er overdraget.",
        actor=world.leader,
    )
    tilsyn_round.refresh_from_db()
    assert tilsyn_round.status == RoundStatus.CLOSED and tilsyn_round.closed_by == world.leader
    assert tilsyn_round.unreviewed_reason == "Borgeren flyttede; sagen er overdraget."
    link.refresh_from_db()
    assert link.reassessment.startswith("Samtalerne holdes nu")
    latest = risk.versions.order_by("-number").first()
    assert latest.number == 2 and latest.likelihood == 2 and latest.written_by == world.leader
    with pytest.raises(ValidationError, match="allerede afsluttet"):
        rounds.round_close(tilsyn_round=tilsyn_round, summary="Igen", reassessments=reassessment, actor=world.leader)
    with pytest.raises(ValidationError, match="afsluttet"):
        draw(world, tilsyn_round, seed=1)


def test_closing_refuses_a_reassessment_based_on_an_old_version_of_the_risk(world):
    risk = make_risk(world.leader)
    tilsyn_round = start(world, risks=[risk])
    draw(world, tilsyn_round)
    review_all(tilsyn_round, world.leader)
    from supervision import risks as risk_module

    risk_module.risk_revise(risk=risk, data=risk_data(world.admin, consequence=2), based_on=1, actor=world.admin)
    (link,) = rounds.linked_risks(tilsyn_round)
    with pytest.raises(ValidationError) as exc:
        rounds.round_close(
            tilsyn_round=tilsyn_round,
            summary="Opsamling",
            reassessments={link.pk: {"text": "Lavere", "likelihood": 1, "based_on": 1}},
            actor=world.leader,
        )
    assert "Risikoen er ændret" in exc.value.message_dict[f"reassessment_{link.pk}"][0]
    tilsyn_round.refresh_from_db()
    assert tilsyn_round.status == RoundStatus.OPEN and risk.versions.count() == 2


def test_the_closing_page_keeps_the_text_when_a_risk_changed_meanwhile(world, client):
    risk = make_risk(world.leader)
    tilsyn_round = start(world, risks=[risk])
    draw(world, tilsyn_round)
    review_all(tilsyn_round, world.leader)
    (link,) = rounds.linked_risks(tilsyn_round)
    url = reverse("supervision:round_close", args=[tilsyn_round.pk])
    login(client, world.leader)
    assert f'name="based_on_{link.pk}" value="1"' in client.get(url).content.decode()
    from supervision import risks as risk_module

    risk_module.risk_revise(risk=risk, data=risk_data(world.admin, consequence=2), based_on=1, actor=world.admin)
    data = {
        "summary": "Min opsamling af runden.",
        f"reassessment_{link.pk}": "Min genvurdering.",
        f"likelihood_{link.pk}": 2,
        f"consequence_{link.pk}": 4,
        f"review_on_{link.pk}": link.current.review_on.isoformat(),
        f"based_on_{link.pk}": 1,
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400 and "Risikoen er ændret" in body
    assert "Min opsamling af runden." in body and f'name="based_on_{link.pk}" value="2"' in body
    assert client.post(url, {**data, f"based_on_{link.pk}": 2}).status_code == 302
    latest = risk.versions.order_by("-number").first()
    assert (latest.number, latest.likelihood, latest.consequence, latest.written_by) == (3, 2, 4, world.leader)


# --- Pages ------------------------------------------------------------------------------------------


def test_the_leader_starts_draws_and_closes_a_round_on_the_pages(world, client):
    risk = make_risk(world.leader)
    login(client, world.leader)
    response = client.post(
        reverse("supervision:round_create"),
        {
            "title": "Kvartalstilsyn",
            "team": world.nord.pk,
            "period_from": days_ago(120).isoformat(),
            "period_to": days_ago(10).isoformat(),
            "purpose": "Samtaler og mål",
            "risks": [risk.pk],
        },
    )
    assert response.status_code == 302
    tilsyn_round = TilsynRound.objects.get()
    page_url = reverse("supervision:round_detail", args=[tilsyn_round.pk])
    draw_url = reverse("supervision:round_draw", args=[tilsyn_round.pk])
    page = client.get(page_url).content.decode()
    assert "Forslaget er 9 af 12 forløb" in page  # n0 ≈ 30 corrected for N = 12
    token = page_token(client, page_url, draw_url)
    form = {"method": "risikovaegtet", "size": 5, "seed": 42, "strata": "sagsbehandler", "rotation": "on"}
    assert client.post(draw_url, {**form, "edit_token": token}).status_code == 302
    page = client.get(page_url).content.decode()
    assert "giver den samme stikprøve" in page and "Nordsen" in page
    assert reverse("supervision:review", kwargs={"sample_pk": tilsyn_round.sample.first().pk}) in page

    # A draw from a page loaded before someone else drew is refused; the sample stays.
    before = list(tilsyn_round.sample.values_list("forloeb_id", flat=True))
    stale = client.post(draw_url, {**form, "seed": 43, "edit_token": token})
    assert stale.status_code == 400 and STALE in stale.content.decode()
    assert list(tilsyn_round.sample.values_list("forloeb_id", flat=True)) == before
    bad = client.post(draw_url, {**form, "size": "abc", "edit_token": page_token(client, page_url, draw_url)})
    assert bad.status_code == 400

    review_all(tilsyn_round, world.leader)
    close_url = reverse("supervision:round_close", args=[tilsyn_round.pk])
    page = client.get(close_url).content.decode()
    assert "Opsummering af sagsgennemgangene" in page  # the per-unit summary (supervision.reviews)
    (link,) = rounds.linked_risks(tilsyn_round)
    data = {
        "summary": "Alle fem gennemgået.",
        f"reassessment_{link.pk}": "Uændret; kontrolleres igen næste kvartal.",
        f"likelihood_{link.pk}": 4,
        f"consequence_{link.pk}": 4,
        f"review_on_{link.pk}": link.current.review_on.isoformat(),
        f"based_on_{link.pk}": 1,
    }
    assert client.post(close_url, {**data, "summary": ""}).status_code == 400
    assert client.post(close_url, data).status_code == 302
    tilsyn_round.refresh_from_db()
    assert tilsyn_round.status == RoundStatus.CLOSED and risk.versions.count() == 1  # nothing changed: no version
    page = client.get(page_url).content.decode()
    assert "Alle fem gennemgået." in page and "Uændret; kontrolleres igen" in page


def test_the_sample_table_logs_the_read_of_each_borger(world, client):
    tilsyn_round = start(world)
    draw(world, tilsyn_round, size=4)
    login(client, world.leader)
    before = AccessLog.objects.count()
    assert client.get(reverse("supervision:round_detail", args=[tilsyn_round.pk])).status_code == 200
    logged = AccessLog.objects.filter(user=world.leader, action=AccessAction.LIST).values_list("forloeb_id", flat=True)
    assert sorted(logged) == sorted(tilsyn_round.sample.values_list("forloeb_id", flat=True))
    assert AccessLog.objects.count() == before + 4


def test_a_round_outside_the_users_teams_is_a_404(world):
    tilsyn_round = start(world)
    draw(world, tilsyn_round)
    kommune_wide = start(world, team=None, actor=world.admin, title="Hele kommunen")
    syd_leader = UserFactory(role=Role.TEAM_LEADER, kommune=world.kommune, teams=[world.syd])
    urls = [
        reverse(name, args=[tilsyn_round.pk])
        for name in ("supervision:round_detail", "supervision:round_redraw_check", "supervision:round_close")
    ]
    for user in (world.a, syd_leader):  # a caseworker of the team; another team's leader
        other = login(Client(), user)
        for url in urls:
            assert other.get(url).status_code == 404, (user, url)
        assert other.post(reverse("supervision:round_draw", args=[tilsyn_round.pk])).status_code == 404
    assert "Kvartalstilsyn" not in login(Client(), syd_leader).get(reverse("supervision:round_list")).content.decode()
    # A round of every team the administrator sees is not the Nord leader's to open.
    leader = login(Client(), world.leader)
    assert leader.get(reverse("supervision:round_detail", args=[kommune_wide.pk])).status_code == 404
    assert leader.get(reverse("supervision:round_detail", args=[tilsyn_round.pk])).status_code == 200
    assert (
        login(Client(), world.admin).get(reverse("supervision:round_detail", args=[kommune_wide.pk])).status_code == 200
    )
    listed = [r.pk for r in rounds.rounds_in_scope(world.leader, world.kommune.pk)]
    assert listed == [tilsyn_round.pk]


def test_the_pages_read_in_a_fixed_number_of_queries(world, client):
    login(client, world.leader)
    tilsyn_round = start(world)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    counts = {}
    for size in (2, 10):
        draw(world, tilsyn_round, size=size)
        client.get(reverse("supervision:round_detail", args=[tilsyn_round.pk]))  # warms caches (sessions, ...)
        counts[size] = [
            count(reverse(name, args=[tilsyn_round.pk]))
            for name in ("supervision:round_detail", "supervision:round_redraw_check")
        ]
    assert counts[2] == counts[10]
    make_risk(world.leader)
    few = count(reverse("supervision:risk_list"))
    for i in range(4):
        make_risk(world.leader, team=world.nord, title=f"Risiko {i}")
    assert count(reverse("supervision:risk_list")) == few


# --- The demo ---------------------------------------------------------------------------------------


def test_the_demo_writes_a_register_with_history_and_a_drawn_round(world):
    from demo import tilsyn_data
    from supervision import risks as risk_module

    leader = UserFactory(role=Role.TEAM_LEADER, kommune=world.kommune, teams=[world.nord, world.syd])
    counts = tilsyn_data.build(kommune=world.kommune, leader=leader, today=clock.today())
    assert counts == {"risks": 6, "population": 14, "sample": 10}  # all but the forløb closed long ago
    register = risk_module.register(leader, world.kommune.pk)
    assert len(register) == 6 and register[0].score == 16
    accepted = next(e for e in register if e.version.response == "accepteret")
    assert accepted.version.response_reason and not accepted.version.control_kind
    year_ago = clock.today() - dt.timedelta(days=300)
    assert risk_module.register(leader, world.kommune.pk, as_of=year_ago)[0].version.likelihood == 3
    tilsyn_round = TilsynRound.objects.get(title=tilsyn_data.ROUND_TITLE)
    assert tilsyn_round.seed == tilsyn_data.SEED and rounds.round_redraw(tilsyn_round).same
    assert tilsyn_round.round_risks.count() == 3
