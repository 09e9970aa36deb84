from datetime import date

from followup import services


def test_every_rule_runs_on_an_empty_database(db):
    result = services.flags_evaluate(as_of=date(2020, 3, 1))
    assert result.total_raised == 0
    assert services.flags_preview(as_of=date(2026, 12, 1)) is not None
