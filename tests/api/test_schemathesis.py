"""schemathesis against the real app over WSGI: every operation, every phase, every check.

Phases: examples, coverage (boundary and negative values, unexpected methods), fuzzing
(positive and negative data) and stateful (sequences that follow the document's links).
Any 5xx, any response the document does not describe, or any crash fails the test.

The figures (cases run, failures) go to kb/build/schemathesis-summary.json and to the
terminal in any pytest run (`make test`, `.venv/bin/pytest tests/api/test_schemathesis.py`);
`.venv/bin/python -m tests.api.test_schemathesis` runs it alone and prints them too.
SCHEMATHESIS_MAX_EXAMPLES (default 150) and SCHEMATHESIS_SEED change the examples per
operation and the fixed seed, e.g. for a longer hunt; the defaults keep the run
reproducible and under a minute on 2 cores.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261129"))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "150"))
SUMMARY_FILE = "kb/build/schemathesis-summary.json"

CONFIG: dict[str, Any] = {
    "seed": SEED,
    "cache": {"enabled": False},
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": True, "max-steps": 8},
    },
    "checks": {
        # Valid-looking data may still be refused on meaning the schema cannot state: personal
        # data in feedback, a page past the last one, a filter value the index does not hold,
        # launch_year_from after launch_year_to. Every other check stays on.
        "positive_data_acceptance": {"enabled": False},
    },
}


def run(app: Any) -> dict[str, Any]:
    """Run every phase against app over WSGI; return the figures and each failure as text."""
    import schemathesis
    from schemathesis.engine import events, from_schema
    from schemathesis.engine.statistic import Statistic

    config = schemathesis.Config.from_dict(CONFIG)
    served = app.test_client().get("/api/openapi.json").get_json()
    # from_dict, not from_wsgi: from_wsgi leaves out the operation that served the document.
    schema = schemathesis.openapi.from_dict(served, config=config)
    schema.app = app  # requests go to the WSGI app in-process, never over the network
    statistic = Statistic()
    errors: list[str] = []
    phases: dict[str, int] = {}
    operations: dict[str, int] = {}
    started = time.perf_counter()
    stop_reason = None
    links = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and event.payload is not None:
            links = event.payload.transitions_total  # the stateful phase: links it can follow
        elif isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            phases[event.phase.value] = phases.get(event.phase.value, 0) + len(event.recorder.cases)
            for node in event.recorder.cases.values():
                label = node.value.operation.label
                operations[label] = operations.get(label, 0) + 1
        elif isinstance(event, events.NonFatalError | events.FatalError):
            value = getattr(event, "value", None) or getattr(event, "exception", None)
            errors.append(f"{type(event).__name__}: {getattr(event, 'label', '')}: {value!r}")
        elif isinstance(event, events.EngineFinished):
            stop_reason = event.stop_reason.value
            if event.failures:
                statistic.record_run_check_failures(event.failures, label="run checks")
    failures = [
        f"{label}: {failure.title}: {failure.message}\n    Reproduce: {group.code_sample}"
        for label, grouped in statistic.failures.items()
        for group in grouped.values()
        for failure in group.failures
    ]
    return {
        "schemathesis": schemathesis.__version__,
        "seed": SEED,
        "max_examples": MAX_EXAMPLES,
        "operations": len(operations),
        "cases_run": statistic.total_cases,
        "cases_by_phase": phases,
        "cases_by_operation": dict(sorted(operations.items())),
        "stateful_links": links,
        "failures": len(failures),
        "errors": len(errors),
        "stop_reason": stop_reason,
        "seconds": round(time.perf_counter() - started, 1),
        "failure_details": failures,
        "error_details": errors,
    }


def summary_line(result: dict[str, Any]) -> str:
    """One line for the closing note."""
    phases = ", ".join(f"{k} {v}" for k, v in sorted(result["cases_by_phase"].items()))
    return (
        f"schemathesis {result['schemathesis']}: {result['cases_run']} cases run over "
        f"{result['operations']} operations ({phases}), failures: {result['failures']}, "
        f"errors: {result['errors']}, {result['seconds']} s"
    )


def write_summary(result: dict[str, Any]) -> None:
    """Save the figures under kb/build/ for the closing note."""
    from search_api.config import ROOT

    path = ROOT / SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


@pytest.mark.model
@pytest.mark.timeout(600)
def test_schemathesis_finds_no_failure_on_the_real_app(real_app, tmp_path, monkeypatch, capsys):
    from search_api.feedback.store import FeedbackStore
    from tests.support.openapi_contract import documented_operations

    # Thousands of generated ratings go to a throwaway store, not the real instance folder.
    monkeypatch.setitem(real_app.extensions, "feedback", FeedbackStore(tmp_path))
    result = run(real_app)
    write_summary(result)
    with capsys.disabled():  # straight to the terminal, so `make test` shows the figures without -s
        print("\n" + summary_line(result))
    assert result["stop_reason"] == "completed", result
    assert set(result["cases_by_operation"]) == {f"{m} {p}" for m, p in documented_operations()}
    assert result["stateful_links"] >= 6 and result["cases_by_phase"]["stateful"] > 0
    assert result["cases_run"] > 0 and set(result["cases_by_phase"]) >= {"examples", "coverage", "fuzzing", "stateful"}
    assert result["errors"] == 0, "\n".join(result["error_details"])
    assert result["failures"] == 0, "\n".join(result["failure_details"])


if __name__ == "__main__":
    import tempfile

    from search_api import create_app
    from search_api.feedback.store import FeedbackStore

    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    app.extensions["feedback"] = FeedbackStore(tempfile.mkdtemp())
    outcome = run(app)
    write_summary(outcome)
    print(summary_line(outcome))
    for line in outcome["failure_details"] + outcome["error_details"]:
        print(" -", line)
