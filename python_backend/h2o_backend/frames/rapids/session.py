"""Operators of the client's session rather than of a frame: ``(setTimeZone "UTC")`` and
``(getTimeZone)`` (every official-client ``h2o.init`` sends the first), and ``(ls)``, the keys
of the store as a one-column frame ``key`` (H2O-3's AstLs), as ``h2o.ls()`` reads them.

This server parses and writes times in UTC only, so a time zone other than UTC is refused by name
rather than accepted and ignored."""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator
from h2o_backend.frames.rapids.parser import Atom, RapidsError
from h2o_backend.frames.rapids.values import Str

UTC_NAMES = ("UTC", "Etc/UTC", "GMT", "Etc/GMT")


@operator("setTimeZone")
def set_time_zone(ctx, op, args):
    expect_args(op, args, (1,), '(setTimeZone "UTC")')
    zone = args[0].text if isinstance(args[0], Atom) else args[0]
    if zone not in UTC_NAMES:
        raise RapidsError(f"setTimeZone '{zone}' is not supported: this server parses and writes times in UTC only")
    return Str("UTC")


@operator("getTimeZone")
def get_time_zone(ctx, op, args):
    expect_args(op, args, (0,), "(getTimeZone)")
    return Str("UTC")


@operator("ls")
def list_keys(ctx, op, args):
    expect_args(op, args, (0,), "(ls)")
    if ctx.list_keys is None:
        raise RapidsError("'ls' is not available here")
    keys = sorted(ctx.list_keys())
    return Frame("ls", [Column("key", "string", np.array(keys, dtype=object))])
