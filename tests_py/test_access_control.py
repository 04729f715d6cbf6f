"""Access control (server/access.py): HTTP basic authentication from an `htpasswd -B` file on every
route, refusal of cross-site browser requests and foreign Host names, the security headers, and
the start-up rule that a non-loopback address needs authentication or --allow-unauthenticated."""
from __future__ import annotations

import json
import subprocess
import tempfile

import bcrypt
import pytest
import requests

from access_helpers import GatedServer, backend_command, htpasswd
from conftest import free_port
from model_rest_helpers import assert_h2o_error

USER, PASSWORD = "alice", "s3cret pass:word"


@pytest.fixture()
def auth_file(tmp_path):
    return htpasswd(tmp_path / "users", USER, PASSWORD)


def make_app(**config):
    from h2o_backend.server import create_app
    return create_app({"spool_dir": tempfile.mkdtemp(prefix="h2o_backend_spool_test_"), **config})


@pytest.fixture()
def auth_client(auth_file):
    app = make_app(auth_file=str(auth_file))
    yield app.test_client()
    app.config["SERVICES"].jobs.shutdown()


def basic(user: str, password: str) -> dict:
    return {"Authorization": requests.auth._basic_auth_str(user, password)}


# ---- authentication --------------------------------------------------------------------------

def test_htpasswd_writes_the_2y_hashes_the_server_reads(auth_file):
    line = auth_file.read_text().strip()
    assert line.startswith(f"{USER}:$2y$")


@pytest.mark.parametrize("route", ["/3/Cloud", "/3/Frames", "/", "/index.html", "/webui/js/app.js",
                                   "/3/ImportFiles?path=/etc/passwd", "/99/Models.bin/m?dir=/tmp/x",
                                   "/3/no_such_route"])
def test_every_route_needs_credentials(auth_client, route):
    reply = auth_client.get(route)
    body = assert_h2o_error(reply, 401, "Authentication required")
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="h2o"'
    assert body["exception_type"] == "H2OAuthenticationException"


@pytest.mark.parametrize("user,password", [(USER, "wrong"), (USER, ""), ("mallory", PASSWORD),
                                           (USER, PASSWORD.upper())])
def test_wrong_credentials_get_401(auth_client, user, password):
    reply = auth_client.get("/3/Cloud", headers=basic(user, password))
    assert_h2o_error(reply, 401, "wrong user name or password")
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="h2o"'


def test_right_credentials_reach_every_kind_of_route(auth_client, data_dir):
    ok = basic(USER, PASSWORD)
    assert auth_client.get("/3/Cloud", headers=ok).status_code == 200
    assert b"<html" in auth_client.get("/", headers=ok).data.lower()
    imported = auth_client.get("/3/ImportFiles", query_string={"path": str(data_dir / "iris.csv")},
                               headers=ok)
    assert imported.status_code == 200, imported.get_json()
    parsed = auth_client.post("/3/Parse", headers=ok, data={
        "source_frames": json.dumps(imported.get_json()["destination_frames"]), "blocking": "true",
        "destination_frame": "iris_auth.hex"})
    assert parsed.status_code == 200 and parsed.get_json()["rows"] == 150
    # the password checked once is remembered; the same pair passes again, a wrong one still fails
    assert auth_client.get("/3/Frames/iris_auth.hex", headers=ok).status_code == 200
    assert auth_client.get("/3/Frames/iris_auth.hex", headers=basic(USER, "x")).status_code == 401


def test_bcrypt_2b_hashes_and_a_2y_literal_are_accepted():
    hashed = bcrypt.hashpw(b"pw-2b", bcrypt.gensalt(4)).decode()
    literal_2y = "$2y$" + bcrypt.hashpw(b"pw-2y", bcrypt.gensalt(4)).decode()[4:]
    app = make_app(auth_users={"bob": hashed.encode(), "carol": literal_2y.encode()})
    client = app.test_client()
    assert hashed.startswith("$2b$")
    assert client.get("/3/Cloud", headers=basic("bob", "pw-2b")).status_code == 200
    assert client.get("/3/Cloud", headers=basic("carol", "pw-2y")).status_code == 200
    assert client.get("/3/Cloud", headers=basic("carol", "pw-2b")).status_code == 401
    app.config["SERVICES"].jobs.shutdown()


def test_a_password_longer_than_72_bytes_checks_as_htpasswd_made_it(tmp_path):
    long = "p" * 71 + "-and-more-than-72-bytes"
    app = make_app(auth_file=str(htpasswd(tmp_path / "users", "long", long)))
    client = app.test_client()
    assert client.get("/3/Cloud", headers=basic("long", long)).status_code == 200
    assert client.get("/3/Cloud", headers=basic("long", "p" * 70)).status_code == 401
    app.config["SERVICES"].jobs.shutdown()


def test_a_malformed_auth_file_is_refused(tmp_path):
    from h2o_backend.server.access import AuthFileError
    bad = tmp_path / "users"
    bad.write_text("alice:plaintext\n")
    with pytest.raises(AuthFileError, match="line 1"):
        make_app(auth_file=str(bad))
    result = subprocess.run(backend_command(free_port(), "--auth-file", str(bad)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--auth-file" in result.stderr and "line 1" in result.stderr and "bcrypt" in result.stderr


def test_python_requests_with_auth_against_a_real_server(auth_file, data_dir):
    """The README's `requests` usage (auth=(user, password)) against `--auth-file`."""
    server = GatedServer("--auth-file", str(auth_file), auth=(USER, PASSWORD))
    try:
        assert requests.get(server.url + "/3/Cloud", timeout=30).status_code == 401
        wrong = requests.get(server.url + "/3/Cloud", auth=(USER, "nope"), timeout=30)
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == 'Basic realm="h2o"'
        assert wrong.json()["msg"].startswith("Authentication failed")
        with open(data_dir / "iris.csv", "rb") as fh:
            posted = server.post("/3/PostFile.bin", params={"destination_frame": "iris.csv"},
                                 files={"file": fh})
        assert posted.status_code == 200, posted.text
        parsed = server.post("/3/Parse", data={"source_frames": '["iris.csv"]', "blocking": "true",
                                               "destination_frame": "iris.hex"})
        assert parsed.json()["rows"] == 150
        assert server.get("/").status_code == 200
        assert requests.get(server.url + "/", timeout=30).status_code == 401
    finally:
        server.stop()


# ---- cross-site requests -----------------------------------------------------------------------

STATEFUL = [
    ("GET", "/99/Models.bin/some_model?dir=/tmp/h2o_cross_site_model&force=true"),
    ("GET", "/3/ImportFiles?path=/tmp"),
    ("GET", "/3/DownloadDataset?frame_id=x.hex"),
    ("GET", "/3/Models.java/some_model"),
    ("GET", "/3/Models.fetch.bin/some_model"),
    ("GET", "/3/Models/some_model/mojo"),
    ("GET", "/3/Cloud"),
    ("POST", "/3/Parse"),
    ("POST", "/3/ModelBuilders/deeplearning"),
    ("DELETE", "/3/DKV"),
    ("POST", "/99/Rapids"),
]
CROSS_SITE = [{"Origin": "http://evil.example"}, {"Origin": "null"},
              {"Origin": "http://localhost:1"}, {"Origin": "https://localhost"},
              {"Sec-Fetch-Site": "cross-site"},
              {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}]


@pytest.mark.parametrize("method,url", STATEFUL)
@pytest.mark.parametrize("headers", CROSS_SITE)
def test_cross_site_requests_are_refused(client, method, url, headers):
    reply = client.open(url, method=method, headers=headers)
    body = assert_h2o_error(reply, 403, "Cross-site request refused")
    assert body["values"]["argument"] == "Origin"


def test_a_cross_site_model_export_writes_nothing(client, tmp_path):
    from model_rest_helpers import put_binary_frame, build
    put_binary_frame(client.application, "xs.hex", 200, 1)
    build(client, training_frame="xs.hex", response_column="y", model_id="xs_model")
    target = tmp_path / "exported"
    refused = client.get("/99/Models.bin/xs_model", query_string={"dir": str(target)},
                         headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and not target.exists()
    assert client.get("/99/Models.bin/xs_model", query_string={"dir": str(target)},
                      headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
                      ).status_code == 200
    assert target.exists()


@pytest.mark.parametrize("headers", [
    {},                                                        # R, curl, Python requests
    {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},   # none: typed in the bar
    {"Origin": "http://localhost"}, {"Origin": "http://LOCALHOST/"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
])
def test_same_origin_and_non_browser_requests_pass(client, headers):
    assert client.get("/3/Cloud", headers=headers).status_code == 200
    assert client.post("/99/Rapids", data={"ast": "(tmp= x 1)"}, headers=headers).status_code != 403


def test_same_site_requests_from_another_port_are_refused(client):
    """A page of another local server (another port: same-site, another origin). An <img> GET
    carries no Origin, only Sec-Fetch-Site."""
    img = client.get("/99/Models.bin/m?dir=/tmp/h2o_same_site", headers={"Sec-Fetch-Site": "same-site"})
    assert_h2o_error(img, 403, "Sec-Fetch-Site: same-site")
    post = client.post("/99/Rapids", data={"ast": "(ls)"}, headers={"Origin": "http://localhost:8080"})
    assert_h2o_error(post, 403, "Origin http://localhost:8080")


@pytest.mark.parametrize("status,headers", [(401, {}), (403, {"Origin": "http://evil.example"})])
@pytest.mark.parametrize("method,route", [("get", "/3/Cloud"), ("get", "/3/ImportFiles"),
                                          ("post", "/3/Parse"), ("delete", "/3/DKV")])
def test_refusals_match_the_protocol_document(auth_client, status, headers, method, route):
    reply = getattr(auth_client, method)(route, headers=headers)
    assert_h2o_error(reply, status, path=route, method=method.upper())


@pytest.mark.parametrize("route", ["/", "/index.html", "/webui/js/app.js"])
def test_the_web_interface_files_open_from_a_link_on_another_site(client, route):
    reply = client.get(route, headers={"Sec-Fetch-Site": "cross-site"})
    assert reply.status_code == 200


def test_origin_of_a_real_server_is_its_scheme_host_and_port(server):
    own = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.get(server.url + "/3/Cloud", headers=own, timeout=30).status_code == 200
    assert requests.get(server.url + "/3/Cloud", timeout=30).status_code == 200
    other = requests.get(server.url + "/3/Cloud", timeout=30,
                         headers={"Origin": f"http://127.0.0.1:{server.port + 1}"})
    assert other.status_code == 403 and other.json()["http_status"] == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:54321", "10.1.2.3", "[fe80::1]:80"])
def test_a_foreign_host_name_is_refused_on_a_loopback_bind(client, host):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1."""
    reply = client.get("/3/Cloud", headers={"Host": host})
    assert_h2o_error(reply, 403, "DNS rebinding")


@pytest.mark.parametrize("host", ["localhost", "localhost:54321", "127.0.0.1:1", "127.0.0.2", "[::1]:54321"])
def test_loopback_host_names_pass(client, host):
    assert client.get("/3/Cloud", headers={"Host": host}).status_code == 200


# ---- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("route", ["/3/Cloud", "/", "/webui/js/app.js", "/3/Frames/none.hex",
                                   "/3/ImportFiles?path=/etc/passwd"])
def test_responses_carry_nosniff_and_no_cors(client, route):
    reply = client.get(route, headers={"Origin": "http://localhost"})
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert not [h for h in reply.headers.keys() if h.lower().startswith("access-control-")]


def test_a_cors_preflight_gets_no_permission(client):
    reply = client.options("/3/Parse", headers={"Origin": "http://evil.example",
                                                "Access-Control-Request-Method": "POST"})
    assert reply.status_code == 403
    assert "Access-Control-Allow-Origin" not in reply.headers


# ---- start-up rule -----------------------------------------------------------------------------

def test_a_non_loopback_address_needs_authentication_or_consent():
    refused = subprocess.run(backend_command(free_port(), "--ip", "0.0.0.0"),
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "refusing to listen on 0.0.0.0 without authentication" in refused.stderr
    assert "--allow-unauthenticated" in refused.stderr and "--auth-file" in refused.stderr


def test_allow_unauthenticated_starts_with_a_warning():
    server = GatedServer("--ip", "0.0.0.0", "--allow-unauthenticated")
    try:
        assert "WITHOUT AUTHENTICATION" in server.log_file.read_text()
        assert server.get("/3/Cloud", headers={"Host": "myhost.example:1"}).status_code == 200
    finally:
        server.stop()


def test_a_non_loopback_address_with_an_auth_file_starts(auth_file):
    server = GatedServer("--ip", "0.0.0.0", "--auth-file", str(auth_file), auth=(USER, PASSWORD))
    try:
        log = server.log_file.read_text()
        assert "WITHOUT AUTHENTICATION" not in log and "passwords travel in clear" in log
        assert requests.get(server.url + "/3/Cloud", timeout=30).status_code == 401
    finally:
        server.stop()
