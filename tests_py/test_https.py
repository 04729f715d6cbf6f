"""HTTPS (--certfile/--keyfile, served by cheroot with Python's ssl module) with a self-signed
certificate made by `openssl req -x509`: verified and unverified clients, uploads, a training job,
authentication over TLS, plain HTTP refused, and unusable certificate options."""
from __future__ import annotations

import json
import ssl
import subprocess
import time

import pytest
import requests

from access_helpers import GatedServer, backend_command, htpasswd, self_signed_certificate
from conftest import free_port


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_certificate(folder)
    users = htpasswd(folder / "users", "tls_user", "tls-pass")
    return cert, key, users


@pytest.fixture(scope="module")
def https_server(tls_files):
    cert, key, users = tls_files
    server = GatedServer("--certfile", str(cert), "--keyfile", str(key), "--auth-file", str(users),
                         scheme="https", auth=("tls_user", "tls-pass"), verify=str(cert))
    yield server
    server.stop()


def test_https_answers_a_client_that_verifies_the_certificate(https_server):
    reply = https_server.get("/3/Cloud")
    assert reply.status_code == 200 and reply.json()["cloud_healthy"] is True
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert https_server.url.startswith("https://")


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_an_unverified_client_needs_to_skip_the_check(https_server):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(https_server.url + "/3/Cloud", auth=https_server.auth, timeout=30)
    assert https_server.get("/3/Cloud", verify=False).status_code == 200   # R's insecure = TRUE


def test_credentials_are_checked_over_https(https_server):
    assert https_server.get("/3/Cloud", auth=None).status_code == 401
    assert https_server.get("/3/Cloud", auth=("tls_user", "wrong")).status_code == 401
    assert https_server.get("/").status_code == 200


def test_plain_http_to_the_https_port_gets_no_data(https_server):
    plain = https_server.url.replace("https://", "http://")
    try:
        reply = requests.get(plain + "/3/Cloud", auth=https_server.auth, timeout=30)
    except requests.ConnectionError:
        return
    assert reply.status_code == 400 and "cloud_name" not in reply.text


def test_upload_parse_train_over_https(https_server, data_dir):
    with open(data_dir / "iris.csv", "rb") as fh:
        posted = https_server.post("/3/PostFile.bin", params={"destination_frame": "iris_tls.csv"},
                                   files={"file": fh})
    assert posted.status_code == 200 and posted.json()["total_bytes"] == (data_dir / "iris.csv").stat().st_size
    parsed = https_server.post("/3/Parse", data={"source_frames": '["iris_tls.csv"]', "blocking": "true",
                                                 "destination_frame": "iris_tls.hex"})
    assert parsed.json()["rows"] == 150
    job = https_server.post("/3/ModelBuilders/deeplearning", data={
        "training_frame": "iris_tls.hex", "response_column": "C5", "hidden": "[3]", "epochs": "1",
        "model_id": "tls_model"}).json()["job"]
    deadline = time.time() + 120
    while time.time() < deadline:
        status = https_server.get(f"/3/Jobs/{job['key']['name']}").json()["jobs"][0]["status"]
        if status not in ("CREATED", "RUNNING"):
            break
        time.sleep(0.2)
    assert status == "DONE"
    model = https_server.get("/3/Models/tls_model").json()["models"][0]
    assert model["output"]["model_category"] == "Multinomial"
    csv = https_server.get("/3/DownloadDataset", params={"frame_id": "iris_tls.hex"})
    assert csv.status_code == 200 and len(csv.text.splitlines()) == 151


def test_the_served_certificate_is_the_given_one(https_server, tls_files):
    served = ssl.get_server_certificate(("127.0.0.1", https_server.port))
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(tls_files[0].read_text())


@pytest.mark.parametrize("options,needle", [
    (lambda c, k: ["--certfile", str(c)], "--certfile and --keyfile go together"),
    (lambda c, k: ["--keyfile", str(k)], "--certfile and --keyfile go together"),
    (lambda c, k: ["--certfile", str(c) + ".missing", "--keyfile", str(k)], "no such file"),
    (lambda c, k: ["--certfile", str(k), "--keyfile", str(c)], "cannot load"),
])
def test_unusable_certificate_options_stop_the_start(tls_files, options, needle):
    cert, key, _ = tls_files
    result = subprocess.run(backend_command(free_port(), *options(cert, key)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and needle in result.stderr, result.stderr


def test_same_origin_is_judged_with_the_https_scheme(https_server):
    own = https_server.get("/3/Cloud", headers={"Origin": https_server.url})
    assert own.status_code == 200
    downgraded = https_server.get("/3/Cloud", headers={"Origin": https_server.url.replace("https", "http")})
    assert downgraded.status_code == 403
    assert json.loads(downgraded.text)["http_status"] == 403


def test_a_client_stalled_mid_handshake_holds_up_no_other_client(https_server):
    """A client that sends the first bytes of a TLS ClientHello and then nothing: the handshake
    runs on a worker thread, not in the accept loop, so other clients are still served."""
    import socket
    stalled = [socket.create_connection(("127.0.0.1", https_server.port), timeout=30) for _ in range(2)]
    try:
        for sock in stalled:
            sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")   # a record header, half a hello
        time.sleep(0.3)
        began = time.monotonic()
        reply = https_server.get("/3/Cloud", timeout=20)
        waited = time.monotonic() - began
    finally:
        for sock in stalled:
            sock.close()
    assert reply.status_code == 200
    assert waited < 5.0, f"served after {waited:.1f} s behind a stalled handshake"
