"""The deep-learning engine: plain Python + numba, no web imports (see notes/ENGINE_CONTRACT.md)."""
