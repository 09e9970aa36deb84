"""The indsats catalogue (R-000-03): versioned reference data loaded by plans/migrations/0002_catalogue."""

import importlib
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from plans import selectors
from plans.models import Domain, InterventionType
from rehab.models import InterventionCategory

CATALOGUE = importlib.import_module("plans.migrations.0002_catalogue").CATALOGUE
LAB = "Lov om en aktiv beskæftigelsesindsats"

pytestmark = pytest.mark.django_db


def current(code: str) -> InterventionType:
    return InterventionType.objects.get(code=code, valid_to__isnull=True)


def test_the_migration_loaded_every_type_with_its_category_domain_and_basis():
    assert InterventionType.objects.filter(valid_to__isnull=True).count() == len(CATALOGUE)
    for code, name, category, domain, basis, weeks in CATALOGUE:
        row = current(code)
        assert (row.name, row.category, row.domain, row.legal_basis, row.max_weeks) == (
            name,
            category,
            domain,
            basis,
            weeks,
        ), code
        assert row.valid_from == date(2013, 1, 1)
        assert row.category in InterventionCategory.values and row.domain in Domain.values
        assert str(row) == name


def test_the_codes_are_unique_slugs():
    codes = [c[0] for c in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert all(code == code.lower() and " " not in code for code in codes)


@pytest.mark.parametrize(
    ("code", "weeks", "chapter"),
    [
        ("virksomhedspraktik", 13, "kap. 11"),
        ("loentilskud", 52, "kap. 12"),
        ("mentor", 26, "kap. 14"),
        ("intensiveret-mentor", 26, "kap. 14"),
    ],
)
def test_the_legal_maximum_lengths(code, weeks, chapter):
    row = current(code)
    assert row.max_weeks == weeks
    assert row.legal_basis == f"{LAB}, {chapter}"
    assert row.category in (InterventionCategory.VIRKSOMHEDSRETTET, InterventionCategory.MENTOR)


def test_only_the_law_sets_maximum_lengths():
    limited = set(InterventionType.objects.filter(max_weeks__isnull=False).values_list("code", flat=True))
    assert limited == {"virksomhedspraktik", "loentilskud", "mentor", "intensiveret-mentor"}


@pytest.mark.parametrize("category", list(InterventionCategory))
def test_every_category_has_a_current_type(category):
    assert selectors.current_catalogue().filter(category=category).exists(), category


def test_every_domain_is_used():
    assert set(InterventionType.objects.values_list("domain", flat=True)) == set(Domain.values)


def test_the_familie_and_genoptraening_gaps_are_covered():
    """R-000-03: include familie and ældre/genoptræning codes so those gaps do not recur."""
    assert current("familierettet").category == InterventionCategory.SOCIAL
    assert "genoptræning" in current("fysioterapi").name


def test_at_most_one_current_row_per_code():
    old = current("virksomhedspraktik")
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionType.objects.create(
            code=old.code,
            name=old.name,
            category=old.category,
            domain=old.domain,
            max_weeks=8,
            valid_from=date(2026, 1, 1),
        )
    assert InterventionType.objects.filter(code=old.code).count() == 1


def test_a_version_is_unique_by_code_and_valid_from():
    old = current("mentor")
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionType.objects.create(
            code=old.code,
            name=old.name,
            category=old.category,
            domain=old.domain,
            valid_from=old.valid_from,
            valid_to=date(2020, 1, 1),
        )


def test_a_new_version_replaces_the_old_one_in_the_current_catalogue():
    old = current("loentilskud")
    InterventionType.objects.filter(pk=old.pk).update(valid_to=date(2025, 12, 31))
    new = InterventionType.objects.create(
        code=old.code,
        name=old.name,
        category=old.category,
        domain=old.domain,
        legal_basis=old.legal_basis,
        max_weeks=39,
        valid_from=date(2026, 1, 1),
    )
    catalogue = list(selectors.current_catalogue())
    assert new in catalogue and old not in catalogue
    assert len(catalogue) == len(CATALOGUE)
    assert InterventionType.objects.get(pk=old.pk).max_weeks == 52  # the old row keeps its period and limit
    assert [t.category for t in catalogue] == sorted(t.category for t in catalogue)
