"""Reads of the actions that tilsyn findings ask of a koordinerende sagsbehandler (Min dag)."""

from django.db.models import QuerySet

from supervision.models import ActionStatus, TilsynAction


def open_actions_for(assignee) -> QuerySet:
    """The open actions assigned to a caseworker, the earliest due first."""
    return (
        TilsynAction.objects.filter(assignee=assignee, status=ActionStatus.OPEN)
        .select_related("forloeb__borger", "finding__review__item__round", "created_by")
        .order_by("due_on", "pk")
    )
