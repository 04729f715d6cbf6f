"""Access to the app's services from inside a request."""
from flask import current_app

from h2o_backend.server.app import Services


def services() -> Services:
    return current_app.config["SERVICES"]
