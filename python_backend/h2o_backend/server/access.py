"""Request gating, run before every handler: HTTP basic authentication and cross-site refusal;
and the security headers every response carries.

- Authentication (when users are configured: `--auth-file`, one `user:hash` per line, the
  bcrypt hash as `htpasswd -B` writes it): every route, the web interface included, needs
  HTTP basic credentials; a missing or wrong one gets 401, H2O's error JSON and
  `WWW-Authenticate: Basic realm="h2o"`.
- Cross-site requests: H2O's protocol changes state and touches files through plain GETs, so a
  web page on another site must not reach it through the user's browser. A request that the
  browser marks as coming from elsewhere (`Sec-Fetch-Site: cross-site`, or `same-site`, which
  is another port of the same host; or an `Origin` that is not this server's own
  scheme://host:port) gets 403 on every route but the web interface's static files. The
  server's own pages send `same-origin`; clients that are not browsers (R, Python, curl) send
  neither header.
- DNS rebinding: while the server listens on a loopback address, a request whose Host is not a
  loopback name (localhost, 127.x.x.x, [::1]) gets 403, so a foreign name pointed at 127.0.0.1
  cannot make a page "same-origin".
- Every response carries `X-Content-Type-Options: nosniff` and `X-Frame-Options: SAMEORIGIN`;
  no CORS header is ever sent.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import os
import threading
from dataclasses import dataclass, field

import bcrypt
from flask import Flask, jsonify, request

from h2o_backend.server.errors import ApiError

log = logging.getLogger("h2o_backend")

REALM = "h2o"
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72
# Static files of the web interface: no state, no data; a link from elsewhere may open them.
STATIC_ENDPOINTS = {"GET /", "GET /index.html", "GET /webui/{asset}"}
_CACHE_LIMIT = 256


class AuthFileError(ValueError):
    """The auth file cannot be read or holds a line that is not `user:bcrypt-hash`."""


def read_auth_file(path: str) -> dict[str, bytes]:
    """`user:hash` lines (blank lines and `#` comments skipped) -> {user: hash}."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise AuthFileError(f"cannot read the auth file {path}: {exc.strerror or exc}") from None
    users: dict[str, bytes] = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not user or not hashed.startswith(BCRYPT_PREFIXES):
            raise AuthFileError(f"{path}, line {number}: expected user:hash with a bcrypt hash "
                                f"($2y$..., as `htpasswd -B` writes it)")
        users[user] = hashed.encode("ascii")
    if not users:
        raise AuthFileError(f"the auth file {path} names no user")
    return users


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class AccessPolicy:
    """Who may call the server (bcrypt hashes by user name; none: anyone) and where from."""
    users: dict[str, bytes] = field(default_factory=dict)
    bind_ip: str = "127.0.0.1"
    _verified: dict[bytes, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _secret: bytes = field(default_factory=lambda: os.urandom(32), repr=False)

    def check_password(self, user: str, password: str) -> bool:
        """bcrypt check; a pair that passed once is remembered (by a keyed digest, never in
        clear) so that polling clients do not pay bcrypt's cost on every request."""
        hashed = self.users.get(user)
        if hashed is None:   # an unknown user costs as much as a known one
            bcrypt.checkpw(b"timing", _dummy_hash(next(iter(self.users.values()))[:7]))
            return False
        digest = hmac.new(self._secret, f"{user}\0{password}".encode("utf-8"), hashlib.sha256).digest()
        with self._lock:
            if self._verified.get(digest) == user:
                return True
        try:   # bcrypt reads 72 bytes at most (htpasswd -B drops the rest too)
            ok = bcrypt.checkpw(password.encode("utf-8")[:BCRYPT_MAX_BYTES], hashed)
        except ValueError:
            return False
        if ok:
            with self._lock:
                if len(self._verified) >= _CACHE_LIMIT:
                    self._verified.clear()
                self._verified[digest] = user
        return ok


@functools.cache
def _dummy_hash(prefix: bytes) -> bytes:
    """A hash of the same cost as the users' (`prefix` like b"$2y$10$")."""
    try:
        rounds = int(prefix[4:6])
    except ValueError:
        rounds = 10
    return bcrypt.hashpw(b"dummy", bcrypt.gensalt(min(max(rounds, 4), 31)))


def _own_origin() -> str:
    return f"{request.scheme}://{request.host}".lower()


def _cross_site() -> str | None:
    """Why the request comes from another site, or None."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site in ("cross-site", "same-site"):   # same-site: another port or subdomain
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower().rstrip("/") != _own_origin():
        return f"Origin {origin}"
    return None


def _hostname(host: str) -> str:
    """The name part of a Host header: `[::1]:54321` -> `::1`, `localhost:54321` -> `localhost`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _unauthorized(msg: str) -> ApiError:
    return ApiError(401, msg, exception_type="H2OAuthenticationException",
                    values={"realm": REALM})


def gate(policy: AccessPolicy) -> None:
    """The before_request hook: raises ApiError(401/403) or returns None to go on."""
    endpoint = request.url_rule.endpoint if request.url_rule is not None else None
    if is_loopback(policy.bind_ip):
        if not is_loopback(_hostname(request.host or "")):
            raise ApiError(403, f"Host '{request.host}' refused: this server listens on "
                           f"{policy.bind_ip} and answers only to localhost names (DNS rebinding "
                           f"protection)", field="Host", exception_type="H2OIllegalArgumentException",
                           values={"Host": request.host})
    if endpoint not in STATIC_ENDPOINTS:
        reason = _cross_site()
        if reason is not None:
            raise ApiError(403, f"Cross-site request refused ({reason}): {request.method} "
                           f"{request.path} may only be called by this server's own pages or by "
                           f"clients that are not browsers", field="Origin",
                           exception_type="H2OIllegalArgumentException",
                           values={"Origin": request.headers.get("Origin"),
                                   "Sec-Fetch-Site": request.headers.get("Sec-Fetch-Site")})
    if policy.users:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            raise _unauthorized("Authentication required: this server needs HTTP basic "
                                "authentication (user name and password)")
        if not policy.check_password(auth.username or "", auth.password or ""):
            log.warning("authentication failed for user %r from %s", auth.username,
                        request.remote_addr)
            raise _unauthorized("Authentication failed: wrong user name or password")


def install(app: Flask, policy: AccessPolicy) -> None:
    """Register the gate (before every request) and the security headers (on every answer)."""
    app.config["ACCESS_POLICY"] = policy

    @app.before_request
    def _gate():
        try:
            gate(policy)
        except ApiError as err:
            response = jsonify(err.to_json())
            response.status_code = err.status
            if err.status == 401:
                response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
            return response
        return None

    @app.after_request
    def _headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        for name in [h for h in response.headers.keys() if h.lower().startswith("access-control-")]:
            del response.headers[name]
        return response
