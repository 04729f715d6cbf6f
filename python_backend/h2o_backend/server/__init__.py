"""The REST layer: the Flask app factory, the route table, request decoding, H2O-3's JSON shapes
and error JSON, and one handler module per resource (handlers/). It may import every other
package; nothing imports it but cli.py."""
from h2o_backend.server.app import create_app

__all__ = ["create_app"]
