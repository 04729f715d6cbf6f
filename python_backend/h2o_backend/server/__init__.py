from h2o_backend.server.app import create_app

__all__ = ["create_app"]
