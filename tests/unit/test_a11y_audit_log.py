"""The accessibility audit's totals survive pytest-xdist: each worker's log reaches the controller."""

from tests.support.a11y_pages import AuditLog


def test_an_xdist_workers_audit_log_merges_into_the_controllers_totals():
    worker, controller = AuditLog(), AuditLog()
    result = {
        "violations": [],
        "rules": ["color-contrast"],
        "applied": ["color-contrast"],
        "incomplete": [],
        "version": "4",
    }
    worker.add("home", "320px", result)
    controller.add("home", "1280px", {**result, "rules": ["label"], "applied": []})
    controller.merge(worker.to_json())
    assert len(controller.runs) == 2 and controller.rules == {"color-contrast", "label"}
    assert "1 page states x 2 widths = 2 runs" in controller.summary()
