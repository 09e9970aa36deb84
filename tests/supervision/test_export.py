"""The machine-readable fokusrevision: the same figures as the dashboard, one JSON key or CSV row per
value, a command that refuses bad input in Danish before writing anything, and documentation that
names every key of the catalogue."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import clock, services
from cases.models import Kommune, Role, User
from followup.rulepacks import RULES
from supervision import doc_table, export, selectors
from supervision import points as cp
from tests.factories import FlagFactory, ForloebFactory, KommuneFactory, PreparatoryPartFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "fokusrevision.md"
EXAMPLE = ROOT / "docs" / "fokusrevision-example.json"
A_EXTRAS = ("A/flags_open", "A/flags_by_rule", "A/flags_acknowledged", "A/caseload")
SHARE_FIELDS, DISTRIBUTION_FIELDS = {"n", "count", "share"}, {"n", "buckets"}


def days_ago(n: int):
    return clock.today() - timedelta(days=n)


def forloeb_of(team, coordinator, *, opened_days_ago=60, **fields):
    """A forløb of the team and coordinator, granted (started) 20 days after it was opened."""
    opened_on = days_ago(opened_days_ago)
    f = ForloebFactory(team=team, opened_on=opened_on, start_date=opened_on + timedelta(days=20), **fields)
    services.forloeb_assign_coordinator(forloeb=f, coordinator=coordinator, valid_from=f.opened_on, actor=coordinator)
    f.refresh_from_db()
    return f


@pytest.fixture
def population(team, other_team, caseworker, outsider):
    """Team Nord: three open forløb of "ks", opened 60 and granted 40 days ago (two with a forberedende
    del signed 40 days ago, one of them with a CV), and one opened 100, granted 80 and closed 30 days
    ago; Team Syd: one open forløb of "udenfor" like the first. Three open flags: two new, one 40 days
    old and acknowledged."""
    with_cv = forloeb_of(team, caseworker)
    PreparatoryPartFactory(forloeb=with_cv, cv="Social- og sundhedshjælper, 2010-2018.")
    without_cv = forloeb_of(team, caseworker)
    PreparatoryPartFactory(forloeb=without_cv)
    forloeb_of(team, caseworker)
    forloeb_of(team, caseworker, opened_days_ago=100, closed_on=days_ago(30))
    syd = forloeb_of(other_team, outsider)
    PreparatoryPartFactory(forloeb=syd)
    FlagFactory(forloeb=with_cv, rule_id="TEST_RULE")
    FlagFactory(
        forloeb=without_cv,
        rule_id="OTHER_RULE",
        raised_on=days_ago(40),
        acknowledged_at=clock.now(),
        acknowledged_by=caseworker,
    )
    FlagFactory(forloeb=syd, rule_id="TEST_RULE")


def kommune_unit(kommune, *, team_code=None, as_of=None, period_from=None):
    as_of = as_of or clock.today()
    return export.unit_for_codes(
        kommune_code=kommune.code,
        team_code=team_code,
        as_of=as_of,
        period_from=period_from or as_of,
        period_to=as_of,
    )


def at(data: dict, key: tuple[str, ...]) -> dict:
    node = data["control_points"]
    for part in key:
        node = node[part]
    return node


def own_fields(node: dict) -> dict:
    """A figure's own fields, without the sub-points that may sit beside them (3.9)."""
    return {k: v for k, v in node.items() if not isinstance(v, dict) or k == "buckets"}


def granted(data: dict) -> int:
    """The granted forløb of the unit in the period: the denominator of 2.4."""
    return at(data, ("2.4", "andet"))["n"]


def leaves(node) -> int:
    return sum(leaves(v) for v in node.values()) if isinstance(node, dict) else 1


def run(*args) -> str:
    out = io.StringIO()
    call_command("fokusrevision", *args, stdout=out)
    return out.getvalue()


# --- The report -----------------------------------------------------------------------------------


def test_the_report_names_its_unit_and_day_and_has_every_control_point_under_its_key(kommune, population):
    data = export.fokusrevision_data(kommune_unit(kommune))

    today = clock.today().isoformat()
    assert data["as_of"] == today
    assert data["unit"] == {
        "kommune": "999",
        "kommune_navn": "Testrup Kommune",
        "team": None,
        "sagsbehandler": None,
        "period": {"from": today, "to": today},
    }
    for point in cp.POINTS:
        fields = own_fields(at(data, point.key))
        if point.kind == "share":
            assert set(fields) == SHARE_FIELDS, point.ref
            assert type(fields["n"]) is int and type(fields["count"]) is int
            assert fields["share"] is None or type(fields["share"]) is float
        else:
            assert set(fields) == DISTRIBUTION_FIELDS, point.ref
            assert list(fields["buckets"]) == [label for label, _, _ in point.buckets]
            assert sum(fields["buckets"].values()) == fields["n"]
    assert set(data["control_points"]["A"]) >= {key.split("/")[1] for key in A_EXTRAS}
    assert json.loads(json.dumps(data)) == data


def test_every_figure_of_the_report_is_the_dashboards_figure_for_the_unit(kommune, population):
    unit = kommune_unit(kommune, team_code="team-nord")

    data = export.fokusrevision_data(unit)

    for group in cp.GROUPS:
        for figure in selectors.figures(unit, group):
            node = at(data, figure.point.key)
            assert node["n"] == figure.unit.n, figure.point.ref
            if figure.point.kind == "share":
                assert node["count"] == figure.unit.count, figure.point.ref
            else:
                assert node["buckets"] == figure.unit.buckets, figure.point.ref


def test_a_share_is_count_of_n_rounded_and_null_when_no_forloeb_is_concerned(kommune, population):
    data = export.fokusrevision_data(kommune_unit(kommune))

    # Three forløb have a signed forberedende del; one of them has a CV.
    assert at(data, ("3.3",)) == {"n": 3, "count": 1, "share": 0.3333}
    # No forløb has lasted 12 months, so the samtaler of the last 12 months concern none.
    assert at(data, ("3.9", "law")) == {"n": 0, "count": 0, "share": None}


def test_a_distribution_puts_each_forloeb_in_one_bucket_in_the_catalogues_order(kommune, population):
    data = export.fokusrevision_data(kommune_unit(kommune))

    assert at(data, ("1.3", "forberedende_del")) == {"n": 3, "buckets": {"both": 0, "one": 0, "none": 3}}
    assert own_fields(at(data, ("3.9",))) == {"n": 0, "buckets": {"<=3": 0, "4-5": 0, "6": 0, ">6": 0}}
    assert set(at(data, ("3.9",))) == {"n", "buckets", "standard", "law"}


def test_the_flags_are_the_open_ones_by_age_rule_and_acknowledgement(kommune, population):
    flags = export.fokusrevision_data(kommune_unit(kommune))["control_points"]["A"]

    assert flags["flags_open"] == {"n": 3, "buckets": {"<=30d": 2, "31-90d": 1, "91-180d": 0, ">180d": 0}}
    assert flags["flags_by_rule"] == {"OTHER_RULE": 1, "TEST_RULE": 2}
    assert flags["flags_acknowledged"] == {"n": 3, "count": 1, "share": 0.3333}


def test_the_caseload_counts_the_open_forloeb_of_each_caseworker_in_the_unit(kommune, population):
    whole = export.fokusrevision_data(kommune_unit(kommune))["control_points"]["A"]["caseload"]
    nord = export.fokusrevision_data(kommune_unit(kommune, team_code="team-nord"))["control_points"]["A"]

    assert whole == {"n": 4, "per_caseworker": {"ks": 3, "udenfor": 1}}
    assert nord["caseload"] == {"n": 3, "per_caseworker": {"ks": 3}}
    assert nord["flags_open"]["n"] == 2


def test_a_caseworkers_unit_is_named_by_their_username_and_counts_only_their_forloeb(
    kommune, team, caseworker, population
):
    unit = selectors.unit_for(
        caseworker, kommune_id=kommune.pk, as_of=clock.today(), period_from=clock.today(), period_to=clock.today()
    )

    data = export.fokusrevision_data(unit)

    assert data["unit"]["sagsbehandler"] == "ks"
    assert data["control_points"]["A"]["caseload"] == {"n": 3, "per_caseworker": {"ks": 3}}
    assert granted(data) == 3


def test_an_unknown_team_code_is_refused_in_danish(kommune, team):
    with pytest.raises(ValueError, match="Ukendt teamkode i kommune 999: 'team-x'"):
        kommune_unit(kommune, team_code="team-x")


def test_the_report_takes_the_same_number_of_queries_for_a_small_and_a_larger_population(
    kommune, team, other_team, caseworker, outsider, population
):
    unit = kommune_unit(kommune)
    with CaptureQueriesContext(connection) as small:
        export.fokusrevision_data(unit)
    extra = UserFactory(username="ks2", teams=[team, other_team])
    for i in range(12):
        coordinator = extra if i % 3 else caseworker if i % 2 else outsider
        f = forloeb_of(team if i % 2 else other_team, coordinator, opened_days_ago=200)
        PreparatoryPartFactory(forloeb=f)
        FlagFactory(forloeb=f, rule_id=f"RULE_{i % 4}", raised_on=days_ago(i * 15))

    with CaptureQueriesContext(connection) as larger:
        data = export.fokusrevision_data(unit)

    assert granted(data) == 16
    assert len(larger) == len(small)


# --- CSV --------------------------------------------------------------------------------------------


def csv_cells(data: dict) -> tuple[list[str], dict[tuple[str, str], str], int]:
    out = io.StringIO()
    export.write_csv(out, data)
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    rows = list(reader)
    return reader.fieldnames, {(r["control_point"], r["part"]): r["value"] for r in rows}, len(rows)


def test_the_csv_has_one_row_per_value_of_the_report(kommune, population):
    data = export.fokusrevision_data(kommune_unit(kommune))

    columns, cells, rows = csv_cells(data)

    assert columns == ["control_point", "part", "value"]
    assert rows == leaves(data) == len(cells)
    assert cells[("unit", "kommune")] == "999"
    assert cells[("unit", "team")] == ""
    assert cells[("unit", "period_from")] == clock.today().isoformat()
    assert cells[("1.3/forberedende_del", "bucket:none")] == "3"
    assert cells[("3.3", "share")] == "0.3333"
    assert cells[("3.9/law", "share")] == ""
    assert cells[("3.9", "bucket:<=3")] == "0"
    assert cells[("2.7/igangsat/social", "n")] == "4"
    assert cells[("A/flags_open", "bucket:31-90d")] == "1"
    assert cells[("A/flags_by_rule", "TEST_RULE")] == "2"
    assert cells[("A/caseload", "caseworker:ks")] == "3"


def test_a_kommune_name_a_spreadsheet_would_run_is_written_as_text(kommune, population):
    Kommune.objects.filter(pk=kommune.pk).update(name='=HYPERLINK("http://x.example")')

    _, cells, _ = csv_cells(export.fokusrevision_data(kommune_unit(kommune)))

    assert cells[("unit", "kommune_navn")] == '\'=HYPERLINK("http://x.example")'


# --- The command ------------------------------------------------------------------------------------


def test_the_command_reports_the_only_kommune_as_of_today_by_default(kommune, population):
    data = json.loads(run("--format", "json"))

    today = clock.today().isoformat()
    assert data["unit"]["kommune"] == "999"
    assert (data["as_of"], data["unit"]["period"]) == (today, {"from": today, "to": today})
    assert granted(data) == 4  # the forløb closed 30 days ago is not in today's period


def test_with_two_kommuner_the_command_needs_to_be_told_which(kommune, population):
    KommuneFactory(code="998", name="Andeby Kommune")

    with pytest.raises(CommandError, match="flere kommuner.*--kommune"):
        run("--format", "json")
    assert json.loads(run("--kommune", "999", "--format", "json"))["unit"]["kommune"] == "999"


def test_the_team_option_reports_that_team_only(kommune, population):
    data = json.loads(run("--kommune", "999", "--team", "team-nord", "--format", "json"))

    assert data["unit"]["team"] == "team-nord"
    assert granted(data) == 3
    assert data["control_points"]["A"]["caseload"]["per_caseworker"] == {"ks": 3}


def test_a_period_reaching_back_includes_a_forloeb_closed_within_it(kommune, population):
    data = json.loads(run("--from", days_ago(40).isoformat(), "--format", "json"))

    assert data["unit"]["period"] == {"from": days_ago(40).isoformat(), "to": clock.today().isoformat()}
    assert granted(data) == 5
    assert data["control_points"]["A"]["caseload"]["n"] == 4  # closed before the as-of day: no caseload


def test_as_of_an_earlier_day_only_what_was_dated_by_then_counts(kommune, population):
    day = days_ago(50).isoformat()

    data = json.loads(run("--as-of", day, "--format", "json"))

    assert (data["as_of"], data["unit"]["period"]) == (day, {"from": day, "to": day})
    assert granted(data) == 1  # only the forløb closed since was granted by then
    assert at(data, ("3.3",))["n"] == 0  # the forberedende dele were signed 40 days ago
    assert data["control_points"]["A"]["flags_open"]["n"] == 0


def test_the_command_writes_csv_to_a_file_and_says_where(kommune, population, tmp_path):
    target = tmp_path / "fokusrevision.csv"

    message = run("--format", "csv", "--to", clock.today().isoformat(), "-o", str(target))

    assert message == f"Fokusrevision for kommune 999 pr. {clock.today().isoformat()} skrevet til {target}.\n"
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == {"control_point": "unit", "part": "as_of", "value": clock.today().isoformat()}
    assert {"control_point": "1.1", "part": "n", "value": "3"} in rows


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kommune", "123"], "Ukendt kommunekode: '123'"),
        (["--team", "team-x"], "Ukendt teamkode i kommune 999: 'team-x'"),
        (["--as-of", "2026-02-30"], "--as-of: Ugyldig dato: '2026-02-30'. Skriv den som ÅÅÅÅ-MM-DD"),
        (["--from", "{today}", "--to", "{yesterday}", "--as-of", "{today}"], "første dag --from .* ligger efter --to"),
        (["--to", "{today}", "--as-of", "{yesterday}"], "ligger efter opgørelsesdagen --as-of"),
        (["--as-of", "{tomorrow}"], "ligger i fremtiden"),
    ],
)
def test_bad_input_is_refused_in_danish_and_nothing_is_written(kommune, population, tmp_path, arguments, message):
    days = {"today": clock.today(), "yesterday": days_ago(1), "tomorrow": days_ago(-1)}
    arguments = [a.format(**{k: v.isoformat() for k, v in days.items()}) for a in arguments]
    target = tmp_path / "out.json"
    out = io.StringIO()

    with pytest.raises(CommandError, match=message):
        call_command("fokusrevision", *arguments, "--format", "json", "-o", str(target), stdout=out)

    assert not target.exists()
    assert out.getvalue() == ""


@pytest.mark.parametrize("arguments", [[], ["--format", "xml"]])
def test_the_format_must_be_json_or_csv(kommune, arguments):
    with pytest.raises(CommandError, match="Angiv formatet med --format json eller --format csv"):
        run(*arguments)


def test_the_report_of_the_demo_kommune_is_complete_and_consistent(db):
    call_command("seed_demo", stdout=io.StringIO())
    leader = User.objects.filter(role=Role.TEAM_LEADER).first()
    kommune = Kommune.objects.get()

    for unit in (
        kommune_unit(kommune),
        selectors.unit_for(
            leader, kommune_id=kommune.pk, as_of=clock.today(), period_from=days_ago(365), period_to=clock.today()
        ),
    ):
        data = export.fokusrevision_data(unit)
        for point in cp.POINTS:
            fields = own_fields(at(data, point.key))
            if point.kind == "share":
                assert 0 <= fields["count"] <= fields["n"], point.ref
            else:
                assert sum(fields["buckets"].values()) == fields["n"], point.ref
        caseload = data["control_points"]["A"]["caseload"]
        assert caseload["n"] == sum(caseload["per_caseworker"].values()) > 0
        assert (
            sum(data["control_points"]["A"]["flags_by_rule"].values()) == data["control_points"]["A"]["flags_open"]["n"]
        )
        _, cells, rows = csv_cells(data)
        assert rows == leaves(data) == len(cells)


# --- The documentation ------------------------------------------------------------------------------


def test_the_documentation_names_every_key_bucket_and_rule():
    doc = DOC.read_text(encoding="utf-8")

    missing = [p.ref for p in cp.POINTS if f"`{p.ref}`" not in doc]
    missing += [
        f"{p.ref} {label}"
        for p in cp.POINTS
        if p.kind == "distribution"
        for label, _, _ in p.buckets
        if f"`{label}`" not in doc
    ]
    missing += [label for label, _ in selectors.FLAG_AGE_BUCKETS if f"`{label}`" not in doc]
    missing += [key for key in A_EXTRAS if f"`{key}`" not in doc]
    missing += [rule_id for rule_id in RULES if f"`{rule_id}`" not in doc]
    assert missing == []


def unknown_keys(node: dict, path: tuple[str, ...] = ()):
    """Keys of the example that are not in the catalogue, or a figure whose fields are wrong."""
    ref = "/".join(path)
    point = cp.BY_REF.get(ref)
    if point is not None:
        fields = own_fields(node)
        expected = SHARE_FIELDS if point.kind == "share" else DISTRIBUTION_FIELDS
        if set(fields) != expected or (
            point.kind == "distribution" and list(fields["buckets"]) != [b[0] for b in point.buckets]
        ):
            yield f"{ref}: {sorted(fields)}"
    for key, child in node.items():
        if point is not None and key in expected:
            continue
        sub = f"{ref}/{key}" if ref else key
        if sub in A_EXTRAS:
            continue
        if isinstance(child, dict) and any(r == sub or r.startswith(sub + "/") for r in cp.BY_REF):
            yield from unknown_keys(child, (*path, key))
        else:
            yield sub


def test_the_example_file_parses_and_every_key_in_it_is_in_the_catalogue():
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))

    assert set(example) == {"as_of", "unit", "control_points"}
    assert set(example["unit"]) == {"kommune", "kommune_navn", "team", "sagsbehandler", "period"}
    assert list(unknown_keys(example["control_points"])) == []
    assert set(example["control_points"]["A"]) >= {key.split("/")[1] for key in A_EXTRAS}


def test_the_documentation_key_table_is_the_one_the_catalogue_makes():
    """Regenerate with `DJANGO_DEBUG=true .venv/bin/python -m supervision.doc_table`."""
    doc = DOC.read_text(encoding="utf-8")
    assert doc_table.generated(doc) == doc
