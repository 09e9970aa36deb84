import os
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cases import services
from cases.models import Role, Sector
from tests.factories import (
    BorgerFactory,
    ForloebFactory,
    KommuneFactory,
    RehabMembershipFactory,
    RehabTeamFactory,
    TeamFactory,
    UserFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server

# --- The clock moved ahead -------------------------------------------------------------------
# `make test` runs the date-sensitive tests again (see the Makefile; not e2e or bench) with
# FORLOEB_CLOCK_SHIFT_DAYS=365 and 1095: the whole session, test database included, lives that many
# days in the future (time-machine moves `cases.clock` and everything under it, and keeps ticking).
# Any whole number of days works, also a negative one. It starts here, before test modules are imported, so module constants such
# as `TODAY = clock.today()` see the shifted day. A test about a fixed legal date freezes its own
# day with time_machine.travel, which nests inside this one.
CLOCK_SHIFT_DAYS = int(os.environ.get("FORLOEB_CLOCK_SHIFT_DAYS") or 0)
if CLOCK_SHIFT_DAYS:
    time_machine.travel(datetime.now(UTC) + timedelta(days=CLOCK_SHIFT_DAYS), tick=True).start()


def pytest_report_header(config):
    if CLOCK_SHIFT_DAYS:
        return f"clock moved {CLOCK_SHIFT_DAYS} days ahead: today is {date.today().isoformat()}"
    return None


@pytest.fixture
def kommune(db):
    return KommuneFactory()


@pytest.fixture
def team(kommune):
    return TeamFactory(kommune=kommune, name="Team Nord")


@pytest.fixture
def other_team(kommune):
    return TeamFactory(kommune=kommune, name="Team Syd")


@pytest.fixture
def caseworker(team):
    """The koordinerende sagsbehandler of the forløb under test."""
    return UserFactory(username="ks", first_name="Karin", last_name="Sørensen", teams=[team])


@pytest.fixture
def teammate(team):
    return UserFactory(username="kollega", role=Role.CASEWORKER, teams=[team])


@pytest.fixture
def outsider(other_team):
    """A caseworker in another team of the same kommune."""
    return UserFactory(username="udenfor", teams=[other_team])


@pytest.fixture
def team_leader(team):
    return UserFactory(username="leder", role=Role.TEAM_LEADER, teams=[team])


@pytest.fixture
def rehab_member(kommune):
    return UserFactory(username="rehab", role=Role.REHAB_MEMBER, sector=Sector.MUNICIPAL_HEALTH)


# Before the 2026 reform stopped new ressourceforløb (cases.rulepacks), so it can still be granted.
FORLOEB_OPENED_ON = date(2026, 5, 4)


@pytest.fixture
def forloeb(team, caseworker):
    f = ForloebFactory(
        team=team, borger=BorgerFactory(first_name="Mette", last_name="Hansen"), opened_on=FORLOEB_OPENED_ON
    )
    services.forloeb_assign_coordinator(forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker)
    f.refresh_from_db()
    return f


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def rehab_team(kommune, rehab_member):
    """The kommune's rehabiliteringsteam, with the rehab member on it."""
    team = RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet")
    RehabMembershipFactory(rehab_team=team, user=rehab_member, sector=rehab_member.sector)
    return team


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's real hasher is slow by design; tests create many users. The real one stays
    second, so hashes made with it (the demo's) still verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
