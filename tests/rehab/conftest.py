import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Phase
from rehab import services
from rehab.models import DocumentKind, GoalKind
from tests.factories import (
    AgendaItemFactory,
    HealthDocumentFactory,
    OccupationFactory,
    PreparatoryPartFactory,
    TeamMeetingFactory,
)


def make_ready_for_team(forloeb, actor):
    """A complete forberedende del with a concrete jobmål and a received LÆ 265."""
    part = PreparatoryPartFactory(forloeb=forloeb)
    services.goal_add(
        forloeb=forloeb,
        document=part,
        document_kind=DocumentKind.FORBEREDENDE_DEL,
        kind=GoalKind.JOB,
        description="Arbejde i ældreplejen, 15 timer om ugen",
        occupation=OccupationFactory(),
        actor=actor,
    )
    HealthDocumentFactory(forloeb=forloeb)
    return part


def send_to_team(forloeb, actor):
    return case_services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="to_rehab_team", actor=actor, expected_phase=Phase.FORBEREDENDE_DEL
    )


@pytest.fixture
def ready_forloeb(forloeb, caseworker):
    make_ready_for_team(forloeb, caseworker)
    return forloeb


@pytest.fixture
def at_team(ready_forloeb, caseworker, rehab_team):
    """A forløb sent to the team and discussed at yesterday's meeting."""
    forloeb = send_to_team(ready_forloeb, caseworker)
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() - dt.timedelta(days=1))
    item = AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=dt.time(9, 0))
    return forloeb, item
