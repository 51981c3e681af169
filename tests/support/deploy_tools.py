"""The hub's own processes for the deployment tests: gunicorn as deploy/sophub.service starts it, and TLS for nginx."""

from __future__ import annotations

import http.client
import os
import shlex
import signal
import ssl
import subprocess
import time
from pathlib import Path

from .services import ServiceError

# Where deploy/*.service expect the checkout; tests read it as this checkout.
DEPLOY_ROOT = "/srv/sophub"


def unit_command(unit: Path, root: Path) -> tuple[list[str], dict[str, str], Path]:
    """ExecStart, Environment and WorkingDirectory of a systemd unit, with /srv/sophub read as `root`."""
    argv: list[str] = []
    env: dict[str, str] = {}
    workdir = root
    for raw in unit.read_text(encoding="utf-8").splitlines():
        line = raw.strip().replace(DEPLOY_ROOT, str(root))
        key, _, value = line.partition("=")
        if key == "ExecStart":
            argv = shlex.split(value)
        elif key == "Environment":
            name, _, val = value.partition("=")
            env[name] = val
        elif key == "WorkingDirectory":
            workdir = Path(value)
    if not argv:
        raise ServiceError(f"{unit.name} has no ExecStart line")
    return argv, env, workdir


class Gunicorn:
    """A gunicorn master in its own process group, started like the systemd unit starts it."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, port: int, log: Path) -> None:
        self.argv, self.env, self.cwd, self.port, self.log = argv, env, cwd, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, seconds: float = 240) -> None:
        """Start and wait until /api/health answers (the master loads the model first)."""
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServiceError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.5)
            finally:
                conn.close()
        self.stop()
        raise ServiceError(f"gunicorn did not answer within {seconds:.0f} s; see {self.log}")

    def stop(self) -> None:
        """TERM the whole process group (master and workers), then KILL after 30 s."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate and key for 127.0.0.1, so nginx serves HTTPS as in production."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists():
        cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        cmd += ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return cert, key


def client_tls(cert: Path) -> ssl.SSLContext:
    """A TLS context that trusts exactly the test certificate."""
    return ssl.create_default_context(cafile=str(cert))
