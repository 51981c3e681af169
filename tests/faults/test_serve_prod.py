"""gunicorn.conf.py (`make serve-prod`): settings from the environment, warm-up before fork, clean exit."""

from __future__ import annotations

import os
import re
import runpy
import sys
import types

import pytest
from gunicorn.config import Config

from search_api import create_app
from search_api.config import ENV_VARS, ROOT

CONF = ROOT / "gunicorn.conf.py"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@pytest.fixture(autouse=True)
def _restore_thread_vars():
    """The config file sets these for the server; give the test process its own values back."""
    saved = {name: os.environ.get(name) for name in THREAD_VARS}
    for name in THREAD_VARS:
        os.environ.pop(name, None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class RecordingLog:
    """A stand-in for gunicorn's logger that keeps the warnings."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, msg: str, *args: object) -> None:
        self.warnings.append(msg % args)

    def info(self, msg: str, *args: object) -> None:
        pass


def load_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    """The config file's settings, executed with the given environment."""
    for name in [n for n in os.environ if n.startswith("SOP_") or n == "WEB_CONCURRENCY"]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults_preload_and_bind_locally(monkeypatch):
    ns = load_conf(monkeypatch)
    assert ns["preload_app"] is True
    assert ns["bind"] == "127.0.0.1:8000"
    assert ns["worker_class"] == "gthread" and ns["threads"] >= 2
    assert ns["workers"] == len(os.sched_getaffinity(0))
    assert ns["max_requests"] > 0 and 0 < ns["max_requests_jitter"] < ns["max_requests"]
    assert 0 < ns["keepalive"] < ns["timeout"] <= ns["graceful_timeout"]
    for hook in ("on_starting", "post_fork", "worker_exit"):
        assert callable(ns[hook])
    assert all(os.environ[name] == "1" for name in THREAD_VARS)  # one BLAS thread per process


def test_every_setting_follows_its_variable(monkeypatch):
    ns = load_conf(
        monkeypatch,
        SOP_HOST="0.0.0.0",
        SOP_PORT="9123",
        SOP_WORKERS="3",
        SOP_THREADS="2",
        SOP_TIMEOUT="45",
        SOP_KEEPALIVE="7",
        SOP_MAX_REQUESTS="500",
        SOP_ACCESS_LOG="",
    )
    assert ns["bind"] == "0.0.0.0:9123"
    assert (ns["workers"], ns["threads"], ns["timeout"], ns["graceful_timeout"]) == (3, 2, 45, 45)
    assert (ns["keepalive"], ns["max_requests"], ns["max_requests_jitter"]) == (7, 500, 50)
    assert ns["accesslog"] is None
    assert load_conf(monkeypatch, WEB_CONCURRENCY="5")["workers"] == 5
    assert load_conf(monkeypatch, SOP_MAX_REQUESTS="0")["max_requests_jitter"] == 0


def test_gunicorn_accepts_every_setting(monkeypatch):
    """Each name is a real gunicorn setting with a valid value (a typo would be ignored silently)."""
    ns = load_conf(monkeypatch, SOP_ACCESS_LOG="-")
    cfg = Config()
    ours = {
        k: v
        for k, v in ns.items()
        if k.islower() and not k.startswith("_") and not callable(v) and not isinstance(v, types.ModuleType)
    }
    unknown = set(ours) - set(cfg.settings)
    assert not unknown, unknown
    for name, value in ours.items():
        if value is not None:
            cfg.set(name, value)
    for hook in ("on_starting", "post_fork", "worker_exit"):
        cfg.set(hook, ns[hook])
    assert cfg.preload_app and cfg.worker_class_str == "gthread"


def test_the_access_log_never_records_query_strings():
    """Search terms travel in the query string and may hold personal data."""
    ns = runpy.run_path(str(CONF))
    assert "%(q)s" not in ns["access_log_format"] and "%(r)s" not in ns["access_log_format"]
    assert "%(U)s" in ns["access_log_format"]


def test_every_variable_the_config_reads_is_documented():
    text = CONF.read_text(encoding="utf-8")
    read = set(re.findall(r"\"(SOP_[A-Z_]+)\"", text)) | set(re.findall(r"'(SOP_[A-Z_]+)'", text))
    assert read and read <= set(ENV_VARS), read - set(ENV_VARS)


def test_warm_up_loads_everything_and_leaves_the_rate_limiter_untouched(tmp_hub, fake_encoder):
    """The master fills every cache before forking; its warm-up requests use no client's budget."""
    ns = runpy.run_path(str(CONF))
    app = create_app(
        {
            "TESTING": True,
            "SETTINGS": tmp_hub,
            "ENCODER_FACTORY": lambda: fake_encoder,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_SEARCH": "1/minute",
            "RATELIMIT_ASK": "1/minute",
        }
    )
    res = app.extensions["sop"]
    assert res._encoder is None and res._loaded is None
    log = RecordingLog()
    warnings = log.warnings
    ns["warm"](app, log)
    assert warnings == []
    assert res._encoder is not None and res._loaded is not None
    assert res._loaded.has("ask_vectors")  # the chatbot's sentence cache is loaded too
    assert app.extensions["sop_limiter"].enabled is True
    client = app.test_client()
    assert client.get("/api/search", query_string={"q": "investors"}).status_code == 200
    assert client.get("/api/search", query_string={"q": "investors"}).status_code == 429


def test_warm_up_problems_are_logged_not_fatal(tmp_path, tmp_hub):
    ns = runpy.run_path(str(CONF))
    tmp_hub.index_dir = tmp_path / "no-index"
    app = create_app({"TESTING": True, "SETTINGS": tmp_hub, "ENCODER_FACTORY": lambda: None})
    log = RecordingLog()
    warnings = log.warnings
    ns["warm"](app, log)  # must not raise: the server still starts and says what is wrong
    assert warnings and warnings[0].startswith("warm-up: index not loaded")


@pytest.mark.parametrize("code", [0, 3])
def test_worker_exit_leaves_with_the_workers_exit_code(code):
    """In a forked worker the hook ends the process with os._exit and the code gunicorn chose."""
    ns = runpy.run_path(str(CONF))

    class Worker:
        pid = 0

    pid = os.fork()
    if pid == 0:  # the child: behave like gunicorn's spawn_worker
        try:
            Worker.pid = os.getpid()
            try:
                sys.exit(code)
            finally:
                ns["worker_exit"](None, Worker())
        finally:
            os._exit(99)  # reached only if the hook did not exit
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == code


def test_worker_exit_does_nothing_in_the_master():
    ns = runpy.run_path(str(CONF))

    class Worker:
        pid = os.getpid() + 1

    assert ns["worker_exit"](None, Worker()) is None
