"""Dates on the indstilling and the afgørelse that no rule covers: before 1.1.2013 (no rule pack,
no ressourceforløb), absurd years, garbage. A Danish message on the field, nothing written, no 500."""

import pytest

from cases.models import Phase
from rehab.models import Decision, Recommendation
from tests.conftest import login
from tests.rehab.test_decisions import decide, phase_of, recommend, recommended  # noqa: F401 - fixture

BEFORE_RULES = "Datoen ligger før 1.1.2013, hvor reglerne for ressourceforløb trådte i kraft."
OUT_OF_RANGE = "Datoen skal ligge mellem 01.01.1900 og 31.12.2100."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2012-12-31", BEFORE_RULES),
        ("1950-06-01", BEFORE_RULES),
        ("9999-12-31", OUT_OF_RANGE),
        ("0001-01-01", OUT_OF_RANGE),
        ("31.12.2025x", "gyldig dato"),
    ],
)
def test_an_afgoerelse_dated_where_no_rule_applies_is_refused_on_its_field(
    client,
    recommended,  # noqa: F811
    caseworker,
    value,
    message,
):
    response = decide(login(client, caseworker), recommended, decided_on=value)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in e for e in errors["decided_on"]), errors
    assert message in response.content.decode()
    assert not Decision.objects.exists() and phase_of(recommended) == Phase.INDSTILLING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("benefit_start_on", "9999-12-31", OUT_OF_RANGE),
        ("borger_consent_on", "0001-01-01", OUT_OF_RANGE),
    ],
)
def test_the_afgoerelses_other_dates_are_bounded_too(
    client,
    recommended,  # noqa: F811
    caseworker,
    field,
    value,
    message,
):
    response = decide(login(client, caseworker), recommended, **{field: value})
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Decision.objects.exists() and phase_of(recommended) == Phase.INDSTILLING


@pytest.mark.parametrize(
    ("value", "message"), [("2012-12-31", BEFORE_RULES), ("9999-12-31", OUT_OF_RANGE), ("0001-01-01", OUT_OF_RANGE)]
)
def test_an_indstilling_dated_where_no_rule_applies_is_refused_on_its_field(
    client, at_team, caseworker, value, message
):
    forloeb, item = at_team
    response = recommend(login(client, caseworker), forloeb, item, given_on=value)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recommendation.objects.exists() and phase_of(forloeb) == Phase.REHABILITERINGSTEAM
