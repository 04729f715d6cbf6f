"""The official H2O-3 Python client (unchanged) against a server with --auth-file and HTTPS: its
`auth=(user, password)` and `https=True` arguments work; a wrong password is refused."""
from __future__ import annotations

import contextlib
import gc

import pytest

from access_helpers import GatedServer, htpasswd, self_signed_certificate
from official_client_helpers import plain_failures

import h2o  # noqa: E402  (after official_client_helpers: matplotlib's Agg backend)
from h2o.exceptions import H2OConnectionError, H2OServerError  # noqa: E402

USER, PASSWORD = "client_user", "client-pass"


@pytest.fixture(scope="module", autouse=True)
def no_frames_of_earlier_modules():
    """Frames that earlier client tests left behind delete themselves (ExprNode.__del__ sends a
    request) whenever the garbage collector runs. Collected in the middle of a TLS handshake, that
    nested request waits for cheroot, which shakes hands one connection at a time, and both hang:
    collect them here, while no connection is open."""
    gc.collect()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("client_tls")
    cert, key = self_signed_certificate(folder)
    users = htpasswd(folder / "users", USER, PASSWORD)
    server = GatedServer("--certfile", str(cert), "--keyfile", str(key), "--auth-file", str(users),
                         scheme="https", auth=(USER, PASSWORD), verify=str(cert))
    yield server
    server.stop()


def test_the_client_connects_with_auth_over_https_and_trains(tls_server, data_dir):
    h2o.connect(ip="127.0.0.1", port=tls_server.port, https=True, verify_ssl_certificates=False,
                auth=(USER, PASSWORD), verbose=False)
    try:
        assert h2o.cluster().cloud_name
        frame = h2o.upload_file(str(data_dir / "prostate.csv"), destination_frame="auth_prostate.hex")
        assert frame.shape == (380, 9)
        from h2o.estimators.deeplearning import H2ODeepLearningEstimator
        model = H2ODeepLearningEstimator(hidden=[5], epochs=1, seed=1, model_id="auth_dl")
        model.train(x=["AGE", "PSA", "GLEASON"], y="CAPSULE", training_frame=frame)
        assert model.predict(frame).nrows == 380
    finally:
        with contextlib.suppress(Exception):
            h2o.connection().close()


def test_a_wrong_password_is_refused(tls_server):
    with pytest.raises((H2OConnectionError, H2OServerError)) as info:
        h2o.connect(ip="127.0.0.1", port=tls_server.port, https=True, verify_ssl_certificates=False,
                    auth=(USER, "wrong"), verbose=False)
    assert "401" in str(info.value) or "nauthorized" in str(info.value)


plain_failures(globals())
