"""The desk's pages: the landing page of each role, Mine forløb and the search. Thin: each view
calls the desk's selectors and the access log, and renders."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases import clock
from cases.models import AccessAction
from cases.services import access_log_list
from desk import navigation, selectors
from desk.forms import ListFilterForm, SearchForm


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands where its work is (desk.navigation.landing_url_name)."""
    return redirect(navigation.landing_url_name(request.user))


@require_GET
@login_required
def my_forloeb(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = selectors.teams_for_user(user=user)
    form = ListFilterForm(request.GET or None, teams=teams, default_scope=selectors.default_scope(user))
    filters = form.to_filter()
    page = selectors.forloeb_page(user=user, filters=filters, today=clock.today())
    access_log_list(user=user, forloeb=list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "shown": selectors.columns_shown(filters=filters, teams=teams),
        "headers": _sort_headers(request, filters.sorter),
        "today": clock.today(),
    }
    template = "desk/my_forloeb.html#results" if request.htmx else "desk/my_forloeb.html"
    return render(request, template, context)


def _sort_headers(request: HttpRequest, current: str) -> dict:
    """Per sortable column: the address that sorts by it (the other way when it is the sort now) and
    its aria-sort ("ascending", "descending" or "" when the list is not sorted by it)."""
    params = request.GET.copy()
    params.pop("page", None)
    headers = {}
    for key, (label, _ordering) in selectors.COLUMNS.items():
        if current == key:
            state, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, target = "descending", key
        else:
            state, target = "", key
        params["sorter"] = target
        headers[key] = {"label": label, "url": f"?{params.urlencode()}", "aria_sort": state}
    # "advarsler" sorts the most severe first, which reads as descending severity.
    flip = {"ascending": "descending", "descending": "ascending", "": ""}
    headers["advarsler"]["aria_sort"] = flip[headers["advarsler"]["aria_sort"]]
    return headers


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search from every page's header. Sent by POST, so a CPR number never stands in an
    address; every forløb it lists is logged with the masked criterion."""
    user = request.user
    if request.method == "GET":
        return render(request, "desk/search.html", {"form": SearchForm(), "may_search": selectors.may_search(user)})
    form = SearchForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "may_search": selectors.may_search(user)}
        return render(request, "desk/search.html", context, status=400)
    criterion = form.cleaned_data["criterion"]
    result = selectors.search_forloeb(user=user, criterion=criterion)
    exact = result.exact
    shown = [exact] if exact is not None else result.forloeb
    access_log_list(user=user, forloeb=shown, action=AccessAction.SEARCH, criterion=criterion.label)
    if exact is not None:
        return redirect("cases:forloeb_detail", pk=exact.pk)
    context = {"form": form, "result": result, "may_search": selectors.may_search(user)}
    return render(request, "desk/search.html", context)
