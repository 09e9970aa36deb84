"""The forløb phase state machine: legal and illegal moves, guards, log, permissions, races."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from cases import rules as case_rules
from cases import selectors, services
from cases.models import Forloeb, Outcome, Phase, PhaseTransition
from cases.services import TransitionError
from tests.factories import ForloebFactory

TODAY = timezone.localdate()

# transition -> (source phases, target phase)
MACHINE = {
    "to_rehab_team": ([Phase.FORBEREDENDE_DEL], Phase.REHABILITERINGSTEAM),
    "give_indstilling": ([Phase.REHABILITERINGSTEAM], Phase.INDSTILLING),
    "grant": ([Phase.INDSTILLING], Phase.INDSATSDEL),
    "start_ivaerksaettelse": ([Phase.INDSATSDEL], Phase.IVAERKSAETTELSE),
    "genforelaeggelse": (
        [Phase.INDSTILLING, Phase.INDSATSDEL, Phase.IVAERKSAETTELSE],
        Phase.REHABILITERINGSTEAM,
    ),
    "close": ([p for p in Phase if p != Phase.AFSLUTTET], Phase.AFSLUTTET),
}

VALID_INPUT = {
    "to_rehab_team": {},
    "give_indstilling": {},
    "grant": {"start_date": TODAY - timedelta(days=10), "planned_end_date": TODAY + timedelta(days=720)},
    "start_ivaerksaettelse": {},
    "genforelaeggelse": {"reason": "Borgeren har fået forværret helbred; fleksjob skal vurderes."},
    "close": {"outcome": Outcome.FLEKSJOB, "closed_on": TODAY},
}


def make_forloeb_in(phase, team, coordinator):
    start = TODAY - timedelta(days=30) if phase in (Phase.INDSATSDEL, Phase.IVAERKSAETTELSE) else None
    f = ForloebFactory(
        team=team,
        phase=phase,
        opened_on=TODAY - timedelta(days=200),
        start_date=start,
        planned_end_date=start + timedelta(days=365) if start else None,
    )
    services.forloeb_assign_coordinator(forloeb=f, coordinator=coordinator, valid_from=f.opened_on, actor=coordinator)
    f.refresh_from_db()
    return f


def move(forloeb, transition, actor, **extra):
    data = {**VALID_INPUT[transition], **extra}
    return services.forloeb_transition(
        forloeb_id=forloeb.pk, transition=transition, actor=actor, expected_phase=forloeb.phase, **data
    )


LEGAL = [(name, source) for name, (sources, _) in MACHINE.items() for source in sources]
ILLEGAL = [(name, source) for name, (sources, _) in MACHINE.items() for source in Phase if source not in sources]


@pytest.mark.parametrize(("transition", "source"), LEGAL)
def test_every_legal_transition_moves_the_forloeb_and_writes_the_log(transition, source, team, caseworker):
    forloeb = make_forloeb_in(source, team, caseworker)
    moved = move(forloeb, transition, caseworker)

    assert moved.phase == MACHINE[transition][1]
    log = PhaseTransition.objects.get(forloeb=forloeb)
    assert (log.transition, log.from_phase, log.to_phase, log.actor) == (
        transition,
        source,
        MACHINE[transition][1],
        caseworker,
    )
    assert log.at is not None and log.at == moved.phase_changed_at


@pytest.mark.parametrize(("transition", "source"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(transition, source, team, caseworker):
    forloeb = make_forloeb_in(source, team, caseworker)

    with pytest.raises(TransitionError) as excinfo:
        move(forloeb, transition, caseworker)

    assert "er ikke muligt fra fasen" in str(excinfo.value)
    forloeb.refresh_from_db()
    assert forloeb.phase == source
    assert not PhaseTransition.objects.filter(forloeb=forloeb).exists()


def test_the_whole_path_from_forberedende_del_to_afsluttet_is_logged_in_order(forloeb, caseworker):
    for transition in ("to_rehab_team", "give_indstilling", "grant"):
        forloeb = move(forloeb, transition, caseworker)
    forloeb = move(forloeb, "start_ivaerksaettelse", caseworker)
    forloeb = move(forloeb, "genforelaeggelse", caseworker)
    forloeb = move(forloeb, "give_indstilling", caseworker)
    forloeb = move(forloeb, "close", caseworker, outcome=Outcome.FOERTIDSPENSION)

    path = list(PhaseTransition.objects.filter(forloeb=forloeb).values_list("to_phase", flat=True))
    assert path == [
        Phase.REHABILITERINGSTEAM,
        Phase.INDSTILLING,
        Phase.INDSATSDEL,
        Phase.IVAERKSAETTELSE,
        Phase.REHABILITERINGSTEAM,
        Phase.INDSTILLING,
        Phase.AFSLUTTET,
    ]
    forloeb.refresh_from_db()
    assert forloeb.outcome == Outcome.FOERTIDSPENSION and forloeb.closed_on == TODAY


def test_a_forloeb_without_a_coordinator_cannot_move_on(team, caseworker):
    forloeb = ForloebFactory(team=team)

    with pytest.raises(TransitionError) as excinfo:
        move(forloeb, "to_rehab_team", caseworker)

    assert "ingen koordinerende sagsbehandler" in str(excinfo.value)
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


def test_a_forloeb_without_a_coordinator_can_still_be_closed(team, caseworker):
    forloeb = ForloebFactory(team=team)
    assert move(forloeb, "close", caseworker).phase == Phase.AFSLUTTET


def test_indsatser_cannot_be_ivaerksat_before_the_forloeb_starts(team, caseworker):
    forloeb = make_forloeb_in(Phase.INDSATSDEL, team, caseworker)
    Forloeb.objects.filter(pk=forloeb.pk).update(
        start_date=TODAY + timedelta(days=14), planned_end_date=TODAY + timedelta(days=400)
    )
    forloeb.refresh_from_db()

    with pytest.raises(TransitionError) as excinfo:
        move(forloeb, "start_ivaerksaettelse", caseworker)

    assert "ikke startet endnu" in str(excinfo.value)


def test_a_guard_registered_by_a_later_app_blocks_the_transition_with_its_message(forloeb, caseworker):
    guard = case_rules.Guard(
        code="test_preparatory_complete",
        message="Den forberedende del er ikke færdig.",
        check=lambda f: False,
    )
    case_rules.register_guard("to_rehab_team", guard)
    try:
        with pytest.raises(TransitionError) as excinfo:
            move(forloeb, "to_rehab_team", caseworker)
        assert "Den forberedende del er ikke færdig." in excinfo.value.messages
        steps = {s.name: s for s in selectors.forloeb_next_steps(forloeb=forloeb, user=caseworker)}
        assert steps["to_rehab_team"].blocked_by == ["Den forberedende del er ikke færdig."]
    finally:
        case_rules.unregister_guard("to_rehab_team", "test_preparatory_complete")
    assert move(forloeb, "to_rehab_team", caseworker).phase == Phase.REHABILITERINGSTEAM


@pytest.mark.parametrize(
    ("transition", "source", "bad_input", "field", "message"),
    [
        ("genforelaeggelse", Phase.IVAERKSAETTELSE, {"reason": "   "}, "reason", "Skriv hvorfor"),
        ("close", Phase.INDSATSDEL, {"outcome": ""}, "outcome", "Vælg en afslutningsårsag"),
        ("close", Phase.INDSATSDEL, {"outcome": "ukendt"}, "outcome", "Vælg en afslutningsårsag"),
        ("close", Phase.INDSATSDEL, {"closed_on": TODAY + timedelta(days=1)}, "closed_on", "fremtiden"),
        ("close", Phase.INDSATSDEL, {"closed_on": date(2000, 1, 1)}, "closed_on", "før forløbet blev oprettet"),
        ("grant", Phase.INDSTILLING, {"start_date": None}, "start_date", "Angiv ressourceforløbets startdato"),
        (
            "grant",
            Phase.INDSTILLING,
            {"planned_end_date": TODAY - timedelta(days=20)},
            "planned_end_date",
            "efter startdatoen",
        ),
    ],
)
def test_bad_transition_input_is_refused_with_a_danish_message(
    transition, source, bad_input, field, message, team, caseworker
):
    forloeb = make_forloeb_in(source, team, caseworker)

    with pytest.raises(TransitionError) as excinfo:
        move(forloeb, transition, caseworker, **bad_input)

    assert message in excinfo.value.field_errors[field]
    forloeb.refresh_from_db()
    assert forloeb.phase == source and forloeb.outcome == ""


def test_a_stale_page_cannot_move_a_forloeb_that_someone_else_moved(forloeb, caseworker, teammate):
    seen_phase = forloeb.phase
    move(forloeb, "to_rehab_team", teammate)

    with pytest.raises(TransitionError) as excinfo:
        services.forloeb_transition(
            forloeb_id=forloeb.pk,
            transition="close",
            actor=caseworker,
            expected_phase=seen_phase,
            outcome=Outcome.OTHER,
            closed_on=TODAY,
        )

    assert "ændret af en anden" in str(excinfo.value)
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.REHABILITERINGSTEAM


@pytest.mark.parametrize("who", ["teammate", "team_leader"])
def test_teammates_and_the_team_leader_may_move_the_forloeb(who, forloeb, request):
    actor = request.getfixturevalue(who)
    assert move(forloeb, "to_rehab_team", actor).phase == Phase.REHABILITERINGSTEAM


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_people_outside_the_team_may_not_move_the_forloeb(who, forloeb, request):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        move(forloeb, "to_rehab_team", actor)

    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


def test_the_phase_cannot_be_set_directly(forloeb):
    with pytest.raises(AttributeError):
        forloeb.phase = Phase.AFSLUTTET


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_of_one_forloeb_cannot_both_succeed(team, caseworker, teammate):
    forloeb = make_forloeb_in(Phase.IVAERKSAETTELSE, team, caseworker)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name, transition, actor, **data):
        try:
            barrier.wait(timeout=5)
            services.forloeb_transition(
                forloeb_id=forloeb.pk,
                transition=transition,
                actor=actor,
                expected_phase=Phase.IVAERKSAETTELSE,
                **data,
            )
            results[name] = "ok"
        except TransitionError as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("close", "close", caseworker), kwargs=VALID_INPUT["close"]),
        threading.Thread(
            target=attempt, args=("genfor", "genforelaeggelse", teammate), kwargs=VALID_INPUT["genforelaeggelse"]
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)

    outcomes = sorted(type(v).__name__ for v in results.values())
    assert outcomes == ["TransitionError", "str"], results
    assert PhaseTransition.objects.filter(forloeb=forloeb).count() == 1
    final = Forloeb.objects.get(pk=forloeb.pk)
    winner = PhaseTransition.objects.get(forloeb=forloeb)
    assert final.phase == winner.to_phase
