"""gunicorn settings for `make serve-prod`: the site and API, with the model loaded once before forking.

Each setting reads an SOP_* environment variable (README, "Deploying"); GUNICORN_CMD_ARGS
overrides anything else. `kill -HUP <master pid>` is a graceful reload: the master re-reads
this file, starts fresh workers (forked from the warm master) and lets the old ones finish
their requests before they exit. With preload the code is not re-imported: restart the
master to deploy new code.
"""

import logging
import os
import sys
import time

from search_api.config import Settings, access_log, env_int, pin_library_threads

# Before any numeric library loads: one BLAS/OpenMP thread per process. Workers are
# processes, one per core; library thread pools on top only fight over the same cores.
pin_library_threads()
_int = env_int


def _cores() -> int:
    """Cores this process may use (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 2


_settings = Settings()
bind = f"{_settings.host}:{_settings.port}"
# One worker process per core: a query is CPU work (embedding, FAISS, BM25) on one thread.
workers = _int("SOP_WORKERS", _int("WEB_CONCURRENCY", _cores()))
# A few threads per worker: a slow client or a kept-alive connection does not block the
# worker, and /api/health answers while a search runs. More threads add no CPU.
worker_class = "gthread"
threads = _int("SOP_THREADS", 4)
# A worker whose main loop has not reported to the master for this long is hung: the
# master kills and replaces it. (A gthread worker reports between requests too, so this
# does not cut off one slow request.)
timeout = _int("SOP_TIMEOUT", 30)
# On HUP, TERM or max_requests a worker gets this long to finish the requests it holds.
graceful_timeout = timeout
# Seconds a kept-alive connection may idle. Keep it above the proxy's idle timeout
# (nginx `keepalive_timeout` in the upstream block), so the proxy closes first.
keepalive = _int("SOP_KEEPALIVE", 5)
# Replace each worker after this many requests (jitter spreads the restarts) so slow
# memory growth cannot build up; the new worker is forked warm from the master.
max_requests = _int("SOP_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# Load the app, the model and the index once in the master, then fork: workers start
# ready and share the model's memory pages copy-on-write.
preload_app = True
proc_name = "sophub"
# gunicorn's control socket has one default path per user, so two servers on a host would
# fight over it; nothing here uses it.
control_socket_disable = True
# The heartbeat file on tmpfs: a slow disk must not make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = access_log()
# Paths only: questions are POST bodies and search terms are query strings, never logged.
access_log_format = '%(t)s %(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# Requests the master sends through the app before forking, so every lazy cache
# (model, index, BM25, sentence vectors, feasibility rules) is filled once, in shared memory.
WARM_REQUESTS = [
    ("GET", "/api/search?q=who+pays+the+investors", None),
    ("POST", "/api/ask", {"question": "What is a social impact bond?"}),
    # A question that names a project builds the name checks' word lists too (about half a second).
    ("POST", "/api/ask", {"question": "What did the Peterborough social impact bond achieve?"}),
    ("GET", "/api/feasibility/questions", None),
    ("POST", "/api/feasibility", {"answers": {}}),
]


def warm(app, log) -> None:
    """Load the model and index and fill the caches; problems are logged, never fatal."""
    started = time.monotonic()
    res = app.extensions["sop"]
    for part in (res.encoder, res.index):
        try:
            part()
        except Exception as exc:  # noqa: BLE001 - /api/health reports it; the fallbacks still serve
            log.warning("warm-up: %s not loaded: %s", part.__name__, exc)
    # Not counted by the rate limiter: its in-memory counters (and the timer thread that
    # expires them) should be idle and empty when the workers are forked.
    limiter = app.extensions.get("sop_limiter")
    was_enabled = getattr(limiter, "enabled", False)
    if limiter is not None:
        limiter.enabled = False
    client = app.test_client()
    try:
        for method, path, body in WARM_REQUESTS:
            try:
                status = client.open(path, method=method, json=body).status_code
            except Exception as exc:  # noqa: BLE001 - a warm-up problem must not stop the server
                log.warning("warm-up %s %s failed: %s", method, path, exc)
                continue
            if status >= 400:
                log.warning("warm-up %s %s answered %s", method, path, status)
    finally:
        if limiter is not None:
            limiter.enabled = was_enabled
    log.info("warm-up done in %.1f s, before forking the workers", time.monotonic() - started)


def on_starting(server):
    """In the master, after preload and before the first fork: warm everything up."""
    warm(server.app.wsgi(), server.log)


def post_fork(server, worker):
    """Each worker pins torch and FAISS to one thread (6-30x faster on 2 cores, measured)."""
    from search_api.index.embedder import pin_threads

    pin_threads()


def worker_exit(server, worker):
    """A worker leaves with os._exit: native destructors would hang or abort after the fork.

    onnxruntime starts a thread when it is imported; a forked worker does not have it, and at
    normal interpreter exit onnxruntime's destructor waits for it forever (or aborts with
    "std::system_error"). Every request has been answered by now, SQLite commits each
    write, and the sentence-vector cache is only a cache, so skipping them loses nothing.
    """
    if os.getpid() != worker.pid:  # gunicorn also calls this hook in the master
        return
    exc = sys.exc_info()[1]
    code = exc.code if isinstance(exc, SystemExit) else (1 if exc else 0)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
