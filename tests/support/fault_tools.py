"""Small helpers shared by the fault tests: a hand-moved clock, a network tripwire, plain-message checks."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
import types
from collections.abc import Callable
from typing import Any

import pytest

from search_api import state as resources
from search_api.config import ROOT
from search_api.search import fallback
from tests.conftest import INDEX


class Clock:
    """A monotonic clock the test moves by hand (no sleeping, no timing assumptions)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def use_fake_clock(monkeypatch) -> Clock:
    """Make the resource loader and the words-only fallback read time from a Clock."""
    clock = Clock()
    fake_time = types.SimpleNamespace(monotonic=clock.monotonic)
    monkeypatch.setattr(resources, "time", fake_time)
    monkeypatch.setattr(fallback, "time", fake_time)
    return clock


def forbid_network(monkeypatch) -> list:
    """Record (and refuse) every outgoing connection: nothing may be downloaded."""
    attempts: list = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network use is forbidden in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def assert_plain(message: str) -> None:
    """Plain words for an operator: no trace, no C++ internals, no temporary or index paths."""
    assert "Traceback" not in message and "faiss::" not in message and ".cpp" not in message
    assert "/tmp/" not in message and str(INDEX) not in message


def load_script() -> Any:
    """scripts/load.py as a module: the fault tests reuse its server control and its client."""
    name = "sop_load_script"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[name]


def wait_for(what: str, condition: Callable[[], bool], seconds: float = 120) -> None:
    """Poll until condition() holds; fail with `what` after a generous deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


class Background:
    """Client threads (subclasses fill self._threads) that run for the length of a `with` block."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Any:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=120)
