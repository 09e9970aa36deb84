"""The machine-readable fokusrevision: every control point of a unit as one JSON document or CSV.

The figures come from the selectors (`supervision.selectors`), so the report, the dashboard and
the drill-down lists count the same forløb: one query per group of control points, one for the
flags, one for the caseload and a few for names, whatever the number of forløb. The shape is
described, key by key, in docs/fokusrevision.md.
"""

import datetime as dt
import json

from cases.models import Kommune, Team, User
from cases.spreadsheet import csv_writer
from supervision import selectors

CSV_COLUMNS = ["control_point", "part", "value"]
CSV_PREFIXES = {"buckets": "bucket:", "per_caseworker": "caseworker:"}


def unit_for_codes(
    *, kommune_code: str, team_code: str | None, as_of: dt.date, period_from: dt.date, period_to: dt.date
) -> selectors.Unit:
    """The unit of a kommune (or one of its teams) by their codes, for callers without a user: the
    whole kommune is in view. An unknown code is a ValueError with a Danish message."""
    kommune = Kommune.objects.filter(code=kommune_code).first()
    if kommune is None:
        raise ValueError(f"Ukendt kommunekode: {kommune_code!r}.")
    team_id = None
    if team_code:
        team = Team.objects.filter(kommune=kommune, code=team_code).first()
        if team is None:
            raise ValueError(f"Ukendt teamkode i kommune {kommune.code}: {team_code!r}.")
        team_id = team.pk
    return selectors.Unit(kommune.pk, as_of, period_from, period_to, team_id=team_id, team_ids=None)


def _share(n: int, count: int) -> dict:
    return {"n": n, "count": count, "share": round(count / n, 4) if n else None}


def _figure(point, value: selectors.Value) -> dict:
    if point.kind == "share":
        return _share(value.n, value.count or 0)
    return {"n": value.n, "buckets": {label: (value.buckets or {}).get(label, 0) for label, _, _ in point.buckets}}


def _place(tree: dict, key: tuple[str, ...], fields: dict) -> None:
    """Put a figure's fields at its key; a parent figure (3.9) and its children share one dict."""
    node = tree
    for part in key:
        node = node.setdefault(part, {})
    clash = set(node) & set(fields)
    if clash:
        raise RuntimeError(f"control point {'/'.join(key)}: {sorted(clash)} given twice")
    node.update(fields)


def _unit_description(unit: selectors.Unit) -> dict:
    kommune = Kommune.objects.values("code", "name").get(pk=unit.kommune_id)
    team = Team.objects.values_list("code", flat=True).get(pk=unit.team_id) if unit.team_id is not None else None
    caseworker = None
    if unit.coordinator_id is not None:
        caseworker = User.objects.values_list("username", flat=True).get(pk=unit.coordinator_id)
    return {
        "kommune": kommune["code"],
        "kommune_navn": kommune["name"],
        "team": team,
        "sagsbehandler": caseworker,
        "period": {"from": unit.period_from.isoformat(), "to": unit.period_to.isoformat()},
    }


def fokusrevision_data(unit: selectors.Unit) -> dict:
    """Every control point of the unit, nested by its key (`control_points["1.4"]["job"]`), with the
    open flags and the caseload under "A". Shares are rounded to 4 decimals, null when n is 0."""
    tree: dict = {}
    for figure in selectors.figures(unit, variation=False):  # every point, in one query
        _place(tree, figure.point.key, _figure(figure.point, figure.unit))
    flags = selectors.flag_figures(unit)
    _place(tree, ("A", "flags_open"), {"n": flags.open, "buckets": dict(flags.by_age)})
    _place(tree, ("A", "flags_by_rule"), dict(sorted(flags.by_rule.items())))
    _place(tree, ("A", "flags_acknowledged"), _share(flags.open, flags.acknowledged))
    load = selectors.caseload(unit)
    names = dict(User.objects.filter(pk__in=load).values_list("pk", "username"))
    per_caseworker = dict(sorted((names[pk], n) for pk, n in load.items()))
    _place(tree, ("A", "caseload"), {"n": sum(load.values()), "per_caseworker": per_caseworker})
    return {
        "as_of": unit.as_of.isoformat(),
        "unit": _unit_description(unit),
        "control_points": dict(sorted(tree.items(), key=lambda item: _point_order(item[0]))),
    }


def _point_order(point_id: str) -> tuple:
    """1.1, 1.2, ..., 1.10, ..., 4.4, then A."""
    if point_id.replace(".", "").isdigit():
        return (0, *(int(part) for part in point_id.split(".")))
    return (1, point_id)


# --- Writers --------------------------------------------------------------------------------------


def csv_rows(data: dict):
    """One row per leaf value: the unit's description first (control point "unit"), then each
    control point's n, count, share, buckets ("bucket:<label>"), flag rules and caseworkers."""
    unit = data["unit"]
    yield {"control_point": "unit", "part": "as_of", "value": data["as_of"]}
    for part in ("kommune", "kommune_navn", "team", "sagsbehandler"):
        yield {"control_point": "unit", "part": part, "value": unit[part]}
    yield {"control_point": "unit", "part": "period_from", "value": unit["period"]["from"]}
    yield {"control_point": "unit", "part": "period_to", "value": unit["period"]["to"]}
    yield from _leaf_rows((), data["control_points"])


def _leaf_rows(path: tuple[str, ...], node: dict):
    for key, value in node.items():
        if isinstance(value, dict) and key in CSV_PREFIXES:
            for label, number in value.items():
                yield {"control_point": "/".join(path), "part": CSV_PREFIXES[key] + label, "value": number}
        elif isinstance(value, dict):
            yield from _leaf_rows((*path, key), value)
        else:
            yield {"control_point": "/".join(path), "part": key, "value": value}


def write_csv(out, data: dict) -> None:
    """The report as CSV (columns control_point, part, value) on the text stream `out`."""
    csv_writer(out, CSV_COLUMNS).writerows(csv_rows(data))


def write_json(out, data: dict) -> None:
    """The report as JSON (UTF-8 text, Danish letters as they are) on the text stream `out`."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")
