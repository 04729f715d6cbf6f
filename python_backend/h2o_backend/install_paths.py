"""Texts shown to clients (job stack traces, error messages) without the folders this server and
Python are installed in: a file of the package shows as ``h2o_backend/engine/training.py``, one
of the standard library or of an installed package as its path below the install folder."""
from __future__ import annotations

import os
import sysconfig

import h2o_backend


def _install_dirs() -> list[str]:
    # not sys.prefix: on Debian it is /usr, which users' own data paths start with too
    dirs = {os.path.dirname(os.path.dirname(os.path.abspath(h2o_backend.__file__)))}
    dirs |= {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    # longest first: a site-packages folder is shown below itself, not below the prefix
    return sorted((d.rstrip(os.sep) for d in dirs if d), key=len, reverse=True)


INSTALL_DIRS = _install_dirs()


def hide(text: str) -> str:
    """``text`` with every install folder (and its separator) left out of the paths in it."""
    for folder in INSTALL_DIRS:
        text = text.replace(folder + os.sep, "")
    return text
