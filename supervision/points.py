"""The fokusrevision's control points (spec §1) and the compliance figures (§6.3 A), each defined
once as conditions over the facts row `x` of `supervision.facts`.

A `Share` is "count of n": `n` is the denominator (which forløb the point is about, with the
audit's exclusions), `count` the numerator among them. A `Distribution` puts each forløb of its
`n` into exactly one bucket, labelled as in the spec. A figure's `key` is its place in the JSON
(`("1.4", "job")` is `control_points["1.4"]["job"]`); `ref` is the same joined with "/", used in
drill-down links. `audit` holds the national figure of the spec's §3 for comparison.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cases.concepts import SIX_MONTHS_AFTER_START
from followup.rulepacks.base import legal_period

COMPLIANCE, PROGRESS, QUALITY = "compliance", "progress", "quality"
GROUPS = {
    COMPLIANCE: _("Overholdelse"),
    PROGRESS: _("Fremdrift"),
    QUALITY: _("Kvalitet"),
}


@dataclass(frozen=True)
class Audit:
    value: float | dict[str, float | None]  # a share, or shares per bucket
    n: int | None = None
    lines: str = ""


@dataclass(frozen=True)
class Share:
    key: tuple[str, ...]
    group: str
    label: str
    n: str
    count: str
    n_text: str
    count_text: str
    audit: Audit | None = None
    kind: str = field(default="share", init=False)

    @property
    def ref(self) -> str:
        return "/".join(self.key)


@dataclass(frozen=True)
class Distribution:
    key: tuple[str, ...]
    group: str
    label: str
    n: str
    buckets: tuple[tuple[str, str, str], ...]  # (label as in the spec, condition, Danish words)
    n_text: str
    audit: Audit | None = None
    kind: str = field(default="distribution", init=False)

    @property
    def ref(self) -> str:
        return "/".join(self.key)

    @property
    def count_text(self) -> str:
        return ""


def months(a: str, b: str, m: int) -> str:
    """b lies at most m calendar months after a."""
    return f"{b} <= ({a} + INTERVAL '{m} months')::date"


def days(a: str, b: str, n: int) -> str:
    return f"{b} - {a} <= {n}"


# --- Categories -------------------------------------------------------------------------------

# The app's indsats categories, plus the audit's "sundhed" (municipal or regional) for comparison.
CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("virksomhedsrettet", _("Virksomhedsrettet"), ("virksomhedsrettet",)),
    ("mentor", _("Mentorstøtte"), ("mentor",)),
    ("vejledning_opkvalificering", _("Vejledning og opkvalificering"), ("vejledning_opkvalificering",)),
    ("sundhed", _("Sundhedsrettet (kommunal eller regional)"), ("sundhed_kommunal", "sundhed_regional")),
    ("sundhed_kommunal", _("Sundhedsrettet, kommunal"), ("sundhed_kommunal",)),
    ("sundhed_regional", _("Sundhedsrettet, regional behandling"), ("sundhed_regional",)),
    ("social", _("Social"), ("social",)),
    ("uddannelse", _("Uddannelse"), ("uddannelse",)),
    ("andet", _("Andet tilbud"), ("andet",)),
)
# 2.8 reads the first start per category; regional treatment is left out of timing (N4).
TIMED_CATEGORIES = tuple(c for c in CATEGORIES if c[0] not in ("sundhed", "sundhed_regional"))


def has_category(column: str, codes: tuple[str, ...]) -> str:
    return f"x.{column} && ARRAY[{', '.join(repr(c) for c in codes)}]::varchar[]"


AUDIT_RECOMMENDED = {"virksomhedsrettet": 0.60, "mentor": 0.68, "sundhed": 0.81, "social": 0.53}
AUDIT_RECOMMENDED["vejledning_opkvalificering"] = 0.30
AUDIT_STARTED = {"virksomhedsrettet": 0.39, "mentor": 0.50, "sundhed": 0.48, "social": 0.23}
AUDIT_STARTED["vejledning_opkvalificering"] = 0.36
AUDIT_WITHIN_6M = {"virksomhedsrettet": 0.42, "mentor": 0.60, "sundhed_kommunal": 0.60, "social": 0.77}
AUDIT_WITHIN_6M["vejledning_opkvalificering"] = 0.44


def _per_category(point: str, make) -> list:
    return [make(point, code, label, codes) for code, label, codes in CATEGORIES]


def _recommended(point, code, label, codes):
    audit = AUDIT_RECOMMENDED.get(code)
    return Share(
        (point, code),
        QUALITY,
        _("Anbefalet i indstillingen: %(c)s") % {"c": label},
        "x.has_rec",
        has_category("rec_cats", codes),
        _("forløb med en indstilling til ressourceforløb"),
        _("indstillingen anbefaler mindst én indsats i kategorien"),
        Audit(audit, 362, "L2416-2422") if audit else None,
    )


def _planned(point, code, label, codes):
    return Share(
        (point, code),
        QUALITY,
        _("Planlagt: %(c)s") % {"c": label},
        "x.has_plan1",
        has_category("planned_cats", codes),
        _("forløb med en færdig indsatsplan"),
        _("mindst én indsats i kategorien er planlagt"),
        Audit(0.42, 328, "L2655-2665") if code == "virksomhedsrettet" else None,
    )


# The audit's "all cases" (n = 375) were granted ressourceforløb: a case still in the forberedende
# del, or granted from a later day, has no ressourceforløb in which an indsats could have started.
GRANTED_N = _("bevilgede forløb (startdato senest på dagen)")


def _started(point, code, label, codes):
    audit = AUDIT_STARTED.get(code)
    return Share(
        (point, code),
        QUALITY,
        _("Igangsat: %(c)s") % {"c": label},
        "x.started",
        has_category("started_cats", codes),
        GRANTED_N,
        _("mindst én indsats i kategorien er igangsat"),
        Audit(audit, 375, "L2422-2426") if audit else None,
    )


def _lost(point, code, label, codes):
    return Share(
        (point, code),
        QUALITY,
        _("Indsatstab: %(c)s anbefalet, men ikke igangsat") % {"c": label},
        "x.has_rec AND " + has_category("rec_cats", codes),
        "NOT " + has_category("started_cats", codes),
        _("forløb, hvor indstillingen anbefaler kategorien"),
        _("ingen indsats i kategorien er igangsat"),
    )


def _within_6m(point, code, label, codes):
    first = f"(x.first_start_by_cat ->> '{codes[0]}')::date"
    audit = AUDIT_WITHIN_6M.get(code)
    return Distribution(
        (point, code),
        PROGRESS,
        _("Fra ydelsesstart til første indsats: %(c)s") % {"c": label},
        f"x.ydelse_on IS NOT NULL AND {first} IS NOT NULL",
        (
            ("before_start", f"{first} < x.ydelse_on", _("i gang før ydelsesstart")),
            ("<=6m", months("x.ydelse_on", first, 6), _("højst 6 måneder")),
            (">6m", "TRUE", _("mere end 6 måneder")),
        ),
        _("forløb med ydelsesstart og en igangsat indsats i kategorien (regional behandling udeladt)"),
        # The audit's "within six months" includes what already ran at the ydelse start (virksomhedsrettet:
        # 42 % + 58 % more than six months = 100 %), so the bucket to compare with is ">6m".
        Audit({">6m": round(1 - audit, 2)}, None, "L2867-2889") if audit else None,
    )


# --- Goals (1.1-1.6) --------------------------------------------------------------------------

DOCUMENTS = (
    ("forberedende_del", _("forberedende del"), "x.has_fd", "x.fd_job", "x.fd_edu"),
    ("indstilling", _("indstilling"), "x.has_rec", "x.rec_job", "x.rec_edu"),
    ("indsatsplan", _("første indsatsplan"), "x.has_plan1", "x.plan1_job", "x.plan1_edu"),
    ("min_plan", _("Min Plan (indsatsplanen i kraft)"), "x.has_plan", "x.plan_job", "x.plan_edu"),
)
DOCUMENT_N = {
    "forberedende_del": _("forløb med en forberedende del (underskrevet, eller sagen har fået en indstilling)"),
    "indstilling": _("forløb med en indstilling til ressourceforløb"),
    "indsatsplan": _("forløb med en færdig indsatsplan"),
    "min_plan": _("forløb med en indsatsplan i kraft"),
}
AUDIT_GOAL_MIX = {
    "forberedende_del": Audit({"none": 0.45, "one": 0.34, "both": 0.21}, 359, "L1908-1914"),
    "indstilling": Audit({"none": 0.83, "one": 0.14, "both": 0.03}, 362, "L1916-1922"),
    "indsatsplan": Audit({"none": 0.82}, 313, "L1747"),
    "min_plan": Audit({"none": 0.65}, 353, "L1928-1930"),
}
AUDIT_GOALS = {
    "indstilling": ((0.13, 0.07), 362, "L1883-1886"),
    "indsatsplan": ((0.14, 0.09), 313, "L1887-1892"),
    "min_plan": ((0.17, 0.06), 353, "L1887-1892"),
}


def _goal_points() -> list:
    points: list = []
    doc, label, n, job, edu = DOCUMENTS[0]
    points.append(
        Share(
            ("1.1",),
            QUALITY,
            _("Konkret jobmål i den forberedende del"),
            n,
            job,
            DOCUMENT_N[doc],
            _("mindst ét konkret jobmål (en bestemt stilling eller jobfunktion)"),
            Audit(0.49, 359, "L1875-1879"),
        )
    )
    points.append(
        Share(
            ("1.2",),
            QUALITY,
            _("Konkret uddannelsesmål i den forberedende del"),
            n,
            edu,
            DOCUMENT_N[doc],
            _("mindst ét konkret uddannelsesmål (en bestemt uddannelse)"),
            Audit(0.27, 359, "L1879-1881"),
        )
    )
    for doc, label, n, job, edu in DOCUMENTS:
        points.append(
            Distribution(
                ("1.3", doc),
                QUALITY,
                _("Konkrete mål i %(d)s: ingen, én slags eller begge") % {"d": label},
                n,
                (
                    ("both", f"{job} AND {edu}", _("både job- og uddannelsesmål")),
                    ("one", f"{job} OR {edu}", _("kun den ene slags")),
                    ("none", "TRUE", _("intet konkret mål")),
                ),
                DOCUMENT_N[doc],
                AUDIT_GOAL_MIX[doc],
            )
        )
    for point, (doc, label, n, job, edu) in zip(("1.4", "1.5", "1.6"), DOCUMENTS[1:], strict=True):
        (audit_job, audit_edu), audit_n, lines = AUDIT_GOALS[doc]
        for kind, cond, audit, words in (
            ("job", job, audit_job, _("konkret jobmål")),
            ("uddannelse", edu, audit_edu, _("konkret uddannelsesmål")),
        ):
            points.append(
                Share(
                    (point, kind),
                    QUALITY,
                    _("%(w)s i %(d)s") % {"w": words.capitalize(), "d": label},
                    n,
                    cond,
                    DOCUMENT_N[doc],
                    _("mindst ét %(w)s") % {"w": words},
                    Audit(audit, audit_n, lines),
                )
            )
    return points


# --- Compliance (§6.3 A, 3.9, 3.11, 1.10) -------------------------------------------------------

OPEN_12M = "x.open_on_day AND x.lasted_12m"
LAB2020_FROM = f"DATE '{legal_period('LAB2020').valid_from.isoformat()}'"

COMPLIANCE_POINTS = [
    Distribution(
        ("3.9",),
        COMPLIANCE,
        _("Holdte opfølgningssamtaler de seneste 12 måneder"),
        OPEN_12M,
        (
            ("<=3", "x.held_12m <= 3", _("højst 3")),
            ("4-5", "x.held_12m <= 5", _("4-5")),
            ("6", "x.held_12m = 6", _("6")),
            (">6", "TRUE", _("mere end 6")),
        ),
        _("åbne forløb, der har varet mindst 12 måneder"),
        Audit({"<=3": 0.11, "4-5": 0.30, "6": 0.26, ">6": 0.33}, 313, "L809-829, L3654-3668"),
    ),
    Share(
        ("3.9", "standard"),
        COMPLIANCE,
        _("Under kommunens servicestandard for samtaler de seneste 12 måneder"),
        OPEN_12M + " AND x.std_on",
        "x.held_12m < x.per_year",
        _("åbne forløb, der har varet mindst 12 måneder, i en kommune med servicestandarden slået til"),
        _("færre holdte samtaler end standarden (som regel seks)"),
    ),
    Share(
        ("3.9", "law"),
        COMPLIANCE,
        _("Under seks individuelle samtaler de seneste 12 måneder (lovkravet før 2020)"),
        OPEN_12M,
        "x.individual_12m < 6",
        _("åbne forløb, der har varet mindst 12 måneder"),
        _("færre end seks holdte individuelle samtaler"),
        Audit(0.41, 313, "L833-838"),
    ),
    Share(
        ("3.11",),
        COMPLIANCE,
        _("Under fire individuelle samtaler i de første seks måneder (LAB § 31, stk. 3)"),
        f"x.open_on_day AND x.start_date >= {LAB2020_FROM} AND {SIX_MONTHS_AFTER_START.sql(f='x')} <= %(d)s",
        "x.individual_first_6m < 4",
        _("åbne forløb startet fra 1.1.2020, hvis første seks måneder er gået"),
        _("færre end fire holdte individuelle samtaler i de første seks måneder"),
    ),
    Share(
        ("A", "past_max_duration"),
        COMPLIANCE,
        _("Forløb ud over den længste lovlige varighed"),
        "x.open_on_day AND x.started",
        "x.past_max_end",
        _("åbne, bevilgede forløb"),
        _("forløbet er ældre end lovens maksimum (5 år; startet fra 1.1.2022: 3 år)"),
    ),
    Share(
        ("1.10",),
        COMPLIANCE,
        _("Nyt ressourceforløb til en borger over 40 uden borgerens ønske registreret"),
        "x.open_on_day AND x.repeat_over_40",
        "NOT x.consent_recorded",
        _("åbne forløb, der er borgerens andet eller senere, bevilget efter borgeren fyldte 40"),
        _("borgerens ønske om forløbet er ikke registreret"),
    ),
]

# --- Progress (1.11-1.15, 2.5, 2.8) -------------------------------------------------------------

PROGRESS_POINTS = [
    Distribution(
        ("1.11",),
        PROGRESS,
        _("Fra start på forberedende del til mødet i rehabiliteringsteamet"),
        "x.meeting_on IS NOT NULL",
        (
            ("<=2m", months("x.preparation_on", "x.meeting_on", 2), _("højst 2 måneder")),
            ("2-4m", months("x.preparation_on", "x.meeting_on", 4), _("2-4 måneder")),
            ("4-6m", months("x.preparation_on", "x.meeting_on", 6), _("4-6 måneder")),
            (">6m", "TRUE", _("mere end 6 måneder")),
        ),
        _("forløb, der har haft møde i rehabiliteringsteamet (første indstilling)"),
        Audit({"<=2m": 0.28, "2-4m": 0.36, "4-6m": 0.15, ">6m": 0.21}, 311, "L1792-1806"),
    ),
    Distribution(
        ("1.12",),
        PROGRESS,
        _("Fra mødet til den skriftlige indstilling er sendt til borgeren"),
        "x.meeting_on IS NOT NULL AND x.sent_on IS NOT NULL",
        (
            ("<=1d", days("x.meeting_on", "x.sent_on", 1), _("højst 1 dag")),
            ("<=1w", days("x.meeting_on", "x.sent_on", 7), _("2-7 dage")),
            ("<=2w", days("x.meeting_on", "x.sent_on", 14), _("8-14 dage")),
            ("<=3w", days("x.meeting_on", "x.sent_on", 21), _("15-21 dage")),
            (">3w", "TRUE", _("mere end 3 uger")),
        ),
        _("forløb med mødedato og dato for afsendelse af indstillingen"),
        Audit({"<=1d": 0.17, "<=1w": 0.32, "<=2w": 0.22, "<=3w": 0.07, ">3w": 0.22}, 339, "L2135-2143"),
    ),
    Distribution(
        ("1.13",),
        PROGRESS,
        _("Fra mødet til færdig indsatsplan"),
        "x.meeting_on IS NOT NULL AND x.old_4m",
        (
            ("no_plan", "x.plan1_on IS NULL", _("ingen færdig plan")),
            ("<2w", "x.plan1_on - x.meeting_on < 14", _("under 2 uger")),
            ("<=1m", months("x.meeting_on", "x.plan1_on", 1), _("2 uger til 1 måned")),
            ("<=2m", months("x.meeting_on", "x.plan1_on", 2), _("1-2 måneder")),
            ("2-4m", months("x.meeting_on", "x.plan1_on", 4), _("2-4 måneder")),
            (">4m", "TRUE", _("mere end 4 måneder")),
        ),
        _("forløb med mødedato, der er mindst 4 måneder gamle"),
        Audit({"<2w": 0.08, "2-4m": 0.22, ">4m": 0.24, "no_plan": 0.17}, 342, "L2200-2212"),
    ),
    Share(
        ("1.14",),
        PROGRESS,
        _("Indsats igangsat, før indsatsplanen var færdig"),
        "x.plan1_on IS NOT NULL AND x.old_4m",
        "x.first_start < x.plan1_on",
        _("forløb med en færdig indsatsplan, mindst 4 måneder gamle"),
        _("den første indsats (regional behandling udeladt) startede før planen"),
        Audit(0.25, 289, "L2266-2268"),
    ),
    Distribution(
        ("1.15",),
        PROGRESS,
        _("Fra færdig indsatsplan til første indsats"),
        "x.plan1_on IS NOT NULL AND x.old_4m",
        (
            ("no_start", "x.first_start IS NULL", _("ingen indsats med startdato")),
            ("before_plan", "x.first_start < x.plan1_on", _("før planen")),
            ("<=1m", months("x.plan1_on", "x.first_start", 1), _("højst 1 måned")),
            ("<=6m", months("x.plan1_on", "x.first_start", 6), _("1-6 måneder")),
            (">6m", "TRUE", _("mere end 6 måneder")),
        ),
        _("forløb med en færdig indsatsplan, mindst 4 måneder gamle (regional behandling udeladt)"),
        Audit({"before_plan": 0.25, "<=1m": 0.13, "<=6m": 0.23, ">6m": 0.18, "no_start": 0.20}, 289, "L2266-2282"),
    ),
    Share(
        ("2.5",),
        PROGRESS,
        _("Mindst én igangsat indsats"),
        "x.old_4m",
        "x.first_start IS NOT NULL",
        _("forløb, der er mindst 4 måneder gamle"),
        _("mindst én indsats er igangsat (regional behandling udeladt)"),
        Audit(0.89, 358, "L2410-2414"),
    ),
    *[_within_6m("2.8", code, label, codes) for code, label, codes in TIMED_CATEGORIES],
]

# --- Quality --------------------------------------------------------------------------------------

VIRK = ("virksomhedsrettet",)
COMBINED_WITH = (
    ("sundhed", _("sundhed"), ("sundhed_kommunal", "sundhed_regional")),
    ("social", _("social"), ("social",)),
    ("mentor", _("mentor"), ("mentor",)),
    ("vejledning_opkvalificering", _("vejledning og opkvalificering"), ("vejledning_opkvalificering",)),
)
COMBINATION_STAGES = (
    ("indstilling", _("anbefalet i indstillingen"), "rec_cats", "x.has_rec", DOCUMENT_N["indstilling"]),
    ("planlagt", _("planlagt"), "planned_cats", "x.has_plan1", DOCUMENT_N["indsatsplan"]),
    ("igangsat", _("igangsat"), "started_cats", "x.started", GRANTED_N),
)
AUDIT_COMBINED = {
    ("indstilling", "sundhed"): 0.49,
    ("planlagt", "sundhed"): 0.34,
    ("igangsat", "sundhed"): 0.17,
    ("igangsat", "social"): 0.09,
    ("igangsat", "mentor"): 0.21,
    ("igangsat", "vejledning_opkvalificering"): 0.19,
}


def _combinations() -> list[Share]:
    points = []
    for stage, stage_label, column, n, n_text in COMBINATION_STAGES:
        for code, label, codes in COMBINED_WITH:
            audit = AUDIT_COMBINED.get((stage, code))
            points.append(
                Share(
                    ("2.7", stage, code),
                    QUALITY,
                    _("Virksomhedsrettet kombineret med %(c)s, %(s)s") % {"c": label, "s": stage_label},
                    n,
                    f"{has_category(column, VIRK)} AND {has_category(column, codes)}",
                    n_text,
                    _("både en virksomhedsrettet indsats og en i den anden kategori"),
                    Audit(audit, None, "L2798-2834") if audit else None,
                )
            )
    return points


PERSPECTIVE = (
    ("forberedende_del", "x.has_fd", "x.fd_perspective", DOCUMENT_N["forberedende_del"], 0.98, 359),
    ("indstilling", "x.has_rec", "x.rec_perspective", DOCUMENT_N["indstilling"], 0.81, 362),
    ("indsatsplan", "x.has_plan1", "x.plan1_perspective", DOCUMENT_N["indsatsplan"], 0.37, 320),
    ("samtale", "x.has_held", "x.held_perspective", _("forløb med en holdt opfølgningssamtale"), 0.81, 362),
)
HEALTH = (
    ("4.1", None, "x.gp_before", _("Lægeattest fra egen læge (LÆ 265) før mødet"), 0.96),
    ("4.2", None, "x.clinical_before", _("Klinisk funktion (via sundhedskoordinator) før mødet"), 0.16),
    ("4.3", None, "x.other_before", _("Andre sundhedsaktører (speciallæge, psykolog, sygehus) før mødet"), 0.65),
    ("4.4", "egen_laege", "x.gp_after", _("Egen læge efter mødet"), 0.41),
    ("4.4", "klinisk_funktion", "x.clinical_after", _("Klinisk funktion efter mødet"), 0.08),
    ("4.4", "andre", "x.other_after", _("Andre sundhedsaktører efter mødet"), 0.30),
)
FD_CONTENT = (
    ("3.2", "x.fd_strengths", _("Borgerens styrker beskrevet i den forberedende del"), 0.82),
    ("3.3", "x.fd_cv", _("CV med fokus på kompetencer"), 0.18),
    ("3.4", "x.fd_social", _("Sociale udfordringer beskrevet"), 0.92),
    ("3.5", "x.fd_health", _("Borgerens egen vurdering af helbredet beskrevet"), 0.95),
)
SAMTALE_CONTENT = (
    ("status", "x.held_status", _("status på deltagelse i indsatser"), 0.86),
    ("aftaler", "x.held_agreements", _("nye aftaler om indsatsplanen"), 0.55),
    ("mentor", "x.held_mentor", _("vurdering af behov for (øget) mentorstøtte"), 0.31),
    ("perspektiv", "x.held_perspective", _("borgerens perspektiv"), 0.81),
)

QUALITY_POINTS = [
    *_goal_points(),
    *_per_category("2.1", _recommended),
    *_per_category("2.2", _planned),
    *_per_category("2.4", _started),
    *_per_category("2.6", _lost),
    *_combinations(),
    Share(
        ("2.10",),
        QUALITY,
        _("Indsatsplanen nævner den koordinerende sagsbehandler"),
        "x.has_plan",
        "x.plan_names_ks",
        DOCUMENT_N["min_plan"],
        _("planen i kraft nævner en koordinerende sagsbehandler"),
        Audit(0.71, 313, "L2956-2964"),
    ),
    Share(
        ("2.11",),
        QUALITY,
        _("Samme koordinerende sagsbehandler ved seneste samtale som i indsatsplanen"),
        "x.plan_names_ks AND x.has_held",
        "x.held_by_id = x.plan_ks_id",
        _("forløb, hvis plan nævner en koordinerende sagsbehandler, og som har haft en samtale"),
        _("seneste holdte samtale blev holdt af den, planen nævner"),
        Audit(0.59, 222, "L2972-2980"),
    ),
    *[
        Share(
            ("3.1", doc),
            QUALITY,
            _("Borgerens perspektiv: %(d)s") % {"d": doc.replace("_", " ")},
            n,
            cond,
            n_text,
            _("borgerens perspektiv er skrevet"),
            Audit(audit, audit_n, "L3193-3231"),
        )
        for doc, n, cond, n_text, audit, audit_n in PERSPECTIVE
    ],
    *[
        Share(
            (point,),
            QUALITY,
            label,
            "x.has_fd",
            cond,
            DOCUMENT_N["forberedende_del"],
            _("afsnittet er skrevet"),
            Audit(audit, 359, "L3323-3339"),
        )
        for point, cond, label, audit in FD_CONTENT
    ],
    Share(
        ("3.6",),
        QUALITY,
        _("Indstillingen vurderer behovet for opfølgning ud over minimum"),
        "x.has_rec",
        "x.rec_followup_assessed",
        DOCUMENT_N["indstilling"],
        _("vurderingen er skrevet eller tættere opfølgning markeret"),
        Audit(0.16, 362, "L3489-3493"),
    ),
    Share(
        ("3.8",),
        QUALITY,
        _("Næste opfølgningssamtale er aftalt"),
        "x.open_on_day AND x.started AND x.next_relevant",
        "x.next_agreed",
        _("åbne, bevilgede forløb med en samtale eller en plan, som ikke afsluttes, genforelægges eller revurderes"),
        _("seneste samtale (før den første: planen) angiver datoen for den næste"),
        Audit(0.25, 366, "L3171-3173"),
    ),
    *[
        Share(
            ("3.10", code),
            QUALITY,
            _("Seneste samtale rummer %(w)s") % {"w": words},
            "x.has_held",
            cond,
            _("forløb med en holdt opfølgningssamtale"),
            _("afsnittet er skrevet i referatet af den seneste holdte samtale"),
            Audit(audit, None, "L3748-3769"),
        )
        for code, cond, words, audit in SAMTALE_CONTENT
    ],
    *[
        Share(
            (point, sub) if sub else (point,),
            QUALITY,
            label,
            "x.has_fd" if point != "4.4" else "x.meeting_on IS NOT NULL",
            cond,
            DOCUMENT_N["forberedende_del"]
            if point != "4.4"
            else _("forløb, der har haft møde i rehabiliteringsteamet"),
            _("mindst ét modtaget dokument fra kilden"),
            Audit(audit, 361 if point != "4.4" else 364, "L3825-3851, L4019-4025"),
        )
        for point, sub, cond, label, audit in HEALTH
    ],
]

POINTS = [*COMPLIANCE_POINTS, *PROGRESS_POINTS, *QUALITY_POINTS]
BY_REF = {p.ref: p for p in POINTS}
assert len(BY_REF) == len(POINTS), "two control points with the same key"


def points_of(group: str) -> list:
    return [p for p in POINTS if p.group == group]
