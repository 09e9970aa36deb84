"""LAB from 1.1.2020 (lov nr. 548 af 7.5.2019): at least four individual jobsamtaler in the first
six months of a ressourceforløb (§ 31, stk. 3), then a contact series as agreed (§ 32). The
first-six-months rule covers forløb that started under this law; the agreed contact covers every
forløb from the day the law came into force. Also here: the rules that hold under every law
since the 2013 reform and that the later packs keep (genforelæggelse at the end of the period,
the over-40 consent, the named koordinerende sagsbehandler)."""

from django.utils.translation import gettext_lazy as _

from cases.concepts import (
    IN_FIRST_6_MONTHS,
    REPEAT_FORLOEB,
    SAMTALE_HELD,
    SAMTALE_INDIVIDUAL,
    SIX_MONTHS_AFTER_START,
    age_on,
    max_end,
)
from followup.rulepacks.base import (
    CURRENT_PLAN,
    FORLOEB,
    GENFORELAEGGELSER,
    LAST_SAMTALE,
    SAMTALER,
    TIER_LAW,
    Rule,
    legal_pack,
    legal_period,
    query,
)

PERIOD = legal_period("LAB2020")
REFORM_2013 = legal_period("LAB2013")

RULES = [
    Rule(
        id="LAB2020_FIRST6M_UNDER_4",
        version=1,
        description=_("Færre end fire individuelle samtaler i forløbets første seks måneder"),
        basis=_(
            "LAB § 31, stk. 3: jobcenteret holder mindst fire individuelle jobsamtaler inden for de første 6 "
            "måneder (forløb startet fra 1.1.2020; gruppesamtaler og udeblivelser tæller ikke). Advarslen "
            "løses, når den første individuelle samtale efter de seks måneder er holdt; historikken består"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=PERIOD.valid_from,
        sql=query(
            FORLOEB,
            SAMTALER,
            select=f"""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('antal', count(m.id), 'krav', 4, 'fra', f.start_date,
                                      'til', {SIX_MONTHS_AFTER_START.sql(f="f")} - 1) AS evidence
            FROM f LEFT JOIN m ON m.forloeb_id = f.id AND {SAMTALE_HELD.sql(m="m")} AND {SAMTALE_INDIVIDUAL.sql(m="m")}
                              AND {IN_FIRST_6_MONTHS.sql(m="m", f="f")}
            WHERE f.start_date >= DATE '{PERIOD.valid_from.isoformat()}'
              AND {SIX_MONTHS_AFTER_START.sql(f="f")} <= %(d)s
              AND NOT EXISTS (SELECT 1 FROM m later
                              WHERE later.forloeb_id = f.id
                                AND {SAMTALE_HELD.sql(m="later")} AND {SAMTALE_INDIVIDUAL.sql(m="later")}
                                AND later.held_on >= {SIX_MONTHS_AFTER_START.sql(f="f")})
            GROUP BY f.id, f.start_date
            HAVING count(m.id) < 4""",
        ),
    ),
    Rule(
        id="AGREED_SAMTALE_OVERDUE",
        version=1,
        description=_("Den aftalte opfølgningssamtale er ikke holdt"),
        basis=_(
            "LAB § 32: efter de første seks måneder holdes samtaler efter det aftalte kontaktforløb; datoen er "
            "aftalt ved seneste samtale eller i indsatsplanen"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=PERIOD.valid_from,
        sql=query(
            FORLOEB,
            SAMTALER,
            LAST_SAMTALE,
            CURRENT_PLAN,
            select="""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('aftalt_dato', COALESCE(l.next_on, p.next_followup_on),
                                      'seneste_samtale', l.held_on) AS evidence
            FROM f LEFT JOIN last_m l ON l.forloeb_id = f.id LEFT JOIN plan p ON p.forloeb_id = f.id
            WHERE f.start_date <= %(d)s
              AND COALESCE(l.next_on, CASE WHEN l.forloeb_id IS NULL THEN p.next_followup_on END) < %(d)s""",
        ),
    ),
    Rule(
        id="GENFORELAEGGELSE_DUE",
        version=1,
        description=_("Forløbet slutter snart: sagen skal forelægges rehabiliteringsteamet igen"),
        basis=_(
            "Ved periodens udløb skal sagen forelægges rehabiliteringsteamet igen, hvis borgeren ikke kan "
            "varetage et ordinært job (fokusrevision 2020 R22); varighed højst 5 år, fra 1.1.2022 højst 3 år"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=REFORM_2013.valid_from,
        sql=query(
            FORLOEB,
            GENFORELAEGGELSER,
            """
            ends AS (
                SELECT f.id, f.start_date, f.planned_end_date, f.ending_days,
                       LEAST(COALESCE(f.planned_end_date, 'infinity'::date), """
            + max_end("f.start_date")
            + """) AS end_on
                FROM f WHERE f.start_date <= %(d)s
            )""",
            select="""
            SELECT e.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('slutdato', e.end_on, 'planlagt_slut', e.planned_end_date,
                                      'startdato', e.start_date, 'varsel_dage', e.ending_days) AS evidence
            FROM ends e
            WHERE e.end_on - %(d)s <= e.ending_days
              AND NOT EXISTS (SELECT 1 FROM gen g WHERE g.forloeb_id = e.id AND g.on_day >= e.start_date)""",
        ),
    ),
    Rule(
        id="OVER40_NO_CONSENT",
        version=1,
        description=_("Nyt ressourceforløb til en borger over 40 uden borgerens ønske registreret"),
        basis=_(
            "For en borger over 40 år kan kommunen kun give mere end ét ressourceforløb, hvis borgeren ønsker det "
            "(fokusrevision 2020 R6)"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=REFORM_2013.valid_from,
        sql=query(
            FORLOEB,
            """
            dec AS (
                SELECT DISTINCT ON (d.forloeb_id) d.forloeb_id, d.decided_on, d.borger_consent_on
                FROM rehab_decision d JOIN f ON f.id = d.forloeb_id
                WHERE d.decided_on <= %(d)s AND d.ordning = 'ressourceforloeb'
                ORDER BY d.forloeb_id, d.decided_on DESC, d.id DESC
            )""",
            select=f"""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('afgørelse', d.decided_on,
                                      'alder_ved_afgørelse', {age_on("b", "d.decided_on")}::int) AS evidence
            FROM f JOIN dec d ON d.forloeb_id = f.id JOIN cases_borger b ON b.id = f.borger_id
            WHERE (d.borger_consent_on IS NULL OR d.borger_consent_on > %(d)s)
              AND {age_on("b", "d.decided_on")} >= 40
              AND {REPEAT_FORLOEB.sql(f="f")}""",
        ),
    ),
    Rule(
        id="KS_NOT_IN_PLAN",
        version=1,
        description=_("Indsatsplanen nævner ikke den koordinerende sagsbehandler"),
        basis=_(
            "En koordinerende sagsbehandler skal være tilknyttet og gennemgående i hele forløbet (fokusrevision "
            "2020 R17; skrivelse om ressourceforløb nr. 10112 af 23.12.2021)"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=REFORM_2013.valid_from,
        sql=query(
            FORLOEB,
            CURRENT_PLAN,
            select="""
            SELECT p.forloeb_id, '' AS subject,
                   jsonb_build_object('indsatsplan_version', p.version, 'færdig', p.completed_on) AS evidence
            FROM plan p WHERE p.coordinator_id IS NULL""",
        ),
    ),
]

PACK = legal_pack(PERIOD, RULES)
