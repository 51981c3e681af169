"""gunicorn settings for `make serve-prod` (production-style serving of site + API)."""

import os

bind = f"{os.environ.get('SOP_HOST', '127.0.0.1')}:{os.environ.get('SOP_PORT', '8000')}"
# One worker per core, one thread each: torch/FAISS/onnxruntime are pinned to one thread,
# so more threads per worker only queue behind the GIL.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
timeout = 30
graceful_timeout = 20
keepalive = 5
# Load the app (and, below, the model and index) once in the master, then fork: workers
# start ready and share the model's memory pages copy-on-write.
preload_app = True
accesslog = "-"
# The access log records paths only; questions are POST bodies and never logged.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def on_starting(server):
    """Warm the model and index before forking so no reader waits for them."""
    app = server.app.wsgi()
    res = app.extensions["sop"]
    try:
        res.encoder()
        res.index()
    except Exception as exc:  # noqa: BLE001 - /api/health reports it; the site still serves
        server.log.warning("warm-up failed: %s", exc)


def post_fork(server, worker):
    """Each worker pins torch and FAISS to one thread (6-30x faster on 2 cores, measured)."""
    from search_api.embedder import pin_threads

    pin_threads()
