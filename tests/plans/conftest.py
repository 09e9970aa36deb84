import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Phase
from rehab import services as rehab_services
from rehab.models import GoalKind, Ordning
from tests.factories import AgendaItemFactory, OccupationFactory, TeamMeetingFactory
from tests.rehab.conftest import make_ready_for_team, send_to_team

TODAY = timezone.localdate()

FOUR_RECOMMENDED = [
    {"category": "virksomhedsrettet", "description": "Virksomhedspraktik i kantine", "within_months": 3},
    {"category": "mentor", "description": "Mentor i praktikken"},
    {"category": "sundhed_kommunal", "description": "Fysioterapi for ryggen"},
    {"category": "social", "description": "Bostøtte efter serviceloven § 85"},
]


def grant_forloeb(forloeb, actor, rehab_team, *, interventions=FOUR_RECOMMENDED):
    """Take a forløb in forberedende del through the team to `indsatsdel` with an indstilling
    recommending the given indsatser, and a positive afgørelse (2 years from today)."""
    make_ready_for_team(forloeb, actor)
    forloeb = send_to_team(forloeb, actor)
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() - dt.timedelta(days=3))
    item = AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=dt.time(9, 0))
    rehab_services.recommendation_record(
        forloeb=forloeb,
        agenda_item=item,
        given_on=TODAY - dt.timedelta(days=3),
        ordning=Ordning.RESSOURCEFORLOEB,
        duration_years=2,
        hensyn=["fysiske"],
        borger_perspective="Jeg vil gerne i gang.",
        goals=[
            {
                "kind": GoalKind.JOB,
                "description": "Køkkenmedhjælper i en kantine",
                "occupation": OccupationFactory(code="9412", title="Køkkenmedhjælpere"),
            }
        ],
        interventions=interventions,
        actor=actor,
    )
    rehab_services.decision_record(
        forloeb=forloeb,
        decided_on=TODAY - dt.timedelta(days=1),
        ordning=Ordning.RESSOURCEFORLOEB,
        duration_years=2,
        benefit_start_on=TODAY - dt.timedelta(days=1),
        actor=actor,
    )
    forloeb.refresh_from_db()
    assert forloeb.phase == Phase.INDSATSDEL
    return forloeb


@pytest.fixture
def granted(forloeb, caseworker, rehab_team):
    """A forløb in `indsatsdel` whose indstilling recommended four indsatser."""
    return grant_forloeb(forloeb, caseworker, rehab_team)
