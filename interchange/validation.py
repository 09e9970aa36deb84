"""Checking an interchange file before anything is written: first against the JSON Schema, then
against the domain rules (dates, durations, references, the state of the database). Every
problem is reported with its JSON path and a Danish message, and all of them are collected,
so a file can be corrected in one go.

Each file is checked against the schema of its own `schema_version` (see `interchange.schema`):
a 1.0 file, which has no outcome data, is read as it always was."""

import contextlib
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import fastjsonschema
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from cases import clock
from cases.models import Borger, Forloeb, Kommune, Phase, Team, User, validate_cpr
from cases.rulepacks import RULE_PACKS, rulepack_on
from interchange import schema
from interchange.models import ImportRecord
from interchange.schema import SCHEMA_VERSION, SCHEMA_VERSIONS, load_schema
from interchange.selectors import export_forloeb_documents, meeting_key
from outcomes.selectors import ended_early
from plans.models import STARTED_STATUSES, InterventionStatus, InterventionType, validate_cvr
from rehab.models import AgendaItem, Occupation, Ordning, RehabTeam

MAX_ERRORS = 200
GRANT_SLACK_DAYS = 92
FIRST_DAY = RULE_PACKS[0].valid_from  # the 2013 reform: no ressourceforløb before it
# No date in a forløb lies outside these years (a birth date is the earliest); a date outside is
# a typing error, and later date arithmetic on it would overflow.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)
# A CPR number in any message is replaced: a message never repeats one (it may reach a log).
CPR_LIKE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __post_init__(self):
        object.__setattr__(self, "message", CPR_LIKE.sub(str(_("[CPR-nummer]")), self.message))

    def __str__(self):
        return f"{self.path}: {self.message}"


class InterchangeError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@functools.cache
def validator(version: str = SCHEMA_VERSION) -> Draft202012Validator:
    """The reference validator: slow, but it reports every error with its path."""
    return Draft202012Validator(load_schema(version))


@functools.cache
def fast_validator(version: str = SCHEMA_VERSION):
    """The schema compiled to Python (fastjsonschema), about 20 times faster; it stops at the
    first error, so a file it refuses is checked again by `validator()` for the full report."""
    return fastjsonschema.compile(load_schema(version))


def _schema_message(error) -> str:
    v, arg = error.validator, error.validator_value
    if v == "required":
        missing = [name for name in arg if isinstance(error.instance, dict) and name not in error.instance]
        return _("Feltet '%(name)s' mangler.") % {"name": ", ".join(missing)}
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("Ukendt felt: %(names)s.") % {"names": ", ".join(f"'{n}'" for n in extra)}
    if v == "type":
        kinds = {
            "string": _("en tekst"),
            "integer": _("et heltal"),
            "number": _("et tal"),
            "boolean": _("true eller false"),
            "object": _("et objekt"),
            "array": _("en liste"),
            "null": "null",
        }
        wanted = arg if isinstance(arg, list) else [arg]
        return _("Skal være %(kind)s.") % {"kind": _(" eller ").join(str(kinds.get(k, k)) for k in wanted)}
    if v == "enum":
        shown = ", ".join(f"'{x}'" for x in arg if x != "")
        if not _quotable(error.instance):
            return _("Værdien er ikke en gyldig kode. Gyldige koder: %(codes)s.") % {"codes": shown}
        return _("Værdien %(value)s er ikke en gyldig kode. Gyldige koder: %(codes)s.") % {
            "value": json.dumps(error.instance, ensure_ascii=False),
            "codes": shown,
        }
    if v == "const":
        return _("Skal være %(value)s.") % {"value": json.dumps(arg, ensure_ascii=False)}
    if v == "pattern":
        # Never the value itself: a pattern guards CPR numbers among others.
        expected = _pattern_descriptions().get(arg)
        if expected:
            return _("Har ikke det rigtige format (skal være %(expected)s).") % {"expected": expected}
        return _("Har ikke det rigtige format.")
    if v == "maxLength":
        return _("Teksten er for lang (højst %(n)s tegn).") % {"n": arg}
    if v == "minLength":
        return _("Må ikke være tom.")
    if v == "minimum":
        return _("Skal være mindst %(n)s.") % {"n": arg}
    if v == "maximum":
        return _("Må højst være %(n)s.") % {"n": arg}
    if v == "anyOf":
        return _("Værdien er ikke gyldig her (forkert type eller format).")
    return _("Ugyldig værdi.")


def _quotable(value) -> bool:
    """Whether a rejected value may be repeated in a message: a short text without digits (a
    mistyped code). Anything else may be personal data, such as a CPR number or a name."""
    return isinstance(value, str) and len(value) <= 40 and not any(c.isdigit() for c in value)


@functools.cache
def _pattern_descriptions() -> dict[str, str]:
    return {
        schema.CPR["pattern"]: _("et CPR-nummer med 10 cifre: DDMMÅÅ-XXXX"),
        schema.DATE["pattern"]: _("en dato som ÅÅÅÅ-MM-DD"),
        schema.DATETIME["pattern"]: _("et tidspunkt som ÅÅÅÅ-MM-DDTtt:mm:ss+01:00"),
        schema.TIME["pattern"]: _("et klokkeslæt som tt:mm"),
        schema.UUID["pattern"]: _("et UUID"),
        schema.TEAM_CODE["pattern"]: _("en kode af bogstaver, tal, - og _"),
        r"^\d{3}$": _("en kommunekode med 3 cifre"),
        r"^\d{4}$": _("en DISCO-08-kode med 4 cifre"),
    }


def schema_problems(document) -> list[Problem]:
    """The problems of a document against the schema of its `schema_version` (a version the import
    does not read is reported as such, and the rest checked against the current schema)."""
    if not isinstance(document, dict):
        return [Problem("$", _("Filen skal indeholde ét JSON-objekt."))]
    version = document.get("schema_version")
    known = isinstance(version, str) and version in SCHEMA_VERSIONS
    if not known:
        version = SCHEMA_VERSION
    try:
        fast_validator(version)(document)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    problems = []
    if not known and "schema_version" in document:
        problems.append(
            Problem(
                "$.schema_version",
                _("Skemaversionen kendes ikke. Forløb indlæser version %(versions)s.")
                % {"versions": _(" og ").join(SCHEMA_VERSIONS)},
            )
        )
    for error in sorted(validator(version).iter_errors(document), key=lambda e: list(e.absolute_path)):
        if not known and list(error.absolute_path) == ["schema_version"]:
            continue  # said above
        problems.append(Problem(error.json_path, _schema_message(error)))
        if len(problems) >= MAX_ERRORS:
            break
    return problems


# The outcome data came with version 1.1. A forløb without any is the same forløb in a 1.0 file and
# in a 1.1 file (or the app's own export), so these keys count as absent when they hold no data.
NO_OUTCOME = {"early_end_reason": "", "exit_statuses": [], "result": None, "sanctions": []}


def digest(doc: dict) -> str:
    """The SHA-256 of a forløb document, by which an import recognises a forløb it has seen."""
    doc = {k: v for k, v in doc.items() if k not in NO_OUTCOME or v != NO_OUTCOME[k]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Keys whose dates record something that happened; they cannot lie after today.
HAPPENED = frozenset(
    {
        "opened_on",
        "closed_on",
        "actual_start",
        "actual_end",
        "held_on",
        "given_on",
        "decided_on",
        "received_on",
        "written_on",
        "recorded_on",
        "on",
        "work_started_on",
        "signed_by_borger_on",
        "sent_to_borger_on",
        "sent_to_gp_on",
        "imposed_on",
        "fleksjob_visiteret_on",
        "fleksjob_bonus_preapproved_on",
        "fleksjob_bonus_paid_on",
        "fp_indstillet_on",
        "fp_tilkendt_on",
    }
)
DATE_PAIRS = (
    ("planned_start", "planned_end"),
    ("actual_start", "actual_end"),
    ("opened_on", "closed_on"),
    ("valid_from", "valid_to"),
    ("recorded_on", "ended_on"),
    ("given_on", "expires_on"),
)


def quiet_day(value: str | None) -> date | None:
    """A date already checked by `Checker.walk` (which reports a bad one), or None."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or EARLIEST_DAY <= day <= LATEST_DAY else None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Checked:
    """What the checks found out, for the writer: parsed values and what is new."""

    new: list[int] = field(default_factory=list)  # indexes into document["forloeb"] to write
    unchanged: list[int] = field(default_factory=list)
    digests: dict[int, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # reference -> existing user id
    kommuner: dict[str, int] = field(default_factory=dict)
    teams: dict[tuple[str, str], int] = field(default_factory=dict)
    rehab_teams: dict[tuple[str, str], int] = field(default_factory=dict)
    borgere: dict[str, int] = field(default_factory=dict)  # cpr -> existing borger id
    types: dict[tuple[str, str | None], int] = field(default_factory=dict)
    occupations: dict[str, int] = field(default_factory=dict)
    meetings: dict[str, int] = field(default_factory=dict)  # file id -> existing meeting id


class Checker:
    def __init__(self, document: dict):
        self.doc = document
        self.version = document["schema_version"]
        self.problems: list[Problem] = []
        self.today = clock.today()
        self.out = Checked()

    def problem(self, path: str, message: str) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(Problem(path, message))

    # --- the database state the file refers to ----------------------------------------
    def load(self) -> None:
        doc = self.doc
        file_kommuner = {k["code"] for k in doc.get("kommuner", [])}
        kommune_codes = (
            file_kommuner | {f["kommune"] for f in doc["forloeb"]} | {m["kommune"] for m in doc.get("meetings", [])}
        )
        self.out.kommuner = dict(Kommune.objects.filter(code__in=kommune_codes).values_list("code", "id"))
        teams = list(
            Team.objects.filter(kommune__code__in=kommune_codes).values_list("kommune__code", "code", "name", "id")
        )
        self.out.teams = {(k, c): pk for k, c, _name, pk in teams}
        self.team_names = {(k, name): c for k, c, name, _pk in teams}
        self.out.rehab_teams = {
            (k, n): pk
            for k, n, pk in RehabTeam.objects.filter(kommune__code__in=kommune_codes).values_list(
                "kommune__code", "name", "id"
            )
        }
        # A user is known by the external id, or (created in Forløb) by the username.
        users = list(User.objects.values_list("id", "external_id", "username"))
        self.out.users = {username: pk for pk, ext, username in users if ext is None}
        self.out.users.update({ext: pk for pk, ext, _username in users if ext is not None})
        cprs = {f["borger"].replace("-", "") for f in doc["forloeb"]} | {
            b["cpr"].replace("-", "") for b in doc.get("borgere", [])
        }
        self.out.borgere = dict(Borger.objects.filter(cpr__in=cprs).values_list("cpr", "id"))
        existing = Forloeb.objects.filter(borger_id__in=self.out.borgere.values()).values_list(
            "borger_id", "sequence_no", "phase"
        )
        self.existing_sequences = {(borger_id, seq) for borger_id, seq, _phase in existing}
        self.borgere_with_open = {borger_id for borger_id, _seq, phase in existing if phase != Phase.AFSLUTTET}
        ids = [f["id"].lower() for f in doc["forloeb"]]
        self.existing_uuids = {str(u) for u in Forloeb.objects.filter(uuid__in=ids).values_list("uuid", flat=True)}
        self.records = dict(ImportRecord.objects.filter(forloeb__uuid__in=ids).values_list("forloeb__uuid", "digest"))
        self.records = {str(k): v for k, v in self.records.items()}
        self.type_categories: dict[int, str] = {}
        for code, valid_from, valid_to, pk, category in InterventionType.objects.values_list(
            "code", "valid_from", "valid_to", "id", "category"
        ):
            self.out.types[(code, valid_from.isoformat())] = pk
            self.type_categories[pk] = category
            if valid_to is None:
                self.out.types[(code, None)] = pk
        occupation_codes = {g.get("occupation") for g in self._goals()} - {None}
        self.out.occupations = dict(Occupation.objects.filter(code__in=occupation_codes).values_list("code", "id"))

    def _goals(self):
        for f in self.doc["forloeb"]:
            if f.get("preparatory_part"):
                yield from f["preparatory_part"].get("goals", [])
            for r in f.get("recommendations", []):
                yield from r.get("goals", [])
            for p in f.get("action_plans", []):
                yield from p.get("goals", [])

    # --- checks -----------------------------------------------------------------------
    def check(self) -> Checked:
        self.load()
        self.meeting_keys = {}
        for m in self.doc.get("meetings", []):
            with contextlib.suppress(ValueError, OverflowError):  # a bad time is reported by check_organisation
                starts_at = datetime.fromisoformat(m["starts_at"])
                self.meeting_keys[m["id"]] = meeting_key(m["kommune"], m["rehab_team"], starts_at)
        self.known_users = set(self.out.users) | {u["id"] for u in self.doc.get("users", [])}
        self.check_organisation()
        self.check_borgere()
        seen_ids: dict[str, int] = {}
        open_per_borger: dict[str, str] = {}
        sequences: set[tuple[str, int]] = set()
        for n, f in enumerate(self.doc["forloeb"]):
            path = f"$.forloeb[{n}]"
            fid = f["id"].lower()
            if fid in seen_ids:
                self.problem(
                    f"{path}.id",
                    _("Forløbs-id'et findes to gange i filen (også i forløb nr. %(n)s).") % {"n": seen_ids[fid]},
                )
                continue
            seen_ids[fid] = n
            self.out.digests[n] = digest(self.with_meeting_keys(f))
            if fid in self.existing_uuids:
                if self.current_digest(fid) == self.out.digests[n]:
                    self.out.unchanged.append(n)
                else:
                    self.problem(
                        f"{path}.id",
                        _(
                            "Forløbet %(id)s findes allerede i databasen med et andet indhold. En indlæsning "
                            "overskriver aldrig et forløb; ret det i Forløb, eller slet det først."
                        )
                        % {"id": f["id"]},
                    )
                continue
            self.out.new.append(n)
            cpr = f["borger"].replace("-", "")
            key = (cpr, f["sequence_no"])
            borger_id = self.out.borgere.get(cpr)
            if key in sequences or (borger_id, f["sequence_no"]) in self.existing_sequences:
                self.problem(
                    f"{path}.sequence_no",
                    _("Borgeren har allerede et forløb nr. %(n)s.") % {"n": f["sequence_no"]},
                )
            sequences.add(key)
            if f["phase"] != Phase.AFSLUTTET:
                if cpr in open_per_borger or borger_id in self.borgere_with_open:
                    self.problem(
                        f"{path}.phase", _("Borgeren har allerede et åbent forløb; kun ét må være åbent ad gangen.")
                    )
                open_per_borger[cpr] = fid
            self.check_forloeb(path, f)
        if self.problems:
            raise InterchangeError(self.problems)
        return self.out

    def with_meeting_keys(self, f: dict) -> dict:
        """The forløb with its agenda items pointing to meetings by `meeting_key`, not by the
        file's local ids, so the digest is the same in any file holding the same forløb."""
        if not f.get("agenda_items"):
            return f
        items = [{**a, "meeting": self.meeting_keys.get(a["meeting"], a["meeting"])} for a in f["agenda_items"]]
        return {**f, "agenda_items": items}

    def current_digest(self, fid: str) -> str | None:
        """The digest the forløb would have today: the one recorded at its import, or, for a forløb
        made in Forløb, that of its own export (so exporting and importing changes nothing)."""
        if fid in self.records:
            return self.records[fid]
        if not hasattr(self, "native_digests"):
            native = [u for u in self.existing_uuids if u not in self.records]
            self.native_digests = {doc["id"]: digest(doc) for doc in export_forloeb_documents(native)}
        return self.native_digests.get(fid)

    def check_organisation(self) -> None:
        file_teams = set()
        seen_kommuner = set()
        self.file_rehab_teams = set()
        for n, k in enumerate(self.doc.get("kommuner", [])):
            if k["code"] in seen_kommuner:
                self.problem(f"$.kommuner[{n}].code", _("Kommunen står to gange i filen."))
            seen_kommuner.add(k["code"])
            for j, t in enumerate(k.get("teams", [])):
                file_teams.add((k["code"], t["code"]))
                other = self.team_names.get((k["code"], t["name"]))
                if other is not None and other != t["code"]:
                    self.problem(
                        f"$.kommuner[{n}].teams[{j}].name",
                        _("Kommunen har allerede et team med navnet '%(name)s' (kode '%(code)s').")
                        % {"name": t["name"], "code": other},
                    )
            for m, rt in enumerate(k.get("rehab_teams", [])):
                self.file_rehab_teams.add((k["code"], rt["name"]))
                members = set()
                for j, member in enumerate(rt.get("members", [])):
                    if member["user"] in members:
                        self.problem(
                            f"$.kommuner[{n}].rehab_teams[{m}].members[{j}].user",
                            _("Medarbejderen står to gange i rehabiliteringsteamet."),
                        )
                    members.add(member["user"])
                    self.user_ref(f"$.kommuner[{n}].rehab_teams[{m}].members[{j}].user", member["user"])
        self.file_kommuner = seen_kommuner
        self.file_teams = file_teams
        self.file_users = set()
        for n, u in enumerate(self.doc.get("users", [])):
            if u["id"] in self.file_users:
                self.problem(f"$.users[{n}].id", _("Medarbejderen står to gange i filen."))
            self.file_users.add(u["id"])
            if u.get("teams") and not u.get("kommune"):
                self.problem(f"$.users[{n}].kommune", _("En medarbejder i et team skal høre til en kommune."))
            if u.get("kommune"):
                self.kommune_ref(f"$.users[{n}].kommune", u["kommune"])
                for t in u.get("teams", []):
                    if (u["kommune"], t) not in file_teams and (u["kommune"], t) not in self.out.teams:
                        self.problem(
                            f"$.users[{n}].teams", _("Teamet '%(code)s' findes ikke i kommunen.") % {"code": t}
                        )
        self.file_meetings = {}
        for n, m in enumerate(self.doc.get("meetings", [])):
            path = f"$.meetings[{n}]"
            if m["id"] in self.file_meetings:
                self.problem(f"{path}.id", _("Mødets id står to gange i filen."))
            self.file_meetings[m["id"]] = m
            key = (m["kommune"], m["rehab_team"])
            if key not in self.file_rehab_teams and key not in self.out.rehab_teams:
                self.problem(
                    f"{path}.rehab_team",
                    _("Rehabiliteringsteamet '%(name)s' findes hverken i filen eller i databasen.")
                    % {"name": m["rehab_team"]},
                )
            self.check_date(lambda path=path: f"{path}.starts_at", "starts_at", m["starts_at"], None)
        # Agenda slots already taken on meetings that exist: (file meeting id, "HH:MM").
        self.slots_taken: set[tuple[str, str]] = set()
        existing = {}
        for ref, m in self.file_meetings.items():
            rehab_team_id = self.out.rehab_teams.get((m["kommune"], m["rehab_team"]))
            try:
                starts_at = datetime.fromisoformat(m["starts_at"])
            except ValueError:
                continue
            if rehab_team_id:
                existing[(rehab_team_id, starts_at)] = ref
        if existing:
            rows = AgendaItem.objects.filter(
                meeting__rehab_team_id__in={rt for rt, _at in existing},
                meeting__starts_at__in={at for _rt, at in existing},
            ).values_list("meeting__rehab_team_id", "meeting__starts_at", "slot_start")
            for rt, at, slot in rows:
                if (rt, at) in existing:
                    self.slots_taken.add((existing[(rt, at)], slot.strftime("%H:%M")))

    def check_borgere(self) -> None:
        self.file_borgere = set()
        for n, b in enumerate(self.doc.get("borgere", [])):
            path = f"$.borgere[{n}]"
            try:
                cpr = validate_cpr(b["cpr"])
            except ValidationError as exc:
                self.problem(f"{path}.cpr", exc.messages[0])
                continue
            if cpr in self.file_borgere:
                self.problem(f"{path}.cpr", _("Borgeren står to gange i filen."))
            self.file_borgere.add(cpr)
            birth = Borger(cpr=cpr).birth_date
            self.walk(path, {k: v for k, v in b.items() if k != "cpr"}, birth)
            consent_ids = set()
            for j, c in enumerate(b.get("consents", [])):
                if c["id"] in consent_ids:
                    self.problem(f"{path}.consents[{j}].id", _("Id'et '%(id)s' står to gange.") % {"id": c["id"]})
                consent_ids.add(c["id"])
            for j, o in enumerate(b.get("other_cases", [])):
                if o.get("consent") and o["consent"] not in consent_ids:
                    self.problem(
                        f"{path}.other_cases[{j}].consent",
                        _("Samtykket '%(id)s' findes ikke hos borgeren.") % {"id": o["consent"]},
                    )

    def kommune_ref(self, path: str, code: str) -> None:
        if code not in self.file_kommuner and code not in self.out.kommuner:
            self.problem(
                path, _("Kommunen med kode '%(code)s' findes hverken i filen eller i databasen.") % {"code": code}
            )

    def user_ref(self, path: str, ref: str | None) -> None:
        if ref is not None and ref not in self.known_users:
            self.problem(
                path, _("Medarbejderen '%(id)s' findes hverken i filens 'users' eller i databasen.") % {"id": ref}
            )

    def pairs(self, path: str, obj: dict) -> None:
        for start, end in DATE_PAIRS:
            a, b = obj.get(start), obj.get(end)
            if a and b and b < a:
                self.problem(
                    f"{path}.{end}",
                    _("%(end)s (%(b)s) ligger før %(start)s (%(a)s).") % {"end": end, "b": b, "start": start, "a": a},
                )

    def walk(self, path: str, obj: dict, birth: date | None) -> None:
        """Every date, time and user reference in a forløb: dates valid, not before the borger's
        birth, and things that happened not after today; users known. Paths are built only for
        a problem, so a large file is walked quickly."""
        self.pairs(path, obj)
        for k, v in obj.items():
            if v is None:
                continue
            if k in DATE_KEYS:
                self.check_date(lambda k=k: f"{path}.{k}", k, v, birth)
            elif k in USER_KEYS:
                if v not in self.known_users:
                    self.user_ref(f"{path}.{k}", v)
            elif isinstance(v, float) and k in INTEGER_KEYS:
                # JSON Schema counts 1.0 as an integer, the database does not.
                self.problem(f"{path}.{k}", _("Skal være et heltal (uden decimaler)."))
            elif isinstance(v, dict):
                self.walk(f"{path}.{k}", v, birth)
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                for i, x in enumerate(v):
                    self.walk(f"{path}.{k}[{i}]", x, birth)

    def check_date(self, where, key: str, value: str, birth: date | None) -> None:
        try:
            parsed = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            if isinstance(parsed, datetime):
                parsed.astimezone(UTC)  # 9999-12-31T23:00-05:00 is no time at all
        except (ValueError, OverflowError):
            kind = _("et gyldigt tidspunkt") if "T" in value else _("en gyldig dato")
            self.problem(where(), _("%(value)s er ikke %(kind)s.") % {"value": value, "kind": kind})
            return
        day = parsed.date() if isinstance(parsed, datetime) else parsed
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.problem(
                where(),
                _("Datoen %(day)s ligger uden for årene %(first)s-%(last)s.")
                % {"day": day.isoformat(), "first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
            )
            return
        if birth and day < birth:
            self.problem(
                where(),
                _("Datoen %(day)s ligger før borgerens fødsel (%(birth)s).")
                % {"day": day.isoformat(), "birth": birth.isoformat()},
            )
        if key in HAPPENED and day > self.today:
            self.problem(
                where(),
                _("Datoen %(day)s ligger i fremtiden, men beskriver noget, der er sket.") % {"day": day.isoformat()},
            )

    def check_forloeb(self, path: str, f: dict) -> None:
        try:
            cpr = validate_cpr(f["borger"])
        except ValidationError as exc:
            self.problem(f"{path}.borger", exc.messages[0])
            cpr = None
        birth = None
        if cpr:
            if cpr not in self.file_borgere and cpr not in self.out.borgere:
                self.problem(f"{path}.borger", _("Borgeren findes hverken i filens 'borgere' eller i databasen."))
            birth = Borger(cpr=cpr).birth_date
        self.kommune_ref(f"{path}.kommune", f["kommune"])
        if (f["kommune"], f["team"]) not in self.file_teams and (f["kommune"], f["team"]) not in self.out.teams:
            self.problem(
                f"{path}.team",
                _("Teamet '%(code)s' findes ikke i kommunen %(k)s.") % {"code": f["team"], "k": f["kommune"]},
            )
        self.walk(path, f, birth)
        self.check_phase(path, f)
        self.check_duration(path, f)
        self.check_parts(path, f)
        self.check_outcomes(path, f)

    def check_phase(self, path: str, f: dict) -> None:
        phase = f["phase"]
        if phase == Phase.AFSLUTTET:
            if not f.get("closed_on"):
                self.problem(f"{path}.closed_on", _("Et afsluttet forløb skal have en afslutningsdato."))
            if not f.get("outcome"):
                self.problem(f"{path}.outcome", _("Et afsluttet forløb skal have en afslutningsårsag."))
        else:
            if f.get("closed_on"):
                self.problem(f"{path}.closed_on", _("Kun et afsluttet forløb kan have en afslutningsdato."))
            if f.get("outcome"):
                self.problem(f"{path}.outcome", _("Kun et afsluttet forløb kan have en afslutningsårsag."))
        if phase in (Phase.INDSATSDEL, Phase.IVAERKSAETTELSE):
            for name in ("start_date", "planned_end_date"):
                if not f.get(name):
                    self.problem(f"{path}.{name}", _("Et bevilget forløb skal have startdato og planlagt slutdato."))
        if f.get("planned_end_date") and not f.get("start_date"):
            self.problem(f"{path}.start_date", _("En planlagt slutdato kræver en startdato."))
        transitions = f.get("transitions", [])
        if transitions and transitions[-1]["to_phase"] != phase:
            self.problem(
                f"{path}.transitions[{len(transitions) - 1}].to_phase",
                _("Det sidste faseskift ender i '%(last)s', men forløbets fase er '%(phase)s'.")
                % {"last": transitions[-1]["to_phase"], "phase": phase},
            )
        current = [c for c in f.get("coordinators", []) if c.get("valid_to") is None]
        if len(current) > 1:
            self.problem(
                f"{path}.coordinators",
                _("Højst én koordinerende sagsbehandler kan være den nuværende (uden slutdato)."),
            )

    def check_duration(self, path: str, f: dict) -> None:
        for key in ("opened_on", "start_date"):
            day = quiet_day(f.get(key))
            if day and day < FIRST_DAY:
                self.problem(
                    f"{path}.{key}",
                    _("Ressourceforløb findes fra %(first)s; datoen %(day)s ligger før.")
                    % {"first": FIRST_DAY.isoformat(), "day": day.isoformat()},
                )
                return
        start = quiet_day(f.get("start_date"))
        end = quiet_day(f.get("planned_end_date"))
        grants = [
            (quiet_day(x["decided_on"]), quiet_day(x.get("benefit_start_on") or x["decided_on"]))
            for x in f.get("decisions", [])
            if x["ordning"] == Ordning.RESSOURCEFORLOEB
        ]
        grants = [(decided, begins) for decided, begins in grants if decided and begins and decided >= FIRST_DAY]
        if start and end:
            if end <= start:
                self.problem(f"{path}.planned_end_date", _("Den planlagte slutdato skal ligge efter startdatoen."))
            # The current period runs from the latest grant (a genforelæggelse may prolong the
            # forløb), under the pack in force when it was granted; the period may begin up to
            # GRANT_SLACK_DAYS after the afgørelse.
            decided_on, begins = max(grants) if grants else (start, start)
            begins = max(begins, start)
            pack = rulepack_on(decided_on)
            latest = add_years(begins, pack.max_duration_years) + timedelta(days=GRANT_SLACK_DAYS)
            if end > latest:
                years = (end - begins).days / 365.25
                self.problem(
                    f"{path}.planned_end_date",
                    _(
                        "Forløbet varer %(years).1f år fra bevillingen, men et ressourceforløb kan højst vare "
                        "%(max)s år efter reglerne, da det blev bevilget (%(pack)s)."
                    )
                    % {"years": years, "max": pack.max_duration_years, "pack": pack.code},
                )
        for key in ("recommendations", "decisions"):
            for i, x in enumerate(f.get(key, [])):
                when = quiet_day(x.get("given_on") or x.get("decided_on"))
                years = x.get("duration_years")
                if when and when < FIRST_DAY:
                    self.problem(
                        f"{path}.{key}[{i}]",
                        _("Ressourceforløb findes fra %(first)s.") % {"first": FIRST_DAY.isoformat()},
                    )
                elif when and years is not None and x["ordning"] == Ordning.RESSOURCEFORLOEB:
                    pack = rulepack_on(when)
                    if not pack.min_duration_years <= years <= pack.max_duration_years:
                        self.problem(
                            f"{path}.{key}[{i}].duration_years",
                            _("Et ressourceforløb kan vare %(min)s-%(max)s år efter reglerne på datoen (%(pack)s).")
                            % {"min": pack.min_duration_years, "max": pack.max_duration_years, "pack": pack.code},
                        )

    def check_parts(self, path: str, f: dict) -> None:
        def unique_ids(key: str, items: list[dict]) -> set[str]:
            ids = set()
            for i, x in enumerate(items):
                if x["id"] in ids:
                    self.problem(f"{path}.{key}[{i}].id", _("Id'et '%(id)s' står to gange.") % {"id": x["id"]})
                ids.add(x["id"])
            return ids

        agenda = unique_ids("agenda_items", f.get("agenda_items", []))
        recs = unique_ids("recommendations", f.get("recommendations", []))
        ivs = unique_ids("interventions", f.get("interventions", []))
        rec_ivs = set()
        for i, r in enumerate(f.get("recommendations", [])):
            for j, ri in enumerate(r.get("interventions", [])):
                if ri["id"] in rec_ivs:
                    self.problem(
                        f"{path}.recommendations[{i}].interventions[{j}].id",
                        _("Id'et '%(id)s' står to gange.") % {"id": ri["id"]},
                    )
                rec_ivs.add(ri["id"])
        meetings_used = set()
        for i, a in enumerate(f.get("agenda_items", [])):
            try:
                time.fromisoformat(a["slot_start"])
            except ValueError:
                self.problem(f"{path}.agenda_items[{i}].slot_start", _("Klokkeslættet findes ikke (skal være tt:mm)."))
            slot = (a["meeting"], a["slot_start"][:5])
            if slot in self.slots_taken:
                self.problem(
                    f"{path}.agenda_items[{i}].slot_start",
                    _("Tidspunktet %(slot)s på mødet er allerede optaget af et andet forløb.") % {"slot": slot[1]},
                )
            self.slots_taken.add(slot)
            if a["meeting"] not in self.file_meetings:
                self.problem(
                    f"{path}.agenda_items[{i}].meeting",
                    _("Mødet '%(id)s' findes ikke i filens 'meetings'.") % {"id": a["meeting"]},
                )
            if a["meeting"] in meetings_used:
                self.problem(f"{path}.agenda_items[{i}].meeting", _("Forløbet står to gange på samme møde."))
            meetings_used.add(a["meeting"])
        agenda_used = set()
        for i, r in enumerate(f.get("recommendations", [])):
            if r.get("agenda_item") and r["agenda_item"] in agenda_used:
                self.problem(
                    f"{path}.recommendations[{i}].agenda_item",
                    _("Punktet på dagsordenen har allerede en indstilling."),
                )
            agenda_used.add(r.get("agenda_item"))
            if r.get("agenda_item") and r["agenda_item"] not in agenda:
                self.problem(
                    f"{path}.recommendations[{i}].agenda_item",
                    _("Punktet '%(id)s' findes ikke i forløbets 'agenda_items'.") % {"id": r["agenda_item"]},
                )
        used_recs = set()
        for i, x in enumerate(f.get("decisions", [])):
            ref = x.get("recommendation")
            if ref and ref not in recs:
                self.problem(
                    f"{path}.decisions[{i}].recommendation",
                    _("Indstillingen '%(id)s' findes ikke i forløbet.") % {"id": ref},
                )
            if ref and ref in used_recs:
                self.problem(f"{path}.decisions[{i}].recommendation", _("Indstillingen har allerede en afgørelse."))
            used_recs.add(ref)
        for i, iv in enumerate(f.get("interventions", [])):
            p = f"{path}.interventions[{i}]"
            if iv.get("type_valid_from"):
                type_id = self.out.types.get((iv["type"], iv["type_valid_from"]))
                if type_id is None:
                    self.problem(
                        f"{p}.type_valid_from",
                        _("Indsatskataloget har ingen version af '%(code)s' fra %(day)s.")
                        % {"code": iv["type"], "day": iv["type_valid_from"]},
                    )
            else:
                type_id = self.out.types.get((iv["type"], None))
                if type_id is None:
                    self.problem(
                        f"{p}.type",
                        _("Indsatstypen '%(code)s' findes ikke i indsatskataloget.") % {"code": iv["type"]},
                    )
            if type_id is not None and self.type_categories[type_id] != iv["category"]:
                self.problem(
                    f"{p}.category",
                    _("Indsatstypen '%(code)s' hører til kategorien '%(category)s'.")
                    % {"code": iv["type"], "category": self.type_categories[type_id]},
                )
            if iv.get("actual_end") and not iv.get("actual_start"):
                self.problem(f"{p}.actual_start", _("En faktisk slutdato kræver en faktisk startdato."))
            if iv.get("recommended") and iv["recommended"] not in rec_ivs:
                self.problem(
                    f"{p}.recommended",
                    _("Den anbefalede indsats '%(id)s' findes ikke i forløbets indstillinger.")
                    % {"id": iv["recommended"]},
                )
            status = iv["status"]
            if status in STARTED_STATUSES and not iv.get("actual_start"):
                self.problem(
                    f"{p}.actual_start",
                    _("En indsats med status '%(status)s' skal have en faktisk startdato.") % {"status": status},
                )
            if status in (InterventionStatus.GENNEMFOERT, InterventionStatus.AFBRUDT) and not iv.get("actual_end"):
                self.problem(
                    f"{p}.actual_end",
                    _("En indsats med status '%(status)s' skal have en faktisk slutdato.") % {"status": status},
                )
            if status not in STARTED_STATUSES and iv.get("actual_start"):
                self.problem(
                    f"{p}.actual_start",
                    _("En indsats med status '%(status)s' kan ikke have en faktisk startdato.") % {"status": status},
                )
            if iv.get("employer_cvr"):
                try:
                    validate_cvr(iv["employer_cvr"])
                except ValidationError as exc:
                    self.problem(f"{p}.employer_cvr", exc.messages[0])
        versions = set()
        lineages = set()
        drafts = 0
        for i, plan in enumerate(f.get("action_plans", [])):
            p = f"{path}.action_plans[{i}]"
            if plan["version"] in versions:
                self.problem(f"{p}.version", _("Indsatsplanens version %(v)s står to gange.") % {"v": plan["version"]})
            versions.add(plan["version"])
            drafts += plan.get("completed_on") is None
            if plan.get("recommendation") and plan["recommendation"] not in recs:
                self.problem(
                    f"{p}.recommendation",
                    _("Indstillingen '%(id)s' findes ikke i forløbet.") % {"id": plan["recommendation"]},
                )
            lineages |= {m["lineage"] for m in plan.get("milestones", [])}
            seen = set()
            for j, item in enumerate(plan.get("items", [])):
                if item["intervention"] not in ivs:
                    self.problem(
                        f"{p}.items[{j}].intervention",
                        _("Indsatsen '%(id)s' findes ikke i forløbets 'interventions'.") % {"id": item["intervention"]},
                    )
                if item["intervention"] in seen:
                    self.problem(f"{p}.items[{j}].intervention", _("Indsatsen står to gange i samme version."))
                seen.add(item["intervention"])
        if drafts > 1:
            self.problem(
                f"{path}.action_plans", _("Kun én version af indsatsplanen kan være en kladde (uden 'completed_on').")
            )
        for i, n in enumerate(f.get("coordination_notes", [])):
            if n.get("intervention") and n["intervention"] not in ivs:
                self.problem(
                    f"{path}.coordination_notes[{i}].intervention",
                    _("Indsatsen '%(id)s' findes ikke i forløbet.") % {"id": n["intervention"]},
                )
        for i, pr in enumerate(f.get("progress", [])):
            if pr["milestone_lineage"] not in lineages:
                self.problem(
                    f"{path}.progress[{i}].milestone_lineage",
                    _("Delmålet findes ikke i nogen version af indsatsplanen."),
                )
        for g_path, goal in self.goals_with_paths(path, f):
            if goal.get("occupation") and goal["occupation"] not in self.out.occupations:
                self.problem(
                    f"{g_path}.occupation", _("DISCO-08-koden '%(code)s' findes ikke.") % {"code": goal["occupation"]}
                )
        for i, s in enumerate(f.get("followups", [])):
            p = f"{path}.followups[{i}]"
            if s.get("next_on") and s["next_on"] <= s["held_on"]:
                self.problem(f"{p}.next_on", _("Næste samtale skal ligge efter samtalen."))
            if not s.get("next_on") and not s.get("no_next_reason"):
                self.problem(
                    f"{p}.next_on", _("Angiv næste samtale eller hvorfor der ikke er aftalt en ('no_next_reason').")
                )
            if s.get("plan_revision") and s["plan_revision"] not in versions:
                self.problem(
                    f"{p}.plan_revision",
                    _("Indsatsplanens version %(v)s findes ikke i forløbet.") % {"v": s["plan_revision"]},
                )

    def check_outcomes(self, path: str, f: dict) -> None:
        """The outcome data (1.1): statuses after the end only when there is an end, sanctions within
        the forløb, and the reason for an early end exactly when it ended before the planned end
        (the app asks for it when a forløb is closed early; a 1.0 file cannot hold it)."""
        closed = f["phase"] == Phase.AFSLUTTET
        points = set()
        for i, s in enumerate(f.get("exit_statuses", [])):
            if not closed:
                self.problem(
                    f"{path}.exit_statuses[{i}]",
                    _("Kun et afsluttet forløb kan have en forsørgelsesstatus efter afslutningen."),
                )
            if s["point"] in points:
                self.problem(
                    f"{path}.exit_statuses[{i}].point",
                    _("Forsørgelsesstatus ved '%(point)s' står to gange.") % {"point": s["point"]},
                )
            points.add(s["point"])
        opened = quiet_day(f.get("opened_on"))
        for i, s in enumerate(f.get("sanctions", [])):
            day = quiet_day(s["imposed_on"])
            if day and opened and day < opened:
                self.problem(
                    f"{path}.sanctions[{i}].imposed_on",
                    _("Sanktionen (%(day)s) ligger før forløbet blev oprettet (%(opened)s).")
                    % {"day": day.isoformat(), "opened": opened.isoformat()},
                )
        result = f.get("result")
        if result and result.get("fleksjob_employer_cvr"):
            try:
                validate_cvr(result["fleksjob_employer_cvr"])
            except ValidationError as exc:
                self.problem(f"{path}.result.fleksjob_employer_cvr", exc.messages[0])
        early = ended_early(quiet_day(f.get("closed_on")) if closed else None, quiet_day(f.get("planned_end_date")))
        if f.get("early_end_reason") and not early:
            self.problem(
                f"{path}.early_end_reason",
                _("Kun et forløb, der er afsluttet før den planlagte slutdato, kan have en årsag til det."),
            )
        # A missing reason is accepted: forløb closed before the reason was asked for have none, and
        # a file must import wherever it was exported. The reports count them as "ikke angivet".

    def goals_with_paths(self, path: str, f: dict):
        if f.get("preparatory_part"):
            for j, g in enumerate(f["preparatory_part"].get("goals", [])):
                yield f"{path}.preparatory_part.goals[{j}]", g
        for i, r in enumerate(f.get("recommendations", [])):
            for j, g in enumerate(r.get("goals", [])):
                yield f"{path}.recommendations[{i}].goals[{j}]", g
        for i, p in enumerate(f.get("action_plans", [])):
            for j, g in enumerate(p.get("goals", [])):
                yield f"{path}.action_plans[{i}].goals[{j}]", g


# The keys that hold a date or a time (from the schema); `type_valid_from` names a catalogue
# version, not something in the borger's life.
DATE_KEYS = frozenset(
    {
        "opened_on",
        "start_date",
        "planned_end_date",
        "closed_on",
        "phase_changed_at",
        "created_at",
        "updated_at",
        "valid_from",
        "valid_to",
        "at",
        "work_started_on",
        "signed_by_borger_on",
        "requested_on",
        "received_on",
        "given_on",
        "sent_to_borger_on",
        "sent_to_gp_on",
        "planned_by",
        "decided_on",
        "benefit_start_on",
        "borger_consent_on",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "on",
        "next_followup_on",
        "completed_on",
        "target_date",
        "written_on",
        "recorded_on",
        "ended_on",
        "held_on",
        "held_at",
        "next_on",
        "recorded_at",
        "imposed_on",
        "ordinary_job_from",
        "fleksjob_visiteret_on",
        "fleksjob_employed_on",
        "fleksjob_bonus_preapproved_on",
        "fleksjob_bonus_paid_on",
        "revalidering_from",
        "fp_indstillet_on",
        "fp_tilkendt_on",
    }
)
USER_KEYS = frozenset(
    {
        "user",
        "assigned_by",
        "actor",
        "recorded_by",
        "decided_by",
        "created_by",
        "coordinator",
        "author",
        "held_by",
        "updated_by",
    }
)
# The keys that hold an integer in a forløb (from the schema).
INTEGER_KEYS = frozenset(
    {
        "sequence_no",
        "slot_minutes",
        "duration_years",
        "within_months",
        "version",
        "followup_cadence_weeks",
        "order",
        "score",
        "plan_revision",
    }
)


def _bad_text(value: str) -> bool:
    """A text PostgreSQL cannot store: a NUL character, or half of a surrogate pair (which JSON's
    \\u escapes can spell, but no UTF-8 text holds)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_texts(value, path: str):
    """The paths of every bad text (key or value) in a JSON value, walked without recursion."""
    stack = [(path, value)]
    while stack:
        where, x = stack.pop()
        if isinstance(x, str):
            if _bad_text(x):
                yield where
        elif isinstance(x, dict):
            for k, v in x.items():
                if _bad_text(k):
                    yield where
                stack.append((f"{where}.{k}", v))
        elif isinstance(x, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(x))


# A NUL (\u0000) or a surrogate (\ud800-\udfff) in the document's ASCII JSON; a pair that
# spells a character beyond the BMP matches too, and is then found good by the exact walk.
SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|d[89a-f][0-9a-f]{2})")


def text_problems(document) -> list[Problem]:
    """Texts the database cannot store, found quickly (one pass in C) and then exactly."""
    try:
        ascii_json = json.dumps(document)
    except RecursionError:
        return [Problem("$", _("Lister og objekter er lagt for dybt i hinanden."))]
    if not SUSPECT_ESCAPE.search(ascii_json):
        return []
    message = _("Teksten indeholder tegn, der ikke kan gemmes (et NUL-tegn eller en halv \\u-escape).")
    return [Problem(where, message) for where in sorted(set(_bad_texts(document, "$")))[:MAX_ERRORS]]


def check_document(document) -> Checked:
    """Raise InterchangeError with every problem found, or return what the writer needs."""
    problems = text_problems(document) or schema_problems(document)
    if problems:
        raise InterchangeError(problems)
    return Checker(document).check()
