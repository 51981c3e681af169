"""The real PostgreSQL and Redis servers (tests/support/services.py) for the tests of this folder."""

from tests.support.services import postgres, postgres_server, redis_db, redis_server  # noqa: F401
