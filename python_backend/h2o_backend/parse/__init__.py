"""Parsing: opening files (plain, gzip, zip), guessing the setup as H2O-3 does, reading CSV with
pyarrow and converting to frame columns; importing server-side files as raw keys. Imports frames,
jobs and store; nothing from engine or server."""
