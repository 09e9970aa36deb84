"""Pages of the ledelsestilsyn (/tilsyn/): the dashboard, one figure's comparison across teams and
caseworkers, the forløb behind a figure, and the fokusrevision report (page, PDF, JSON, CSV).

Thin: each view reads the filter (`supervision.forms`), asks `selectors.unit_for` for the unit
(404 outside the user's scope), reads the figures through the selectors and renders. What is
here besides is presentation: numbers as Danish text and the links between the pages, which
always carry the filter, so the browser's Back button returns to the same view."""

import io
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases import clock
from cases import services as case_services
from cases.models import Kommune, Team, User
from followup.selectors import rule_label
from rehab.pdf import render_pdf
from supervision import charts, export, selectors
from supervision import points as cp
from supervision.forms import UnitFilterForm, filter_params

PARTS = {"taeller": "count", "naevner": "n"}
FLAG_AGES = {
    "<=30d": gettext_lazy("højst 30 dage"),
    "31-90d": gettext_lazy("31-90 dage"),
    "91-180d": gettext_lazy("91-180 dage"),
    ">180d": gettext_lazy("mere end 180 dage"),
}
RULE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# The fokusrevision's four questions (spec §1); the compliance figure "A" is about duration (Q1).
QUESTIONS = (
    ("1", gettext_lazy("Spørgsmål 1: Forberedelse og planlægning af indsatsen (mål, varighed og ventetid)")),
    ("2", gettext_lazy("Spørgsmål 2: Tværfaglig, parallel og koordineret indsats")),
    ("3", gettext_lazy("Spørgsmål 3: Inddragelse af borgeren og løbende opfølgning")),
    ("4", gettext_lazy("Spørgsmål 4: Indhentning af sundhedsfaglige oplysninger")),
)


# --- The unit --------------------------------------------------------------------------------


@dataclass
class Context:
    """The filter, the unit it names and the names of what it is about."""

    form: UnitFilterForm
    unit: selectors.Unit
    supervisor: bool
    params: dict
    kommune_name: str = ""
    unit_name: str = ""

    def url(self, name: str, **extra) -> str:
        params = {**self.params, **{k: v for k, v in extra.items() if v is not None}}
        return f"{reverse(name)}?{urlencode(params)}"


def _context(request: HttpRequest) -> Context:
    form = UnitFilterForm(request.GET or None, user=request.user, today=clock.today())
    kwargs = form.unit_kwargs()
    if kwargs["kommune_id"] is None:
        raise Http404
    unit = selectors.unit_for(request.user, **kwargs)
    supervisor = form.supervisor
    ctx = Context(form, unit, supervisor, filter_params(unit, supervisor=supervisor))
    ctx.kommune_name = Kommune.objects.values_list("name", flat=True).get(pk=unit.kommune_id)
    if not supervisor:
        ctx.unit_name = _("Dine egne forløb")
    elif unit.coordinator_id is not None:
        person = form.caseworker_names.get(unit.coordinator_id) or User.objects.filter(pk=unit.coordinator_id).first()
        ctx.unit_name = str(person or _("Ukendt sagsbehandler"))
    elif unit.team_id is not None:
        ctx.unit_name = next((t.name for t in form.teams if t.pk == unit.team_id), "")
    else:
        ctx.unit_name = _("Hele kommunen") if request.user.is_administrator else _("Alle dine teams")
    return ctx


def _page(request: HttpRequest, ctx: Context, template: str, extra: dict) -> HttpResponse:
    context = {"c": ctx, "form": ctx.form, "unit": ctx.unit, "query": urlencode(ctx.params), **extra}
    return render(request, template, context)


# --- Presentation of a figure ------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return charts.format_share(share) if share is not None else "–"


@dataclass
class Bucket:
    key: str
    words: str
    count: int
    share: str
    reference: str
    audit: str
    url: str


@dataclass
class Row:
    point: object
    value: selectors.Value
    reference: selectors.Value
    share: str
    reference_share: str
    audit: str
    audit_n: str
    count_url: str
    n_url: str
    compare_url: str
    buckets: list[Bucket] = field(default_factory=list)


def _row(ctx: Context, figure: selectors.Figure) -> Row:
    p, audit = figure.point, figure.point.audit
    audit_n = str(audit.n) if audit and audit.n else ""
    n_url = ctx.url("supervision:forloeb_list", punkt=p.ref, **{"del": "naevner"})
    compare_url = ctx.url("supervision:compare", punkt=p.ref)
    if p.kind == "share":
        return Row(
            p,
            figure.unit,
            figure.reference,
            _pct(figure.unit.share),
            _pct(figure.reference.share),
            _pct(audit.value) if audit else "",
            audit_n,
            ctx.url("supervision:forloeb_list", punkt=p.ref, **{"del": "taeller"}),
            n_url,
            compare_url,
        )
    shares, reference = figure.unit.bucket_shares(), figure.reference.bucket_shares()
    audit_values = audit.value if audit else {}
    buckets = [
        Bucket(
            key,
            words,
            (figure.unit.buckets or {}).get(key, 0),
            _pct(shares.get(key)),
            _pct(reference.get(key)),
            _pct(audit_values[key]) if audit_values.get(key) is not None else "",
            ctx.url("supervision:forloeb_list", punkt=p.ref, spand=key),
        )
        for key, _cond, words in p.buckets
    ]
    return Row(p, figure.unit, figure.reference, "", "", "", audit_n, "", n_url, compare_url, buckets)


# --- The dashboard -----------------------------------------------------------------------------


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    # Every point in one query; the per-team and per-caseworker values are on the comparison page.
    by_group = selectors.figures_by_group(ctx.unit, variation=False)
    groups = [(key, label, [_row(ctx, f) for f in by_group[key]]) for key, label in cp.GROUPS.items()]
    flags = selectors.flag_figures(ctx.unit)
    flag_rules = [
        (rule, label, n, ctx.url("supervision:forloeb_list", advarsel=rule)) for rule, label, n in flags.rule_rows()
    ]
    flag_ages = [(FLAG_AGES[key], n, ctx.url("supervision:forloeb_list", alder=key)) for key, n in flags.by_age.items()]
    load = _caseload(ctx)
    extra = {
        "groups": groups,
        "flags": flags,
        "flag_rules": flag_rules,
        "flag_ages": flag_ages,
        "acknowledged_url": ctx.url("supervision:forloeb_list", kvitteret="1"),
        "caseload": load,
        "caseload_chart": charts.bars(title=_("Åbne forløb pr. sagsbehandler"), rows=[(n, c) for n, c, _url in load])
        if load
        else "",
    }
    return _page(request, ctx, "supervision/dashboard.html", extra)


def _caseload(ctx: Context) -> list[tuple[str, int, str]]:
    """Open forløb per caseworker in the unit (a team's or a caseworker's own when one is chosen),
    most first, each with the link to the forløb behind the number."""
    load = selectors.caseload(ctx.unit)
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=load)}
    rows = [(names.get(pk, str(pk)), n, ctx.url("supervision:forloeb_list", sagsbyrde=pk)) for pk, n in load.items()]
    return sorted(rows, key=lambda t: (-t[1], t[0]))


# --- One figure compared across teams and caseworkers --------------------------------------------


@dataclass
class Comparison:
    name: str
    value: selectors.Value
    share: str
    buckets: list[tuple[int, str, str]]  # (count, share, the forløb behind it) per bucket
    count_url: str  # the forløb behind the team's or caseworker's numerator (a share)
    n_url: str  # and behind its denominator


def _ranked(point, values: list[tuple[int, selectors.Value]]) -> list[tuple[int, selectors.Value]]:
    """By share (a distribution: its first bucket's share), largest first; no data last; then by n."""

    def share(value: selectors.Value) -> float | None:
        if point.kind == "share":
            return value.share
        return value.bucket_shares().get(point.buckets[0][0])

    return sorted(values, key=lambda kv: (share(kv[1]) is None, -(share(kv[1]) or 0), -kv[1].n, kv[0]))


def _comparisons(ctx: Context, point, values, names: dict[int, str], param: str) -> list[Comparison]:
    rows = []
    for pk, value in _ranked(point, values):
        shares = value.bucket_shares()
        params = {k: v for k, v in ctx.params.items() if k not in ("team", "sagsbehandler")}
        params |= {param: pk, "punkt": point.ref}
        urls = [f"{reverse('supervision:forloeb_list')}?{urlencode({**params, 'del': d})}" for d in PARTS]
        buckets = [
            (
                (value.buckets or {}).get(k, 0),
                _pct(shares.get(k)),
                f"{reverse('supervision:forloeb_list')}?{urlencode({**params, 'del': 'naevner', 'spand': k})}",
            )
            for k, _c, _w in getattr(point, "buckets", ())
        ]
        rows.append(Comparison(names.get(pk, str(pk)), value, _pct(value.share), buckets, *urls))
    return rows


def _chart(point, title: str, rows: list[Comparison], reference: selectors.Value):
    if point.kind == "share":
        return charts.dot_plot(
            title=title,
            rows=[(r.name, r.value.share, r.value.n) for r in rows],
            reference=reference.share,
            reference_label=_("alle dine forløb i kommunen"),
        )
    return charts.stacked_bars(
        title=title,
        buckets=[str(w) for _k, _c, w in point.buckets],
        rows=[(r.name, [c for c, _s, _u in r.buckets]) for r in rows],
    )


@require_GET
@login_required
def compare(request: HttpRequest) -> HttpResponse:
    point = cp.BY_REF.get(request.GET.get("punkt", ""))
    if point is None:
        raise Http404
    ctx = _context(request)
    (figure,) = selectors.figures(ctx.unit, points=[point])
    row = _row(ctx, figure)
    extra = {
        "row": row,
        "row_list": [row],
        "point": point,
        "keep": [("punkt", point.ref)],
        "teams": [],
        "caseworkers": [],
    }
    if ctx.supervisor:
        team_names = dict(Team.objects.filter(pk__in=[pk for pk, _v in figure.by_team]).values_list("pk", "name"))
        people = User.objects.filter(pk__in=[pk for pk, _v in figure.by_caseworker])
        person_names = {u.pk: u.get_full_name() or u.username for u in people}
        teams = _comparisons(ctx, point, figure.by_team, team_names, "team")
        caseworkers = _comparisons(ctx, point, figure.by_caseworker, person_names, "sagsbehandler")
        extra |= {
            "teams": teams,
            "caseworkers": caseworkers,
            "team_chart": _chart(point, _("%(p)s pr. team") % {"p": point.label}, teams, figure.reference),
            "caseworker_chart": _chart(
                point, _("%(p)s pr. sagsbehandler") % {"p": point.label}, caseworkers, figure.reference
            ),
        }
    return _page(request, ctx, "supervision/compare.html", extra)


# --- The forløb behind a figure ----------------------------------------------------------------


def _behind(request: HttpRequest, ctx: Context) -> tuple[str, str, list[int]]:
    """(what the figure is, which of its forløb, their ids) for the drill-down's parameters."""
    q, unit = request.GET, ctx.unit
    if "punkt" in q:
        point = cp.BY_REF.get(q["punkt"])
        bucket = q.get("spand", "")
        if point is None or (bucket and point.kind != "distribution"):
            raise Http404
        if bucket:
            words = {k: w for k, _c, w in point.buckets}.get(bucket)
            if words is None:
                raise Http404
            return (
                point.label,
                _("Forløb i spandet: %(w)s") % {"w": words},
                selectors.drilldown_ids(unit, point, "n", bucket),
            )
        part = PARTS.get(q.get("del", ""))
        if part is None or (part == "count" and point.kind != "share"):
            raise Http404
        which = (
            _("Tælleren: %(t)s") % {"t": point.count_text}
            if part == "count"
            else _("Nævneren: %(t)s") % {"t": point.n_text}
        )
        return point.label, which, selectors.drilldown_ids(unit, point, part)
    if q.get("sagsbyrde", "").isdigit():
        coordinator_id = int(q["sagsbyrde"])
        person = User.objects.filter(pk=coordinator_id).first()
        which = _("Åbne forløb hos %(p)s") % {"p": (person.get_full_name() or person.username) if person else "–"}
        return _("Sagsbyrde"), which, selectors.caseload_ids(unit, coordinator_id)
    title = _("Åbne advarsler")
    if RULE_ID.match(q.get("advarsel", "")):
        which = _("Forløb med advarslen: %(r)s") % {"r": rule_label(q["advarsel"])}
        return title, which, selectors.flag_drilldown_ids(unit, rule_id=q["advarsel"])
    if q.get("alder") in FLAG_AGES:
        which = _("Forløb med en advarsel, der har været åben i %(a)s") % {"a": FLAG_AGES[q["alder"]]}
        return title, which, selectors.flag_drilldown_ids(unit, age=q["alder"])
    if q.get("kvitteret") == "1":
        which = _("Forløb med en advarsel, der er kvitteret, men ikke løst")
        return title, which, selectors.flag_drilldown_ids(unit, acknowledged=True)
    raise Http404


@require_GET
@login_required
def forloeb_list(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    title, which, ids = _behind(request, ctx)
    page = Paginator(selectors.forloeb_behind(request.user, ids), 50).get_page(request.GET.get("side"))
    case_services.access_log_list(user=request.user, forloeb=list(page))  # the names shown are a read
    keep = urlencode([(k, v) for k, v in request.GET.items() if k != "side"])
    extra = {"title": title, "which": which, "page": page, "keep": keep}
    return _page(request, ctx, "supervision/forloeb_list.html", extra)


# --- The fokusrevision report ----------------------------------------------------------------------


def _point_order(point) -> tuple:
    head = point.key[0]
    if head.replace(".", "").isdigit():
        return tuple(int(part) for part in head.split("."))
    return (1, 99)  # "A": the longest legal duration, with the other duration figures of Q1


def _report(ctx: Context) -> list[tuple[str, str, list[Row]]]:
    rows = [_row(ctx, f) for f in selectors.figures(ctx.unit, variation=False)]  # every point in one query
    rows.sort(key=lambda r: _point_order(r.point))  # stable: the catalogue's order within a point
    return [
        (number, title, [r for r in rows if str(_point_order(r.point)[0]) == number]) for number, title in QUESTIONS
    ]


@require_GET
@login_required
def fokusrevision(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    extra = {"questions": _report(ctx), "today": clock.today()}
    return _page(request, ctx, "supervision/fokusrevision.html", extra)


@require_GET
@login_required
def fokusrevision_pdf(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    context = {"c": ctx, "unit": ctx.unit, "questions": _report(ctx), "today": clock.today(), "pdf": True}
    response = HttpResponse(render_pdf("supervision/fokusrevision_pdf.html", context, request), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_name(ctx)}.pdf"'
    return response


@require_GET
@login_required
def fokusrevision_download(request: HttpRequest, fmt: str) -> HttpResponse:
    ctx = _context(request)
    data = export.fokusrevision_data(ctx.unit)
    out = io.StringIO()
    (export.write_json if fmt == "json" else export.write_csv)(out, data)
    content_type = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(out.getvalue(), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(ctx)}.{fmt}"'
    return response


def _file_name(ctx: Context) -> str:
    return f"fokusrevision-{ctx.unit.as_of.isoformat()}"
