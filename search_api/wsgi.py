"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py search_api.wsgi:app`."""

from search_api import create_app

app = create_app()
