"""h2o_backend: feed-forward deep learning behind an H2O-3-shaped REST protocol.

Packages: frames (in-memory frames), parse (files to frames), engine (training and scoring),
export (saved models, POJO), server (REST), webui (static web interface); store.py and jobs.py
hold the key-value store and background jobs; cli.py starts the server."""

__version__ = "3.46.0.12"
