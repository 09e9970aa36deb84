from plans import services
from plans.models import InterventionStatus


def test_the_plan_starts_from_the_indstilling(granted, caseworker):
    plan = services.plan_start(forloeb=granted, actor=caseworker)
    assert plan.version == 1 and plan.goals.count() == 1 and plan.hensyn == ["fysiske"]
    assert sorted(granted.interventions.values_list("category", "status")) == [
        ("mentor", InterventionStatus.INDSTILLET),
        ("social", InterventionStatus.INDSTILLET),
        ("sundhed_kommunal", InterventionStatus.INDSTILLET),
        ("virksomhedsrettet", InterventionStatus.INDSTILLET),
    ]
