"""The kommune's own service standard and good-practice rules (on by default, configurable per
kommune in `RuleSettings`): six opfølgningssamtaler a year for every forløb, the next at most
about two months after the last, and the fokusrevision 2020's measurement buckets as thresholds.
None of these is a paragraph of law; each flag says so. The defaults live here, once."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from cases.concepts import (
    GOAL_CONCRETE,
    IN_LATEST_12_MONTHS,
    INDSATS_STARTED,
    LASTED_12_MONTHS,
    LATEST_12_MONTHS_FROM,
    MEETING_ON,
    NEXT_SAMTALE_AGREED,
    NEXT_SAMTALE_NOT_RELEVANT,
    PREPARATION_STARTED_ON,
    SAMTALE_HELD,
)

DEFAULTS = {
    "samtaler_per_year": 6,
    "max_gap_days": 61,  # "about two months"
    "rehab_wait_days": 61,  # fokusrevision §3.3: 2 / 4 / 6 months
    "indstilling_send_days": 14,  # §3.3: within 2 weeks
    "plan_after_meeting_days": 122,  # §3.3 / T9: no plan 4 months after the meeting
    "not_started_days": 183,  # §3.4: started within 6 months
    "ending_warning_days": 90,
}

CODE = "STANDARD"
NAME = _("Kommunens servicestandard")
VALID_FROM = date(2013, 1, 1)
BASIS = _("Kommunens servicestandard for ressourceforløb (ikke et lovkrav)")


def build():
    # Imported here: base imports DEFAULTS from this module.
    from followup.rulepacks.base import (
        CURRENT_PLAN,
        FORLOEB,
        LAST_RECOMMENDATION,
        LAST_SAMTALE,
        SAMTALER,
        TIER_GOOD_PRACTICE,
        TIER_STANDARD,
        Pack,
        Rule,
        query,
        with_pack,
    )

    local = "servicestandard"
    prep_started = PREPARATION_STARTED_ON.sql(pp="pp", f="f")
    meeting_on = MEETING_ON.sql(r="r")
    rules = [
        Rule(
            id="STD_SAMTALE_OVERDUE",
            version=1,
            description=_("Opfølgningssamtale er overskredet efter kommunens servicestandard"),
            basis=_(
                "Kommunens servicestandard: seks opfølgningssamtaler om året i hvert forløb, den næste højst ca. "
                "to måneder efter den forrige"
            ),
            basis_kind=local,
            tier=TIER_STANDARD,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                SAMTALER,
                f"""
                held AS (SELECT m.forloeb_id, max(m.held_on) AS last_on FROM m WHERE {SAMTALE_HELD.sql(m="m")}
                         GROUP BY m.forloeb_id)""",
                select="""
                SELECT f.id AS forloeb_id, '' AS subject,
                       jsonb_build_object('sidste_samtale', h.last_on, 'forløbet_startede', f.start_date,
                                          'senest', COALESCE(h.last_on, f.start_date) + f.max_gap,
                                          'højst_dage_mellem_samtaler', f.max_gap) AS evidence
                FROM f LEFT JOIN held h ON h.forloeb_id = f.id
                WHERE f.std_on AND f.start_date <= %(d)s AND COALESCE(h.last_on, f.start_date) + f.max_gap < %(d)s""",
            ),
        ),
        Rule(
            id="STD_UNDER_6_12M",
            version=1,
            description=_("Færre end seks opfølgningssamtaler de seneste 12 måneder"),
            basis=_(
                "Kommunens servicestandard: seks opfølgningssamtaler om året (gælder forløb, der har varet mindst "
                "12 måneder, som i fokusrevisionen 2020)"
            ),
            basis_kind=local,
            tier=TIER_STANDARD,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                SAMTALER,
                select=f"""
                SELECT f.id AS forloeb_id, '' AS subject,
                       jsonb_build_object('antal', count(m.id), 'krav', f.per_year,
                                          'fra', {LATEST_12_MONTHS_FROM.sql()}, 'til', %(d)s::date) AS evidence
                FROM f LEFT JOIN m ON m.forloeb_id = f.id AND {SAMTALE_HELD.sql(m="m")}
                                  AND {IN_LATEST_12_MONTHS.sql(m="m")}
                WHERE f.std_on AND {LASTED_12_MONTHS.sql(f="f")}
                GROUP BY f.id, f.per_year
                HAVING count(m.id) < f.per_year""",
            ),
        ),
        Rule(
            id="NO_NEXT_SAMTALE",
            version=1,
            description=_("Der er ikke aftalt en næste opfølgningssamtale"),
            basis=_(
                "Kommunens servicestandard (god praksis, fokusrevision 2020 kontrolpunkt 3.8: næste samtale aftalt "
                "ved seneste opfølgning eller i seneste Min Plan). Forløb, der afsluttes, revurderes eller "
                "genforelægges, tæller ikke med"
            ),
            basis_kind=local,
            tier=TIER_GOOD_PRACTICE,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                SAMTALER,
                LAST_SAMTALE,
                CURRENT_PLAN,
                # Before any samtale, only a forløb with a plan in force is expected to have agreed one;
                # NEXT_SAMTALE_NOT_RELEVANT reads the latest samtale, so it is asked only when there is one.
                select=f"""
                SELECT f.id AS forloeb_id, '' AS subject,
                       jsonb_build_object('seneste_samtale', l.held_on, 'indsatsplan_version', p.version) AS evidence
                FROM f LEFT JOIN last_m l ON l.forloeb_id = f.id LEFT JOIN plan p ON p.forloeb_id = f.id
                WHERE f.start_date <= %(d)s
                  AND NOT {NEXT_SAMTALE_AGREED.sql(l="l", p="p")}
                  AND ((l.forloeb_id IS NOT NULL AND NOT {NEXT_SAMTALE_NOT_RELEVANT.sql(l="l")})
                    OR (l.forloeb_id IS NULL AND p.id IS NOT NULL))""",
            ),
        ),
        Rule(
            id="NO_CONCRETE_GOAL",
            version=1,
            description=_("Intet konkret job- eller uddannelsesmål"),
            basis=_(
                "Kommunens servicestandard (god praksis, fokusrevision 2020 Q1: et konkret jobmål nævner en stilling, "
                "et uddannelsesmål en bestemt uddannelse). Loven kræver job- og uddannelsesmål (LAB kap. 19), "
                "men ikke at de er konkrete"
            ),
            basis_kind=local,
            tier=TIER_GOOD_PRACTICE,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                LAST_RECOMMENDATION,
                CURRENT_PLAN,
                """
                docs AS (
                    SELECT f.id AS forloeb_id, 'forberedende_del' AS subject, pp.id AS doc_id, pp.signed_by_borger_on AS on_day
                    FROM f JOIN rehab_preparatorypart pp ON pp.forloeb_id = f.id
                    LEFT JOIN rec r ON r.forloeb_id = f.id
                    WHERE pp.signed_by_borger_on <= %(d)s OR r.id IS NOT NULL
                    UNION ALL
                    SELECT r.forloeb_id, 'indstilling', r.id, r.given_on FROM rec r WHERE r.ordning = 'ressourceforloeb'
                    UNION ALL
                    SELECT p.forloeb_id, 'indsatsplan', p.id, p.completed_on FROM plan p
                )""",
                select=f"""
                SELECT d.forloeb_id, d.subject,
                       jsonb_build_object('dokument', d.subject, 'dato', d.on_day,
                                          'mål', (SELECT count(*) FROM rehab_goal g
                                                  WHERE g.forloeb_id = d.forloeb_id AND g.document_kind = d.subject
                                                    AND g.object_id = d.doc_id)) AS evidence
                FROM docs d
                WHERE NOT EXISTS (SELECT 1 FROM rehab_goal g
                                  WHERE g.forloeb_id = d.forloeb_id AND g.document_kind = d.subject
                                    AND g.object_id = d.doc_id AND {GOAL_CONCRETE.sql(g="g")})""",
            ),
        ),
        Rule(
            id="INDSATS_NOT_STARTED",
            version=1,
            description=_("En indsats, rehabiliteringsteamet anbefalede, er ikke igangsat"),
            basis=_(
                "Kommunens servicestandard: en anbefalet indsats igangsættes inden for den frist, indstillingen "
                "angiver, ellers inden for det antal dage, kommunen har sat pr. kategori (fokusrevision 2020 §3.4: "
                "indsatstab)"
            ),
            basis_kind=local,
            tier=TIER_STANDARD,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                LAST_RECOMMENDATION,
                """
                due AS (
                    SELECT r.forloeb_id, ri.id AS ri_id, ri.category, ri.description, r.given_on,
                           COALESCE(ri.planned_by,
                                    (GREATEST(f.start_date, r.given_on) + make_interval(months => ri.within_months))::date,
                                    GREATEST(f.start_date, r.given_on)
                                      + COALESCE((f.not_started_by_category ->> ri.category)::int, f.not_started_days)
                           ) AS due_on
                    FROM rec r JOIN f ON f.id = r.forloeb_id
                    JOIN rehab_recommendedintervention ri ON ri.recommendation_id = r.id
                    WHERE f.start_date <= %(d)s
                )""",
                select=f"""
                SELECT d.forloeb_id, 'anbefalet:' || d.ri_id AS subject,
                       jsonb_build_object('kategori', d.category, 'indsats', d.description,
                                          'anbefalet', d.given_on, 'frist', d.due_on) AS evidence
                FROM due d
                WHERE d.due_on < %(d)s
                  AND NOT EXISTS (SELECT 1 FROM plans_intervention i
                                  WHERE i.recommended_id = d.ri_id AND {INDSATS_STARTED.sql(i="i")})""",
            ),
        ),
        Rule(
            id="NO_INDSATSPLAN",
            version=1,
            description=_("Ingen færdig indsatsplan efter rehabiliteringsteamets møde"),
            basis=_(
                "Kommunens servicestandard: indsatsplanen er færdig inden for det antal dage efter mødet, kommunen "
                "har sat (fokusrevision 2020 §3.3: 41 % havde ingen plan efter 4 måneder)"
            ),
            basis_kind=local,
            tier=TIER_STANDARD,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                LAST_RECOMMENDATION,
                select=f"""
                SELECT f.id AS forloeb_id, '' AS subject,
                       jsonb_build_object('indstilling', r.given_on, 'møde', {meeting_on},
                                          'frist', {meeting_on} + f.plan_days) AS evidence
                FROM f JOIN rec r ON r.forloeb_id = f.id
                WHERE r.ordning = 'ressourceforloeb' AND f.start_date <= %(d)s AND {meeting_on} + f.plan_days < %(d)s
                  AND NOT EXISTS (SELECT 1 FROM plans_actionplan p
                                  WHERE p.forloeb_id = f.id AND p.completed_on >= {meeting_on}
                                    AND p.completed_on <= %(d)s)""",
            ),
        ),
        Rule(
            id="REHAB_WAIT_LONG",
            version=1,
            description=_("Lang ventetid fra forberedende del til rehabiliteringsteamets møde"),
            basis=_(
                "Kommunens servicestandard (fokusrevision 2020 §3.3: 2, 4 og 6 måneder). Reglerne fastsætter ingen "
                "frist for, hvornår sagen skal på mødet (N1)"
            ),
            basis_kind=local,
            tier=TIER_STANDARD,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                select=f"""
                SELECT f.id AS forloeb_id, '' AS subject,
                       jsonb_build_object('forberedende_del_startet', {prep_started},
                                          'grænse_dage', f.rehab_wait,
                                          'over_måneder', CASE WHEN %(d)s - {prep_started} > 183 THEN 6
                                                               WHEN %(d)s - {prep_started} > 122 THEN 4
                                                               ELSE 2 END) AS evidence
                FROM f LEFT JOIN rehab_preparatorypart pp ON pp.forloeb_id = f.id
                WHERE (f.start_date IS NULL OR f.start_date > %(d)s)
                  AND %(d)s - {prep_started} > f.rehab_wait
                  AND NOT EXISTS (SELECT 1 FROM rehab_recommendation r WHERE r.forloeb_id = f.id AND r.given_on <= %(d)s)
                  AND NOT EXISTS (SELECT 1 FROM rehab_agendaitem a JOIN rehab_teammeeting tm ON tm.id = a.meeting_id
                                  WHERE a.forloeb_id = f.id
                                    AND (tm.starts_at AT TIME ZONE 'Europe/Copenhagen')::date <= %(d)s)""",
            ),
        ),
        Rule(
            id="INDSTILLING_LATE_TO_BORGER",
            version=1,
            description=_("Indstillingen er ikke sendt til borgeren"),
            basis=_(
                "Kommunens servicestandard (god praksis, fokusrevision 2020 §3.3: inden for 2 uger). Der er intet "
                "lovkrav om at orientere borgeren om indstillingen (N2)"
            ),
            basis_kind=local,
            tier=TIER_GOOD_PRACTICE,
            in_force_from=VALID_FROM,
            sql=query(
                FORLOEB,
                LAST_RECOMMENDATION,
                select=f"""
                SELECT r.forloeb_id, '' AS subject,
                       jsonb_build_object('indstilling', r.given_on, 'møde', {meeting_on},
                                          'frist', {meeting_on} + f.send_days) AS evidence
                FROM rec r JOIN f ON f.id = r.forloeb_id
                WHERE (r.sent_to_borger_on IS NULL OR r.sent_to_borger_on > %(d)s) AND {meeting_on} + f.send_days < %(d)s""",
            ),
        ),
    ]
    return Pack(code=CODE, name=NAME, valid_from=VALID_FROM, basis=BASIS, rules=with_pack(CODE, rules))
