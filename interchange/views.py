"""Pages of interchange: the evaluation exports E1, E2 and E4 for team leaders and
administrators. Thin: check access, read through interchange.evaluation, log, answer."""

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import clock
from cases import selectors as case_selectors
from interchange import evaluation
from interchange.forms import EvaluationExportForm
from interchange.selectors import forloeb_for_export
from interchange.services import export_log


@require_GET
@login_required
def evaluation_export(request: HttpRequest) -> HttpResponse:
    """The form (GET without parameters) and the download (GET with them). Every download is
    logged; anyone but a team leader or an administrator gets 404."""
    user = request.user
    if not user.has_perm("interchange.export_evaluation"):
        raise Http404
    form = EvaluationExportForm(
        request.GET or None,
        teams=case_selectors.teams_for_user(user=user).select_related("kommune"),
        may_use_cpr=user.has_perm("interchange.export_with_cpr"),
    )
    if form.is_bound and form.is_valid():
        return _download(request, form.cleaned_data)
    return render(request, "interchange/evaluation_export.html", {"form": form}, status=400 if form.is_bound else 200)


def _download(request: HttpRequest, data: dict) -> HttpResponse:
    today = clock.today()
    kind, file_format, team = data["udtraek"], data["format"], data["team"]
    filters = {
        "kommune_code": team.kommune.code if team else None,
        "team_code": team.code if team else None,
        "period_from": data["fra"],
        "period_to": data["til"],
    }
    forloeb_qs = forloeb_for_export(user=request.user, **filters)
    columns, rows = evaluation.export_rows(
        kind,
        forloeb_qs=forloeb_qs,
        pseudonymised=data["pseudonymiseret"],
        today=today,
        period_from=data["fra"],
        period_to=data["til"],
    )
    response = HttpResponse(content_type=evaluation.CONTENT_TYPES[file_format])
    if file_format == "xlsx":
        buffer = io.BytesIO()
        evaluation.write_xlsx(buffer, columns, rows, sheet_title=kind.upper())
        response.write(buffer.getvalue())
    else:
        evaluation.write_csv(response, columns, rows)
    export_log(
        user=request.user,
        kind=kind,
        file_format=file_format,
        pseudonymised=data["pseudonymiseret"],
        filters=filters,
        rows=len(rows),
        via="web",
    )
    response["Content-Disposition"] = f'attachment; filename="{evaluation.file_name(kind, file_format, today)}"'
    return response
