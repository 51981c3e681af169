"""The hub's API and local server: create_app() builds a fresh Flask app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from search_api.config import Settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """App factory: nothing heavy here; the model and index load on first use."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=64 * 1024)
    test_config = dict(test_config or {})
    settings = test_config.pop("SETTINGS", None) or Settings()
    encoder_factory = test_config.pop("ENCODER_FACTORY", None)
    app.config.update(test_config)

    from search_api import state

    app.extensions[state.EXTENSION] = state.Resources(settings, encoder_factory)

    from search_api.web import errors, health
    from search_api.web import static_site as site

    errors.register(app)
    app.register_blueprint(health.bp)
    for module in _feature_modules():
        module.register(app)
    # The site catch-all goes last so /api/ routes win.
    app.register_blueprint(site.bp)
    from search_api.web import ratelimit, security

    # Security first: a CORS preflight is answered before any rate limit counts it.
    security.register(app, settings)
    ratelimit.register(app, settings)
    return app


def _feature_modules() -> list[Any]:
    """Feature modules; each registers its own blueprint (search, ask, feedback, feasibility, projects, OpenAPI)."""
    from search_api.ask import views as ask_views
    from search_api.feasibility import views as feasibility_views
    from search_api.feedback import views as feedback_views
    from search_api.projects import views as projects_views
    from search_api.search import views as search_views
    from search_api.web import openapi

    return [search_views, ask_views, feedback_views, feasibility_views, projects_views, openapi]
