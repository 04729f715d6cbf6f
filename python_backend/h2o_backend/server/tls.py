"""TLS for the HTTPS server (cheroot): the handshake runs on the worker thread that serves the
connection, not in the accept loop.

cheroot's builtin adapter completes the handshake inside ``wrap``, which its accept loop calls
for every new connection; one client that stalls mid-handshake there held up every other client
for up to the server's socket timeout (600 s). Here ``wrap`` only sets up the TLS state
(``do_handshake_on_connect=False``); OpenSSL then completes the handshake on the connection's
first read, which happens on a worker thread once the client's bytes arrive.
"""
from __future__ import annotations

import ssl

from cheroot import errors
from cheroot.ssl.builtin import BuiltinSSLAdapter

# What a request's WSGI environment learns of TLS: the cipher is only known after the handshake,
# which has not happened when the connection is wrapped.
TLS_ENVIRON = {"wsgi.url_scheme": "https", "HTTPS": "on"}


class DeferredHandshakeAdapter(BuiltinSSLAdapter):
    """cheroot's ssl-module adapter with the handshake left to the first read."""

    def wrap(self, sock):
        try:
            tls_sock = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            raise errors.FatalSSLAlert(*exc.args) from exc
        return tls_sock, dict(TLS_ENVIRON)
