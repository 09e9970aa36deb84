"""The office of tests/bench/bench_load.py: caseworkers doing their day and team leaders on their
overview, against a running server. Started by bench_load.py (headless, bounded by --run-time);
it reads the users and their forløb from the JSON file in LOAD_PLAN and writes what it saved to
LOAD_RESULT when the run stops.

A caseworker logs in once (the ramp-up spreads the logins) and then loops, with think time between
pages: Min dag, one of their forløb (its overview, opfølgning and indsatsplan pages), a samtale
registered through the real form (GET the form, keep its pre-filled values and CSRF token, POST),
an indsats started through the real form on the indsatsplan page, a search (POST /soeg/; skipped
for the rest of the run when the server answers 404: a tree without search), Mine forløb.
A team leader logs in and loops over the ledelsestilsyn dashboard and Min dag (its team view).

Every request is named after the page (not the URL with its ids), so the statistics are per page.
A POST counts as saved only when the server answers with its redirect (302); anything else is a
failure. The counts are compared with the rows in the database afterwards.
"""

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser

from locust import FastHttpUser, events, task
from locust.exception import StopUser
from locust.user.users import LOCUST_STATE_STOPPING

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115, PTH123
THINK = tuple(PLAN["think_seconds"])
SAVED = {"samtaler": 0, "indsatser": 0, "search_skipped": False, "requests_all": 0, "failures_all": 0}
_caseworkers = itertools.cycle(PLAN["caseworkers"])
_leaders = itertools.cycle(PLAN["leaders"])
_logged_in = []  # users that finished their login; when all have, the steady state begins


class FormParser(HTMLParser):
    """The fields of the form whose action ends with `action`, with the values a browser would
    send unchanged: inputs (checked boxes only), textareas and each select's selected option; and
    the options of each select with the label of their optgroup."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.found = action, False, False
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select = self._textarea = None
        self._group = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action) and not self.found
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
            self.fields.setdefault(name, "")
        elif tag == "optgroup":
            self._group = a.get("label") or ""
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            self.options[self._select].append((value, self._group))
            if "selected" in a:
                self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "optgroup":
            self._group = ""

    def handle_data(self, data):
        if self.inside and self._textarea:
            self.fields[self._textarea] += data


def form_of(html: str, action: str) -> FormParser | None:
    parser = FormParser(action)
    parser.feed(html)
    return parser if parser.found else None


class Office(FastHttpUser):
    abstract = True
    # The ramp-up and the loops pace themselves (think()); no wait between loop iterations besides.
    wait_time = staticmethod(lambda: 0)

    def think(self):
        """Think time; and where a user stops when the run ends (never in the middle of a request,
        so every POST the server saved is counted: bench_load.py gives --stop-timeout for it)."""
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser
        self._sleep(random.uniform(*THINK))  # noqa: S311 - think time, not security
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser

    @staticmethod
    def _sleep(seconds: float):
        import gevent

        gevent.sleep(seconds)

    def get(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {getattr(response, 'error', '') or ''}")
            return response

    def post_form(self, path: str, data: dict, name: str, *, expect_redirect: bool = True):
        """POST a form as the browser does; True when the server accepted it (its redirect). The page
        it redirects to is fetched as its own request, named after the page."""
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            ok = response.status_code == 302 if expect_redirect else response.status_code == 200
            if not ok:
                detail = re.findall(r'class="form-error-message"[^>]*>([^<]+)', response.text or "")[:2]
                response.failure(f"HTTP {response.status_code} {detail or getattr(response, 'error', '') or ''}")
                return False, response
        return True, response

    def login(self):
        self.client.cookiejar.clear()
        page = self.get("/login/", "login (form)")
        form = form_of(page.text or "", "/login/") or form_of(page.text or "", "")
        data = {**(form.fields if form else {}), "username": self.account["username"], "password": PLAN["password"]}
        ok, response = self.post_form("/login/", data, "login (POST)")
        if ok:
            self.get(response.headers.get("Location") or "/", "start page (after login)")
        _logged_in.append(self.account["username"])
        if len(_logged_in) == PLAN["users"]:
            # Every user has logged in: bench_load.py reads the CPU counters now, so the figure per
            # request of the steady state leaves the logins' password hashing out.
            with open(os.environ["LOAD_MARK"], "w", encoding="utf-8") as out:  # noqa: PTH123
                json.dump({"requests": self.environment.stats.total.num_requests}, out)


class Caseworker(Office):
    weight = 10

    def on_start(self):
        self.account = next(_caseworkers)
        self._sleep(random.uniform(0, PLAN["login_jitter_seconds"]))  # noqa: S311
        self.login()

    @task
    def day(self):
        self.get("/min-dag/", "Min dag")
        self.think()
        pk = random.choice(self.account["forloeb"])  # noqa: S311
        self.get(f"/forloeb/{pk}/", "forløb: overblik")
        self.think()
        self.get(f"/forloeb/{pk}/opfoelgning/", "forløb: opfølgning")
        self.think()
        self.samtale(pk)
        self.think()
        self.indsats(pk)
        self.think()
        if not SAVED["search_skipped"]:
            self.search()
            self.think()
        self.get(PLAN["my_forloeb"], "Mine forløb")
        self.think()

    def samtale(self, pk: int):
        path = f"/forloeb/{pk}/opfoelgning/ny/"
        page = self.get(path, "samtale: formular")
        form = form_of(page.text or "", path)
        if form is None:
            return
        self.think()
        data = {**form.fields, "status_on_interventions": "Deltager stabilt i praktikken (belastningstest)."}
        ok, response = self.post_form(path, data, "samtale: gem (POST)")
        if ok:
            SAVED["samtaler"] += 1
            self.get(response.headers.get("Location"), "forløb: opfølgning")

    def indsats(self, pk: int):
        page = self.get(f"/forloeb/{pk}/indsatsplan/", "forløb: indsatsplan")
        path = f"/forloeb/{pk}/indsatser/ny/"
        form = form_of(page.text or "", path)
        if form is None:
            return
        # Any type of the catalogue but the virksomhedsrettede (they need an employer's CVR number).
        types = [v for v, group in form.options.get("type", []) if v and "irksomhed" not in group]
        if not types:
            return
        self.think()
        data = {**form.fields, "type": random.choice(types), "description": "Belastningstest"}  # noqa: S311
        ok, response = self.post_form(path, data, "indsats: start (POST)")
        if ok:
            SAVED["indsatser"] += 1
            self.get(response.headers.get("Location").split("#")[0], "forløb: indsatsplan")

    def search(self):
        page = self.client.get("/soeg/", name="søg (formular)", catch_response=True)
        with page as response:
            if response.status_code == 404:
                SAVED["search_skipped"] = True  # no search in this tree: skip it for the rest of the run
                response.success()
                return
            if response.status_code not in (200, 405):
                response.failure(f"HTTP {response.status_code}")
                return
        token = self.client.cookiejar and next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        form = form_of(page.text or "", "/soeg/")
        data = {**(form.fields if form else {"csrfmiddlewaretoken": token}), "q": random.choice(PLAN["names"])}  # noqa: S311
        if form is not None:
            for key in ("q", "query", "navn", "name"):
                if key in form.fields:
                    data = {**form.fields, key: data["q"]}
                    break
        self.think()
        self.post_form("/soeg/", data, "søg (POST)", expect_redirect=False)


class TeamLeader(Office):
    fixed_count = int(os.environ.get("LOAD_LEADERS", "0"))

    def on_start(self):
        self.account = next(_leaders)
        self._sleep(random.uniform(0, PLAN["login_jitter_seconds"]))  # noqa: S311
        self.login()

    @task
    def overview(self):
        self.get("/tilsyn/", "leder: tilsyn")
        self.think()
        self.get("/min-dag/", "leder: Min dag (team)")
        self.think()


@events.request.add_listener
def _count(exception=None, **_):
    """Every request and every failure of the whole run, the ramp included: the latency statistics
    are reset when the last user has started (bench_load.py), these are not."""
    SAVED["requests_all"] += 1
    if exception is not None:
        SAVED["failures_all"] += 1


@events.test_stop.add_listener
def _write_result(environment, **_):
    with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as out:  # noqa: PTH123
        json.dump(SAVED, out)
