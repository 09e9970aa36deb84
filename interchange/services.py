"""Writes of the interchange app: importing forløb and logging every export."""

from cases.models import User
from interchange.models import ExportLog


def export_log(
    *,
    user: User | None,
    kind: str,
    file_format: str,
    pseudonymised: bool,
    filters: dict,
    rows: int,
    via: str,
) -> ExportLog:
    """Record who took an export, with which filter (never CPR numbers in the filter)."""
    return ExportLog.objects.create(
        user=user,
        kind=kind,
        file_format=file_format,
        pseudonymised=pseudonymised,
        filters=filters,
        rows=rows,
        via=via,
    )
