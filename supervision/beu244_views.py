"""The BEU 244 report (/tilsyn/beu244/): page, PDF, CSV and JSON (docs/beu244.md).

Only for those who supervise (team leaders: their teams; administrators: the kommune); anyone
else, and any kommune or team outside the user's scope, gets 404. The filter is the
ledelsestilsyn's (`UnitFilterForm`: kommune, team, report day, period), without the caseworker,
and the period reaches back a year when none is asked for. The figures are aggregates: no borger
is shown, so nothing is written to the access log.
"""

import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import clock
from cases.models import Forloeb, Kommune, Team
from rehab.pdf import render_pdf
from supervision import beu244, selectors
from supervision.forms import UnitFilterForm, filter_params
from supervision.views import Context


def _context(request: HttpRequest) -> Context:
    user = request.user
    if not selectors.is_supervisor(user):
        raise Http404
    form = UnitFilterForm(request.GET.copy(), user=user, today=clock.today())
    form.fields.pop("sagsbehandler", None)  # the report is per kommune and team
    kwargs = form.unit_kwargs()
    kwargs["coordinator_id"] = None
    if kwargs["kommune_id"] is None:
        raise Http404
    if not request.GET.get("fra") or "fra" in form.errors:
        kwargs["period_from"] = beu244.default_period_from(kwargs["period_to"])
        form.data["fra"] = kwargs["period_from"].isoformat()
    unit = selectors.unit_for(user, **kwargs)
    ctx = Context(form, unit, True, filter_params(unit, supervisor=True))
    ctx.kommune_name = Kommune.objects.values_list("name", flat=True).get(pk=unit.kommune_id)
    if unit.team_id is not None:
        ctx.unit_name = next((t.name for t in form.teams if t.pk == unit.team_id), "")
    else:
        ctx.unit_name = _("Hele kommunen") if user.is_administrator else _("Alle dine teams")
    return ctx


def _report(request: HttpRequest, ctx: Context) -> beu244.Report:
    unit = ctx.unit
    forloeb = Forloeb.objects.visible_to(request.user).filter(kommune_id=unit.kommune_id)
    if unit.team_id is not None:
        forloeb = forloeb.filter(team_id=unit.team_id)
    return beu244.report(forloeb, unit.period_from, unit.period_to, unit.as_of, settings.BEU244_SMALL_CELL)


def _legend(rep: beu244.Report) -> dict:
    return {"suppressed": f"<{rep.threshold}", "threshold": rep.threshold, "largest": rep.threshold - 1}


def _scope(ctx: Context) -> dict:
    unit = ctx.unit
    kommune = Kommune.objects.values_list("code", flat=True).get(pk=unit.kommune_id)
    team = Team.objects.values_list("code", flat=True).get(pk=unit.team_id) if unit.team_id is not None else None
    return {"kommune": kommune, "team": team}


def _file_name(ctx: Context, scope: dict) -> str:
    parts = ["beu244", scope["kommune"], scope["team"], ctx.unit.as_of.isoformat()]
    return "-".join(p for p in parts if p)


@require_GET
@login_required
def beu244_page(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    rep = _report(request, ctx)
    context = {
        "c": ctx,
        "form": ctx.form,
        "unit": ctx.unit,
        "query": urlencode(ctx.params),
        "rep": rep,
        "questions": beu244.present(rep, leaves_the_team=False),
        **_legend(rep),
    }
    return render(request, "supervision/beu244.html", context)


@require_GET
@login_required
def beu244_pdf(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    rep = _report(request, ctx)
    context = {
        "c": ctx,
        "unit": ctx.unit,
        "rep": rep,
        "questions": beu244.present(rep, leaves_the_team=True),
        **_legend(rep),
        "pdf": True,
    }
    response = HttpResponse(render_pdf("supervision/beu244_pdf.html", context, request), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_name(ctx, _scope(ctx))}.pdf"'
    return response


@require_GET
@login_required
def beu244_download(request: HttpRequest, fmt: str) -> HttpResponse:
    ctx = _context(request)
    scope = _scope(ctx)
    data = beu244.as_data(_report(request, ctx), scope=scope)
    out = io.StringIO()
    (beu244.write_json if fmt == "json" else beu244.write_csv)(out, data)
    content_type = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(out.getvalue(), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(ctx, scope)}.{fmt}"'
    return response
