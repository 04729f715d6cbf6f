"""h2o_backend: feed-forward deep learning behind an H2O-3-shaped REST protocol."""

__version__ = "3.46.0.12"
