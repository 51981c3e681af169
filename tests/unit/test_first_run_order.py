"""`make run` on a fresh clone: the ONNX export starts before the site build, the index build after both."""

from __future__ import annotations

import subprocess
import time

from search_api.cli import serve
from search_api.config import Settings
from sitebuild import onnx_export


class _Child:
    """Stands in for a child process; records when it was started and waited for."""

    def __init__(self, log: list[str], args: tuple[str, ...]) -> None:
        self.args, self.log = args, log
        log.append("start " + args[0])

    def wait(self) -> int:
        self.log.append("waited " + self.args[0])
        return 0

    def poll(self) -> int:
        return 0


def _patch(monkeypatch, log: list[str], verified: bool, current: bool) -> None:
    monkeypatch.setattr(serve, "_child", lambda *args: _Child(log, args))
    monkeypatch.setattr("search_api.index.onnx.is_verified", lambda *a: verified)
    monkeypatch.setattr("search_api.cli.build.build_site", lambda if_stale: log.append("site") or 0)
    monkeypatch.setattr("sitebuild.indexer.is_up_to_date", lambda *a: current)


def _settle(log: list[str], count: int) -> None:
    deadline = time.monotonic() + 10  # the index build starts on a thread
    while len(log) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_export_runs_beside_the_site_build_and_the_index_waits_for_it(monkeypatch, tmp_path):
    log: list[str] = []
    _patch(monkeypatch, log, verified=False, current=False)
    children: list[subprocess.Popen] = []
    code, building = serve._start_builds(Settings(site_dir=tmp_path, index_dir=tmp_path), children)
    _settle(log, 5)
    assert (code, building) == (0, True)
    assert log == ["start export-onnx", "site", "waited export-onnx", "start build-index", "waited build-index"]
    assert [c.args[0] for c in children] == ["export-onnx", "build-index"]


def test_a_second_run_starts_no_child(monkeypatch, tmp_path):
    log: list[str] = []
    _patch(monkeypatch, log, verified=True, current=True)
    children: list[subprocess.Popen] = []
    assert serve._start_builds(Settings(site_dir=tmp_path, index_dir=tmp_path), children) == (0, False)
    assert log == ["site"] and children == []


def test_the_export_check_reads_the_pages_of_every_length_without_a_site():
    texts = onnx_export.sample_texts(Settings().docs_dir)
    assert len(texts) == 160 and len(set(texts)) == 160
    lengths = sorted(map(len, texts))
    # Short lines and long runs of paragraphs, past the model's 256-token limit (about 1,000 characters).
    assert lengths[0] < 60 and sum(n > 1500 for n in lengths) >= 5
    assert not any(t.startswith(("---", "|", "<")) for t in texts)
