"""gunicorn for Forløb: `gunicorn -c config/gunicorn.conf.py config.wsgi:application`.

Sized for the 2-core server the load test (tests/bench/bench_load.py) measures on; every value can
be overridden from the environment (GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_BIND).

* Workers: one per core plus one. A request spends part of its time waiting for PostgreSQL, which
  runs on the same cores; a third process keeps both cores busy while another waits. More
  processes only add memory (each holds Django, WeasyPrint and the templates, ~120 MB) and
  contention.
* Threads: 4 per worker (gthread). The waits on the database and on login's password hashing
  (which releases the GIL in hashlib) overlap within a process, so 55 users with think time never
  queue behind one slow page (a PDF, the tilsyn dashboard). 3 x 4 = 12 requests at once, and
  with CONN_MAX_AGE at most 12 persistent database connections (PostgreSQL's default allows 100).
* Each worker loads the app itself (no preload_app): nothing opened while loading (the embedded
  PostgreSQL of a development setup, a database connection) can end up shared between processes.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# A worker that has not answered in 60 s is restarted (the fokusrevision PDF of a large kommune
# takes a few seconds; nothing legitimate takes a minute).
timeout = 60
graceful_timeout = 20
# Keep-alive between a reverse proxy and gunicorn; the proxy holds the browsers' connections.
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "info"
