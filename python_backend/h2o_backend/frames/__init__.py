"""Frames: the columnar in-memory frame (H2O's Frame/Vec) and raw files, their summaries, CSV
writing, and the Rapids expressions evaluated on them. Imports numpy/pyarrow only; nothing from
engine or server."""
