"""deploy/: the systemd units start what the README says, and the daily prune really prunes."""

from __future__ import annotations

import os
import sqlite3
import subprocess

from search_api.config import ROOT
from search_api.feedback.store import FeedbackStore
from tests.support.deploy_tools import unit_command

DEPLOY = ROOT / "deploy"


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines()]


def test_the_service_runs_gunicorn_behind_one_proxy_with_graceful_reload():
    argv, env, workdir = unit_command(DEPLOY / "sophub.service", ROOT)
    assert argv == [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "search_api.wsgi:app"]
    assert env["SOP_PROXY_HOPS"] == "1" and env["SOP_HOST"] == "127.0.0.1"
    assert workdir == ROOT and (workdir / "gunicorn.conf.py").is_file() and os.access(argv[0], os.X_OK)
    lines = _lines("sophub.service")
    assert "ExecReload=/bin/kill -HUP $MAINPID" in lines and "KillMode=mixed" in lines
    assert "EnvironmentFile=-/etc/sophub.env" in lines and "Restart=on-failure" in lines


def test_the_timer_runs_the_prune_daily():
    timer = _lines("sophub-prune.timer")
    assert "OnCalendar=daily" in timer and "Persistent=true" in timer
    argv, _env, _workdir = unit_command(DEPLOY / "sophub-prune.service", ROOT)
    assert argv[1:] == ["feedback-prune", "--older-than", "365d"]


def test_the_prune_units_command_deletes_what_is_older_than_a_year(tmp_path):
    store = FeedbackStore(tmp_path)
    store.add("down", comment="old")
    store.add_declined("what about wales")
    with sqlite3.connect(store.path) as conn:
        for table in ("feedback", "declined"):
            conn.execute(f"UPDATE {table} SET created = '2020-01-01T00:00:00+00:00'")
    store.add("up", comment="new")
    argv, env, workdir = unit_command(DEPLOY / "sophub-prune.service", ROOT)
    run_env = {**os.environ, **env, "SOP_FEEDBACK_URL": f"sqlite:///{store.path}"}
    done = subprocess.run(argv, cwd=workdir, env=run_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 feedback rows and 1 declined questions" in done.stdout
    assert [r["comment"] for r in store.rows()] == ["new"] and store.declined() == []


def test_nginx_conf_lists_every_api_server_and_needs_a_built_site(tmp_path, capsys):
    from search_api.cli.main import main

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Hub</h1>", encoding="utf-8")
    args = ["nginx-conf", "--site", str(site), "--api", "10.0.0.11:8000", "--api", "10.0.0.12:8000"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "    server 10.0.0.11:8000;\n    server 10.0.0.12:8000;\n" in out
    assert f"root {site.resolve()};" in out and "{{" not in out.replace('"}}', "")
    assert main(["nginx-conf", "--site", str(tmp_path / "nothing")]) == 2
    assert "make site" in capsys.readouterr().err
