"""Real PostgreSQL, Redis and nginx servers for the tests: the session's own processes on free loopback ports.

Each server keeps its data under the test session's temporary folder, starts within a bounded
wait and is stopped at the end of the session. Fault tests stop and restart them; the
function-scoped fixtures hand each test a running server and a clean database or key space.
`make services` installs the Debian packages these need; scripts/load.py starts the same servers.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.local_server import free_port

START_SECONDS = 60


class ServiceError(RuntimeError):
    """A server would not install, start or answer; the message says which and why."""


# Postgres refuses to run as root: as root, run its programs as this unprivileged user.
PG_USER = "nobody"


def wait_port(port: int, proc: subprocess.Popen | None, what: str, seconds: float = START_SECONDS) -> None:
    """Block until 127.0.0.1:port accepts a connection; fail with the server's name if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{what} exited with code {proc.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise ServiceError(f"{what} did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


def _program(name: str) -> str:
    """A server program from PATH or Debian's PostgreSQL folder; a clear failure when it is not installed."""
    # /usr/sbin (nginx) is not on every PATH; Debian keeps PostgreSQL's programs in its own folder.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    found = found or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise ServiceError(
            f"{name} is not installed: run `make services` (apt-get install postgresql redis-server nginx)"
        )
    return found


def _open_to(path: Path, user: str) -> None:
    """Let `user` reach and own `path`: o+x on each folder above it (pytest makes them 0700)."""
    for parent in reversed(path.parents):
        if parent == Path("/") or str(parent) in ("/tmp", "/var/tmp"):
            continue
        mode = parent.stat().st_mode
        if parent.stat().st_uid == os.geteuid() and not mode & 0o001:
            os.chmod(parent, mode | 0o001)
    shutil.chown(path, user=user)


class Postgres:
    """A PostgreSQL cluster of its own: initdb once, then start, stop and restart at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self._counter = 0
        root.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            _open_to(root, PG_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [_program(program), *args]
        if self._as_root:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=START_SECONDS + 30, cwd=self.root)
        if check and done.returncode != 0:
            raise ServiceError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
        return done

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server on its port (loopback only) and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        wait_port(self.port, None, "postgres")

    def stop(self) -> None:
        """Stop fast: open connections are cut, as when the database host restarts."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop", check=False)

    def restart(self) -> None:
        """A fast restart under whatever traffic is running."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        self._counter += 1
        name = f"hub_{os.getpid()}_{self._counter}"
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def execute(self, url: str, sql: str) -> list[tuple]:
        """Run one statement on its own connection (autocommit); returns the rows, if any."""
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []


class Redis:
    """A redis-server of its own, without persistence; stop and start keep its port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        root.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start redis-server on loopback and wait until it answers."""
        cmd = [
            _program("redis-server"),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(self.root),
        ]
        cmd += ["--appendonly", "no", "--daemonize", "no", "--logfile", str(self.root / "redis.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port, self.proc, "redis-server")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        _terminate(self.proc, signal.SIGTERM)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def flush(self) -> None:
        """Forget every key: each test starts with empty counters."""
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=5)
        try:
            client.flushall()
        finally:
            client.close()


def _terminate(proc: subprocess.Popen | None, sig: int) -> None:
    """Send `sig`, wait up to 10 s, then kill; never leaves the process behind."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


NGINX_MAIN = """\
# Written by tests/support/services.py: everything nginx writes stays in this folder.
{user}daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {server_conf};
}}
"""


class Nginx:
    """nginx with a given server configuration (deploy/nginx.conf, filled in) inside a main file of our own."""

    def __init__(self, prefix: Path, server_conf: str, port: int) -> None:
        self.prefix = prefix
        self.port = port
        self.proc: subprocess.Popen | None = None
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "sophub.conf").write_text(server_conf, encoding="utf-8")
        # As root the workers would run as nobody, who cannot read a 0700 temporary folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = NGINX_MAIN.format(user=user, prefix=prefix, server_conf=prefix / "sophub.conf")
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(main, encoding="utf-8")

    def test_config(self) -> subprocess.CompletedProcess:
        """`nginx -t`: the configuration is valid."""
        cmd = [_program("nginx"), "-t", "-q", "-p", str(self.prefix), "-c", str(self.conf)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30)

    def start(self) -> None:
        """Start nginx in the foreground of its own process group and wait until it listens."""
        checked = self.test_config()
        if checked.returncode != 0:
            raise ServiceError(f"nginx -t refused the configuration: {checked.stderr.strip()[-800:]}")
        cmd = [_program("nginx"), "-p", str(self.prefix), "-c", str(self.conf)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port, self.proc, "nginx")

    def stop(self) -> None:
        """Graceful stop (SIGQUIT: finish the requests in flight), then kill if it hangs."""
        _terminate(self.proc, signal.SIGQUIT)
        self.proc = None


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> Iterator[Postgres]:
    """One PostgreSQL server for the whole session."""
    server = Postgres(tmp_path_factory.mktemp("postgres"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres(postgres_server: Postgres) -> Postgres:
    """The session's PostgreSQL server, running (a fault test before may have stopped it)."""
    if not postgres_server.running:
        postgres_server.start()
    return postgres_server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[Redis]:
    """One redis-server for the whole session."""
    server = Redis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_db(redis_server: Redis) -> Redis:
    """The session's Redis, running and empty."""
    if not redis_server.running:
        redis_server.start()
    redis_server.flush()
    return redis_server
