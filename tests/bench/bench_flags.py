"""Benchmark of the followup flag evaluation (`followup.services.flags_evaluate`) at national scale.

What it measures, against a separate PostgreSQL database that it creates and fills itself:

1. the full nightly evaluation of every rule for every forløb as of one day (default 2026-11-30;
   target: under 60 s for 100,000 forløb);
2. a single-forløb re-evaluation (`forloeb_ids=[id]`), repeated on random open forløb after the
   full run (target: under 50 ms; median and p95 are reported);
3. a second full run straight after the first (idempotence: it must raise no new flags).

For each it reports wall-clock seconds, the peak memory of this Python process (ru_maxrss),
the number of SQL statements (counted with `connection.execute_wrapper`) and the time spent per
rule; for the first run also the flags raised per rule.

The data are generated set-based in SQL (`INSERT … SELECT … FROM generate_series`, seeded with
`setseed`, so a regeneration gives the same data): N forløb (4 % of them a borger's earlier,
closed forløb), ~15 opfølgningssamtaler per forløb, ~4 indsatser per forløb, indstillinger with
~3 anbefalede indsatser, afgørelser, indsatsplaner (with revisions and drafts), goals, forberedende
dele, rehabiliteringsteam meetings, phase transitions (incl. genforelæggelser) and a few kommuner
with their own rule settings, dated 2019-2026 so that every rule pack has something to find.

Run from the repository root (the database is created if missing, migrated, and filled only when
empty; flags and evaluation runs are emptied before each benchmark):

    .venv/bin/python tests/bench/bench_flags.py --forloeb 2000         # a quick try
    .venv/bin/python tests/bench/bench_flags.py                        # 100,000 forløb
    .venv/bin/python tests/bench/bench_flags.py --regenerate           # truncate and generate again
    .venv/bin/python tests/bench/bench_flags.py --explain NO_INDSATSPLAN [--explain-id 42]

The database URL comes from `--database-url`, else `BENCH_DATABASE_URL`, else
postgres://postgres@127.0.0.1:5432/forloeb_bench. Never point it at a database you care about:
`--regenerate` truncates every case table.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forloeb_bench"
AS_OF = date(2026, 11, 30)
# Data are "registered" up to this day; the evaluation day lies a few days after it.
HORIZON = date(2026, 11, 25)
SEED = 0.42
SAMTALER_PER_FORLOEB = 15
TEAMS_PER_KOMMUNE = 2
USERS_PER_TEAM = 8
MEETING_WEEKS = 522  # weekly rehabiliteringsteam meetings from 2018-01-02 to the end of 2027
CATEGORIES = (
    "virksomhedsrettet",
    "mentor",
    "vejledning_opkvalificering",
    "sundhed_kommunal",
    "sundhed_regional",
    "social",
    "uddannelse",
    "andet",
)


# --- Database and Django -----------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (via the `postgres` maintenance DB)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The test settings: the production settings with fresh random keys (they refuse to start
    # without secret keys), so a benchmark needs no secrets set.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def execute(sql: str, params: dict | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: dict | list | None = None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# --- Data generation ---------------------------------------------------------------------------
# Every statement is constant SQL; sizes and dates travel as parameters. No `%` operator is used
# (mod() instead), since `%` is the parameter marker.

TRUNCATE = "TRUNCATE cases_kommune, cases_borger, cases_user RESTART IDENTITY CASCADE"

KOMMUNER = """
INSERT INTO cases_kommune (id, name, code, is_frikommune)
SELECT k, 'Benchkommune ' || k, lpad(k::text, 3, '0'), k <= 3 FROM generate_series(1, %(kommuner)s) k
"""

TEAMS = """
INSERT INTO cases_team (id, kommune_id, name, code)
SELECT t, (t - 1) / %(teams_per_kommune)s + 1, 'Team ' || t, 'team-' || t FROM generate_series(1, %(teams)s) t
"""

USERS = """
INSERT INTO cases_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                        date_joined, role, sector, kommune_id, phone)
SELECT u, '!', FALSE, 'bench' || u, 'Sagsbehandler', 'S' || u, '', FALSE, TRUE, now(),
       CASE WHEN mod(u, %(users_per_team)s) = 1 THEN 'teamleder' ELSE 'sagsbehandler' END, '',
       ((u - 1) / %(users_per_team)s) / %(teams_per_kommune)s + 1, ''
FROM generate_series(1, %(teams)s * %(users_per_team)s) u
"""

MEMBERSHIPS = """
INSERT INTO cases_teammembership (user_id, team_id, joined_on)
SELECT u, (u - 1) / %(users_per_team)s + 1, DATE '2018-01-01' FROM generate_series(1, %(teams)s * %(users_per_team)s) u
"""

# A few kommuner with their own service standard, a few with it switched off.
RULE_SETTINGS = """
INSERT INTO followup_rulesettings (kommune_id, standard_enabled, samtaler_per_year, max_gap_days, rehab_wait_days,
                                   indstilling_send_days, plan_after_meeting_days, not_started_days,
                                   not_started_days_by_category, ending_warning_days, digest_enabled)
SELECT k, mod(k, 20) <> 10, CASE WHEN mod(k, 7) = 2 THEN 8 ELSE 6 END, CASE WHEN mod(k, 7) = 2 THEN 45 ELSE 61 END,
       91, 14, 122, 183,
       CASE WHEN mod(k, 7) = 2 THEN '{"mentor": 60, "virksomhedsrettet": 90}'::jsonb ELSE '{}'::jsonb END, 120, FALSE
FROM generate_series(1, %(kommuner)s) k
WHERE mod(k, 7) = 2 OR mod(k, 20) = 10
"""

# Fictitious unique CPR numbers: a birth date 1960-1999 (ddmmyy) and a serial whose first digit,
# 1, puts the birth in the 1900s (stdnum's century rule).
BORGERE = """
INSERT INTO cases_borger (id, cpr, first_name, last_name, address, phone, email, created_at)
SELECT b, to_char(DATE '1960-01-01' + mod(b * 7919, 14600), 'DDMMYY') || lpad((1000 + (b / 14600) * 7)::text, 4, '0'),
       'Borger', 'B' || b, '', '', '', now()
FROM generate_series(1, %(main)s) b
"""

# The plan of every forløb, one row each, from which the tables are filled. Main forløb 1..main
# have their own borger; the last `pred` forløb are earlier, closed forløb of the borger of every
# 24th main forløb (which is then that borger's forløb nr. 2).
STAGE = """
CREATE TEMP TABLE bench_f AS
WITH r AS (
    SELECT n, random() AS u_open, random() AS u_grant, random() AS u_wait, random() AS u_dur, random() AS u_close,
           random() AS u_early, random() AS u_rec, random() AS u_plan, random() AS u_pattern, random() AS u_gap,
           random() AS u_gen, random() AS u_misc, random() AS u_misc2, random() AS u_stall
    FROM generate_series(1, %(main)s) n
),
a AS (
    SELECT r.*, %(horizon)s::date - floor(u_open ^ 2 * (%(horizon)s::date - DATE '2019-01-01'))::int AS opened_on FROM r
),
b AS (
    SELECT a.*, CASE WHEN u_grant < 0.9 AND opened_on + 45 + floor(u_wait * 200)::int <= %(horizon)s::date
                     THEN opened_on + 45 + floor(u_wait * 200)::int END AS start_date
    FROM a
),
c AS (
    SELECT b.*,
           (start_date + make_interval(years => CASE WHEN start_date >= DATE '2022-01-01' THEN 1 + floor(u_dur * 3)::int
                                                     ELSE 1 + floor(u_dur * 5)::int END))::date AS planned_end_date
    FROM b
),
d AS (
    SELECT c.*,
           CASE WHEN start_date IS NOT NULL AND u_early < 0.08
                  THEN start_date + 1 + floor(u_close * GREATEST(LEAST(planned_end_date, %(horizon)s::date) - start_date - 1, 0))::int
                WHEN start_date IS NOT NULL AND planned_end_date <= %(horizon)s::date AND u_close < 0.9
                  THEN planned_end_date
                WHEN start_date IS NULL AND opened_on < %(horizon)s::date - 300 AND u_close < 0.95
                  THEN opened_on + 100 + floor(u_close * 200)::int
           END AS closed_on
    FROM c
),
e AS (
    SELECT d.*, LEAST(closed_on, %(horizon)s::date) AS active_to,
           CASE WHEN start_date IS NOT NULL AND u_rec < 0.97 THEN start_date - 5 - floor(u_misc * 30)::int
                WHEN start_date IS NULL AND u_rec < 0.45
                 AND opened_on + 60 + floor(u_misc * 120)::int <= LEAST(closed_on, %(horizon)s::date)
                  THEN opened_on + 60 + floor(u_misc * 120)::int
           END AS rec_on
    FROM d
)
SELECT n AS id, n AS borger_id, 'main'::text AS kind,
       CASE WHEN mod(n, 24) = 0 AND n / 24 <= %(pred)s THEN 2 ELSE 1 END AS sequence_no,
       mod(n, %(teams)s) + 1 AS team_id, mod(n, %(teams)s) / %(teams_per_kommune)s + 1 AS kommune_id,
       mod(n, %(teams)s) * %(users_per_team)s + 1 + mod(n / %(teams)s, %(users_per_team)s) AS user_id,
       opened_on, start_date, planned_end_date, closed_on, active_to, rec_on,
       start_date IS NOT NULL AND u_plan < 0.9 AS has_plan,
       CASE WHEN u_pattern < 0.08 THEN 'stalled' WHEN u_pattern < 0.13 THEN 'hole'
            WHEN u_pattern < 0.18 THEN 'slow_start' ELSE 'regular' END AS pattern,
       CASE WHEN start_date IS NOT NULL AND u_gen < 0.15
            THEN LEAST(active_to, GREATEST(start_date + 150, planned_end_date - 30 - floor(u_misc * 120)::int)) END AS gen_on,
       u_gap, u_stall, u_misc2, NULL::int AS gap, NULL::date AS s_end
FROM e
"""

STAGE_PREDECESSORS = """
INSERT INTO bench_f (id, borger_id, kind, sequence_no, team_id, kommune_id, user_id, opened_on, start_date,
                     planned_end_date, closed_on, active_to, rec_on, has_plan, pattern, gen_on, u_gap, u_stall, u_misc2)
SELECT %(main)s + k, m.id, 'pred', 1, m.team_id, m.kommune_id, m.user_id, o.opened_on, o.opened_on + 120,
       (o.opened_on + 120 + INTERVAL '3 years')::date, (o.opened_on + 120 + INTERVAL '3 years')::date,
       (o.opened_on + 120 + INTERVAL '3 years')::date, NULL, FALSE, 'regular', NULL, 0, 0, 0
FROM generate_series(1, %(pred)s) k
JOIN bench_f m ON m.id = 24 * k
CROSS JOIN LATERAL (SELECT m.opened_on - 1500 - floor(random() * 300)::int AS opened_on) o
"""

# One average gap between samtaler chosen so that the total comes to ~15 per forløb; each forløb
# gets 0.6-1.4 times that. "stalled" forløb stop having samtaler (s_end) 70-320 days before the
# horizon or their afslutning.
STAGE_GAPS = """
WITH s AS (
    SELECT sum(active_to - start_date - 7)::float * 1.06 / (%(samtaler)s) AS avg_gap
    FROM bench_f WHERE kind = 'main' AND start_date IS NOT NULL AND active_to > start_date + 7
)
UPDATE bench_f f SET gap = GREATEST(14, round(s.avg_gap * (0.6 + 0.8 * f.u_gap)))::int,
                     s_end = CASE WHEN f.pattern = 'stalled' THEN f.active_to - 70 - floor(f.u_stall * 250)::int
                                  ELSE f.active_to END
FROM s WHERE f.kind = 'main' AND f.start_date IS NOT NULL
"""

STAGE_INDEX = "CREATE INDEX ON bench_f (id); ANALYZE bench_f"

FORLOEB = """
INSERT INTO cases_forloeb (id, uuid, borger_id, sequence_no, kommune_id, team_id, phase, phase_changed_at,
                           opened_on, start_date, planned_end_date, closed_on, outcome, early_end_reason,
                           current_coordinator_id, created_at)
SELECT id, md5('bench-forloeb-' || id)::uuid, borger_id, sequence_no, kommune_id, team_id,
       CASE WHEN closed_on IS NOT NULL THEN 'afsluttet'
            WHEN start_date IS NOT NULL AND start_date + 60 <= %(horizon)s::date THEN 'ivaerksaettelse'
            WHEN start_date IS NOT NULL THEN 'indsatsdel'
            WHEN rec_on IS NOT NULL THEN 'indstilling'
            ELSE 'forberedende_del' END,
       NULL, opened_on, start_date, planned_end_date, closed_on,
       CASE WHEN closed_on IS NULL THEN ''
            ELSE (ARRAY['loenmodtager', 'uddannelse', 'fleksjob', 'foertidspension', 'kontanthjaelp',
                        'nyt_ressourceforloeb'])[1 + floor(random() * 6)::int] END,
       CASE WHEN closed_on < planned_end_date
            THEN (ARRAY['job_uddannelse', 'foertidspension', 'helbred', 'manglende_medvirken'])[1 + mod(id, 4)]
            ELSE '' END,
       CASE WHEN mod(id, 20) = 0 THEN NULL ELSE user_id END, now()
FROM bench_f ORDER BY id
"""

PREPARATORY_PARTS = """
INSERT INTO rehab_preparatorypart (forloeb_id, work_started_on, wishes, personal_resources, challenges_job,
                                   challenges_social, challenges_health, self_assessed_health, previous_benefit,
                                   benefit_history, earlier_interventions, borger_perspective, cv, borger_wish,
                                   signed_by_borger_on, updated_at)
SELECT id, CASE WHEN u1 < 0.9 THEN opened_on + floor(u2 * 20)::int END,
       'Ønsker at arbejde med mennesker', 'Mødestabil', 'Ingen erhvervserfaring', '', 'Smerter', 'Svingende',
       'kontanthjaelp', '', '', 'Jeg vil gerne i arbejde', '', 'ressourceforloeb',
       CASE WHEN u3 < 0.85 AND opened_on + 20 + floor(u2 * 40)::int <= %(horizon)s::date
            THEN opened_on + 20 + floor(u2 * 40)::int END,
       now()
FROM (SELECT f.*, random() AS u1, random() AS u2, random() AS u3, random() AS keep FROM bench_f f WHERE kind = 'main') f
WHERE keep < 0.95
"""

REHAB_TEAMS = """
INSERT INTO rehab_rehabteam (id, kommune_id, name)
SELECT k, k, 'Rehabiliteringsteam ' || k FROM generate_series(1, %(kommuner)s) k
"""

TEAM_MEETINGS = """
INSERT INTO rehab_teammeeting (id, rehab_team_id, starts_at, place)
SELECT (k - 1) * %(weeks)s + w + 1, k, ((DATE '2018-01-02' + 7 * w) + TIME '09:00') AT TIME ZONE 'Europe/Copenhagen',
       'Jobcentret'
FROM generate_series(1, %(kommuner)s) k, generate_series(0, %(weeks)s - 1) w
"""

# The first indstilling of a forløb; granted forløb in ~15 % get a second after a genforelæggelse.
RECOMMENDATIONS = """
INSERT INTO rehab_recommendation (forloeb_id, agenda_item_id, given_on, ordning, duration_years, justification, hensyn,
                                  followup_assessment, followup_extra_needed, borger_perspective, sent_to_borger_on,
                                  sent_to_gp_on, recorded_by_id, created_at)
SELECT id, NULL, given_on,
       CASE WHEN start_date IS NOT NULL OR closed_on IS NULL THEN 'ressourceforloeb'
            ELSE (ARRAY['foertidspension', 'fleksjob', 'jobafklaringsforloeb'])[1 + floor(u1 * 3)::int] END,
       2, 'Borgeren har brug for en helhedsorienteret indsats',
       CASE WHEN u1 < 0.5 THEN '{psykiske,transport}' ELSE '{}' END::varchar(20)[],
       '', u2 < 0.2, 'Borgeren ønsker et forløb',
       CASE WHEN u3 < 0.9 THEN given_on + 2 + floor(u2 * 20)::int END,
       CASE WHEN u3 < 0.7 THEN given_on + 3 END,
       user_id, now()
FROM (
    SELECT f.*, f.rec_on AS given_on, random() AS u1, random() AS u2, random() AS u3
    FROM bench_f f WHERE f.rec_on IS NOT NULL
    UNION ALL
    SELECT f.*, f.gen_on + 21, random(), random(), random()
    FROM bench_f f WHERE f.gen_on IS NOT NULL AND f.gen_on + 21 <= f.active_to
) f
ORDER BY id, given_on
"""

RECOMMENDED_INTERVENTIONS = """
INSERT INTO rehab_recommendedintervention (recommendation_id, category, description, within_months, planned_by)
SELECT r.id, c.category, 'Anbefalet indsats: ' || c.category,
       CASE WHEN c.u < 0.5 THEN (ARRAY[3, 6])[1 + floor(c.u * 4)::int] END,
       CASE WHEN c.u >= 0.5 AND c.u < 0.7 THEN r.given_on + 60 + floor(c.u2 * 120)::int END
FROM (SELECT r.*, 1 + floor(random() * 5)::int AS k FROM rehab_recommendation r) r
CROSS JOIN LATERAL generate_series(1, r.k) i
CROSS JOIN LATERAL (
    SELECT (%(categories)s::text[])[1 + floor(random() * 8 + 0 * i)::int] AS category, random() + 0 * i AS u,
           random() + 0 * i AS u2
) c
"""

# Indsatser for ~88 % of the anbefalede indsatser of granted forløb, most started.
INTERVENTIONS_RECOMMENDED = """
WITH types AS (  -- the catalogue's current type per category (filled by a data migration)
    SELECT DISTINCT ON (category) category, id FROM plans_interventiontype WHERE valid_to IS NULL ORDER BY category, id
),
x AS (
    SELECT ri.id AS ri_id, ri.category, f.id AS forloeb_id, f.closed_on, f.active_to, random() AS u1, random() AS u2,
           random() AS u3, random() AS u4,
           GREATEST(f.start_date, r.given_on) + CASE WHEN f.pattern = 'slow_start' THEN 200 ELSE 0 END
             + floor(random() ^ 1.5 * 300)::int AS start_on,
           GREATEST(f.start_date, r.given_on) + 14 AS planned_on
    FROM rehab_recommendedintervention ri
    JOIN rehab_recommendation r ON r.id = ri.recommendation_id
    JOIN bench_f f ON f.id = r.forloeb_id
    WHERE f.start_date IS NOT NULL
),
y AS (
    SELECT x.*, CASE WHEN u2 < 0.85 AND start_on <= active_to THEN start_on END AS actual_start FROM x WHERE u1 < 0.88
),
z AS (
    SELECT y.*, CASE WHEN actual_start IS NOT NULL AND u3 < 0.6 AND actual_start + 30 + floor(u4 * 170)::int <= active_to
                     THEN actual_start + 30 + floor(u4 * 170)::int END AS actual_end
    FROM y
)
INSERT INTO plans_intervention (forloeb_id, type_id, category, description, recommended_id, status, status_reason,
                                planned_start, planned_end, actual_start, actual_end, hours_per_week, provider,
                                forvaltning, employer_cvr, cost, part_of_forloeb, source, created_at)
SELECT z.forloeb_id, t.id, z.category, 'Indsats: ' || z.category, z.ri_id,
       CASE WHEN z.actual_start IS NULL THEN CASE WHEN z.closed_on IS NOT NULL THEN 'ikke_ivaerksat' ELSE 'planlagt' END
            WHEN z.actual_end IS NULL THEN 'igangsat' ELSE 'gennemfoert' END,
       '', z.planned_on, z.planned_on + 90, z.actual_start, z.actual_end, 10, 'Jobcentret', 'jobcenter', '', NULL,
       TRUE, 'registreret', now()
FROM z JOIN types t ON t.category = z.category
ORDER BY z.forloeb_id
"""

# Further indsatser not recommended by the team: 0-7 per granted forløb.
INTERVENTIONS_OTHER = """
WITH types AS (  -- the catalogue's current type per category (filled by a data migration)
    SELECT DISTINCT ON (category) category, id FROM plans_interventiontype WHERE valid_to IS NULL ORDER BY category, id
),
f AS (SELECT f.*, floor(random() * 8)::int AS k FROM bench_f f WHERE f.kind = 'main' AND f.start_date IS NOT NULL),
x AS (
    SELECT f.id AS forloeb_id, f.closed_on, f.active_to, c.*,
           f.start_date + CASE WHEN f.pattern = 'slow_start' THEN 200 ELSE 0 END
             + floor(c.u3 * GREATEST(f.active_to - f.start_date, 1))::int AS start_on,
           f.start_date + floor(c.u4 * GREATEST(f.active_to - f.start_date, 1))::int AS planned_on
    FROM f CROSS JOIN LATERAL generate_series(1, f.k) i
    CROSS JOIN LATERAL (
        SELECT (%(categories)s::text[])[1 + floor(random() * 8 + 0 * i)::int] AS category, random() + 0 * i AS u1,
               random() + 0 * i AS u2, random() + 0 * i AS u3, random() + 0 * i AS u4
    ) c
),
y AS (SELECT x.*, CASE WHEN u1 < 0.75 AND start_on <= active_to THEN start_on END AS actual_start FROM x),
z AS (
    SELECT y.*, CASE WHEN actual_start IS NOT NULL AND u2 < 0.6 AND actual_start + 30 + floor(u2 * 200)::int <= active_to
                     THEN actual_start + 30 + floor(u2 * 200)::int END AS actual_end
    FROM y
)
INSERT INTO plans_intervention (forloeb_id, type_id, category, description, recommended_id, status, status_reason,
                                planned_start, planned_end, actual_start, actual_end, hours_per_week, provider,
                                forvaltning, employer_cvr, cost, part_of_forloeb, source, created_at)
SELECT z.forloeb_id, t.id, z.category, 'Indsats: ' || z.category, NULL,
       CASE WHEN z.actual_start IS NULL THEN CASE WHEN z.closed_on IS NOT NULL THEN 'ikke_ivaerksat' ELSE 'bevilget' END
            WHEN z.actual_end IS NULL THEN 'igangsat' ELSE 'gennemfoert' END,
       '', z.planned_on, z.planned_on + 120, z.actual_start, z.actual_end, 8, 'Leverandør A/S', 'jobcenter', '',
       12500, TRUE, 'registreret', now()
FROM z JOIN types t ON t.category = z.category
ORDER BY z.forloeb_id
"""

# The kommune's afgørelse for each indstilling of a granted (or closed) forløb, and without an
# indstilling for granted forløb that had none (and the earlier forløb). For a borger's second
# forløb the borger's wish is registered in half the cases.
DECISIONS = """
INSERT INTO rehab_decision (forloeb_id, recommendation_id, decided_on, ordning, duration_years, follows_recommendation,
                            deviation_reason, benefit_start_on, without_team_ground, without_team_documentation,
                            borger_consent_on, decided_by_id, created_at)
SELECT forloeb_id, recommendation_id, decided_on, ordning, 2, recommendation_id IS NOT NULL, '', start_date,
       CASE WHEN recommendation_id IS NULL THEN 'frikommune' ELSE '' END,
       CASE WHEN recommendation_id IS NULL THEN 'Første forløb med beskæftigelsesrettede indsatser' ELSE '' END,
       CASE WHEN sequence_no = 2 AND random() < 0.5 THEN decided_on - 5 END, user_id, now()
FROM (
    SELECT f.id AS forloeb_id, r.id AS recommendation_id, f.sequence_no, f.user_id, f.start_date,
           CASE WHEN f.start_date IS NOT NULL THEN 'ressourceforloeb' ELSE r.ordning END AS ordning,
           CASE WHEN r.given_on = f.rec_on AND f.start_date IS NOT NULL THEN f.start_date - floor(random() * 4)::int
                ELSE r.given_on + 10 END AS decided_on
    FROM rehab_recommendation r JOIN bench_f f ON f.id = r.forloeb_id
    WHERE f.start_date IS NOT NULL OR f.closed_on IS NOT NULL
    UNION ALL
    SELECT f.id, NULL, f.sequence_no, f.user_id, f.start_date, 'ressourceforloeb', f.start_date - 3
    FROM bench_f f WHERE f.start_date IS NOT NULL AND f.rec_on IS NULL
) d
WHERE decided_on <= %(horizon)s::date
ORDER BY forloeb_id, decided_on
"""

# Indsatsplaner for ~90 % of granted forløb: version 1 some weeks after the start, revisions
# every ~200 days for some, and a draft as the latest version for ~10 % of the open ones.
ACTION_PLANS = """
INSERT INTO plans_actionplan (forloeb_id, version, recommendation_id, coordinator_id, followup_cadence_weeks,
                              followup_agreement, next_followup_on, hensyn, borger_perspective, revision_reason,
                              completed_on, created_by_id, created_at)
SELECT f.id, v, r.id, CASE WHEN f.u_coord < 0.03 THEN NULL ELSE f.user_id END, 6, 'Samtale hver 6. uge',
       CASE WHEN random() < 0.95 THEN f.c1 + (v - 1) * 200 + 42 END, '{}'::varchar(20)[], 'Borgeren er enig',
       CASE WHEN v > 1 THEN 'Revision efter opfølgningssamtale' ELSE '' END, f.c1 + (v - 1) * 200, f.user_id, now()
FROM (
    SELECT f.*, f.start_date + 20 + floor(random() * 130)::int AS c1,
           1 + (random() < 0.3)::int + (random() < 0.1)::int AS nv, random() AS u_coord
    FROM bench_f f WHERE f.has_plan
) f
CROSS JOIN LATERAL generate_series(1, f.nv) v
LEFT JOIN rehab_recommendation r ON r.forloeb_id = f.id AND r.given_on = f.rec_on
WHERE f.c1 + (v - 1) * 200 <= f.active_to
ORDER BY f.id, v
"""

DRAFT_PLANS = """
INSERT INTO plans_actionplan (forloeb_id, version, recommendation_id, coordinator_id, followup_cadence_weeks,
                              followup_agreement, next_followup_on, hensyn, borger_perspective, revision_reason,
                              completed_on, created_by_id, created_at)
SELECT f.id, COALESCE(p.version, 0) + 1, NULL, f.user_id, NULL, '', NULL, '{}'::varchar(20)[], '',
       CASE WHEN p.version IS NULL THEN '' ELSE 'Revision efter opfølgningssamtale' END, NULL, f.user_id, now()
FROM bench_f f
LEFT JOIN (SELECT forloeb_id, max(version) AS version FROM plans_actionplan GROUP BY forloeb_id) p ON p.forloeb_id = f.id
WHERE f.has_plan AND f.closed_on IS NULL AND (p.version IS NULL OR random() < 0.1)
"""

# Goals in the forberedende del, the indstilling and each plan version: ~80 % concrete (a job with
# a DISCO occupation, or a named education).
GOALS = """
INSERT INTO rehab_goal (forloeb_id, document_kind, content_type_id, object_id, kind, description, occupation_id,
                        education, set_with_borger, created_at)
SELECT s.forloeb_id, s.document_kind, s.content_type_id, s.object_id,
       CASE WHEN s.u < 0.7 THEN 'job' ELSE 'uddannelse' END,
       CASE WHEN s.u < 0.6 THEN 'Job som assistent' WHEN s.u < 0.7 THEN 'At komme i job'
            WHEN s.u < 0.9 THEN 'Uddannelse som social- og sundhedshjælper' ELSE 'At tage en uddannelse' END,
       CASE WHEN s.u < 0.6 THEN occ.ids[1 + floor(s.u2 * array_length(occ.ids, 1))::int] END,
       CASE WHEN s.u >= 0.7 AND s.u < 0.9 THEN 'Social- og sundhedshjælper' ELSE '' END,
       TRUE, now()
FROM (
    SELECT forloeb_id, 'forberedende_del' AS document_kind, %(ct_pp)s::int AS content_type_id, id AS object_id,
           random() AS u, random() AS u2, random() AS keep
    FROM rehab_preparatorypart
    UNION ALL
    SELECT forloeb_id, 'indstilling', %(ct_rec)s::int, id, random(), random(), random()
    FROM rehab_recommendation WHERE ordning = 'ressourceforloeb'
    UNION ALL
    SELECT forloeb_id, 'indsatsplan', %(ct_plan)s::int, id, random(), random(), random() FROM plans_actionplan
) s
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM rehab_occupation) occ
WHERE s.keep < 0.88
ORDER BY s.forloeb_id
"""

# The phase log: to the team, indstilling, bevilling (with or without the team), iværksættelse,
# genforelæggelse (~15 % of granted forløb) and afslutning.
PHASE_TRANSITIONS = """
INSERT INTO cases_phasetransition (forloeb_id, transition, from_phase, to_phase, actor_id, at, reason, outcome)
SELECT f.id, t.transition, t.from_phase, t.to_phase, f.user_id,
       (t.on_day + TIME '10:00') AT TIME ZONE 'Europe/Copenhagen', t.reason, t.outcome
FROM bench_f f JOIN cases_forloeb x ON x.id = f.id
CROSS JOIN LATERAL (VALUES
    ('to_rehab_team', 'forberedende_del', 'rehabiliteringsteam', f.rec_on - 14, '', ''),
    ('give_indstilling', 'rehabiliteringsteam', 'indstilling', f.rec_on, '', ''),
    (CASE WHEN f.rec_on IS NULL THEN 'grant_without_team' ELSE 'grant' END,
     CASE WHEN f.rec_on IS NULL THEN 'forberedende_del' ELSE 'indstilling' END, 'indsatsdel', f.start_date, '', ''),
    ('start_ivaerksaettelse', 'indsatsdel', 'ivaerksaettelse',
     CASE WHEN f.start_date + 60 <= COALESCE(f.closed_on, %(horizon)s::date) THEN f.start_date + 60 END, '', ''),
    ('genforelaeggelse', 'ivaerksaettelse', 'rehabiliteringsteam', f.gen_on, 'Forløbet nærmer sig slutdatoen', ''),
    ('close', CASE WHEN f.start_date IS NULL THEN 'forberedende_del' ELSE 'ivaerksaettelse' END, 'afsluttet',
     f.closed_on, '', x.outcome)
) AS t(transition, from_phase, to_phase, on_day, reason, outcome)
WHERE t.on_day IS NOT NULL
ORDER BY f.id, t.on_day
"""

# Each indstilling was given at the kommune's weekly meeting; ~40 % of the forløb still waiting for
# the team have a meeting booked (in the past or future).
AGENDA_ITEMS = """
INSERT INTO rehab_agendaitem (meeting_id, forloeb_id, slot_start, slot_minutes, sectors_present, borger_present,
                              relative_present, bisidder_present)
SELECT meeting_id, forloeb_id,
       TIME '08:00' + (row_number() OVER (PARTITION BY meeting_id ORDER BY forloeb_id) - 1) * %(slot_minutes)s
         * INTERVAL '1 minute', 30,
       '{beskaeftigelse,kommunal_sundhed,social,undervisning,sundhedskoordinator}'::varchar(30)[],
       CASE WHEN on_day <= %(horizon)s::date THEN TRUE END, NULL, NULL
FROM (
    SELECT DISTINCT ON (meeting_id, forloeb_id) * FROM (
        SELECT (f.kommune_id - 1) * %(weeks)s + (r.given_on - DATE '2018-01-02') / 7 + 1 AS meeting_id,
               r.forloeb_id, r.given_on AS on_day
        FROM rehab_recommendation r JOIN bench_f f ON f.id = r.forloeb_id
        UNION ALL
        SELECT (f.kommune_id - 1) * %(weeks)s + (f.opened_on + 60 + floor(random() * 100)::int - DATE '2018-01-02') / 7 + 1,
               f.id, f.opened_on + 60
        FROM bench_f f
        WHERE f.kind = 'main' AND f.start_date IS NULL AND f.rec_on IS NULL AND f.closed_on IS NULL AND random() < 0.4
    ) a
) a
ORDER BY meeting_id, forloeb_id
"""

# Opfølgningssamtaler from the start to the horizon (or the afslutning) every `gap` days with a few
# days' jitter: 90 % attended, 85 % individual. The next date is agreed at each samtale, except at
# the last before an afslutning and at ~2 % with a reason. "hole" forløb miss ~4 months of samtaler.
SAMTALER = """
INSERT INTO followup_followupmeeting (forloeb_id, held_on, held_at, setting, channel, held_by_id, borger_attended,
                                      status_on_interventions, new_agreements, mentor_need_assessed,
                                      mentor_assessment, borger_perspective, next_on, no_next_reason, no_next_note,
                                      plan_revision_id, created_by_id, created_at)
SELECT s.id, s.held_on,
       CASE WHEN s.u1 < 0.5 THEN (s.held_on + TIME '09:00' + floor(s.u2 * 420) * INTERVAL '1 minute')
                                 AT TIME ZONE 'Europe/Copenhagen' END,
       CASE WHEN s.u2 < 0.85 THEN 'individuel' ELSE 'gruppe' END,
       (ARRAY['fremmoede', 'telefon', 'video'])[1 + floor(s.u3 * 3)::int],
       s.user_id, s.u4 < 0.9, 'Deltager stabilt', '', s.u3 < 0.3, '', 'Det går bedre',
       CASE WHEN s.last_before_close OR s.u5 < 0.02 THEN NULL ELSE s.held_on + s.gap END,
       CASE WHEN s.last_before_close THEN 'afsluttes' WHEN s.u5 < 0.02 THEN 'andet' ELSE '' END,
       CASE WHEN NOT s.last_before_close AND s.u5 < 0.02 THEN 'Ny tid aftales efter ferien' ELSE '' END,
       NULL, s.user_id, now()
FROM (
    SELECT f.id, f.user_id, f.gap, f.start_date + 7 + j * f.gap - floor(random() * 5)::int AS held_on,
           f.closed_on IS NOT NULL AND f.pattern <> 'stalled' AND j = (f.s_end - f.start_date - 7) / f.gap
             AS last_before_close,
           f.pattern = 'hole' AND f.start_date + 7 + j * f.gap
             BETWEEN f.start_date + floor(f.u_misc2 * (f.active_to - f.start_date))::int
                 AND f.start_date + floor(f.u_misc2 * (f.active_to - f.start_date))::int + 120 AS in_hole,
           random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5
    FROM bench_f f
    CROSS JOIN LATERAL generate_series(0, (f.s_end - f.start_date - 7) / f.gap) j
    WHERE f.kind = 'main' AND f.start_date IS NOT NULL AND f.s_end >= f.start_date + 7
) s
WHERE NOT s.in_hole
ORDER BY s.id, s.held_on
"""

RESET_SEQUENCES = """
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['cases_kommune', 'cases_team', 'cases_user', 'cases_borger', 'cases_forloeb',
                             'rehab_rehabteam', 'rehab_teammeeting'] LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), COALESCE((SELECT max(id) FROM %I), 0) + 1, false)',
                       t, t);
    END LOOP;
END $$
"""

COUNTED_TABLES = (
    "cases_forloeb",
    "cases_borger",
    "cases_user",
    "cases_phasetransition",
    "rehab_preparatorypart",
    "rehab_recommendation",
    "rehab_recommendedintervention",
    "rehab_decision",
    "rehab_goal",
    "rehab_teammeeting",
    "rehab_agendaitem",
    "plans_actionplan",
    "plans_intervention",
    "followup_followupmeeting",
    "followup_rulesettings",
)


def generation_params(
    forloeb: int,
    *,
    kommuner: int | None = None,
    teams_per_kommune: int = TEAMS_PER_KOMMUNE,
    users_per_team: int = USERS_PER_TEAM,
    slot_minutes: int = 15,
) -> dict:
    """The parameters of the generation statements. The forløb are spread evenly over the teams
    (`kommuner` × `teams_per_kommune`, by default one kommune per 1,000 forløb, 4 to 98). Each
    kommune's rehabiliteringsteam meets weekly with a slot of `slot_minutes` per forløb (all of a
    meeting's slots must fit in a day: a kommune much larger than 1,000 forløb needs shorter ones)."""
    from django.contrib.contenttypes.models import ContentType

    from plans.models import ActionPlan
    from rehab.models import PreparatoryPart, Recommendation

    pred = forloeb // 25
    kommuner = kommuner or min(98, max(4, forloeb // 1000))
    return {
        "main": forloeb - pred,
        "pred": pred,
        "kommuner": kommuner,
        "teams_per_kommune": teams_per_kommune,
        "teams": kommuner * teams_per_kommune,
        "users_per_team": users_per_team,
        "slot_minutes": slot_minutes,
        "horizon": HORIZON,
        "weeks": MEETING_WEEKS,
        "samtaler": SAMTALER_PER_FORLOEB * forloeb,
        "categories": list(CATEGORIES),
        "ct_pp": ContentType.objects.get_for_model(PreparatoryPart).id,
        "ct_rec": ContentType.objects.get_for_model(Recommendation).id,
        "ct_plan": ContentType.objects.get_for_model(ActionPlan).id,
    }


GENERATION_STEPS = (
    ("kommuner", KOMMUNER),
    ("teams", TEAMS),
    ("users", USERS),
    ("team memberships", MEMBERSHIPS),
    ("rule settings", RULE_SETTINGS),
    ("borgere", BORGERE),
    ("stage forløb", STAGE),
    ("stage earlier forløb", STAGE_PREDECESSORS),
    ("stage samtale gaps", STAGE_GAPS),
    ("stage index", STAGE_INDEX),
    ("forløb", FORLOEB),
    ("forberedende dele", PREPARATORY_PARTS),
    ("rehabiliteringsteams", REHAB_TEAMS),
    ("team meetings", TEAM_MEETINGS),
    ("indstillinger", RECOMMENDATIONS),
    ("anbefalede indsatser", RECOMMENDED_INTERVENTIONS),
    ("indsatser (anbefalede)", INTERVENTIONS_RECOMMENDED),
    ("indsatser (øvrige)", INTERVENTIONS_OTHER),
    ("afgørelser", DECISIONS),
    ("indsatsplaner", ACTION_PLANS),
    ("indsatsplaner (kladder)", DRAFT_PLANS),
    ("mål", GOALS),
    ("faseskift", PHASE_TRANSITIONS),
    ("dagsordenspunkter", AGENDA_ITEMS),
    ("opfølgningssamtaler", SAMTALER),
    ("sequences", RESET_SEQUENCES),
    ("drop stage", "DROP TABLE bench_f"),
)


def generate(forloeb: int, *, steps=GENERATION_STEPS, **overrides) -> float:
    """Fill the database with `forloeb` forløb and what surrounds them; return the seconds taken
    (including VACUUM ANALYZE). Another benchmark may pass its own `steps` (e.g. these with some
    added) and `overrides` of `generation_params`."""
    params = generation_params(forloeb, **overrides)
    print(f"generating {forloeb:,} forløb ({params['pred']:,} of them a borger's earlier forløb) …")
    started = time.perf_counter()
    execute(TRUNCATE)
    execute("SELECT setseed(%(seed)s)", {"seed": SEED})
    for label, sql in steps:
        t0 = time.perf_counter()
        rows = execute(sql, params if "%(" in sql else None)
        print(f"  {label:<26} {max(rows, 0):>10,} rows  {time.perf_counter() - t0:7.1f} s")
    t0 = time.perf_counter()
    execute("VACUUM ANALYZE")
    print(f"  {'VACUUM ANALYZE':<26} {'':>10}       {time.perf_counter() - t0:7.1f} s")
    return time.perf_counter() - started


def table_counts() -> dict[str, int]:
    return {t: scalar(f"SELECT count(*) FROM {t}") for t in COUNTED_TABLES}  # noqa: S608 - constant table names


# --- Measuring -----------------------------------------------------------------------------------


class StatementLog:
    """An execute wrapper: counts statements and adds up their time per rule (by the `rule_id`
    parameter; statements without one are booked under "(other)")."""

    def __init__(self):
        self.count = 0
        self.seconds: dict[str, float] = defaultdict(float)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            rule = params.get("rule_id") if isinstance(params, dict) else None
            self.seconds[rule or "(other)"] += time.perf_counter() - started


@dataclass
class Measurement:
    label: str
    seconds: float
    statements: str
    raised: int
    resolved: int
    rss_mb: float
    rule_seconds: dict[str, float] = field(default_factory=dict)


def timed_evaluation(**kwargs):
    from django.db import connection

    from followup.services import flags_evaluate

    log = StatementLog()
    started = time.perf_counter()
    with connection.execute_wrapper(log):
        result = flags_evaluate(**kwargs)
    return result, time.perf_counter() - started, log


def full_run(label: str, as_of: date) -> tuple[Measurement, dict[str, int]]:
    result, seconds, log = timed_evaluation(as_of=as_of)
    m = Measurement(
        label, seconds, str(log.count), result.total_raised, result.total_resolved, rss_mb(), dict(log.seconds)
    )
    print(f"{label}: {seconds:.2f} s, {log.count} statements, raised {m.raised:,}, resolved {m.resolved:,}")
    return m, result.raised


def single_runs(ids: list[int], as_of: date) -> tuple[Measurement, list[float]]:
    """Re-evaluate one forløb at a time; per-rule times are the mean per call."""
    millis, statements, raised, resolved = [], set(), 0, 0
    rule_seconds: dict[str, float] = defaultdict(float)
    for forloeb_id in ids:
        result, seconds, log = timed_evaluation(as_of=as_of, forloeb_ids=[forloeb_id])
        millis.append(seconds * 1000)
        statements.add(log.count)
        raised += result.total_raised
        resolved += result.total_resolved
        for rule, s in log.seconds.items():
            rule_seconds[rule] += s / len(ids)
    label = f"single forløb x{len(ids)} (total)"
    each = "/".join(map(str, sorted(statements))) + " each"
    m = Measurement(label, sum(millis) / 1000, each, raised, resolved, rss_mb(), dict(rule_seconds))
    print(f"{label}: median {statistics.median(millis):.1f} ms, p95 {percentile(millis, 0.95):.1f} ms")
    return m, millis


def open_forloeb_ids(as_of: date) -> list[int]:
    from django.db.models import Q

    from cases.models import Forloeb

    return list(
        Forloeb.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of), opened_on__lte=as_of)
        .order_by("id")
        .values_list("id", flat=True)
    )


def open_flags_per_rule() -> dict[str, int]:
    from django.db.models import Count

    from followup.models import Flag

    rows = Flag.objects.filter(resolved_at__isnull=True).values("rule_id").annotate(n=Count("id")).order_by()
    return {row["rule_id"]: row["n"] for row in rows}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class _Rollback(Exception):
    pass


def explain(rule_id: str, as_of: date, forloeb_id: int | None) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of the statement `flags_evaluate` runs for one rule (its
    candidate query inside the raise-and-resolve statement), in a transaction that is rolled back.
    It sees the flags the database holds now, e.g. those of the last benchmark."""
    from django.db import connection, transaction

    from followup.rulepacks import RULES
    from followup.services import APPLY, _rule_params

    rule = RULES[rule_id]
    params = _rule_params(rule, as_of, [forloeb_id] if forloeb_id else None)
    statement = "EXPLAIN (ANALYZE, BUFFERS) " + APPLY.format(sql=rule.sql)  # noqa: S608 - rule SQL is module constants
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            raise _Rollback
    except _Rollback:
        pass


def reset_flag_statistics() -> bool:
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            execute("DELETE FROM pg_statistic WHERE starelid = 'followup_flag'::regclass")
        return True
    except DatabaseError:
        print("note: could not remove the statistics of followup_flag (not a superuser); run 2 may differ")
        return False


def print_summary(
    *, args, generation_seconds, counts, n_open, runs, single_millis, raised, open_flags, stats_reset
) -> None:
    line = "-" * 100
    print(
        f"\n{line}\nSUMMARY  {args.forloeb:,} forløb, {n_open:,} open on {args.as_of}; {os.cpu_count()} cores; "
        f"PostgreSQL autovacuum={scalar('SHOW autovacuum')}; followup_flag statistics reset before run 1: "
        f"{'yes' if stats_reset else 'no'}"
    )
    print(line)
    if generation_seconds is not None:
        print(f"data generation (incl. VACUUM ANALYZE): {generation_seconds:.1f} s")
    print("rows: " + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in counts.items()))
    print(line)
    print(f"{'measurement':<48}{'seconds':>9}{'statements':>12}{'raised':>9}{'resolved':>10}{'peak RSS MB':>12}")
    for m in runs:
        print(f"{m.label:<48}{m.seconds:>9.2f}{m.statements:>12}{m.raised:>9,}{m.resolved:>10,}{m.rss_mb:>12.0f}")
    if single_millis:
        print(
            f"single forløb: median {statistics.median(single_millis):.1f} ms, "
            f"p95 {percentile(single_millis, 0.95):.1f} ms, min {min(single_millis):.1f} ms, "
            f"max {max(single_millis):.1f} ms"
        )
    print(line)
    # Per rule: seconds in each full run, mean milliseconds per single-forløb call.
    columns = [(f"run {i} s", m, 1) for i, m in enumerate((m for m in runs if m.label.startswith("full")), 1)]
    columns += [("single ms", m, 1000) for m in runs if m.label.startswith("single")]
    print(f"{'rule':<30}" + "".join(f"{head:>11}" for head, _, _ in columns) + f"{'raised 1':>10}{'open':>9}")
    for rule in [*sorted(raised, key=lambda r: -columns[0][1].rule_seconds.get(r, 0)), "(other)"]:
        cells = "".join(f"{m.rule_seconds.get(rule, 0) * scale:>11.2f}" for _, m, scale in columns)
        tail = f"{raised[rule]:>10,}{open_flags.get(rule, 0):>9,}" if rule in raised else ""
        print(f"{rule:<30}{cells}{tail}")
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--forloeb", type=int, default=100_000, help="number of forløb to generate (default 100000)")
    parser.add_argument("--regenerate", action="store_true", help="truncate the case tables and generate again")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help="evaluation day (default 2026-11-30)")
    parser.add_argument("--singles", type=int, default=200, help="single-forløb re-evaluations (default 200)")
    parser.add_argument("--explain", metavar="RULE_ID", help="only print EXPLAIN ANALYZE of one rule's statement")
    parser.add_argument("--explain-id", type=int, metavar="FORLOEB_ID", help="… for one forløb instead of all")
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    if args.explain:
        explain(args.explain, args.as_of, args.explain_id)
        return 0

    present = scalar("SELECT count(*) FROM cases_forloeb")
    generation_seconds = None
    if args.regenerate or present == 0:
        generation_seconds = generate(args.forloeb)
    elif present != args.forloeb:
        print(f"The database holds {present:,} forløb, not {args.forloeb:,}; use --regenerate or --forloeb {present}.")
        return 2
    else:
        print(f"using the {present:,} forløb already in the database")
    counts = table_counts()
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))

    # Each benchmark starts without flags and, as on the first night after deployment, without
    # statistics on followup_flag (TRUNCATE keeps the column statistics of an earlier ANALYZE, so
    # they are removed too, which needs a superuser); otherwise run 2 would depend on earlier runs.
    execute("TRUNCATE followup_flag, followup_evaluationrun RESTART IDENTITY CASCADE")
    stats_reset = reset_flag_statistics()
    open_ids = open_forloeb_ids(args.as_of)
    print(f"{len(open_ids):,} forløb open on {args.as_of}; peak RSS so far {rss_mb():.0f} MB; evaluating …")

    run1, raised = full_run("full run 1 (nightly, from no flags)", args.as_of)
    sample = random.Random(42).sample(open_ids, min(args.singles, len(open_ids)))
    singles, single_millis = single_runs(sample, args.as_of) if sample else (None, [])
    run2, _ = full_run("full run 2 (immediately after, no flag stats)", args.as_of)
    # What autovacuum would soon do after run 1 raised its flags (autovacuum may be off here).
    t0 = time.perf_counter()
    execute("ANALYZE followup_flag")
    print(f"ANALYZE followup_flag: {time.perf_counter() - t0:.2f} s")
    run3, _ = full_run("full run 3 (after ANALYZE followup_flag)", args.as_of)

    runs = [run1, run2, run3] + ([singles] if singles else [])
    print_summary(
        args=args,
        generation_seconds=generation_seconds,
        counts=counts,
        n_open=len(open_ids),
        runs=runs,
        single_millis=single_millis,
        raised=raised,
        open_flags=open_flags_per_rule(),
        stats_reset=stats_reset,
    )
    targets = [
        ("full run 1 < 60 s", run1.seconds < 60),
        ("single median < 50 ms", bool(single_millis) and statistics.median(single_millis) < 50),
        ("runs 2 and 3 raise 0", run2.raised == 0 and run3.raised == 0),
        ("run 2 < 60 s", run2.seconds < 60),
    ]
    print("targets: " + ", ".join(f"{name}: {'OK' if ok else 'MISSED'}" for name, ok in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
