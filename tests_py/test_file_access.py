"""Server-side paths (server/file_access.py): ImportFiles, ImportFilesMulti, the imported files
behind ParseSetup/Parse, and /99/Models.bin save and load read and write only under the data
folders (--data-dir; default: working folder, home, temporary folder), after `..` and symbolic
links are resolved; anything else is a 403 that names the path and the allowed folders. Error
texts never show the server's upload spool paths."""
from __future__ import annotations

import json
import os
import tempfile

import pytest

from model_rest_helpers import assert_h2o_error, build, put_binary_frame, wait_job

CSV = "a,b\n1,x\n2,y\n3,x\n"


def make_app(**config):
    from h2o_backend.server import create_app
    return create_app({"spool_dir": tempfile.mkdtemp(prefix="h2o_backend_spool_test_"), **config})


@pytest.fixture()
def folders(tmp_path):
    """allowed/ (the only data folder, holding data.csv) and outside/ (holding secret.csv)."""
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "data.csv").write_text(CSV)
    (outside / "secret.csv").write_text("password\nhunter2\n")
    return allowed, outside


@pytest.fixture()
def confined(folders):
    app = make_app(data_dirs=[str(folders[0])])
    yield app.test_client()
    app.config["SERVICES"].jobs.shutdown()


def assert_refused(reply, path: str, field: str, *folders) -> dict:
    body = assert_h2o_error(reply, 403, "Access denied", f"'{path}'", "outside the server's data folders")
    for folder in folders:
        assert os.path.realpath(folder) in body["msg"]
    assert body["exception_type"] == "H2OIllegalArgumentException"
    assert body["values"]["argument"] == field and body["values"][field] == path
    return body


# ---- the defect found by probing -----------------------------------------------------------------

def test_import_of_etc_passwd_is_refused_by_default(client):
    reply = client.get("/3/ImportFiles", query_string={"path": "/etc/passwd"})
    body = assert_refused(reply, "/etc/passwd", "path", os.getcwd(), tempfile.gettempdir(),
                          os.path.expanduser("~"))
    assert "--data-dir" in body["msg"]
    assert not [k for k in client.application.config["SERVICES"].store.keys() if "passwd" in k]
    multi = client.post("/3/ImportFilesMulti", data={"paths": json.dumps(["/etc/passwd"])})
    assert_refused(multi, "/etc/passwd", "paths")
    post = client.post("/3/ImportFiles", data={"path": "/etc"})
    assert_refused(post, "/etc", "path")
    glob = client.get("/3/ImportFiles", query_string={"path": "/etc/pass*"})
    assert_refused(glob, "/etc/pass*", "path")


def test_default_folders_are_cwd_home_and_tmp(tmp_path):
    from h2o_backend.server.file_access import FileAccess
    access = FileAccess()
    assert access.data_dirs == [os.path.realpath(p) for p in
                                (os.getcwd(), os.path.expanduser("~"), tempfile.gettempdir())]
    assert access.allows(str(tmp_path / "x.csv")) and not access.allows("/etc/passwd")
    assert not access.allows(tempfile.gettempdir() + "_other/x")   # a prefix is not a parent


def test_model_save_outside_the_data_folders_is_refused(confined, folders):
    allowed, outside = folders
    put_binary_frame(confined.application, "fa.hex", 200, 3)
    build(confined, training_frame="fa.hex", response_column="y", model_id="fa_model")
    target = outside / "model"
    for path in (str(target), str(allowed / ".." / "outside" / "model"),
                 os.path.relpath(target)):                    # relative to the working folder
        reply = confined.get("/99/Models.bin/fa_model", query_string={"dir": path, "force": "true"})
        assert_refused(reply, path, "dir", allowed)
        assert not target.exists()
    # overwriting an existing file outside is refused the same way, and leaves it as it was
    reply = confined.get("/99/Models.bin/fa_model",
                         query_string={"dir": str(outside / "secret.csv"), "force": "true"})
    assert_refused(reply, str(outside / "secret.csv"), "dir")
    assert (outside / "secret.csv").read_text() == "password\nhunter2\n"
    # inside: written, and loaded back
    saved = confined.get("/99/Models.bin/fa_model", query_string={"dir": str(allowed / "m" / "fa")})
    assert saved.status_code == 200 and (allowed / "m" / "fa").is_file()
    loaded = confined.post("/99/Models.bin/", data={"dir": str(allowed / "m" / "fa")})
    assert loaded.status_code == 200


def test_model_save_through_a_link_that_leaves_is_refused(confined, folders):
    allowed, outside = folders
    (allowed / "escape").symlink_to(outside, target_is_directory=True)
    put_binary_frame(confined.application, "fl.hex", 200, 4)
    build(confined, training_frame="fl.hex", response_column="y", model_id="fl_model")
    path = str(allowed / "escape" / "model")
    assert_refused(confined.get("/99/Models.bin/fl_model", query_string={"dir": path}), path, "dir")
    assert not (outside / "model").exists()
    # `..` after a link: the link is followed first (allowed/deep -> allowed/a/b, then ../..), as
    # the system does; dropping `deep/..` by text alone would write next to allowed/, outside
    (allowed / "a" / "b").mkdir(parents=True)
    (allowed / "deep").symlink_to(allowed / "a" / "b", target_is_directory=True)
    tricky = str(allowed / "deep" / ".." / ".." / "ok_model")
    assert confined.get("/99/Models.bin/fl_model", query_string={"dir": tricky}).status_code == 200
    assert (allowed / "ok_model").is_file() and not (allowed.parent / "ok_model").exists()


def test_model_load_outside_is_refused(confined, folders):
    _, outside = folders
    path = str(outside / "secret.csv")
    assert_refused(confined.post("/99/Models.bin/", data={"dir": path}), path, "dir")


@pytest.mark.parametrize("make_path", [
    lambda a, o: str(o / "secret.csv"),
    lambda a, o: str(a / ".." / "outside" / "secret.csv"),
    lambda a, o: str(a) + "/../outside",
    lambda a, o: str(o / "*.csv"),
    lambda a, o: str(a / ".." / "*" / "secret.csv"),
])
def test_import_outside_is_refused(confined, folders, make_path):
    path = make_path(*folders)
    assert_refused(confined.get("/3/ImportFiles", query_string={"path": path}), path, "path")


def test_import_through_links_that_leave_is_refused(confined, folders):
    allowed, outside = folders
    (allowed / "leak.csv").symlink_to(outside / "secret.csv")
    (allowed / "escape").symlink_to(outside, target_is_directory=True)
    for path in (str(allowed / "leak.csv"), str(allowed / "escape" / "secret.csv"),
                 str(allowed / "escape")):
        assert_refused(confined.get("/3/ImportFiles", query_string={"path": path}), path, "path")
    # the folder itself is allowed, but a file in it leads out: named in the refusal
    reply = confined.get("/3/ImportFiles", query_string={"path": str(allowed)})
    assert_refused(reply, str(allowed / "leak.csv"), "path")


def test_import_inside_still_works(confined, folders):
    allowed, _ = folders
    (allowed / "sub").mkdir()
    (allowed / "sub" / "inner.csv").write_text(CSV)
    (allowed / "inner_link.csv").symlink_to(allowed / "sub" / "inner.csv")   # a link that stays
    reply = confined.get("/3/ImportFiles", query_string={"path": str(allowed / "sub" / ".." / "data.csv")})
    assert reply.status_code == 200 and reply.get_json()["files"] == [str(allowed / "data.csv")]
    linked = confined.get("/3/ImportFiles", query_string={"path": str(allowed / "inner_link.csv")})
    assert linked.status_code == 200
    parsed = confined.post("/3/Parse", data={"source_frames": json.dumps(linked.get_json()["destination_frames"]),
                                             "blocking": "true", "destination_frame": "inner.hex"})
    assert parsed.get_json()["rows"] == 3


def test_parse_refuses_an_imported_file_replaced_by_a_link_that_leaves(confined, folders):
    allowed, outside = folders
    raw = confined.get("/3/ImportFiles", query_string={"path": str(allowed / "data.csv")}
                       ).get_json()["destination_frames"][0]
    (allowed / "data.csv").unlink()
    (allowed / "data.csv").symlink_to(outside / "secret.csv")
    for route in ("/3/ParseSetup", "/3/Parse"):
        reply = confined.post(route, data={"source_frames": json.dumps([raw])})
        assert_refused(reply, str(allowed / "data.csv"), "source_frames")


def test_several_data_dirs(folders, tmp_path):
    allowed, outside = folders
    app = make_app(data_dirs=[str(allowed), str(outside)])
    client = app.test_client()
    assert client.get("/3/ImportFiles", query_string={"path": str(outside / "secret.csv")}).status_code == 200
    reply = client.get("/3/ImportFiles", query_string={"path": str(tmp_path)})
    assert_refused(reply, str(tmp_path), "path", allowed, outside)
    app.config["SERVICES"].jobs.shutdown()


def test_data_dir_option_of_the_server(folders):
    from access_helpers import GatedServer
    allowed, outside = folders
    server = GatedServer("--data-dir", str(allowed), "--data-dir", str(allowed / ".." / "allowed"))
    try:
        assert server.get("/3/ImportFiles", params={"path": str(allowed / "data.csv")}).status_code == 200
        refused = server.get("/3/ImportFiles", params={"path": str(outside / "secret.csv")})
        assert refused.status_code == 403
        assert refused.json()["values"]["data_dirs"] == str(allowed)
        assert f"under: {allowed}" in server.log_file.read_text()
    finally:
        server.stop()


def test_a_data_dir_that_is_not_a_folder_stops_the_start(tmp_path):
    import subprocess

    from access_helpers import backend_command
    from conftest import free_port
    result = subprocess.run(backend_command(free_port(), "--data-dir", str(tmp_path / "missing")),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--data-dir" in result.stderr and "not a folder" in result.stderr


# ---- spool paths ---------------------------------------------------------------------------------

def test_errors_about_uploads_do_not_show_spool_paths(client):
    spool = client.application.config["SERVICES"].spool_dir
    posted = client.post("/3/PostFile.bin?destination_frame=blob.bin", data=b"\x00\x01\x02binary\x00" * 10,
                         content_type="application/octet-stream")
    assert posted.status_code == 200
    reply = client.post("/3/ParseSetup", data={"source_frames": '["blob.bin"]'})
    body = assert_h2o_error(reply, 400, "'blob.bin'")
    assert spool not in json.dumps(body) and "upload_" not in json.dumps(body)


def test_the_upload_spool_cannot_be_read_or_written_by_path(client):
    spool = client.application.config["SERVICES"].spool_dir     # under /tmp, a data folder
    posted = client.post("/3/PostFile.bin?destination_frame=up.csv", data=CSV.encode(),
                         content_type="text/csv")
    assert posted.status_code == 200
    for path in (spool, os.path.join(spool, "*")):
        reply = client.get("/3/ImportFiles", query_string={"path": path})
        assert_h2o_error(reply, 403, "internal upload folder")
    put_binary_frame(client.application, "sp.hex", 100, 5)
    build(client, training_frame="sp.hex", response_column="y", model_id="sp_model")
    target = os.path.join(spool, "model")
    assert_h2o_error(client.get("/99/Models.bin/sp_model", query_string={"dir": target}), 403,
                     "internal upload folder")
    assert not os.path.exists(target)


def test_job_texts_do_not_show_spool_paths(app, client):
    from h2o_backend.server.file_access import FileAccess
    spool = app.config["SERVICES"].spool_dir
    access = FileAccess(spool_dir=spool)
    assert access.hide_spool(f"File {spool}/upload_abc is empty") == "File <upload> is empty"

    def fail(job):
        raise OSError(f"cannot read {os.path.join(spool, 'upload_123')}: broken")
    job = app.config["SERVICES"].jobs.submit("Parse", fail, dest_key="x.hex", dest_type="Key<Frame>")
    wait_job(client, job.key, ("FAILED",))
    shown = client.get(f"/3/Jobs/{job.key}").get_json()["jobs"][0]["exception"]
    assert "cannot read <upload>: broken" in shown and spool not in shown
