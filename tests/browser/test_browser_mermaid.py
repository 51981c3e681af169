"""Diagrams render offline: Mermaid is served by the hub, never fetched from a CDN."""

import pytest

pytestmark = pytest.mark.browser


def test_money_flow_diagram_renders_without_a_cdn(page, live_server):
    outside = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(live_server) else None)
    page.goto(live_server + "/guidance/what-is-an-sop/")
    # Material swaps the <pre class="mermaid"> source for a <div class="mermaid"> holding the
    # drawing in a closed shadow root, only once Mermaid has rendered it.
    diagram = page.locator("div.mermaid").first
    diagram.wait_for(timeout=20000)
    assert diagram.bounding_box()["height"] > 20
    assert page.locator("pre.mermaid").count() == 0
    assert not [u for u in outside if u.startswith("http")], outside


def test_pages_without_diagrams_do_not_load_mermaid(page, live_server):
    loaded = []
    page.on("request", lambda req: loaded.append(req.url))
    page.goto(live_server + "/")
    page.wait_for_load_state("load")
    assert not [u for u in loaded if "mermaid" in u]
