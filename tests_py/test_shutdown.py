"""Stopping cleanly (POST /3/Shutdown, SIGTERM) and what a server leaves on disk: saves in flight
are finished, running jobs cancelled, the spool folder removed; at start the spool folders and
temporary model files of dead servers are removed."""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
import threading
import time

import requests

from conftest import ServerProcess
from saved_model_helpers import temp_files, write_big_model


def spool_folders(pid: int) -> list[str]:
    return glob.glob(os.path.join(tempfile.gettempdir(), f"h2o_backend_spool_{pid}_*"))


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_post_shutdown_stops_the_server_and_removes_its_spool(data_dir):
    server = ServerProcess()
    try:
        pid = server.proc.pid
        with open(data_dir / "iris.csv", "rb") as fh:
            up = requests.post(server.url + "/3/PostFile.bin", params={"destination_frame": "iris.csv"},
                               files={"file": fh})
        assert up.status_code == 200
        [spool] = spool_folders(pid)
        assert os.listdir(spool)                                  # the upload waits there for a parse
        reply = requests.post(server.url + "/3/Shutdown")
        assert reply.status_code == 200 and reply.json()["__meta"]["schema_name"] == "ShutdownV3"
        assert server.proc.wait(60) == 0
        assert spool_folders(pid) == []
    finally:
        if server.proc.poll() is None:
            server.proc.kill()


def test_sigterm_finishes_the_save_in_flight_and_cancels_training(tmp_path, data_dir):
    from h2o_backend.export import saved_model
    seed = tmp_path / "seed.bin"
    model_id = write_big_model(seed)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "model.bin"
    server = ServerProcess()
    try:
        assert requests.post(server.url + "/99/Models.bin/", data={"dir": str(seed)}).status_code == 200
        raw = requests.get(server.url + "/3/ImportFiles",
                           params={"path": str(data_dir / "iris.csv")}).json()["destination_frames"][0]
        parse = requests.post(server.url + "/3/Parse", data={"source_frames": f'["{raw}"]', "blocking": "true",
                                                             "destination_frame": "iris.hex"})
        assert parse.status_code == 200, parse.text
        long_job = requests.post(server.url + "/3/ModelBuilders/deeplearning", data={
            "training_frame": "iris.hex", "response_column": "C5", "hidden": "[50]", "epochs": "1000000"})
        assert long_job.status_code == 200, long_job.text
        thread = threading.Thread(target=lambda: requests.get(
            f"{server.url}/99/Models.bin/{model_id}", params={"dir": str(target)}, timeout=120))
        thread.start()
        deadline = time.time() + 30
        while not temp_files(folder) and thread.is_alive() and time.time() < deadline:
            time.sleep(0.001)
        server.proc.terminate()                                  # SIGTERM while the file is written
        assert server.proc.wait(60) == 0
        thread.join(30)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    assert os.path.getsize(target) == os.path.getsize(seed)     # finished, not cut in half
    assert saved_model.load(str(target))[1] == model_id
    assert temp_files(folder) == []
    assert spool_folders(server.proc.pid) == []


def test_start_removes_leftovers_of_dead_servers_only(tmp_path):
    from h2o_backend.server import housekeeping
    gone = dead_pid()
    stale_spool = tempfile.mkdtemp(prefix=f"h2o_backend_spool_{gone}_")
    open(os.path.join(stale_spool, "upload_x"), "wb").write(b"x" * 1000)
    live_spool = tempfile.mkdtemp(prefix=f"h2o_backend_spool_{os.getpid()}_")   # this test is alive
    folder = tmp_path / "saves"
    folder.mkdir()
    housekeeping.record_save_folder(str(folder))
    (folder / f".tmp_model_{gone}_abc").write_bytes(b"partial")
    (folder / f".tmp_model_{os.getpid()}_def").write_bytes(b"being written")
    (folder / "model.bin").write_bytes(b"a user's file")
    server = ServerProcess()
    try:
        assert not os.path.exists(stale_spool)
        assert os.path.isdir(live_spool)
        assert temp_files(folder) == [f".tmp_model_{os.getpid()}_def"]
        assert (folder / "model.bin").read_bytes() == b"a user's file"
    finally:
        server.stop()
        os.rmdir(live_spool)


def test_recovery_dir_brings_trained_models_and_frames_back_after_a_crash(tmp_path, data_dir):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "broken.h2o_model").write_bytes(b"not a model")        # skipped, logged
    args = ["--recovery-dir", str(folder)]
    server = ServerProcess(extra_args=args)
    try:
        raw = requests.get(server.url + "/3/ImportFiles",
                           params={"path": str(data_dir / "iris.csv")}).json()["destination_frames"][0]
        requests.post(server.url + "/3/Parse", data={"source_frames": f'["{raw}"]', "blocking": "true",
                                                     "destination_frame": "iris.hex"})
        for model_id in ("kept", "dropped"):
            job = requests.post(server.url + "/3/ModelBuilders/deeplearning", data={
                "training_frame": "iris.hex", "response_column": "C5", "hidden": "[5]", "epochs": "1",
                "model_id": model_id}).json()["job"]["key"]["name"]
            deadline = time.time() + 60
            while requests.get(f"{server.url}/3/Jobs/{job}").json()["jobs"][0]["status"] == "RUNNING" \
                    and time.time() < deadline:
                time.sleep(0.1)
        assert (folder / "kept.h2o_model").exists() and (folder / "dropped.h2o_model").exists()
        assert requests.delete(server.url + "/3/Models/dropped").status_code == 200
        assert not (folder / "dropped.h2o_model").exists()
        made = requests.post(server.url + "/99/Rapids", data={
            "ast": "(assign iris_tail (rows iris.hex [100:50]))"}).json()
        assert made.get("key", {}).get("name") == "iris_tail", made
        requests.post(server.url + "/99/Rapids", data={"ast": "(assign iris_gone (cols iris.hex [0]))"})
        assert requests.delete(server.url + "/3/Frames/iris_gone").status_code == 200
        before = requests.get(server.url + "/3/Frames/iris.hex", params={"row_count": 150}).json()["frames"][0]
        server.proc.kill()                                             # a crash
        server.proc.wait(30)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    again = ServerProcess(extra_args=args)
    try:
        model = requests.get(again.url + "/3/Models/kept").json()["models"][0]
        assert model["output"]["status"] == "DONE"
        assert requests.get(again.url + "/3/Models/dropped").status_code == 404
        assert (folder / "broken.h2o_model").exists()
        after = requests.get(again.url + "/3/Frames/iris.hex", params={"row_count": 150}).json()["frames"][0]
        assert [c["label"] for c in after["columns"]] == [c["label"] for c in before["columns"]]
        assert [c["type"] for c in after["columns"]] == [c["type"] for c in before["columns"]]
        assert [c["domain"] for c in after["columns"]] == [c["domain"] for c in before["columns"]]
        for a, b in zip(after["columns"], before["columns"]):
            assert a["data"] == b["data"] and a.get("string_data") == b.get("string_data")
        assert requests.get(again.url + "/3/Frames/iris_tail").json()["frames"][0]["rows"] == 50
        assert requests.get(again.url + "/3/Frames/iris_gone").status_code == 404
        retrained = requests.post(again.url + "/3/ModelBuilders/deeplearning", data={
            "training_frame": "iris.hex", "response_column": "C5", "hidden": "[5]", "epochs": "1"})
        assert retrained.status_code == 200
    finally:
        again.stop()
