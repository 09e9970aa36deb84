"""BEU 244 question 10: which forløb that ended before their planned end were not completed."""

import datetime as dt

import pytest

from cases.models import EarlyEndReason, Outcome
from outcomes.selectors import ended_early, not_completed

PLANNED = dt.date(2026, 6, 30)
EARLY = dt.date(2025, 8, 31)


def test_ending_on_or_after_the_planned_end_is_not_ending_early():
    assert not ended_early(PLANNED, PLANNED)
    assert not ended_early(PLANNED + dt.timedelta(days=1), PLANNED)
    assert not ended_early(EARLY, None)
    assert ended_early(EARLY, PLANNED)


def test_a_forloeb_that_ends_early_with_foertidspension_ended_before_plan_but_was_completed():
    """Spec scenario 6: 14 months against 24 planned, the reason is førtidspension."""
    assert ended_early(EARLY, PLANNED)
    assert not not_completed(EARLY, PLANNED, Outcome.FOERTIDSPENSION, EarlyEndReason.FOERTIDSPENSION)
    assert not not_completed(EARLY, PLANNED, Outcome.OTHER, EarlyEndReason.FOERTIDSPENSION)


@pytest.mark.parametrize("outcome", [Outcome.WAGE_EMPLOYMENT, Outcome.EDUCATION, Outcome.FLEKSJOB])
def test_ending_early_in_work_education_or_fleksjob_is_not_a_non_completion(outcome):
    assert not not_completed(EARLY, PLANNED, outcome)


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (Outcome.KONTANTHJAELP, EarlyEndReason.NO_PARTICIPATION),  # spec scenario: no-shows, sanction
        (Outcome.SYGEDAGPENGE, EarlyEndReason.OTHER_BENEFIT),
        (Outcome.MOVED, EarlyEndReason.MOVED),
        (Outcome.OTHER, ""),
    ],
)
def test_ending_early_for_other_reasons_is_a_non_completion(outcome, reason):
    assert not_completed(EARLY, PLANNED, outcome, reason)
    assert not not_completed(PLANNED, PLANNED, outcome, reason)  # on time: completed
