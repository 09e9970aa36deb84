"""The organisation of the ledelsestilsyn's hand-count tests."""

from types import SimpleNamespace

import pytest

from cases.models import Role
from tests.factories import UserFactory


@pytest.fixture
def org(kommune, team, other_team, caseworker):
    """Team Nord with koordinerende sagsbehandlere a and b, Team Syd with c, and an administrator."""
    return SimpleNamespace(
        kommune=kommune,
        nord=team,
        syd=other_team,
        a=caseworker,
        b=UserFactory(username="ks-b", teams=[team]),
        c=UserFactory(username="ks-c", teams=[other_team]),
        admin=UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune),
    )
