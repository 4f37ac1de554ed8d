"""The dashboard as a WSGI application for gunicorn (deploy/server/units/ijlucht-dashboard.service)."""

from dashboard.app import create_app

server = create_app().server
