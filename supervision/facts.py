"""The facts of every forløb in a unit, as of a day: one row per forløb, computed in one SQL query.

Every control point (`supervision.points`) is a condition over this row, so a figure, its
drill-down list and the report all read the same facts. The facts are built from the concepts of
`cases.concepts` (the same fragments the flag rules use) and the flag rules' own CTEs for "the
latest indstilling", "the plan in force" and "the latest samtale" (`followup.rulepacks.base`).

Population (the unit and the period)
    Forløb of the kommune (and team, and current koordinerende sagsbehandler, when given) that
    were active at some point in the period: opened on or before its last day and not closed
    before its first. Everything about them counts only when dated on or before the day `d`
    ("as of"), which is never before the period's end.

Parameters: d, period_from, period_to, kommune, teams (bigint[] or NULL for all the kommune's
teams), coordinator (or NULL).
"""

from cases.concepts import (
    AT_LEAST_4_MONTHS_OLD,
    GOAL_CONCRETE,
    IN_FIRST_6_MONTHS,
    IN_LATEST_12_MONTHS,
    INDSATS_PLANNED,
    INDSATS_STARTED,
    INDSATS_TIMED,
    LASTED_12_MONTHS,
    MEETING_ON,
    NEXT_SAMTALE_AGREED,
    NEXT_SAMTALE_NOT_RELEVANT,
    OPEN_ON,
    PREPARATION_STARTED_ON,
    REPEAT_FORLOEB,
    SAMTALE_HELD,
    SAMTALE_INDIVIDUAL,
    WRITTEN,
    YDELSE_STARTED_ON,
    age_on,
    max_end,
)
from followup.rulepacks import servicestandard as std
from followup.rulepacks.base import CURRENT_PLAN, LAST_RECOMMENDATION

# The population, named `f` with the columns the rule packs' CTEs expect.
POPULATION = f"""
f AS (
    SELECT f.id, f.borger_id, f.kommune_id, f.team_id, f.current_coordinator_id AS coordinator_id, f.sequence_no,
           f.opened_on, f.start_date, f.planned_end_date, f.closed_on,
           COALESCE(rs.standard_enabled, TRUE) AS std_on,
           COALESCE(rs.samtaler_per_year, {std.DEFAULTS["samtaler_per_year"]}) AS per_year
    FROM cases_forloeb f
    LEFT JOIN followup_rulesettings rs ON rs.kommune_id = f.kommune_id
    WHERE f.kommune_id = %(kommune)s
      AND (%(teams)s::bigint[] IS NULL OR f.team_id = ANY(%(teams)s::bigint[]))
      AND (%(coordinator)s::bigint IS NULL OR f.current_coordinator_id = %(coordinator)s)
      AND f.opened_on <= %(period_to)s AND (f.closed_on IS NULL OR f.closed_on >= %(period_from)s)
)"""

# The forløb's first indstilling (the waiting times run from it) and the first completed plan.
FIRST_RECOMMENDATION = """
rec1 AS (
    SELECT DISTINCT ON (r.forloeb_id) r.id, r.forloeb_id, r.given_on, r.agenda_item_id, r.sent_to_borger_on
    FROM rehab_recommendation r JOIN f ON f.id = r.forloeb_id
    WHERE r.given_on <= %(d)s
    ORDER BY r.forloeb_id, r.given_on, r.id
)"""

FIRST_PLAN = """
plan1 AS (
    SELECT DISTINCT ON (p.forloeb_id) p.id, p.forloeb_id, p.completed_on, p.borger_perspective
    FROM plans_actionplan p JOIN f ON f.id = p.forloeb_id
    WHERE p.completed_on <= %(d)s
    ORDER BY p.forloeb_id, p.version
)"""

# The latest samtale (held or not, as `followup.rulepacks.base.LAST_SAMTALE`: an udeblivelse books
# a new date) and the latest held one (the audit read the minutes of the latest opfølgning), each
# found through the (forløb, held_on) index per forløb; and the counts of held samtaler.
SAMTALER_OF_F = f"""
last_m AS (
    SELECT f.id AS forloeb_id, l.next_on, l.no_next_reason
    FROM f JOIN LATERAL (
        SELECT m.next_on, m.no_next_reason FROM followup_followupmeeting m
        WHERE m.forloeb_id = f.id AND m.held_on <= %(d)s
        ORDER BY m.held_on DESC, m.id DESC LIMIT 1) l ON TRUE
),
held_m AS (
    SELECT f.id AS forloeb_id, h.*
    FROM f JOIN LATERAL (
        SELECT m.id, m.held_by_id, m.status_on_interventions, m.new_agreements, m.mentor_need_assessed,
               m.mentor_assessment, m.borger_perspective
        FROM followup_followupmeeting m
        WHERE m.forloeb_id = f.id AND {SAMTALE_HELD.sql(m="m")}
        ORDER BY m.held_on DESC, m.id DESC LIMIT 1) h ON TRUE
),
counts_m AS (
    SELECT m.forloeb_id,
           count(*) FILTER (WHERE {IN_LATEST_12_MONTHS.sql(m="m")}) AS held_12m,
           count(*) FILTER (WHERE {IN_LATEST_12_MONTHS.sql(m="m")} AND {SAMTALE_INDIVIDUAL.sql(m="m")})
               AS individual_12m,
           count(*) FILTER (WHERE {IN_FIRST_6_MONTHS.sql(m="m", f="f")} AND {SAMTALE_INDIVIDUAL.sql(m="m")})
               AS individual_first_6m
    FROM followup_followupmeeting m JOIN f ON f.id = m.forloeb_id
    WHERE {SAMTALE_HELD.sql(m="m")}
    GROUP BY m.forloeb_id
)"""

INDSATSER = f"""
ind AS (
    SELECT i.forloeb_id,
           array_agg(DISTINCT i.category) FILTER (WHERE {INDSATS_STARTED.sql(i="i")}) AS started_cats,
           array_agg(DISTINCT i.category) FILTER (WHERE {INDSATS_PLANNED.sql(i="i")}) AS planned_cats,
           min(i.actual_start) FILTER (WHERE {INDSATS_STARTED.sql(i="i")} AND {INDSATS_TIMED.sql(i="i")})
               AS first_start
    FROM plans_intervention i JOIN f ON f.id = i.forloeb_id
    GROUP BY i.forloeb_id
),
first_by_cat AS (
    SELECT s.forloeb_id, jsonb_object_agg(s.category, s.first_on) AS first_start_by_cat
    FROM (SELECT i.forloeb_id, i.category, min(i.actual_start) AS first_on
          FROM plans_intervention i JOIN f ON f.id = i.forloeb_id
          WHERE {INDSATS_STARTED.sql(i="i")} AND {INDSATS_TIMED.sql(i="i")}
          GROUP BY i.forloeb_id, i.category) s
    GROUP BY s.forloeb_id
),
rec_cats AS (
    SELECT r.forloeb_id, array_agg(DISTINCT ri.category) AS rec_cats
    FROM rec r JOIN rehab_recommendedintervention ri ON ri.recommendation_id = r.id
    GROUP BY r.forloeb_id
)"""

# Concrete goals per document version: (column prefix, document kind, the version's alias below).
GOAL_DOCUMENTS = (
    ("fd", "forberedende_del", "pp"),
    ("rec", "indstilling", "r"),
    ("plan1", "indsatsplan", "p1"),
    ("plan", "indsatsplan", "p"),
)
GOAL_COLUMNS = ",\n".join(
    f"bool_or(g.document_kind = '{kind}' AND g.object_id = {alias}.id AND g.kind = '{goal}' "
    f"AND {GOAL_CONCRETE.sql(g='g')}) AS {prefix}_{suffix}"
    for prefix, kind, alias in GOAL_DOCUMENTS
    for goal, suffix in (("job", "job"), ("uddannelse", "edu"))
)
GOALS = f"""
goals AS (
    SELECT f.id AS forloeb_id,
{GOAL_COLUMNS}
    FROM f JOIN rehab_goal g ON g.forloeb_id = f.id
    LEFT JOIN rehab_preparatorypart pp ON pp.forloeb_id = f.id
    LEFT JOIN rec r ON r.forloeb_id = f.id
    LEFT JOIN plan1 p1 ON p1.forloeb_id = f.id
    LEFT JOIN plan p ON p.forloeb_id = f.id
    GROUP BY f.id
)"""

# Health information by source, before and after the meeting (fokusrevision 4.1-4.4): a document
# counts once received on or before the day; a LÆ 261 is the kommune's request, not information.
CLINICAL = "(h.form = 'LÆ275' OR h.author_role = 'klinisk_funktion' OR h.via_health_coordinator)"
OTHER_BODY = f"""(NOT {CLINICAL} AND (h.form IN ('LÆ155', 'journal')
                  OR h.author_role IN ('speciallaege', 'psykolog', 'sygehus')))"""
HEALTH = f"""
health AS (
    SELECT h.forloeb_id,
           bool_or(h.phase = 'foer' AND h.form = 'LÆ265') AS gp_before,
           bool_or(h.phase = 'foer' AND {CLINICAL}) AS clinical_before,
           bool_or(h.phase = 'foer' AND {OTHER_BODY}) AS other_before,
           bool_or(h.phase = 'efter' AND h.form IN ('LÆ265', 'LÆ145')) AS gp_after,
           bool_or(h.phase = 'efter' AND {CLINICAL}) AS clinical_after,
           bool_or(h.phase = 'efter' AND {OTHER_BODY}) AS other_after
    FROM rehab_healthdocument h JOIN f ON f.id = h.forloeb_id
    WHERE h.received_on <= %(d)s AND h.form <> 'LÆ261'
    GROUP BY h.forloeb_id
)"""

DECISION = """
dec AS (
    SELECT DISTINCT ON (d.forloeb_id) d.forloeb_id, d.decided_on, d.benefit_start_on, d.borger_consent_on
    FROM rehab_decision d JOIN f ON f.id = d.forloeb_id
    WHERE d.decided_on <= %(d)s AND d.ordning = 'ressourceforloeb'
    ORDER BY d.forloeb_id, d.decided_on DESC, d.id DESC
)"""

FACTS = f"""
x AS (
    SELECT f.id, f.team_id, f.coordinator_id, f.start_date, f.std_on, f.per_year,
           {OPEN_ON.sql(f="f")} AS open_on_day,
           f.start_date IS NOT NULL AND f.start_date <= %(d)s AS started,
           COALESCE({LASTED_12_MONTHS.sql(f="f")}, FALSE) AS lasted_12m,
           COALESCE({AT_LEAST_4_MONTHS_OLD.sql(f="f")}, FALSE) AS old_4m,
           COALESCE({max_end("f.start_date")} < %(d)s, FALSE) AS past_max_end,
           -- documents
           pp.id IS NOT NULL AND (pp.signed_by_borger_on <= %(d)s OR r.id IS NOT NULL) AS has_fd,
           r.id IS NOT NULL AND r.ordning = 'ressourceforloeb' AS has_rec,
           p1.id IS NOT NULL AS has_plan1,
           p.id IS NOT NULL AS has_plan,
           COALESCE(g.fd_job, FALSE) AS fd_job, COALESCE(g.fd_edu, FALSE) AS fd_edu,
           COALESCE(g.rec_job, FALSE) AS rec_job, COALESCE(g.rec_edu, FALSE) AS rec_edu,
           COALESCE(g.plan1_job, FALSE) AS plan1_job, COALESCE(g.plan1_edu, FALSE) AS plan1_edu,
           COALESCE(g.plan_job, FALSE) AS plan_job, COALESCE(g.plan_edu, FALSE) AS plan_edu,
           -- the borger's involvement
           {WRITTEN.sql(col="pp.borger_perspective")} AS fd_perspective,
           {WRITTEN.sql(col="pp.personal_resources")} AS fd_strengths,
           {WRITTEN.sql(col="pp.cv")} AS fd_cv,
           {WRITTEN.sql(col="pp.challenges_social")} AS fd_social,
           {WRITTEN.sql(col="pp.self_assessed_health")} AS fd_health,
           {WRITTEN.sql(col="rr.borger_perspective")} AS rec_perspective,
           {WRITTEN.sql(col="rr.followup_assessment")} OR COALESCE(rr.followup_extra_needed, FALSE)
               AS rec_followup_assessed,
           {WRITTEN.sql(col="p1.borger_perspective")} AS plan1_perspective,
           -- the koordinerende sagsbehandler
           p.coordinator_id IS NOT NULL AS plan_names_ks,
           p.coordinator_id AS plan_ks_id,
           -- dates of the waiting times
           {PREPARATION_STARTED_ON.sql(pp="pp", f="f")} AS preparation_on,
           {MEETING_ON.sql(r="r1")} AS meeting_on,
           CASE WHEN r1.sent_to_borger_on <= %(d)s THEN r1.sent_to_borger_on END AS sent_on,
           p1.completed_on AS plan1_on,
           ind.first_start,
           CASE WHEN dec.decided_on IS NOT NULL THEN {YDELSE_STARTED_ON.sql(dec="dec", f="f")} END AS ydelse_on,
           COALESCE(fbc.first_start_by_cat, '{{}}'::jsonb) AS first_start_by_cat,
           -- indsatser by category
           COALESCE(rc.rec_cats, '{{}}') AS rec_cats,
           COALESCE(ind.planned_cats, '{{}}') AS planned_cats,
           COALESCE(ind.started_cats, '{{}}') AS started_cats,
           -- samtaler
           COALESCE(cm.held_12m, 0) AS held_12m,
           COALESCE(cm.individual_12m, 0) AS individual_12m,
           COALESCE(cm.individual_first_6m, 0) AS individual_first_6m,
           lh.id IS NOT NULL AS has_held,
           {WRITTEN.sql(col="lh.status_on_interventions")} AS held_status,
           {WRITTEN.sql(col="lh.new_agreements")} AS held_agreements,
           COALESCE(lh.mentor_need_assessed, FALSE) OR {WRITTEN.sql(col="lh.mentor_assessment")} AS held_mentor,
           {WRITTEN.sql(col="lh.borger_perspective")} AS held_perspective,
           lh.held_by_id AS held_by_id,
           (l.forloeb_id IS NOT NULL OR p.id IS NOT NULL)
               AND NOT COALESCE({NEXT_SAMTALE_NOT_RELEVANT.sql(l="l")}, FALSE) AS next_relevant,
           COALESCE({NEXT_SAMTALE_AGREED.sql(l="l", p="p")}, FALSE) AS next_agreed,
           -- health information
           COALESCE(h.gp_before, FALSE) AS gp_before, COALESCE(h.clinical_before, FALSE) AS clinical_before,
           COALESCE(h.other_before, FALSE) AS other_before, COALESCE(h.gp_after, FALSE) AS gp_after,
           COALESCE(h.clinical_after, FALSE) AS clinical_after, COALESCE(h.other_after, FALSE) AS other_after,
           -- a further forløb for a borger over 40 (R6)
           dec.decided_on IS NOT NULL AND {REPEAT_FORLOEB.sql(f="f")}
               AND {age_on("b", "dec.decided_on")} >= 40 AS repeat_over_40,
           dec.borger_consent_on IS NOT NULL AND dec.borger_consent_on <= %(d)s AS consent_recorded
    FROM f
    JOIN cases_borger b ON b.id = f.borger_id
    LEFT JOIN rehab_preparatorypart pp ON pp.forloeb_id = f.id
    LEFT JOIN rec r ON r.forloeb_id = f.id
    LEFT JOIN rehab_recommendation rr ON rr.id = r.id
    LEFT JOIN rec1 r1 ON r1.forloeb_id = f.id
    LEFT JOIN plan1 p1 ON p1.forloeb_id = f.id
    LEFT JOIN plan p ON p.forloeb_id = f.id
    LEFT JOIN goals g ON g.forloeb_id = f.id
    LEFT JOIN ind ON ind.forloeb_id = f.id
    LEFT JOIN first_by_cat fbc ON fbc.forloeb_id = f.id
    LEFT JOIN rec_cats rc ON rc.forloeb_id = f.id
    LEFT JOIN counts_m cm ON cm.forloeb_id = f.id
    LEFT JOIN last_m l ON l.forloeb_id = f.id
    LEFT JOIN held_m lh ON lh.forloeb_id = f.id
    LEFT JOIN health h ON h.forloeb_id = f.id
    LEFT JOIN dec ON dec.forloeb_id = f.id
)"""

CTES = (
    POPULATION,
    SAMTALER_OF_F,
    LAST_RECOMMENDATION,
    CURRENT_PLAN,
    FIRST_RECOMMENDATION,
    FIRST_PLAN,
    INDSATSER,
    GOALS,
    HEALTH,
    DECISION,
    FACTS,
)


def with_facts(select: str) -> str:
    """A query over the facts `x` of the population."""
    return "WITH " + ",".join(CTES) + "\n" + select
